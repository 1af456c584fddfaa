// Live counting of one sound class ("count how many times the dog barks"): onsets from the log-mel
// energy/flux, each confirmed by the class model in its chunk (or, for an onset in the last 0.2 s of a
// chunk, in the next one). Sounds of other classes produce onsets too but fail the class gate.
import { SoundFlowError } from '../../util/errors.ts';
import { OnsetDetector, FRAME_SEC, type Onset, type OnsetOptions } from './onsets.ts';

export interface CounterChunk {
  pcm: Float32Array;
  /** This chunk's 40 × 64 log-mel frames. */
  mel: Float32Array;
  /** The classifier's per-class probabilities for this chunk. */
  probs: Float32Array;
  classes: string[];
  /** Stream time (s) at the end of the chunk. */
  t: number;
}

export interface EventCounterOptions extends OnsetOptions {
  label: string;
  /** Class probability at which the chunk's onsets count (default 0.3). */
  threshold?: number;
  /** In a confirmed chunk, onsets this many dB below the chunk's strongest one are background (default 10). */
  withinDb?: number;
}

const SMALL = ['zero', 'once', 'twice', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine', 'ten', 'eleven', 'twelve', 'thirteen', 'fourteen', 'fifteen', 'sixteen', 'seventeen', 'eighteen', 'nineteen', 'twenty'];

/** 1 → "once", 2 → "twice", 3 → "three times", …, 21 → "21 times". */
export function countWord(n: number): string {
  if (!Number.isInteger(n) || n < 0) throw new SoundFlowError('invalid_argument', `count must be a non-negative integer, got ${n}`);
  if (n === 1 || n === 2) return SMALL[n];
  if (n === 0) return 'zero times';
  return `${n <= 20 ? SMALL[n] : String(n)} times`;
}

export class EventCounter {
  readonly label: string;
  private readonly threshold: number;
  private readonly withinDb: number;
  private readonly onsets: OnsetDetector;
  private total = 0;
  /** Onsets near the end of the previous chunk that its class gate did not confirm (times in s). */
  private pending: { t: number; db: number }[] = [];
  /** Times (s) of counted events. */
  readonly times: number[] = [];

  constructor(opts: EventCounterOptions) {
    if (!opts || typeof opts.label !== 'string' || !opts.label) throw new SoundFlowError('invalid_argument', 'EventCounter needs a label');
    this.label = opts.label;
    this.threshold = opts.threshold ?? 0.3;
    this.withinDb = opts.withinDb ?? 10;
    this.onsets = new OnsetDetector(opts);
  }

  get count(): number {
    return this.total;
  }

  update(chunk: CounterChunk): { count: number; newEvents: number } {
    const ci = chunk.classes.indexOf(this.label);
    if (ci < 0) throw new SoundFlowError('unknown_sound', `the sound model has no class "${this.label}"`, { recoverable: true });
    const frames = chunk.mel.length / 64;
    const chunkStart = chunk.t - frames * FRAME_SEC;
    const found = this.onsets.process(chunk.mel).map((o: Onset) => ({ t: chunkStart + o.frame * FRAME_SEC, db: o.db }));
    const gate = chunk.probs[ci] >= this.threshold;
    let fresh = 0;
    if (gate) {
      // The class is here, but so may be background onsets: keep those near the strongest one.
      const all = [...this.pending, ...found];
      const top = Math.max(...all.map((o) => o.db));
      const events = all.filter((o) => o.db >= top - this.withinDb);
      fresh = events.length;
      for (const o of events) this.times.push(+o.t.toFixed(2));
      this.pending = [];
    } else {
      this.pending = found.filter((o) => o.t >= chunk.t - 0.2);
    }
    this.total += fresh;
    return { count: this.total, newEvents: fresh };
  }

  reset(): void {
    this.total = 0;
    this.pending = [];
    this.times.length = 0;
    this.onsets.reset();
  }
}
