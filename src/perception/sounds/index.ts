// Sound events: the per-chunk classifier, onset-based counting, and a whole-signal helper.
export { SoundClassifier, DEFAULT_SOUND_MODEL_DIR } from './classifier.ts';
export { EventCounter, countWord, type CounterChunk, type EventCounterOptions } from './counter.ts';
export { OnsetDetector, type OnsetOptions } from './onsets.ts';
export { analyseSignal, type AnalysedChunk } from './stream.ts';
