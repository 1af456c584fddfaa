// Converts any audio file to 16 kHz mono PCM16 WAV: ffmpeg first, sox as the fallback (a few files
// decode with only one of them). Also reads the corpus's own WAVs (written with writeWavFile, src/audio/wav.ts).
import { execFile } from 'node:child_process';
import { renameSync, rmSync } from 'node:fs';
import { promisify } from 'node:util';
import { SAMPLE_RATE } from '../../audio/chunk.ts';
import { readWavFile } from '../../audio/wav.ts';
import { partName } from '../../util/fs.ts';
import { SoundFlowError } from '../../util/errors.ts';

const run = promisify(execFile);

/** Converts `input` to `output` (16 kHz mono s16 WAV), at most `maxSeconds` long. Throws `undecodable` if both tools fail. */
export async function convertToWav(input: string, output: string, maxSeconds: number): Promise<void> {
  const errors: string[] = [];
  // Written under a private name and renamed into place: a parallel reader never sees half a file.
  const part = partName(output);
  try {
    await run('ffmpeg', ['-v', 'error', '-nostdin', '-y', '-i', input, '-t', String(maxSeconds), '-ac', '1', '-ar', String(SAMPLE_RATE), '-sample_fmt', 's16', part]);
    if (readWav(part).length > 0) return renameSync(part, output);
    errors.push('ffmpeg: no samples');
  } catch (err) {
    errors.push('ffmpeg: ' + lastLine(err));
  }
  try {
    await run('sox', ['-q', input, '-r', String(SAMPLE_RATE), '-c', '1', '-b', '16', '-e', 'signed-integer', part, 'trim', '0', String(maxSeconds)]);
    if (readWav(part).length > 0) return renameSync(part, output);
    errors.push('sox: no samples');
  } catch (err) {
    errors.push('sox: ' + lastLine(err));
  }
  rmSync(part, { force: true });
  throw new SoundFlowError('undecodable', `cannot decode ${input} (${errors.join('; ')})`, { recoverable: true });
}

function lastLine(err: unknown): string {
  const e = err as { stderr?: string; message?: string };
  return String(e.stderr || e.message || err).trim().split('\n').pop() ?? '';
}

/** Reads a corpus WAV (any PCM WAV; mono downmix) as Float32 samples. */
export function readWav(path: string): Float32Array {
  const w = readWavFile(path);
  if (w.sampleRate !== SAMPLE_RATE) throw new SoundFlowError('invalid_wav', `${path}: expected ${SAMPLE_RATE} Hz, got ${w.sampleRate}`);
  return w.samples;
}
