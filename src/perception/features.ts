// Streaming log-mel features, computed once per 0.4 s chunk and shared by every consumer
// (VAD statistics, acoustic context, sound-event model, decision).
//
// Parameters (fixed; models trained on logMelOfSignal output depend on them):
//   sample rate 16 kHz, Hann window 400 samples (25 ms, periodic), hop 160 (10 ms), FFT 512 (zero-padded),
//   64 triangular HTK-mel filters spanning 50–8000 Hz (50 Hz cuts DC/rumble), peak weight 1,
//   power spectrum |X_k|^2 of the raw windowed frame (no normalisation), value = ln(melEnergy + 1e-6).
// Framing is causal: frame k covers samples [(k+1)·160 − 400, (k+1)·160) with zeros before the stream
// start, i.e. each frame *ends* on a hop boundary. So a chunk of 6400 samples yields exactly 40 frames,
// the last one ending at the chunk end, and a streaming run equals a whole-signal run bit for bit.
// Level reference: 10·log10(melEnergy) − MEL_DB_OFFSET ≈ mean-square level in dB (20·log10 rms) of the
// signal within that band; summed over all bands ≈ the frame's 50–8000 Hz level (see melToDb).
import { SoundFlowError } from '../util/errors.ts';
import { SAMPLE_RATE } from '../audio/chunk.ts';
import { bitReversal, butterflies, twiddles } from '../audio/fft.ts';

export const MEL_BINS = 64;
export const FRAMES_PER_CHUNK = 40;
export const WIN_LENGTH = 400;
export const HOP_LENGTH = 160;
export const N_FFT = 512;
export const F_MIN = 50;
export const F_MAX = 8000;
export const LOG_EPS = 1e-6;
const N_BINS = N_FFT / 2 + 1;

/** Periodic Hann window of WIN_LENGTH. */
function hann(n: number): Float64Array {
  const w = new Float64Array(n);
  for (let i = 0; i < n; i++) w[i] = 0.5 - 0.5 * Math.cos((2 * Math.PI * i) / n);
  return w;
}
const WINDOW = hann(WIN_LENGTH);

/**
 * dB offset between 10·log10(mel energy) and mean-square dB: one-sided |X|^2 sums to
 * (N_FFT/2)·Σw²·meanSquare, and Σw² = 3/8·WIN_LENGTH for a Hann window. ≈ 45.84 dB.
 */
export const MEL_DB_OFFSET = 10 * Math.log10((N_FFT / 2) * WINDOW.reduce((s, v) => s + v * v, 0));

/** Converts one log-mel value (natural log) to a mean-square dB level (0 dB = rms 1.0). */
export function melToDb(logMel: number): number {
  return (10 / Math.LN10) * logMel - MEL_DB_OFFSET;
}

/**
 * Log-mel frame f's peak filter, its total energy, and the share of that energy within ±1 filter of the
 * peak: a pure tone spreads over at most its two neighbouring filters (tone gate, sound input guard).
 */
export function melPeakShare(mel: Float32Array, f: number, bins = MEL_BINS): { peak: number; share: number; total: number } {
  const o = f * bins;
  let peak = 0;
  let best = -Infinity;
  let total = 0;
  for (let b = 0; b < bins; b++) {
    const v = mel[o + b];
    total += Math.exp(v);
    if (v > best) {
      best = v;
      peak = b;
    }
  }
  let near = 0;
  for (let b = Math.max(0, peak - 1); b <= Math.min(bins - 1, peak + 1); b++) near += Math.exp(mel[o + b]);
  return { peak, share: total > 0 ? near / total : 0, total };
}

/** Real FFT of size N_FFT via one complex FFT of size N_FFT/2 (even/odd packing). */
class RealFft {
  private readonly m = N_FFT / 2;
  private readonly re = new Float64Array(this.m);
  private readonly im = new Float64Array(this.m);
  private readonly cosM: Float64Array; // twiddles of the half-size complex FFT
  private readonly sinM: Float64Array;
  private readonly cosN: Float64Array; // twiddles of the final split step
  private readonly sinN: Float64Array;
  private readonly rev: Uint16Array;

  constructor() {
    const m = this.m;
    ({ cos: this.cosM, sin: this.sinM } = twiddles(m));
    this.cosN = new Float64Array(m + 1);
    this.sinN = new Float64Array(m + 1);
    for (let k = 0; k <= m; k++) {
      this.cosN[k] = Math.cos((2 * Math.PI * k) / N_FFT);
      this.sinN[k] = Math.sin((2 * Math.PI * k) / N_FFT);
    }
    this.rev = bitReversal(m);
  }

  /** Writes |X_k|^2, k = 0..N_FFT/2, of the real input (length ≤ N_FFT, zero-padded) into `power`. */
  power(x: Float64Array, power: Float64Array): void {
    const { m, re, im, rev } = this;
    for (let i = 0; i < m; i++) {
      const j = rev[i];
      re[j] = x[2 * i];
      im[j] = x[2 * i + 1];
    }
    butterflies(re, im, this.cosM, this.sinM, -1);
    // Split Z = FFT(even + i·odd) into the spectrum of the real signal.
    for (let k = 0; k <= m; k++) {
      const a = re[k % m];
      const b = im[k % m];
      const c = re[(m - k) % m];
      const d = im[(m - k) % m];
      const feR = (a + c) / 2;
      const feI = (b - d) / 2;
      const foR = (b + d) / 2;
      const foI = -(a - c) / 2;
      const cs = this.cosN[k];
      const sn = this.sinN[k];
      const xr = feR + cs * foR + sn * foI;
      const xi = feI + cs * foI - sn * foR;
      power[k] = xr * xr + xi * xi;
    }
  }
}

interface MelFilter {
  first: number;
  weights: Float64Array;
}

const hzToMel = (f: number): number => 2595 * Math.log10(1 + f / 700);
const melToHz = (m: number): number => 700 * (Math.pow(10, m / 2595) - 1);

/** Sparse triangular HTK-mel filterbank over the one-sided FFT bins. */
function melFilterbank(nMels: number): MelFilter[] {
  const lo = hzToMel(F_MIN);
  const hi = hzToMel(F_MAX);
  const edges = Array.from({ length: nMels + 2 }, (_, i) => melToHz(lo + ((hi - lo) * i) / (nMels + 1)));
  const filters: MelFilter[] = [];
  for (let m = 0; m < nMels; m++) {
    const [l, c, u] = [edges[m], edges[m + 1], edges[m + 2]];
    const w: number[] = [];
    let first = -1;
    for (let k = 0; k < N_BINS; k++) {
      const f = (k * SAMPLE_RATE) / N_FFT;
      const v = f <= l || f >= u ? 0 : f <= c ? (f - l) / (c - l) : (u - f) / (u - c);
      if (v > 0) {
        if (first < 0) first = k;
        w[k - first] = v;
      } else if (first >= 0) break;
    }
    // With 64 bands and 31.25 Hz bins every triangle catches at least one bin; guard anyway.
    if (first < 0) throw new SoundFlowError('invalid_argument', `mel band ${m} of ${nMels} covers no FFT bin; use fewer mel bins`);
    filters.push({ first, weights: Float64Array.from(w) });
  }
  return filters;
}

const filterbanks = new Map<number, MelFilter[]>();
function filtersFor(nMels: number): MelFilter[] {
  let f = filterbanks.get(nMels);
  if (!f) filterbanks.set(nMels, (f = melFilterbank(nMels)));
  return f;
}

/** Computes frames from a sample history; shared by the streaming and the offline path so both agree exactly. */
class FrameComputer {
  readonly filters: MelFilter[];
  private readonly fft = new RealFft();
  private readonly frame = new Float64Array(N_FFT);
  private readonly power = new Float64Array(N_BINS);

  constructor(readonly nMels: number) {
    if (!Number.isInteger(nMels) || nMels < 1 || nMels > 128) {
      throw new SoundFlowError('invalid_argument', `nMels must be an integer in 1..128, got ${nMels}`);
    }
    this.filters = filtersFor(nMels);
  }

  /** One frame from `src[start .. start+WIN_LENGTH)`; writes nMels values at out[offset..]. */
  compute(src: Float32Array, start: number, out: Float32Array, offset: number): void {
    const { frame, power } = this;
    for (let i = 0; i < WIN_LENGTH; i++) frame[i] = src[start + i] * WINDOW[i];
    // frame[WIN_LENGTH..N_FFT) stays zero (padding).
    this.fft.power(frame, power);
    for (let m = 0; m < this.nMels; m++) {
      const { first, weights } = this.filters[m];
      let e = 0;
      for (let j = 0; j < weights.length; j++) e += weights[j] * power[first + j];
      out[offset + m] = Math.log(e + LOG_EPS);
    }
  }
}

function checkAudio(x: unknown): asserts x is Float32Array {
  if (!(x instanceof Float32Array)) throw new SoundFlowError('invalid_audio', 'audio must be a Float32Array', { recoverable: true });
  for (let i = 0; i < x.length; i++) {
    if (!Number.isFinite(x[i])) throw new SoundFlowError('invalid_audio', `audio sample ${i} is not finite (${x[i]})`, { recoverable: true });
  }
}

/**
 * Streaming extractor: feed consecutive chunks; each call returns floor((carried + new) / HOP) frames,
 * exactly FRAMES_PER_CHUNK for a 6400-sample chunk. The last WIN_LENGTH − HOP samples are carried over.
 */
export class LogMel {
  readonly nMels: number;
  private readonly fc: FrameComputer;
  private readonly overlap = WIN_LENGTH - HOP_LENGTH;
  // History buffer: `overlap` carried samples, then any hop remainder of an odd-sized chunk.
  private buf = new Float32Array(WIN_LENGTH - HOP_LENGTH);
  private bufLen = WIN_LENGTH - HOP_LENGTH;
  private work = new Float32Array(0);

  constructor(opts: { nMels?: number } = {}) {
    this.nMels = opts.nMels ?? MEL_BINS;
    this.fc = new FrameComputer(this.nMels);
  }

  /** Log-mel frames of the chunk, frame-major: value (f, m) at f·nMels + m. */
  process(chunk: Float32Array): Float32Array {
    checkAudio(chunk);
    const total = this.bufLen + chunk.length;
    // The history and the chunk side by side, in a buffer kept between chunks (same-sized chunks reuse it).
    if (this.work.length !== total) this.work = new Float32Array(total);
    const work = this.work;
    work.set(this.buf.subarray(0, this.bufLen));
    work.set(chunk, this.bufLen);
    const frames = Math.floor((total - this.overlap) / HOP_LENGTH);
    const out = new Float32Array(frames * this.nMels);
    for (let f = 0; f < frames; f++) this.fc.compute(work, f * HOP_LENGTH, out, f * this.nMels);
    const keepFrom = frames * HOP_LENGTH;
    this.bufLen = total - keepFrom;
    if (this.buf.length < this.bufLen) this.buf = new Float32Array(this.bufLen);
    this.buf.set(work.subarray(keepFrom));
    return out;
  }

  /** Back to the stream start (zero history). */
  reset(): void {
    this.bufLen = this.overlap;
    this.buf.fill(0);
  }
}

/** Whole-signal log-mel with the same causal framing: floor(x.length / HOP) frames of MEL_BINS. */
export function logMelOfSignal(x: Float32Array, opts: { nMels?: number } = {}): { frames: number; data: Float32Array } {
  checkAudio(x);
  const fc = new FrameComputer(opts.nMels ?? MEL_BINS);
  const overlap = WIN_LENGTH - HOP_LENGTH;
  const padded = new Float32Array(overlap + x.length);
  padded.set(x, overlap);
  const frames = Math.floor(x.length / HOP_LENGTH);
  const data = new Float32Array(frames * fc.nMels);
  for (let f = 0; f < frames; f++) fc.compute(padded, f * HOP_LENGTH, data, f * fc.nMels);
  return { frames, data };
}

/** |X_k|^2 (k = 0..N_FFT/2) of one Hann-windowed 400-sample frame; exposed for tests and analysis. */
export function framePowerSpectrum(frame: Float32Array): Float64Array {
  if (frame.length !== WIN_LENGTH) throw new SoundFlowError('invalid_audio', `frame must have ${WIN_LENGTH} samples`);
  const buf = new Float64Array(N_FFT);
  for (let i = 0; i < WIN_LENGTH; i++) buf[i] = frame[i] * WINDOW[i];
  const out = new Float64Array(N_BINS);
  new RealFft().power(buf, out);
  return out;
}

/** Centre frequencies (Hz) of the mel bands, for analysis and for mapping sounds to bands. */
export function melCenterFrequencies(nMels = MEL_BINS): number[] {
  const lo = hzToMel(F_MIN);
  const hi = hzToMel(F_MAX);
  return Array.from({ length: nMels }, (_, i) => melToHz(lo + ((hi - lo) * (i + 1)) / (nMels + 1)));
}
