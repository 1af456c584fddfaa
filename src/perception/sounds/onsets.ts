// Onset detection on the shared log-mel frames: a frame is an onset when its band energy jumps above the
// background level with positive spectral flux, after the previous event has decayed (hysteresis) and a
// refractory period has passed. Background = median frame level of the last 1.5 s (a minimum-based floor
// let every bird chirp of a recorded ambience through). Streaming: state carries across chunks.
import { MEL_DB_OFFSET } from '../features.ts';

export const FRAME_SEC = 0.01;

export interface OnsetOptions {
  /** dB above the noise floor a frame must reach. */
  riseDb?: number;
  /** dB the energy must fall below the last event's peak before a new onset can fire. */
  rearmDb?: number;
  /** Minimum time between onsets (s). */
  refractorySec?: number;
  /** Mean positive log-mel increase per bin (natural-log units) required at the onset frame. */
  minFlux?: number;
}

/** Frame energy in dB (≈ mean-square level) from natural-log mel values. */
export function frameDb(mel: Float32Array, frame: number, bins: number): number {
  let s = 0;
  for (let b = 0; b < bins; b++) s += Math.exp(mel[frame * bins + b]);
  return (10 * Math.log10(s + 1e-12)) - MEL_DB_OFFSET;
}

export interface Onset {
  frame: number;
  db: number;
}

export class OnsetDetector {
  private floorDb = -90;
  /** Recent frame levels (≈1.5 s): their median is the background, so a steady sound becomes background. */
  private readonly recent = new Float32Array(150).fill(NaN);
  private readonly sorted = new Float32Array(150);
  private peakDb = -Infinity;
  private armed = true;
  private sinceOnset = Infinity;
  private prev: Float32Array | null = null;
  private frames = 0;
  private readonly o: Required<OnsetOptions>;

  constructor(opts: OnsetOptions = {}, private readonly bins = 64) {
    this.o = { riseDb: 10, rearmDb: 6, refractorySec: 0.1, minFlux: 0.25, ...opts };
  }

  /** Current noise-floor estimate (dB). */
  get floor(): number {
    return this.floorDb;
  }

  /** Feeds one chunk of frames; returns the onsets: frame offset within the chunk and level (dB). */
  process(mel: Float32Array): Onset[] {
    const B = this.bins;
    const n = Math.floor(mel.length / B);
    const out: Onset[] = [];
    for (let f = 0; f < n; f++) {
      const db = frameDb(mel, f, B);
      let flux = 0;
      if (this.prev) {
        for (let b = 0; b < B; b++) {
          const d = mel[f * B + b] - this.prev[b];
          if (d > 0) flux += d;
        }
        flux /= B;
      }
      this.prev = mel.slice(f * B, (f + 1) * B);
      this.sinceOnset++;
      this.frames++;
      this.recent[this.frames % this.recent.length] = db;
      this.floorDb = this.median();
      if (!this.armed) {
        this.peakDb = Math.max(this.peakDb, db);
        if (db < this.peakDb - this.o.rearmDb || db < this.floorDb + this.o.riseDb * 0.5) this.armed = true;
      }
      const refractory = this.sinceOnset * FRAME_SEC < this.o.refractorySec;
      if (this.armed && !refractory && this.frames > 3 && db > this.floorDb + this.o.riseDb && flux >= this.o.minFlux) {
        out.push({ frame: f, db });
        this.armed = false;
        this.peakDb = db;
        this.sinceOnset = 0;
      }
    }
    return out;
  }

  private median(): number {
    let k = 0;
    for (const v of this.recent) if (!Number.isNaN(v)) this.sorted[k++] = v;
    const part = this.sorted.subarray(0, k).sort();
    return k ? part[k >> 1] : -90;
  }

  reset(): void {
    this.floorDb = -90;
    this.recent.fill(NaN);
    this.peakDb = -Infinity;
    this.armed = true;
    this.sinceOnset = Infinity;
    this.prev = null;
    this.frames = 0;
  }
}
