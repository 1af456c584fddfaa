// Bounded per-stage timing samples (ms), for benchmarks and diagnostics; old samples fall off.
export class TimingLog {
  private readonly samples: number[] = [];
  constructor(private readonly max = 20000) {}

  add(ms: number): void {
    this.samples.push(ms);
    if (this.samples.length > this.max) this.samples.shift();
  }

  get count(): number {
    return this.samples.length;
  }

  values(): number[] {
    return [...this.samples];
  }

  /** Percentile by nearest rank (p in 0..100); NaN when empty. */
  percentile(p: number): number {
    if (!this.samples.length) return NaN;
    const sorted = [...this.samples].sort((a, b) => a - b);
    return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
  }
}
