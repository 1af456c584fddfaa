// Live counting of sound events ("count how many times the dog barks", "count this sound"). It consumes
// the event layer's segmented events (events.ts), so a bark spanning three chunks counts once and three
// quick barks count three times. An event counts when
// - the counted class's probability over the event clears the gate, or
// - its spectral profile matches the first counted event (a repeat of the same sound), which carries
//   classes the model is weak on.
// "Count this sound" (label THIS_SOUND, a sound the model may have no class for) is counted frame by
// frame instead (repeats.ts): over birdsong the segmented events merge the sound with the chirps around it.
// Events far quieter than the counted ones are background (birds behind the dog), and events during
// speech are the user talking.
import { SoundFlowError } from '../../util/errors.ts';
import { SCENE_CLASSES, SoundEventTracker, type SoundEventRecord } from './events.ts';
import { profileSimilarity, type SegmenterOptions } from './segmenter.ts';
import { RepeatDetector, type RepeatRun } from './repeats.ts';

/** The pseudo-label of "count this sound" / "count the claps": repeats of whatever comes next. */
export const THIS_SOUND = 'this_sound';

export interface CounterChunk {
  pcm?: Float32Array;
  /** This chunk's 40 × 64 log-mel frames. */
  mel: Float32Array;
  /** The classifier's per-class probabilities for this chunk. */
  probs: Float32Array;
  classes: string[];
  /** Per-class thresholds (for the event labels); default 0.5. */
  thresholds?: ArrayLike<number>;
  /** Stream time (s) at the end of the chunk. */
  t: number;
  /** VAD speech fraction of the chunk. */
  speech?: number;
  /** Events that began before this stream time only tell the counter what the background sounds like. */
  countFrom?: number;
}

export interface EventCounterOptions extends SegmenterOptions {
  label: string;
  /** Class probability over the event at which it counts (default 0.3). */
  threshold?: number;
  /**
   * Profile correlation at which an event is a repeat of the first counted one (default 0.6: repeats of
   * held-out sounds over birdsong measured 0.58–1.0, other sounds ≤ 0.45; bench/counting.ts).
   */
  similarity?: number;
  /** Events this many dB quieter (above their background) than the loudest counted one are background (default 12). */
  withinDb?: number;
  /** Events weaker than this above their background are not counted (default 6 dB). */
  minSnrDb?: number;
  /** Class counting: also take the first instance by novelty, without the model (default true). */
  seekExample?: boolean;
}

/** Profile correlation below which an event is a different sound from the first counted one. */
const UNLIKE = 0.3;
/** Class probability over an event above which its profile never vetoes it. */
const STRONG_P = 0.6;
/** How far back a first occurrence the model was not yet sure of can still be counted (s). */
const RETRO_SEC = 6;

const SMALL = ['zero', 'once', 'twice', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine', 'ten', 'eleven', 'twelve', 'thirteen', 'fourteen', 'fifteen', 'sixteen', 'seventeen', 'eighteen', 'nineteen', 'twenty'];

/** 1 → "once", 2 → "twice", 3 → "three times", …, 21 → "21 times". */
export function countWord(n: number): string {
  if (!Number.isInteger(n) || n < 0) throw new SoundFlowError('invalid_argument', `count must be a non-negative integer, got ${n}`);
  if (n === 1 || n === 2) return SMALL[n];
  if (n === 0) return 'zero times';
  return `${n <= 20 ? SMALL[n] : String(n)} times`;
}

/** True when class ci beats every other class except the scene classes (speech, music, ambient). */
function isTopEventClass(probs: Float32Array, classes: readonly string[], ci: number): boolean {
  for (let i = 0; i < probs.length; i++) if (i !== ci && !SCENE_CLASSES.has(classes[i]) && probs[i] >= probs[ci]) return false;
  return true;
}

/** Share of an event's span that lies inside a run of frames (s). */
function insideFraction(ev: { onset: number; offset: number }, run: { onset: number; offset: number }): number {
  return (Math.min(ev.offset, run.offset) - Math.max(ev.onset, run.onset)) / Math.max(0.01, ev.offset - ev.onset);
}

export type CountSource = 'event' | 'event-retro' | 'example' | 'repeat' | 'retro';

export class EventCounter {
  readonly label: string;
  private readonly o: Required<Omit<EventCounterOptions, keyof SegmenterOptions | 'label' | 'seekExample'>>;
  private readonly segOpts: SegmenterOptions;
  private template: SoundEventRecord | null = null;
  private loudest = -Infinity;
  private total = 0;
  /** The latest counted events (their profiles tell a repeat from another sound). */
  private readonly counted: SoundEventRecord[] = [];
  /** Clear events before the first count that the class gate missed: counted once a repeat of them is. */
  private readonly unsure: SoundEventRecord[] = [];
  /** A tracker of its own, for update(chunk); sessions share theirs and call consume(). */
  private tracker: SoundEventTracker | null = null;
  /** The example and its repeats, found frame by frame against the background's bands. */
  private readonly repeats: RepeatDetector;
  /**
   * Spans (s) of the latest counts, so that an event and a run of frames of one sound count once; `until`:
   * where a run counted before it ended really ended (chirps held it on).
   */
  readonly spans: { onset: number; offset: number; until?: number }[] = [];
  /** The latest runs the repeat detector reported (for diagnostics). */
  readonly runs: RepeatRun[] = [];
  /** Times (s) of the ends of counted events. */
  readonly times: number[] = [];
  /** What found each count (parallel to times): a class event, an event counted once a later one confirmed it, the example run, a live repeat run, a repeat found by looking back. */
  readonly sources: CountSource[] = [];

  constructor(opts: EventCounterOptions) {
    if (!opts || typeof opts.label !== 'string' || !opts.label) throw new SoundFlowError('invalid_argument', 'EventCounter needs a label');
    this.label = opts.label;
    this.o = { threshold: opts.threshold ?? 0.3, similarity: opts.similarity ?? 0.6, withinDb: opts.withinDb ?? 12, minSnrDb: opts.minSnrDb ?? 6 };
    this.segOpts = opts;
    // A named class also takes its first instance by novelty (the first sound standing out of the bed after
    // the instruction): the model is unsure of many real instances (knocks at p 0.00–0.1), and a count
    // that waits for a confident one comes late or never.
    this.repeats = new RepeatDetector({ seek: opts.label === THIS_SOUND || (opts.seekExample ?? true), retro: opts.label === THIS_SOUND });
    this.bySeek = opts.label === THIS_SOUND;
  }

  /** "This sound" counts by frames only; a class counts events and, once it has a first instance, its repeats by frames. */
  private readonly bySeek: boolean;

  /**
   * "This sound": one chunk of log-mel frames; returns how many counts it completes. `countable` false
   * (speech, bad input) keeps runs overlapping the chunk from counting; frames before `countFrom` are
   * the background heard while the instruction was given.
   */
  frames(c: { mel: Float32Array; t: number; countFrom?: number; countable?: boolean }): number {
    let n = 0;
    for (const run of this.repeats.process(c)) {
      this.runs.push(run);
      if (this.runs.length > 20) this.runs.shift();
      if (run.tail) {
        const sp = this.spans.find((x) => x.onset === run.onset);
        if (sp) sp.until = run.offset;
        continue;
      }
      if (this.alreadyCounted(run.onset, run.offset)) continue;
      this.mark(run.onset, run.offset, run.example ? 'example' : run.retro ? 'retro' : 'repeat');
      n++;
      if (run.example && !this.bySeek && !this.template) this.adoptTemplate(run);
    }
    return n;
  }

  /** A class's first instance, found by novelty before its event closed: adopted when that event does. */
  private exampleRun: RepeatRun | null = null;

  /**
   * A class's first instance found by novelty: the event that lies most inside its run becomes the
   * event-level template, so later events the model is unsure of are matched to it as they close
   * (instead of all being counted at once, late, when one is finally gated).
   */
  private adoptTemplate(run: RepeatRun): void {
    let best: SoundEventRecord | null = null;
    let bestIn = 0.5;
    for (const u of this.unsure) {
      const inside = insideFraction(u, run);
      if (inside > bestIn || (best && inside === bestIn && u.snrDb > best.snrDb)) {
        best = u;
        bestIn = inside;
      }
    }
    if (!best) {
      this.exampleRun = run; // its event has not closed yet
      return;
    }
    this.template = best;
    this.counted.push(best);
    this.loudest = Math.max(this.loudest, best.snrDb);
    this.unsure.length = 0;
  }

  /** A count of the span [onset, offset] (s). */
  private mark(onset: number, offset: number, source: CountSource): void {
    this.spans.push({ onset, offset });
    if (this.spans.length > 16) this.spans.shift();
    this.total++;
    this.times.push(offset);
    this.sources.push(source);
  }

  /** The span overlaps a counted one (an event and a run of frames of the same sound). */
  private alreadyCounted(onset: number, offset: number): boolean {
    return this.spans.some((s) => onset < Math.max(s.offset, s.until ?? 0) + 0.05 && s.onset < offset + 0.05);
  }

  get count(): number {
    return this.total;
  }

  /**
   * One labelled event; returns how many counts it completes (0, 1, or more when it also confirms
   * earlier instances the model was unsure of). `classes` are the model's (to find the counted class).
   * A "this sound" counter ignores events (see frames()).
   */
  consume(ev: SoundEventRecord, classes: readonly string[]): number {
    if (this.bySeek) return 0;
    const before = this.total;
    this.judge(ev, classes);
    return this.total - before;
  }

  private countIt(ev: SoundEventRecord, source: CountSource = 'event'): void {
    this.counted.push(ev);
    if (this.counted.length > 8) this.counted.shift();
    this.loudest = Math.max(this.loudest, ev.snrDb);
    this.mark(ev.onset, ev.offset, source);
  }

  private judge(ev: SoundEventRecord, classes: readonly string[]): boolean {
    if (ev.snrDb < this.o.minSnrDb || ev.snrDb < this.loudest - this.o.withinDb) return false;
    // Cut short by a louder sound starting on top of it: its level is that sound's lead-in, counted with it.
    if (ev.interrupted) return false;
    const ci = classes.indexOf(this.label);
    if (ci < 0) throw new SoundFlowError('unknown_sound', `the sound model has no class "${this.label}"`, { recoverable: true });
    // Voice activity fires on barks and coughs too: during speech only the class itself, and only when it
    // is more probable than speech, counts (never a mere look-alike of the template).
    const si = classes.indexOf('speech');
    const talk = ev.duringSpeech && this.label !== 'speech';
    // The class probability is per chunk: another sound in the same chunk shares it. Once a first instance
    // is known, a gated event that looks nothing like it (a bird chirp next to a knock) is that other sound.
    // Instances of one class vary (synthesised knocks on different resonances correlate 0.2–0.6), so the
    // event must look unlike every counted one, and strong class evidence (p ≥ STRONG_P) is not vetoed.
    const unlike = this.counted.length > 0 && ev.probs[ci] < STRONG_P && this.counted.every((c) => profileSimilarity(ev.profile, c.profile) < UNLIKE);
    // The user named the class: an event whose likeliest sound-event class it is counts at a lower
    // probability (a knock at p 0.24 whose runner-up is "door" at 0.13 is still a knock).
    const top = ci >= 0 && ev.probs[ci] >= this.o.threshold / 2 && isTopEventClass(ev.probs, classes, ci);
    const gated = ci >= 0 && (ev.probs[ci] >= this.o.threshold || top) && !unlike && !(talk && si >= 0 && ev.probs[si] >= ev.probs[ci]);
    const run = this.exampleRun;
    if (!this.template && run && !talk && insideFraction(ev, run) > 0.5) {
      this.exampleRun = null;
      this.unsure.push(ev);
      this.adoptTemplate(run);
      return false;
    }
    const repeat = !talk && this.template !== null && this.isRepeat(ev, this.template);
    if (talk && !gated) return false;
    const counts = gated || repeat;
    if (!counts) {
      if (this.template === null && !talk && !ev.interrupted) {
        this.unsure.push(ev);
        if (this.unsure.length > 20) this.unsure.shift();
      }
      return false;
    }
    if (this.alreadyCounted(ev.onset, ev.offset)) return false;
    if (!this.template && gated) {
      this.template = ev;
      this.repeats.seed(ev.onset, ev.offset);
      // The first bark is often the one the model is least sure of (it sits across a chunk edge, or the
      // chunk holds the bed's loudest moment too): an earlier clear event that this one repeats was it.
      for (const u of this.unsure) {
        if (ev.onset - u.offset <= RETRO_SEC && u.snrDb >= ev.snrDb - this.o.withinDb && this.isRepeat(u, ev) && !this.alreadyCounted(u.onset, u.offset)) this.countIt(u, 'event-retro');
      }
      this.unsure.length = 0;
    }
    this.countIt(ev);
    return true;
  }

  /** Convenience for a counter that runs alone: segments and labels the chunk itself. */
  update(chunk: CounterChunk): { count: number; newEvents: number; events: SoundEventRecord[] } {
    if (!this.tracker) this.tracker = new SoundEventTracker({ ...this.segOpts, classes: chunk.classes, thresholds: chunk.thresholds ?? chunk.classes.map(() => 0.5) });
    const events = this.tracker.update({ t: chunk.t, mel: chunk.mel, probs: chunk.probs, speech: chunk.speech });
    // Counted as the change of the total: a first instance counted late (when its repeat is) is new here too.
    const before = this.total;
    // Events that began before countFrom were heard while the instruction was given: never counted.
    for (const ev of events) if (chunk.countFrom === undefined || ev.onset >= chunk.countFrom) this.consume(ev, chunk.classes);
    this.frames({ mel: chunk.mel, t: chunk.t, countFrom: chunk.countFrom, countable: (chunk.speech ?? 0) < 0.25 });
    const fresh = this.total - before;
    return { count: this.total, newEvents: fresh, events };
  }

  reset(): void {
    this.total = 0;
    this.template = null;
    this.loudest = -Infinity;
    this.unsure.length = 0;
    this.exampleRun = null;
    this.counted.length = 0;
    this.times.length = 0;
    this.sources.length = 0;
    this.runs.length = 0;
    this.spans.length = 0;
    this.repeats.reset();
    this.tracker?.reset();
  }

  private isRepeat(ev: SoundEventRecord, tpl: SoundEventRecord): boolean {
    const d = ev.offset - ev.onset;
    const dt = tpl.offset - tpl.onset;
    const ratio = d / Math.max(0.01, dt);
    // Lengths vary with what the background adds to either end of a sound: only a gross mismatch rules out.
    return ratio >= 0.25 && ratio <= 4 && profileSimilarity(ev.profile, tpl.profile) >= this.o.similarity;
  }
}
