// Speech output: the Tts seam, the espeak-ng implementation and its helpers.
export type { Tts, TtsOptions } from './types.ts';
export { EspeakTts, synthesizeAll, sharedEspeakSlots, MAX_ESPEAK_PROCESSES, type EspeakOptions } from './espeak.ts';
export { PROSODY, prosodyFor, type Prosody } from './prosody.ts';
export { voiceFor, hasVoice, installedVoices } from './voices.ts';
export { splitSentences, SentenceSplitter, type SplitOptions } from './sentences.ts';
export { Semaphore } from './semaphore.ts';
