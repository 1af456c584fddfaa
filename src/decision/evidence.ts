// Evidence over time, per class: a leaky integrator of how far each chunk's probability sits above a
// floor (half the class threshold). Consistent moderate evidence (six beep chunks at p ≈ 0.45 against a
// 0.5 threshold) adds up and triggers; one isolated spike, however high, decays before it does.

export interface EvidenceOptions {
  /** Per-chunk retention of the accumulated evidence (0.92: half-life ≈ 8 chunks = 3.3 s). */
  decay?: number;
  /** Accumulated evidence that counts as a detection. */
  level?: number;
  /** Floor as a fraction of the class threshold: probabilities below it add nothing. */
  floorRatio?: number;
}

export class EvidenceAccumulator {
  private readonly s: Float64Array;
  private readonly o: Required<EvidenceOptions>;

  constructor(readonly size: number, opts: EvidenceOptions = {}) {
    this.s = new Float64Array(size);
    this.o = { decay: 0.92, level: 0.9, floorRatio: 0.5, ...opts };
  }

  /** Adds one chunk's probability for class i (threshold th); returns true when the evidence is enough. */
  update(i: number, p: number, th: number): boolean {
    const add = Number.isFinite(p) ? p - this.o.floorRatio * th : 0;
    this.s[i] = Math.max(0, this.o.decay * this.s[i] + add);
    return this.s[i] >= this.o.level;
  }

  value(i: number): number {
    return this.s[i];
  }

  reset(): void {
    this.s.fill(0);
  }
}
