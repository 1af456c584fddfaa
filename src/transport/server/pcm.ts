// PCM16 helpers at the protocol edge: base64 <-> Int16, and a streaming resampler for the
// Realtime endpoint (24 kHz on the wire, 16 kHz in the engine). The resampler is local because the
// shared src/audio/resample.ts had not landed when this was written; it keeps state across calls so
// arbitrary append sizes join without clicks.
import { SoundFlowError } from '../../util/errors.ts';

/** Decodes little-endian PCM16 bytes; an odd byte count is a client error, not something to guess at. */
export function bytesToPcm16(buf: Uint8Array): Int16Array {
  if (buf.byteLength % 2 !== 0) {
    throw new SoundFlowError('invalid_audio', `PCM16 audio must have an even number of bytes, got ${buf.byteLength}`, { recoverable: true });
  }
  const out = new Int16Array(buf.byteLength / 2);
  const dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  for (let i = 0; i < out.length; i++) out[i] = dv.getInt16(i * 2, true);
  return out;
}

export function base64ToPcm16(b64: string): Int16Array {
  // Buffer.from(…, 'base64') silently skips junk; insist on the alphabet so garbage gets an error.
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(b64)) {
    throw new SoundFlowError('invalid_audio', 'audio must be base64-encoded PCM16', { recoverable: true });
  }
  return bytesToPcm16(Buffer.from(b64, 'base64'));
}

export function pcm16ToBytes(x: Int16Array): Buffer {
  const out = Buffer.alloc(x.length * 2);
  for (let i = 0; i < x.length; i++) out.writeInt16LE(x[i], i * 2);
  return out;
}

export function pcm16ToBase64(x: Int16Array): string {
  return pcm16ToBytes(x).toString('base64');
}

export function pcm16ToFloat(x: Int16Array): Float32Array {
  const out = new Float32Array(x.length);
  for (let i = 0; i < x.length; i++) out[i] = x[i] / 32768;
  return out;
}

export function floatToPcm16(x: Float32Array): Int16Array {
  const out = new Int16Array(x.length);
  for (let i = 0; i < x.length; i++) out[i] = Math.max(-32768, Math.min(32767, Math.round(x[i] * 32768)));
  return out;
}

/** Milliseconds of audio in `samples` at `rate`. */
export function durationMs(samples: number, rate: number): number {
  return (samples / rate) * 1000;
}

const HALF_TAPS = 16;

/**
 * Windowed-sinc resampler that can be fed any number of samples at a time. The cutoff sits a little
 * under the lower Nyquist frequency so 24 -> 16 kHz does not alias. Latency: HALF_TAPS input samples.
 */
export class StreamResampler {
  private buf: Float32Array;
  private pos: number;
  private readonly step: number;
  private readonly fc: number;
  private readonly kernels = new Map<number, Float32Array>();

  constructor(
    readonly from: number,
    readonly to: number,
  ) {
    if (!(from > 0 && to > 0)) throw new RangeError('sample rates must be positive');
    this.step = from / to;
    this.fc = Math.min(1, to / from) * 0.94;
    // Leading zeros give the first output samples their left context.
    this.buf = new Float32Array(HALF_TAPS);
    this.pos = HALF_TAPS;
  }

  private kernel(frac: number): Float32Array {
    const key = Math.round(frac * 1e6);
    let k = this.kernels.get(key);
    if (k) return k;
    k = new Float32Array(2 * HALF_TAPS);
    let sum = 0;
    for (let i = 0; i < 2 * HALF_TAPS; i++) {
      const d = i - HALF_TAPS + 1 - frac; // distance from the output position to input sample i
      const x = this.fc * d;
      const sinc = x === 0 ? 1 : Math.sin(Math.PI * x) / (Math.PI * x);
      const w = 0.5 + 0.5 * Math.cos((Math.PI * d) / HALF_TAPS);
      k[i] = Math.abs(d) >= HALF_TAPS ? 0 : sinc * w;
      sum += k[i];
    }
    for (let i = 0; i < k.length; i++) k[i] /= sum; // unity gain at DC
    if (this.kernels.size < 1024) this.kernels.set(key, k);
    return k;
  }

  push(input: Float32Array): Float32Array {
    if (this.from === this.to) return input.slice();
    const buf = new Float32Array(this.buf.length + input.length);
    buf.set(this.buf);
    buf.set(input, this.buf.length);
    const out: number[] = [];
    while (Math.floor(this.pos) + HALF_TAPS < buf.length) {
      const i0 = Math.floor(this.pos);
      const k = this.kernel(this.pos - i0);
      let acc = 0;
      const base = i0 - HALF_TAPS + 1;
      for (let j = 0; j < k.length; j++) acc += buf[base + j] * k[j];
      out.push(acc);
      this.pos += this.step;
    }
    const keep = Math.max(0, Math.floor(this.pos) - HALF_TAPS + 1);
    this.buf = buf.slice(keep);
    this.pos -= keep;
    return Float32Array.from(out);
  }

  /** Drops buffered input (e.g. input_audio_buffer.clear) without forgetting the rates. */
  reset(): void {
    this.buf = new Float32Array(HALF_TAPS);
    this.pos = HALF_TAPS;
  }
}
