// Real audio for tests, made on the spot: espeak-ng speech, sox-synthesised noise and tones.
// Everything is 16 kHz mono Float32 in [-1, 1].
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const SR = 16000;

function pcm16ToFloat(buf: Buffer): Float32Array {
  const n = buf.length >> 1;
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = buf.readInt16LE(i * 2) / 32768;
  return out;
}

export function floatToPcm16(x: Float32Array): Int16Array {
  const out = new Int16Array(x.length);
  for (let i = 0; i < x.length; i++) out[i] = Math.max(-32768, Math.min(32767, Math.round(x[i] * 32767)));
  return out;
}

/** Runs sox with the given input and effects; the output is raw 16 kHz mono s16le on stdout. */
function soxRaw(inputArgs: string[], effects: string[] = [], input?: Buffer): Float32Array {
  const out = execFileSync(
    'sox',
    ['-q', '-D', ...inputArgs, '-t', 'raw', '-r', String(SR), '-c', '1', '-b', '16', '-e', 'signed-integer', '-L', '-', ...effects],
    { input, maxBuffer: 1 << 30, stdio: ['pipe', 'pipe', 'pipe'] },
  );
  return pcm16ToFloat(out);
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

/** Synthesised noise: white, pink or brown, at a linear amplitude (sox `synth`). */
export function noise(seconds: number, opts: { color?: 'white' | 'pink' | 'brown'; amplitude?: number } = {}): Float32Array {
  return soxRaw(['-n', '-r', String(SR), '-c', '1'], ['synth', String(seconds), `${opts.color ?? 'pink'}noise`, 'vol', String(opts.amplitude ?? 0.05)]);
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
  const out = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
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
  const pcm = floatToPcm16(x);
  const header = Buffer.alloc(44);
  header.write('RIFF', 0);
  header.writeUInt32LE(36 + pcm.byteLength, 4);
  header.write('WAVEfmt ', 8);
  header.writeUInt32LE(16, 16);
  header.writeUInt16LE(1, 20);
  header.writeUInt16LE(1, 22);
  header.writeUInt32LE(SR, 24);
  header.writeUInt32LE(SR * 2, 28);
  header.writeUInt16LE(2, 32);
  header.writeUInt16LE(16, 34);
  header.write('data', 36);
  header.writeUInt32LE(pcm.byteLength, 40);
  writeFileSync(file, Buffer.concat([header, Buffer.from(pcm.buffer, pcm.byteOffset, pcm.byteLength)]));
  return file;
}
