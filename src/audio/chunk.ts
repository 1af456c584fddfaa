// The unit every stage works on: exact 0.4 s chunks of 16 kHz mono, and the constants that define them.

export const SAMPLE_RATE = 16000;
export const CHUNK_SAMPLES = 6400;
export const CHUNK_MS = 400;

export interface Chunk {
  index: number;
  /** Stream time (s) at the start and at the end of this chunk. */
  start: number;
  t: number;
  /** Exactly CHUNK_SAMPLES samples in [-1, 1]. */
  pcm: Float32Array;
  /** True for the zero-padded last chunk. */
  padded: boolean;
}
