// Sample-format helpers shared by every audio edge: Float32 [-1, 1] inside the pipeline,
// PCM16 little-endian on the wire (files, WebSocket, base64 events).
import { SoundFlowError } from '../util/errors.ts';

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** Float32 in [-1, 1] to PCM16 (clipped, rounded). */
export function floatToPcm16(x: Float32Array): Int16Array {
  const out = new Int16Array(x.length);
  for (let i = 0; i < x.length; i++) {
    const v = Math.round(x[i] * 32767);
    // NaN would become 0 via the typed-array store, which is what we want.
    out[i] = v > 32767 ? 32767 : v < -32768 ? -32768 : v;
  }
  return out;
}

/** The exact inverse of pcm16ToFloat (and of the chunker's Int16 scaling): x·32768, rounded and clamped. */
export function unitToPcm16(x: Float32Array): Int16Array {
  const out = new Int16Array(x.length);
  for (let i = 0; i < x.length; i++) {
    const v = Math.round(x[i] * 32768);
    out[i] = v > 32767 ? 32767 : v < -32768 ? -32768 : v;
  }
  return out;
}

/** PCM16 to Float32; -32768 maps to exactly -1. */
export function pcm16ToFloat(x: Int16Array): Float32Array {
  const out = new Float32Array(x.length);
  for (let i = 0; i < x.length; i++) out[i] = x[i] / 32768;
  return out;
}

/** Little-endian bytes of PCM16 samples (no copy on little-endian hosts). */
export function pcm16ToBytes(x: Int16Array): Buffer {
  if (LITTLE_ENDIAN) return Buffer.from(x.buffer, x.byteOffset, x.byteLength);
  const b = Buffer.alloc(x.byteLength);
  for (let i = 0; i < x.length; i++) b.writeInt16LE(x[i], i * 2);
  return b;
}

/** PCM16 samples from little-endian bytes (always a fresh, aligned array). Odd byte counts are an error. */
export function bytesToPcm16(bytes: Uint8Array): Int16Array {
  if (bytes.byteLength % 2 !== 0) throw new SoundFlowError('invalid_audio', `PCM16 data must have an even byte count, got ${bytes.byteLength}`);
  const out = new Int16Array(bytes.byteLength / 2);
  if (LITTLE_ENDIAN) new Uint8Array(out.buffer).set(bytes);
  else {
    const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    for (let i = 0; i < out.length; i++) out[i] = dv.getInt16(i * 2, true);
  }
  return out;
}

/** Base64 of little-endian PCM16 (the `response.audio` wire format). */
export function pcm16ToBase64(x: Int16Array): string {
  return pcm16ToBytes(x).toString('base64');
}

const BASE64_RE = /^[A-Za-z0-9+/\-_]*={0,2}$/;

/** Decodes base64 PCM16; malformed base64 or an odd byte count gives `invalid_audio`. */
export function base64ToPcm16(b64: string): Int16Array {
  if (typeof b64 !== 'string') throw new SoundFlowError('invalid_audio', 'base64 audio must be a string');
  const clean = b64.replace(/\s+/g, '');
  // Buffer.from silently skips junk characters; reject them so corrupt input is noticed.
  if (!BASE64_RE.test(clean)) throw new SoundFlowError('invalid_audio', 'audio is not valid base64');
  return bytesToPcm16(Buffer.from(clean, 'base64'));
}

/** Averages interleaved channels into mono. */
export function downmix(interleaved: Float32Array, channels: number): Float32Array {
  if (!Number.isInteger(channels) || channels < 1) throw new SoundFlowError('invalid_audio', `channel count must be a positive integer, got ${channels}`);
  if (channels === 1) return interleaved;
  const frames = Math.floor(interleaved.length / channels);
  const out = new Float32Array(frames);
  const inv = 1 / channels;
  for (let f = 0, j = 0; f < frames; f++) {
    let s = 0;
    for (let c = 0; c < channels; c++) s += interleaved[j++];
    out[f] = s * inv;
  }
  return out;
}

/** Level floor in dBFS: what digital silence reports instead of -Infinity. */
export const SILENCE_DB = -100;

/** RMS level in dBFS (a full-scale sine is about -3 dB); SILENCE_DB for silence or empty input. */
export function levelDb(x: Float32Array | Int16Array): number {
  if (x.length === 0) return SILENCE_DB;
  const scale = x instanceof Int16Array ? 1 / 32768 : 1;
  let s = 0;
  for (let i = 0; i < x.length; i++) {
    const v = x[i] * scale;
    s += v * v;
  }
  const rms = Math.sqrt(s / x.length);
  return rms > 0 ? Math.max(SILENCE_DB, 20 * Math.log10(rms)) : SILENCE_DB;
}

/** Peak level in dBFS. */
export function peakDb(x: Float32Array | Int16Array): number {
  const scale = x instanceof Int16Array ? 1 / 32768 : 1;
  let p = 0;
  for (let i = 0; i < x.length; i++) p = Math.max(p, Math.abs(x[i] * scale));
  return p > 0 ? Math.max(SILENCE_DB, 20 * Math.log10(p)) : SILENCE_DB;
}

/** Concatenates sample arrays of one type. */
export function concatSamples<T extends Float32Array | Int16Array>(parts: T[]): T {
  const total = parts.reduce((n, p) => n + p.length, 0);
  const Ctor = (parts[0]?.constructor ?? Float32Array) as new (n: number) => T;
  const out = new Ctor(total);
  let o = 0;
  for (const p of parts) {
    (out as Float32Array).set(p as ArrayLike<number>, o);
    o += p.length;
  }
  return out;
}
