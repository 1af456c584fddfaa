// Streaming F0 tracker (YIN) on the 10 ms frame grid of features.ts. The signal is decimated to 4 kHz
// (speech F0 lies below 500 Hz; 4 kHz keeps the low harmonics that carry it and costs 4× less than
// 8 kHz), then for each requested frame the cumulative-mean-normalised difference function is searched
// over 60–500 Hz. Its minimum is also an aperiodicity measure (0 = perfectly periodic, ~1 = noise),
// which tells voiced from whispered or unvoiced speech.
// Frames are analysed only when asked (the caller passes the speech frames), so silence costs nothing.
import { FRAMES_PER_CHUNK, HOP_LENGTH } from '../features.ts';

const DECIM = 4;
const DEC_RATE = 16000 / DECIM;
const HOP = HOP_LENGTH / DECIM; // 40 samples at 4 kHz = 10 ms
/** Analysis window (25 ms). */
const W = 100;
const F0_MIN = 60;
const F0_MAX = 500;
const TAU_MIN = Math.floor(DEC_RATE / F0_MAX); // 8
const TAU_MAX = Math.ceil(DEC_RATE / F0_MIN); // 67
/** Samples of history a frame needs: the window plus the longest lag. */
const SPAN = W + TAU_MAX;
/** YIN absolute threshold: the first dip below it is taken (avoids octave errors on strong subharmonics). */
const YIN_THRESHOLD = 0.15;
/** A frame is voiced when its best normalised difference is below this. */
export const VOICED_APERIODICITY = 0.3;

// Low-pass (Hamming-windowed sinc, cut-off 1.8 kHz at 16 kHz) for the 4:1 decimation.
const TAPS = (() => {
  const n = 31;
  const h = new Float64Array(n);
  const c = 1800 / 16000;
  let s = 0;
  for (let i = 0; i < n; i++) {
    const m = i - (n - 1) / 2;
    const sinc = m === 0 ? 2 * c : Math.sin(2 * Math.PI * c * m) / (Math.PI * m);
    h[i] = sinc * (0.54 - 0.46 * Math.cos((2 * Math.PI * i) / (n - 1)));
    s += h[i];
  }
  for (let i = 0; i < n; i++) h[i] /= s;
  return h;
})();

export interface PitchFrame {
  /** F0 in Hz, 0 when unvoiced or not analysed. */
  f0: number;
  /** Minimum of the normalised difference function (0..~1.5); 1 when not analysed. */
  aperiodicity: number;
}

export class PitchTracker {
  /** 16 kHz input history for the FIR (TAPS−1 samples). */
  private hist16 = new Float64Array(TAPS.length - 1);
  /** 4 kHz signal: SPAN samples of history followed by the current chunk. */
  private buf = new Float64Array(SPAN + (FRAMES_PER_CHUNK * HOP));
  private readonly diff = new Float64Array(TAU_MAX + 1);
  private phase = 0; // 16 kHz stream position modulo DECIM

  /**
   * Feeds one chunk (16 kHz; a multiple of 160 samples) and analyses the frames where `want[f]` is true.
   * Frame f ends at the same sample as log-mel frame f of this chunk.
   */
  process(pcm: Float32Array, want: ArrayLike<boolean>): PitchFrame[] {
    const frames = Math.floor(pcm.length / HOP_LENGTH);
    const dec = this.decimate(pcm);
    // Shift history: keep the last SPAN samples, append this chunk's decimated samples.
    const need = SPAN + dec.length;
    if (this.buf.length < need) {
      const nb = new Float64Array(need);
      nb.set(this.buf.subarray(this.buf.length - SPAN), 0);
      this.buf = nb;
    } else {
      this.buf.copyWithin(0, this.buf.length - SPAN);
    }
    const x = this.buf;
    x.set(dec, SPAN);
    const out: PitchFrame[] = new Array(frames);
    for (let f = 0; f < frames; f++) {
      if (!want[f]) {
        out[f] = { f0: 0, aperiodicity: 1 };
        continue;
      }
      const end = SPAN + (f + 1) * HOP; // exclusive end of this frame at 4 kHz
      out[f] = this.yin(x, end - SPAN);
    }
    // Keep the total buffer length = SPAN + dec.length so the next copyWithin keeps the right tail.
    if (x.length !== SPAN + dec.length) this.buf = x.slice(0, SPAN + dec.length);
    return out;
  }

  reset(): void {
    this.hist16.fill(0);
    this.buf = new Float64Array(SPAN + FRAMES_PER_CHUNK * HOP);
    this.phase = 0;
  }

  private decimate(pcm: Float32Array): Float64Array {
    const h = this.hist16;
    const nt = TAPS.length;
    const all = new Float64Array(h.length + pcm.length);
    all.set(h, 0);
    for (let i = 0; i < pcm.length; i++) all[h.length + i] = pcm[i];
    // Output samples sit on every DECIM-th input sample of the stream (phase carried across pushes).
    const first = (DECIM - this.phase) % DECIM;
    const outLen = first < pcm.length ? Math.floor((pcm.length - 1 - first) / DECIM) + 1 : 0;
    const out = new Float64Array(outLen);
    for (let o = 0, i = first; o < outLen; o++, i += DECIM) {
      // Aligned with input sample i (the filter's 15-sample delay, < 1 ms, is ignored).
      let s = 0;
      const base = i + h.length - (nt - 1);
      for (let k = 0; k < nt; k++) s += TAPS[k] * all[base + k];
      out[o] = s;
    }
    this.phase = (this.phase + pcm.length) % DECIM;
    this.hist16 = all.slice(all.length - h.length);
    return out;
  }

  /** YIN on x[start, start + SPAN): window of W samples compared with lags 1..TAU_MAX. */
  private yin(x: Float64Array, start: number): PitchFrame {
    const d = this.diff;
    let energy = 0;
    for (let j = 0; j < W; j++) energy += x[start + j] * x[start + j];
    if (energy < 1e-7) return { f0: 0, aperiodicity: 1 }; // digital silence / far below any speech
    d[0] = 0;
    for (let tau = 1; tau <= TAU_MAX; tau++) {
      let s = 0;
      const a = start, b = start + tau;
      for (let j = 0; j < W; j++) {
        const v = x[a + j] - x[b + j];
        s += v * v;
      }
      d[tau] = s;
    }
    // Cumulative mean normalisation in place.
    let run = 0;
    for (let tau = 1; tau <= TAU_MAX; tau++) {
      run += d[tau];
      d[tau] = run > 0 ? (d[tau] * tau) / run : 1;
    }
    let best = -1;
    for (let tau = TAU_MIN; tau <= TAU_MAX; tau++) {
      if (d[tau] < YIN_THRESHOLD) {
        while (tau + 1 <= TAU_MAX && d[tau + 1] < d[tau]) tau++;
        best = tau;
        break;
      }
    }
    if (best < 0) {
      best = TAU_MIN;
      for (let tau = TAU_MIN + 1; tau <= TAU_MAX; tau++) if (d[tau] < d[best]) best = tau;
    }
    const ap = d[best];
    if (ap >= VOICED_APERIODICITY || best >= TAU_MAX) return { f0: 0, aperiodicity: Math.min(ap, 1.5) };
    // Parabolic interpolation of the dip (sub-sample lag: 4 kHz alone would give ~2% steps at 200 Hz).
    let tau = best;
    if (best > TAU_MIN && best < TAU_MAX) {
      const a = d[best - 1], b = d[best], c = d[best + 1];
      const den = a - 2 * b + c;
      if (den > 0) tau = best + (0.5 * (a - c)) / den;
    }
    return { f0: DEC_RATE / tau, aperiodicity: ap };
  }
}

/** Semitones of f relative to 100 Hz. */
export function semitones(f: number): number {
  return 12 * Math.log2(f / 100);
}
