// The builder's own file writing: atomic writes (resume trusts any file that exists) and the size check
// that tells a complete stream WAV from an interrupted one. Decoding and WAV encoding are the project's
// (src/audio/decode.ts, src/audio/wav.ts).
import { renameSync, writeFileSync } from 'node:fs';
import { encodeWav } from '../../audio/wav.ts';
import { SAMPLE_RATE } from '../../audio/chunk.ts';

/** Writes through a temp file and a rename, so a file that exists is always complete (resume relies on it). */
export function writeAtomic(path: string, data: Buffer | string): void {
  const tmp = `${path}.tmp-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
  writeFileSync(tmp, data);
  renameSync(tmp, path);
}

/** A 16 kHz mono 16-bit WAV with the canonical 44-byte header (what wavSampleCount assumes), written atomically. */
export function writeWav(path: string, x: Float32Array): void {
  writeAtomic(path, encodeWav(x, SAMPLE_RATE));
}

/** Sample count of a WAV written by writeWav, from its size (no decode): for completeness checks. */
export function wavSampleCount(bytes: number): number {
  return Math.max(0, (bytes - 44) >> 1);
}
