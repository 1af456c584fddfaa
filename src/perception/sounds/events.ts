// The sound-event layer between per-chunk classification and the policy: frame-level segments
// (segmenter.ts) labelled by the class probabilities of the chunks they overlap. One bark spanning three
// chunks is one event; three quick barks are three. Counting, alerts and the `sound` event consume these.
import { SoundFlowError } from '../../util/errors.ts';
import { EventSegmenter, type Segment, type SegmenterOptions } from './segmenter.ts';
import { CONTEXT_FRAMES } from './model.ts';
import { labelConfidence, type OpenSetCalibration } from './open-set.ts';

/** Classes that describe a scene rather than a countable/alertable event. */
export const SCENE_CLASSES: ReadonlySet<string> = new Set(['speech', 'music', 'ambient']);

export interface SoundEventRecord {
  /** Stream times (s, 10 ms resolution). */
  onset: number;
  offset: number;
  /** Stream time (s) of the end of the chunk in which the event closed. */
  t: number;
  /** Best class whose probability cleared its threshold, or 'unknown' when none did (open set). */
  label: string;
  /** Probability of `label` (of the best class for 'unknown'). */
  p: number;
  /** Per-class maximum probability over the chunks the event overlaps. */
  probs: Float32Array;
  peakDb: number;
  /** Peak above the background at the onset (dB). */
  snrDb: number;
  /** 16-band spectral profile above the background (dB): the event's shape, for matching repeats. */
  profile: Float32Array;
  /** The event overlapped speech (VAD): a cough during talk, or the talk itself. */
  duringSpeech: boolean;
  /** Cut short by a louder sound starting on top of it. */
  interrupted: boolean;
}

export interface TrackerChunk {
  /** Stream time (s) at the end of the chunk. */
  t: number;
  /** The chunk's 40 × 64 log-mel frames. */
  mel: Float32Array;
  probs: ArrayLike<number>;
  /** VAD speech fraction of the chunk (0..1), when known. */
  speech?: number;
}

export interface TrackerOptions extends SegmenterOptions {
  classes: readonly string[];
  thresholds: ArrayLike<number>;
  /** Calibrated reject (fitted on held-out packages): a best class under `minConfidence` becomes 'unknown'. Off by default. */
  openSet?: OpenSetCalibration;
}

interface ChunkInfo {
  start: number;
  end: number;
  probs: Float32Array;
  speech: number;
}

const HISTORY_CHUNKS = 20; // 8 s: longer than the longest event (maxSec 6)
/** An event this much louder in the same chunk owns the chunk's class probabilities. */
const OWNER_DB = 3;
/** Left context of the classifier's input (CONTEXT_FRAMES of 10 ms), s. */
const CONTEXT_SEC = CONTEXT_FRAMES * 0.01;

interface Span {
  onset: number;
  offset: number;
  peakDb: number;
}

export class SoundEventTracker {
  readonly classes: string[];
  private readonly thresholds: Float32Array;
  private readonly openSet: OpenSetCalibration | null;
  private readonly segmenter: EventSegmenter;
  private readonly history: ChunkInfo[] = [];
  private readonly recent: Span[] = [];

  constructor(opts: TrackerOptions) {
    if (!opts || !Array.isArray(opts.classes) || !opts.classes.length) throw new SoundFlowError('invalid_argument', 'SoundEventTracker needs the model classes');
    this.classes = [...opts.classes];
    this.thresholds = Float32Array.from({ length: this.classes.length }, (_, i) => Number(opts.thresholds?.[i] ?? 0.5));
    this.openSet = opts.openSet ?? null;
    this.segmenter = new EventSegmenter(opts);
  }

  /** True while an event is sounding (its onset, if so). */
  get openOnset(): number | null {
    return this.segmenter.openOnset;
  }

  /** One chunk; returns the events that ended in it, labelled. */
  update(c: TrackerChunk): SoundEventRecord[] {
    if (c.probs.length !== this.classes.length) throw new SoundFlowError('invalid_argument', `expected ${this.classes.length} probabilities, got ${c.probs.length}`, { recoverable: true });
    const frames = c.mel.length / 64;
    const start = c.t - frames * 0.01;
    this.history.push({ start, end: c.t, probs: Float32Array.from(c.probs, (v) => (Number.isFinite(v) ? v : 0)), speech: c.speech ?? 0 });
    if (this.history.length > HISTORY_CHUNKS) this.history.shift();
    const segs = this.segmenter.process(c.mel);
    // Who owns each chunk's class evidence: events of this chunk, recent ones, and the one still sounding.
    const peers: Span[] = [...this.recent, ...segs.map((s) => ({ onset: s.onset, offset: s.offset, peakDb: s.peakDb }))];
    const open = this.segmenter.openOnset;
    if (open !== null) peers.push({ onset: open, offset: c.t, peakDb: this.segmenter.openPeakDb ?? -Infinity });
    const out = segs.map((s) => this.label(s, c.t, peers));
    for (const s of segs) this.recent.push({ onset: s.onset, offset: s.offset, peakDb: s.peakDb });
    while (this.recent.length && c.t - this.recent[0].offset > HISTORY_CHUNKS * 0.4) this.recent.shift();
    return out;
  }

  reset(): void {
    this.segmenter.reset();
    this.history.length = 0;
    this.recent.length = 0;
  }

  private label(s: Segment, t: number, peers: Span[]): SoundEventRecord {
    const probs = new Float32Array(this.classes.length);
    let speech = 0;
    for (const h of this.history) {
      // A chunk's classifier input starts CONTEXT_SEC before the chunk: a knock ending right at a chunk
      // boundary is also seen by the next chunk (when that chunk is already in, i.e. the event closed in it).
      if (h.end <= s.onset || h.start >= s.offset + CONTEXT_SEC) continue;
      speech = Math.max(speech, h.speech);
      // A chunk's probabilities describe its loudest sound: a faint chirp next to a bark in the same
      // chunk does not inherit "dog".
      if (peers.some((q) => q.onset !== s.onset && q.onset < h.end && h.start < q.offset && q.peakDb > s.peakDb + OWNER_DB)) continue;
      for (let i = 0; i < probs.length; i++) if (h.probs[i] > probs[i]) probs[i] = h.probs[i];
    }
    // Open set: the event is the class that clears its threshold by the widest margin, else unknown.
    let best = -1;
    let bestMargin = 0;
    let top = 0;
    for (let i = 0; i < probs.length; i++) {
      if (probs[i] > probs[top]) top = i;
      const m = probs[i] / this.thresholds[i];
      if (probs[i] >= this.thresholds[i] && m > bestMargin) {
        bestMargin = m;
        best = i;
      }
    }
    if (best >= 0 && this.openSet && labelConfidence(probs[best], this.thresholds[best], this.openSet) < this.openSet.minConfidence) best = -1;
    return {
      onset: +s.onset.toFixed(2),
      offset: +s.offset.toFixed(2),
      t,
      label: best >= 0 ? this.classes[best] : 'unknown',
      p: best >= 0 ? probs[best] : probs[top],
      probs,
      peakDb: s.peakDb,
      snrDb: s.peakDb - s.floorDb,
      profile: s.profile,
      duringSpeech: speech >= 0.25,
      interrupted: s.interrupted,
    };
  }
}
