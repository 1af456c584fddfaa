// Runs a whole signal through the same per-chunk path the session uses (LogMel → SoundClassifier),
// for tests, the benchmark and offline analysis.
import { LogMel } from '../features.ts';
import { CHUNK_SAMPLES, SAMPLE_RATE } from '../../audio/chunk.ts';
import type { SoundClassifier } from './classifier.ts';

export interface AnalysedChunk {
  index: number;
  /** Stream time (s) at the end of the chunk. */
  t: number;
  pcm: Float32Array;
  mel: Float32Array;
  probs: Float32Array;
}

/** Chunks of 6400 samples (the last one zero-padded), each with its log-mel and class probabilities. */
export function analyseSignal(x: Float32Array, classifier: SoundClassifier): AnalysedChunk[] {
  const lm = new LogMel();
  classifier.reset();
  const out: AnalysedChunk[] = [];
  for (let i = 0, k = 0; i < x.length; i += CHUNK_SAMPLES, k++) {
    const pcm = new Float32Array(CHUNK_SAMPLES);
    pcm.set(x.subarray(i, Math.min(x.length, i + CHUNK_SAMPLES)));
    const mel = lm.process(pcm);
    out.push({ index: k, t: ((k + 1) * CHUNK_SAMPLES) / SAMPLE_RATE, pcm, mel, probs: classifier.classify(mel) });
  }
  return out;
}
