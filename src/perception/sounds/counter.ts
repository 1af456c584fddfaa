// Live counting of sound events ("count how many times the dog barks", "count this sound"). It consumes
// the event layer's segmented events (events.ts), so a bark spanning three chunks counts once and three
// quick barks count three times. An event counts when
// - the counted class's probability over the event clears the gate, or
// - its spectral profile matches the first counted event (a repeat of the same sound), which carries
//   classes the model is weak on and makes "count this sound" work for sounds it has no class for:
//   with label THIS_SOUND the first clear non-speech event after the instruction is the template.
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
}

/** Profile correlation below which an event is a different sound from the first counted one. */
const UNLIKE = 0.3;
/**
 * A sound made on purpose to be counted stands this far above the background (dB, peak over floor).
 * 18 dB held over birdsong (whose 10th-percentile floor sits low) but missed every example at 10 dB SNR
 * over a steady bed (swamp: peaks 12–14 dB over the floor); prominence over the other recent events
 * does the rest.
 */
const TEMPLATE_MIN_DB = 10;
/** Class probability over an event above which its profile never vetoes it. */
const STRONG_P = 0.6;
/** How far back a first occurrence the model was not yet sure of can still be counted (s). */
const RETRO_SEC = 6;
/** How long after the example sound a louder one replaces it as the example (s). */
const LOOKAHEAD_SEC = 0.3;
/**
 * Novelty of an example sound: its profile correlates < NOVEL_SIM with every background event of the last
 * NOVEL_SEC that is at most NOVEL_DB weaker; then it may be up to NOVEL_BELOW_DB quieter than the loudest
 * of them. Tuning set of bench/counting.ts, "this sound" at 10 dB: 0.64 → 0.69 (flat for NOVEL_SIM
 * 0.3–0.5 and NOVEL_BELOW_DB 4–8).
 */
const NOVEL_SEC = 6;
const NOVEL_SIM = 0.4;
const NOVEL_DB = 10;
const NOVEL_BELOW_DB = 4;

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

export class EventCounter {
  readonly label: string;
  private readonly o: Required<Omit<EventCounterOptions, keyof SegmenterOptions | 'label'>>;
  private readonly segOpts: SegmenterOptions;
  private template: SoundEventRecord | null = null;
  /** "This sound": the example heard, not yet settled (a louder sound may follow at once). */
  private candidate: SoundEventRecord | null = null;
  private loudest = -Infinity;
  private total = 0;
  /** The latest counted events (their profiles tell a repeat from another sound). */
  private readonly counted: SoundEventRecord[] = [];
  /** Clear events before the first count that the class gate missed: counted once a repeat of them is. */
  private readonly unsure: SoundEventRecord[] = [];
  /** Events heard but not counted (time, level above background): what the background sounds like. */
  private readonly others: { t: number; snrDb: number; profile: Float32Array }[] = [];
  /** A tracker of its own, for update(chunk); sessions share theirs and call consume(). */
  private tracker: SoundEventTracker | null = null;
  /** "This sound": the example and its repeats, found frame by frame against the background's bands. */
  private readonly repeats: RepeatDetector | null;
  /** The latest runs the repeat detector reported (for diagnostics). */
  readonly runs: RepeatRun[] = [];
  /** Times (s) of the ends of counted events. */
  readonly times: number[] = [];

  constructor(opts: EventCounterOptions) {
    if (!opts || typeof opts.label !== 'string' || !opts.label) throw new SoundFlowError('invalid_argument', 'EventCounter needs a label');
    this.label = opts.label;
    this.o = { threshold: opts.threshold ?? 0.3, similarity: opts.similarity ?? 0.6, withinDb: opts.withinDb ?? 12, minSnrDb: opts.minSnrDb ?? 6 };
    this.segOpts = opts;
    this.repeats = opts.label === THIS_SOUND ? new RepeatDetector() : null;
  }

  /** True when this counter counts by frames (call frames() every chunk) rather than by segmented events. */
  get byFrames(): boolean {
    return this.repeats !== null;
  }

  /**
   * "This sound": one chunk of log-mel frames; returns how many counts it completes. `countable` false
   * (speech, bad input) keeps runs overlapping the chunk from counting; frames before `countFrom` are
   * the background heard while the instruction was given.
   */
  frames(c: { mel: Float32Array; t: number; countFrom?: number; countable?: boolean }): number {
    if (!this.repeats) return 0;
    let n = 0;
    for (const run of this.repeats.process(c)) {
      this.runs.push(run);
      if (this.runs.length > 20) this.runs.shift();
      this.total++;
      this.times.push(run.offset);
      n++;
    }
    return n;
  }

  get count(): number {
    return this.total;
  }

  /**
   * One labelled event; returns how many counts it completes (0, 1, or 2 when it also settles the
   * example sound it followed). `classes` are the model's (to find the counted class).
   */
  consume(ev: SoundEventRecord, classes: readonly string[]): number {
    if (this.repeats) return 0;
    if (this.candidate) {
      // The example sound is only settled once nothing louder starts right after it (a chirp just before
      // the clap would otherwise become the sound to count).
      const c = this.candidate;
      if (ev.onset - c.offset <= LOOKAHEAD_SEC && !ev.interrupted && ev.snrDb >= c.snrDb + 3 && !ev.duringSpeech) {
        this.others.push({ t: c.offset, snrDb: c.snrDb, profile: c.profile });
        this.candidate = ev;
        return 0;
      }
      return this.settle() + this.consume(ev, classes);
    }
    return this.judge(ev, classes) ? 1 : 0;
  }

  /** Call once per chunk with its end time: settles an example sound nothing louder followed. */
  tick(t: number): number {
    return this.candidate && t - this.candidate.offset >= LOOKAHEAD_SEC ? this.settle() : 0;
  }

  private settle(): number {
    const c = this.candidate!;
    this.candidate = null;
    this.template = c;
    this.countIt(c);
    return 1;
  }

  private countIt(ev: SoundEventRecord): void {
    this.counted.push(ev);
    if (this.counted.length > 8) this.counted.shift();
    this.loudest = Math.max(this.loudest, ev.snrDb);
    this.total++;
    this.times.push(ev.offset);
  }

  private judge(ev: SoundEventRecord, classes: readonly string[]): boolean {
    if (ev.snrDb < this.o.minSnrDb || ev.snrDb < this.loudest - this.o.withinDb) return false;
    // Cut short by a louder sound starting on top of it: its level is that sound's lead-in, counted with it.
    if (ev.interrupted) return false;
    const ci = classes.indexOf(this.label);
    if (ci < 0 && this.label !== THIS_SOUND) throw new SoundFlowError('unknown_sound', `the sound model has no class "${this.label}"`, { recoverable: true });
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
    const repeat = !talk && this.template !== null && this.isRepeat(ev, this.template);
    if (talk && !gated) return false;
    let counts: boolean;
    // The example sound the user makes stands out: louder than whatever else was heard in the seconds before.
    const others = this.recentOtherDb(ev.onset);
    const prominent = !ev.interrupted && ev.snrDb >= TEMPLATE_MIN_DB && (ev.snrDb >= others + 3 || (ev.snrDb >= others - NOVEL_BELOW_DB && this.novel(ev)));
    if (this.label === THIS_SOUND && this.template === null && prominent) {
      this.candidate = ev;
      return false;
    }
    if (this.label === THIS_SOUND) counts = repeat;
    else counts = gated || repeat;
    if (!counts) {
      this.pushOther(ev);
      if (this.template === null && this.label !== THIS_SOUND && !talk && !ev.interrupted) {
        this.unsure.push(ev);
        if (this.unsure.length > 20) this.unsure.shift();
      }
      return false;
    }
    if (!this.template && gated) {
      this.template = ev;
      // The first bark is often the one the model is least sure of (it sits across a chunk edge, or the
      // chunk holds the bed's loudest moment too): an earlier clear event that this one repeats was it.
      for (const u of this.unsure) {
        if (ev.onset - u.offset <= RETRO_SEC && u.snrDb >= ev.snrDb - this.o.withinDb && this.isRepeat(u, ev)) this.countIt(u);
      }
      this.unsure.length = 0;
    }
    this.countIt(ev);
    return true;
  }

  /** An event heard before counting began (while the instruction was given): background, never counted. */
  observe(ev: SoundEventRecord): void {
    this.pushOther(ev);
  }

  private pushOther(ev: SoundEventRecord): void {
    this.others.push({ t: ev.offset, snrDb: ev.snrDb, profile: ev.profile });
    if (this.others.length > 50) this.others.shift();
  }

  /**
   * Unlike every comparably loud sound of the last seconds: over birdsong at 10 dB SNR the example is no
   * louder than the chirps, but it is the one sound that does not look like them.
   */
  private novel(ev: SoundEventRecord): boolean {
    let n = 0;
    for (const o of this.others) {
      if (ev.onset - o.t > NOVEL_SEC || o.snrDb < ev.snrDb - NOVEL_DB) continue;
      n++;
      if (profileSimilarity(ev.profile, o.profile) >= NOVEL_SIM) return false;
    }
    return n > 0;
  }

  /** Convenience for a counter that runs alone: segments and labels the chunk itself. */
  update(chunk: CounterChunk): { count: number; newEvents: number; events: SoundEventRecord[] } {
    if (!this.tracker) this.tracker = new SoundEventTracker({ ...this.segOpts, classes: chunk.classes, thresholds: chunk.thresholds ?? chunk.classes.map(() => 0.5) });
    const events = this.tracker.update({ t: chunk.t, mel: chunk.mel, probs: chunk.probs, speech: chunk.speech });
    let fresh = 0;
    for (const ev of events) {
      if (chunk.countFrom !== undefined && ev.onset < chunk.countFrom) this.observe(ev);
      else fresh += this.consume(ev, chunk.classes);
    }
    fresh += this.tick(chunk.t);
    fresh += this.frames({ mel: chunk.mel, t: chunk.t, countFrom: chunk.countFrom, countable: (chunk.speech ?? 0) < 0.25 });
    return { count: this.total, newEvents: fresh, events };
  }

  reset(): void {
    this.total = 0;
    this.template = null;
    this.candidate = null;
    this.loudest = -Infinity;
    this.others.length = 0;
    this.unsure.length = 0;
    this.counted.length = 0;
    this.times.length = 0;
    this.runs.length = 0;
    this.repeats?.reset();
    this.tracker?.reset();
  }

  private recentOtherDb(t: number): number {
    let m = -Infinity;
    for (const o of this.others) if (t - o.t <= 5) m = Math.max(m, o.snrDb);
    return m;
  }

  private isRepeat(ev: SoundEventRecord, tpl: SoundEventRecord): boolean {
    const d = ev.offset - ev.onset;
    const dt = tpl.offset - tpl.onset;
    const ratio = d / Math.max(0.01, dt);
    // Lengths vary with what the background adds to either end of a sound: only a gross mismatch rules out.
    return ratio >= 0.25 && ratio <= 4 && profileSimilarity(ev.profile, tpl.profile) >= this.o.similarity;
  }
}
