// Percepts for driving a decision policy chunk by chunk without audio: silent chunks, and on some the
// end of an utterance carrying its final transcript (after 600 ms of closing silence).
import { CHUNK_SAMPLES, SAMPLE_RATE } from '../../src/audio/chunk.ts';
import type { DecisionContext } from '../../src/decision/types.ts';
import type { FinalTranscript, Percept } from '../../src/perception/types.ts';

/** Nothing playing, nothing said yet. */
export const IDLE_CONTEXT: DecisionContext = { speaking: false, lastReplyT: -Infinity, recentOutput: [], echo: false };

/** Chunk `index`, ending an utterance when `final` is given; `levelDb` is the chunk's level. */
export function policyPercept(index: number, final?: FinalTranscript, levelDb = -60): Percept {
  const dt = CHUNK_SAMPLES / SAMPLE_RATE;
  return {
    chunk: { index, start: index * dt, t: (index + 1) * dt, pcm: new Float32Array(CHUNK_SAMPLES), padded: false },
    mel: new Float32Array(0), vadProbs: [], speech: 0, levelDb, snrDb: 0,
    speechStarted: false, speechEnded: !!final, inSpeech: false, silenceMs: final ? 600 : 2000,
    ...(final ? { final: Promise.resolve(final) } : {}),
  };
}
