// Real audio for tests, made on the spot: espeak-ng speech, sox-synthesised noise and tones.
// Everything is 16 kHz mono Float32 in [-1, 1].
import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bytesToPcm16, concatSamples, floatToPcm16, pcm16ToFloat } from '../audio/pcm.ts';
import { writeWavFile } from '../audio/wav.ts';
import { SAMPLE_RATE } from '../audio/chunk.ts';

export { floatToPcm16 };

export const SR = SAMPLE_RATE;

/** Runs sox with the given input and effects; the output is raw 16 kHz mono s16le on stdout. */
function soxRaw(inputArgs: string[], effects: string[] = [], input?: Buffer): Float32Array {
  const out = execFileSync(
    'sox',
    ['-q', '-D', ...inputArgs, '-t', 'raw', '-r', String(SR), '-c', '1', '-b', '16', '-e', 'signed-integer', '-L', '-', ...effects],
    { input, maxBuffer: 1 << 30, stdio: ['pipe', 'pipe', 'pipe'] },
  );
  return pcm16ToFloat(bytesToPcm16(out));
}

/**
 * espeak-ng voice for test speech. The Klatt variant is recognised by pocketsphinx far better than the
 * default en-us voice (~20% vs ~70% WER measured, docs/notes/asr.md); real voices do better still.
 */
export const DEFAULT_VOICE = 'en-us+klatt';

/** Speech from espeak-ng (voice e.g. "en-us", "en+f3", "es"; speed in words per minute). */
export function speech(text: string, opts: { voice?: string; speed?: number; pitch?: number } = {}): Float32Array {
  const args = ['--stdout', '-v', opts.voice ?? DEFAULT_VOICE, '-s', String(opts.speed ?? 160)];
  if (opts.pitch !== undefined) args.push('-p', String(opts.pitch));
  const wav = execFileSync('espeak-ng', [...args, text], { maxBuffer: 1 << 28 });
  return soxRaw(['-t', 'wav', '-'], [], wav);
}

export function silence(seconds: number): Float32Array {
  return new Float32Array(Math.round(seconds * SR));
}

// Margin sweeps: SOUNDFLOW_TEST_NOISE_SEED=k makes the i-th unseeded noise() call of the process use seed
// k + i, so a test file can be run over seeds 0..N (measuring how often it fails) and any failure replayed.
let sweepCalls = 0;
function nextSweepSeed(): number | undefined {
  const base = process.env.SOUNDFLOW_TEST_NOISE_SEED;
  return base === undefined || base === '' ? undefined : Number(base) + sweepCalls++;
}

/**
 * Synthesised noise: white, pink or brown, at a linear amplitude (sox `synth`). Random on every call
 * unless `seed` is given: then the same samples every run, for tests whose margin was measured over
 * many draws and must not be drawn anew in every CI run. sox's repeatable mode has one fixed sequence;
 * seed k is its k-th stretch of `seconds` + 1 s, so seeds never overlap (cost grows with the seed).
 */
export function noise(seconds: number, opts: { color?: 'white' | 'pink' | 'brown'; amplitude?: number; seed?: number } = {}): Float32Array {
  const effect = [`${opts.color ?? 'pink'}noise`, 'vol', String(opts.amplitude ?? 0.05)];
  const seed = opts.seed ?? nextSweepSeed();
  if (seed === undefined) return soxRaw(['-n', '-r', String(SR), '-c', '1'], ['synth', String(seconds), ...effect]);
  if (!(Number.isInteger(seed) && seed >= 0 && seed <= 1000)) throw new RangeError(`noise seed must be an integer 0..1000, got ${seed}`);
  const skip = seed * (Math.ceil(seconds) + 1);
  return soxRaw(['-R', '-n', '-r', String(SR), '-c', '1'], ['synth', String(seconds + skip), ...effect, 'trim', String(skip)]);
}

/** A sine tone (e.g. a synthetic alarm beep). */
export function tone(freq: number, seconds: number, amplitude = 0.3): Float32Array {
  return soxRaw(['-n', '-r', String(SR), '-c', '1'], ['synth', String(seconds), 'sine', String(freq), 'vol', String(amplitude)]);
}

/** Any file sox can read, converted to 16 kHz mono. */
export function loadFile(path: string): Float32Array {
  return soxRaw([path]);
}

export function concat(...parts: Float32Array[]): Float32Array {
  return concatSamples(parts);
}

export function rms(x: Float32Array): number {
  let s = 0;
  for (let i = 0; i < x.length; i++) s += x[i] * x[i];
  return Math.sqrt(s / Math.max(1, x.length));
}

/** Adds `b` into a copy of `a` starting at `offset` samples, scaled to the given SNR (dB) of a over b. */
export function mix(a: Float32Array, b: Float32Array, snrDb: number, offset = 0): Float32Array {
  const out = new Float32Array(Math.max(a.length, offset + b.length));
  out.set(a);
  const gain = rms(b) > 0 ? rms(a) / rms(b) / Math.pow(10, snrDb / 20) : 0;
  for (let i = 0; i < b.length; i++) out[offset + i] += b[i] * gain;
  return out;
}

/** Writes a 16 kHz mono PCM16 WAV file; returns its path (a fresh temp file when no path is given). */
export function writeWav(x: Float32Array, path?: string): string {
  const file = path ?? join(mkdtempSync(join(tmpdir(), 'sf-test-')), 'audio.wav');
  // Through PCM16 first: samples beyond [-1, 1] saturate at -32768/32767 (encodeWav's float path clips to ±32767).
  writeWavFile(file, floatToPcm16(x), SR);
  return file;
}
