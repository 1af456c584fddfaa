// Degenerate input the sound model was never meant to label: digital silence, a DC offset, clipped
// audio, a steady test tone, full-scale white noise. The model's output on such chunks is noise (a 1 kHz
// tone reads as "birds", a DC step as a knock), so the session labels nothing there and says nothing.
// Alarm patterns are judged separately (alarm.ts) and are not affected.

import { melPeakShare } from '../features.ts';

export type InputKind = 'ok' | 'silence' | 'dc' | 'clipped' | 'tone' | 'noise';

export class InputGuard {
  /** Dominant mel bin of the previous chunk's frames when they were a steady tone, else -1. */
  private prevToneBin = -1;
  /** Consecutive steady-tone chunks at that bin. */
  private toneRun = 0;

  /** What the previous chunk was: the model's left context still holds it for one chunk. */
  private prev: InputKind = 'ok';

  /** `pcm`: the chunk's samples; `mel`: its 40 × 64 log-mel frames. */
  check(pcm: Float32Array, mel: Float32Array, bins = 64): InputKind {
    const kind = this.classify(pcm, mel, bins);
    const out = kind === 'ok' && this.prev !== 'ok' && this.prev !== 'silence' ? this.prev : kind;
    this.prev = kind;
    return out;
  }

  private classify(pcm: Float32Array, mel: Float32Array, bins: number): InputKind {
    const n = pcm.length;
    let sum = 0;
    let peak = 0;
    for (let i = 0; i < n; i++) {
      sum += pcm[i];
      const a = Math.abs(pcm[i]);
      if (a > peak) peak = a;
    }
    const mean = sum / n;
    let ac = 0;
    let atPeak = 0;
    for (let i = 0; i < n; i++) {
      const v = pcm[i] - mean;
      ac += v * v;
      // A flat top: two neighbouring samples both at the peak (a sampled sine touches it one sample at a time).
      if (i > 0 && Math.abs(pcm[i]) >= peak * 0.999 && Math.abs(pcm[i - 1]) >= peak * 0.999) atPeak++;
    }
    const rms = Math.sqrt(ac / n);
    const tone = this.steadyTone(mel, bins);
    if (rms < 1e-4) return 'silence';
    if (Math.abs(mean) > 0.05 && rms < Math.abs(mean) * 0.05) return 'dc';
    // Flat tops: many samples sitting exactly at the chunk's peak (a real waveform touches it a few times).
    if (peak > 0.02 && atPeak / n > 0.01) return 'clipped';
    // Full-scale broadband noise, in any quarter of the chunk (its edge may fall anywhere).
    const q = n >> 2;
    for (let k = 0; k < 4; k++) {
      let e = 0;
      let z = 0;
      let pk = 0;
      for (let i = k * q + 1; i < (k + 1) * q; i++) {
        e += pcm[i] * pcm[i];
        if (pcm[i] * pcm[i - 1] < 0) z++;
        pk = Math.max(pk, Math.abs(pcm[i]));
      }
      if (pk > 0.7 && Math.sqrt(e / q) > 0.1 && z / q > 0.35) return 'noise';
    }
    return tone ? 'tone' : 'ok';
  }

  reset(): void {
    this.prevToneBin = -1;
    this.toneRun = 0;
    this.prev = 'ok';
  }

  /**
   * One mel bin holds nearly all the energy of every frame at a steady level for a whole chunk (0.4 s) in a
   * row: a test tone. Ringing phones (beating) and kettles (vibrato, breath) are not.
   */
  private steadyTone(mel: Float32Array, bins: number): boolean {
    const frames = Math.floor(mel.length / bins);
    let bin = -1;
    let lo = Infinity;
    let hi = -Infinity;
    for (let f = 0; f < frames; f++) {
      const { peak: best, share, total } = melPeakShare(mel, f, bins);
      if (share < 0.95 || (bin >= 0 && best !== bin)) {
        this.prevToneBin = -1;
        this.toneRun = 0;
        return false;
      }
      bin = best;
      const db = 10 * Math.log10(total);
      lo = Math.min(lo, db);
      hi = Math.max(hi, db);
    }
    const steady = hi - lo < 2;
    this.toneRun = steady && this.prevToneBin === bin ? this.toneRun + 1 : steady ? 1 : 0;
    this.prevToneBin = steady ? bin : -1;
    return this.toneRun >= 1;
  }
}
