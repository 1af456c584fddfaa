// Experiment (café question): keep the harmonics of the dominant voice and attenuate the bins between
// them, frame by frame (512-sample frames, hop 256, square-root Hann, F0 by YIN on each frame). A
// near talker a few dB over a babble of several voices dominates the pitch of most voiced frames; the
// babble's energy between its harmonics is then cut. Unvoiced frames pass unchanged.
import { bitReversal, butterflies, twiddles } from '../src/audio/fft.ts';

const N = 512;
const HOP = N / 2;
const SR = 16000;
const WINDOW = Float64Array.from({ length: N }, (_, i) => Math.sqrt(0.5 - 0.5 * Math.cos((2 * Math.PI * i) / N)));
const TW = twiddles(N);
const REV = bitReversal(N);

function fft(re: Float64Array, im: Float64Array, inverse: boolean): void {
  for (let i = 0; i < N; i++) {
    const j = REV[i];
    if (j > i) {
      [re[i], re[j]] = [re[j], re[i]];
      [im[i], im[j]] = [im[j], im[i]];
    }
  }
  butterflies(re, im, TW.cos, TW.sin, inverse ? 1 : -1);
  if (inverse) for (let i = 0; i < N; i++) (re[i] /= N), (im[i] /= N);
}

/** YIN over a 512-sample frame (window 320, lags for 70–400 Hz): [f0, aperiodicity]. */
function yin(x: Float64Array): [number, number] {
  const W = 320;
  const tmin = Math.floor(SR / 400), tmax = Math.ceil(SR / 70);
  const d = new Float64Array(tmax + 1);
  for (let t = 1; t <= tmax; t++) {
    let s = 0;
    for (let i = 0; i < W && i + t < x.length; i++) {
      const e = x[i] - x[i + t];
      s += e * e;
    }
    d[t] = s;
  }
  let run = 0, best = -1, bestV = Infinity;
  for (let t = 1; t <= tmax; t++) {
    run += d[t];
    const v = run > 0 ? (d[t] * t) / run : 1;
    if (t < tmin) continue;
    if (v < bestV) (bestV = v), (best = t);
    if (v < 0.15) {
      // first dip under the threshold: follow it to its bottom
      let u = t, uv = v;
      while (u + 1 <= tmax) {
        const r2 = run + d[u + 1];
        const w = r2 > 0 ? (d[u + 1] * (u + 1)) / r2 : 1;
        if (w >= uv) break;
        run = r2;
        u++;
        uv = w;
      }
      return [SR / u, uv];
    }
  }
  return [best > 0 ? SR / best : 0, bestV];
}

export interface HarmonicMaskOptions {
  /** Gain between harmonics. */
  floor: number;
  /** Half-width of a kept harmonic, as a share of F0. */
  width: number;
  /** A frame is voiced when YIN's aperiodicity is under this. */
  voiced: number;
  /** Harmonics are kept up to this frequency; above it the frame passes as it is. */
  maxHz: number;
}
export const DEFAULT_HARMONIC_MASK: HarmonicMaskOptions = { floor: 0.3, width: 0.2, voiced: 0.35, maxHz: 4000 };

export function harmonicMask(x: Float32Array, options: Partial<HarmonicMaskOptions> = {}): Float32Array {
  const o = { ...DEFAULT_HARMONIC_MASK, ...options };
  const out = new Float32Array(x.length + N);
  const re = new Float64Array(N), im = new Float64Array(N), frame = new Float64Array(N);
  for (let s = -HOP; s < x.length; s += HOP) {
    for (let i = 0; i < N; i++) frame[i] = s + i >= 0 && s + i < x.length ? x[s + i] : 0;
    const [f0, ap] = yin(frame);
    for (let i = 0; i < N; i++) re[i] = frame[i] * WINDOW[i];
    im.fill(0);
    fft(re, im, false);
    if (f0 > 0 && ap < o.voiced) {
      for (let k = 0; k <= N / 2; k++) {
        const f = (k * SR) / N;
        if (f > o.maxHz) break;
        const h = Math.max(1, Math.round(f / f0));
        const dist = Math.abs(f - h * f0) / f0;
        const g = dist <= o.width ? 1 : o.floor;
        re[k] *= g;
        im[k] *= g;
        if (k > 0 && k < N / 2) (re[N - k] *= g), (im[N - k] *= g);
      }
    }
    fft(re, im, true);
    for (let i = 0; i < N; i++) if (s + i >= 0) out[s + i] += re[i] * WINDOW[i];
  }
  return out.subarray(0, x.length);
}
