// Public surface of the corpus module.
export { SOUND_CLASSES, IMPULSIVE_CLASSES, isSoundClass, type SoundClass } from '../../perception/sounds/classes.ts';
export { buildCorpus, DEFAULT_CORPUS_DIR, type BuildOptions } from './build.ts';
export { readManifest, writeManifest, summarise, type CorpusEntry, type CorpusManifest, type Split } from './manifest.ts';
export { readWav } from './convert.ts';
