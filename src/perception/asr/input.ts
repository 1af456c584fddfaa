// What the streaming recognisers accept: 16 kHz mono PCM as Int16 or Float32, and at most a bounded
// number of samples per utterance. One place for both, so the one-pass and two-pass recognisers agree.
import { SAMPLE_RATE } from '../../audio/chunk.ts';
import { floatToPcm16 } from '../../audio/pcm.ts';
import { SoundFlowError } from '../../util/errors.ts';

/**
 * Audio fed to a recogniser as PCM16. `copy` for a caller that keeps the samples past the call (the
 * caller's buffer may be reused meanwhile); Float32 input is always converted into a new array.
 */
export function toRecognizerPcm(pcm: Int16Array | Float32Array, opts: { copy?: boolean } = {}): Int16Array {
  if (pcm instanceof Int16Array) return opts.copy ? pcm.slice() : pcm;
  if (pcm instanceof Float32Array) return floatToPcm16(pcm);
  throw new SoundFlowError('asr_bad_input', 'audio must be an Int16Array (16 kHz mono PCM16) or a Float32Array', { recoverable: true });
}

/**
 * The most samples one utterance may hold (`maxUtteranceSeconds`, default 30 s, 1–300 s): audio past it
 * is dropped and the transcript marked truncated, so a never-ending "utterance" cannot grow without bound.
 */
export function utteranceSampleBudget(seconds = 30): number {
  if (!(seconds >= 1 && seconds <= 300)) throw new SoundFlowError('invalid_argument', 'maxUtteranceSeconds must be 1..300');
  return Math.round(seconds * SAMPLE_RATE);
}
