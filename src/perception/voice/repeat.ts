// "Said again": an utterance that repeats one the same voice said shortly before (the same words) gives
// the one rate comparison free of phrasing: aligned frame to frame by dynamic time warping, the slope of
// the alignment is the tempo ratio between the two sayings. Across different phrasings the acoustic
// rate varies ~8% (log sd) by the words alone (docs/notes/voice.md), as much as a 20% faster tempo
// moves it; a repeat removes that. Cheap: 20 ms frames of the loud part only, a band around the diagonal.
import type { VoiceFrame } from './frames.ts';

export interface RepeatOptions {
  /** Recent utterances kept to compare with. */
  keep: number;
  /** Mean aligned MFCC distance per frame at or below which two utterances say the same words. */
  maxDistance: number;
  /** A repeat's aligned distance must also be at most this share of the median distance to the others kept. */
  maxRelative: number;
  /** Durations more than this factor apart are not compared (a repeat is not twice as fast). */
  maxRatio: number;
}

// Measured on the tuning voices (6 × 16 phrasings; docs/notes/voice.md, round 7): a clip against its own
// +20% tempo / +6 dB versions 0.01–1.99, against the speaker's other phrasings ≥ 3.08 (median 5.1);
// relative to the median of the others ≤ 0.33 against ≥ 0.74. Thresholds between the two.
export const DEFAULT_REPEAT: RepeatOptions = {
  keep: 5,
  maxDistance: 2.4,
  maxRelative: 0.5,
  maxRatio: 1.6,
};

/** A compact form of one utterance for alignment: 20 ms mean MFCC frames of its loud part. */
export interface RepeatTemplate {
  label: string;
  seq: Float32Array[];
}

/** Frames this far below the loudest mid-band frame are left out (onsets, the VAD's tail, noise). */
const RANGE_DB = 30;
/** Shortest template compared, 20 ms frames (0.4 s of speech). */
const MIN_FRAMES = 20;
/** Half-width of the alignment band around the stretched diagonal, share of the longer template. */
const BAND = 0.2;

/** 20 ms frames (pairs of 10 ms frames averaged) of the frames within RANGE_DB of the loudest, mean removed. */
export function templateOf(frames: readonly VoiceFrame[], label: string): RepeatTemplate {
  let top = -Infinity;
  for (const f of frames) top = Math.max(top, f.midDb);
  const loud = frames.filter((f) => f.midDb >= top - RANGE_DB);
  const d = loud[0]?.mfcc.length ?? 0;
  const seq: Float32Array[] = [];
  for (let i = 0; i + 1 < loud.length; i += 2) {
    const v = new Float32Array(d);
    for (let k = 0; k < d; k++) v[k] = (loud[i].mfcc[k] + loud[i + 1].mfcc[k]) / 2;
    seq.push(v);
  }
  // Per-utterance mean removal: a level or channel change moves every frame alike.
  const mean = new Float32Array(d);
  for (const v of seq) for (let k = 0; k < d; k++) mean[k] += v[k] / seq.length;
  for (const v of seq) for (let k = 0; k < d; k++) v[k] -= mean[k];
  return { label, seq };
}

export interface Alignment {
  /** Mean local distance along the path (per step). */
  distance: number;
  /** How much faster `b` is than `a` (> 1: b shorter), from the path's middle 80%. */
  ratio: number;
}

/** Euclidean distance of two MFCC vectors, scaled per dimension (c1..c12 span ~1 each in the mel's log units). */
function dist(a: Float32Array, b: Float32Array): number {
  let s = 0;
  for (let k = 0; k < a.length; k++) {
    const x = a[k] - b[k];
    s += x * x;
  }
  return Math.sqrt(s / a.length);
}

/**
 * DTW of `b` against `a` (steps (1,1), (1,0), (0,1); a band of BAND around the stretched diagonal).
 * Null when either is too short or their lengths are more than `maxRatio` apart.
 */
export function align(a: Float32Array[], b: Float32Array[], maxRatio = DEFAULT_REPEAT.maxRatio): Alignment | null {
  const n = a.length, m = b.length;
  if (n < MIN_FRAMES || m < MIN_FRAMES || Math.max(n / m, m / n) > maxRatio) return null;
  const w = Math.ceil(BAND * Math.max(n, m));
  const INF = Number.POSITIVE_INFINITY;
  const cost = new Float64Array(n * m).fill(INF);
  const steps = new Int32Array(n * m);
  const from = new Int8Array(n * m); // 0 diagonal, 1 from (i-1, j), 2 from (i, j-1)
  for (let i = 0; i < n; i++) {
    const c = Math.round((i * (m - 1)) / Math.max(1, n - 1));
    for (let j = Math.max(0, c - w); j <= Math.min(m - 1, c + w); j++) {
      const d = dist(a[i], b[j]);
      const k = i * m + j;
      if (i === 0 && j === 0) {
        cost[k] = d;
        steps[k] = 1;
        continue;
      }
      let best = INF, s = 0, f = 0;
      if (i > 0 && j > 0 && cost[k - m - 1] < best) [best, s, f] = [cost[k - m - 1], steps[k - m - 1], 0];
      if (i > 0 && cost[k - m] < best) [best, s, f] = [cost[k - m], steps[k - m], 1];
      if (j > 0 && cost[k - 1] < best) [best, s, f] = [cost[k - 1], steps[k - 1], 2];
      if (best === INF) continue;
      cost[k] = best + d;
      steps[k] = s + 1;
      from[k] = f;
    }
  }
  const end = n * m - 1;
  if (!Number.isFinite(cost[end])) return null;
  // Walk back; for each i of `a` the first j it was aligned with.
  const jOf = new Int32Array(n).fill(-1);
  let i = n - 1, j = m - 1;
  for (;;) {
    jOf[i] = j;
    if (i === 0 && j === 0) break;
    const f = from[i * m + j];
    if (f === 0) [i, j] = [i - 1, j - 1];
    else if (f === 1) i--;
    else j--;
  }
  const i0 = Math.floor(0.1 * (n - 1)), i1 = Math.ceil(0.9 * (n - 1));
  const slope = (jOf[i1] - jOf[i0]) / Math.max(1, i1 - i0);
  return { distance: cost[end] / steps[end], ratio: slope > 0 ? 1 / slope : 1 };
}

/** Keeps the recent utterances and finds the one a new utterance repeats. */
export class RepeatMatcher {
  private readonly kept: { t: RepeatTemplate; calm: boolean }[] = [];

  constructor(private readonly opts: RepeatOptions = DEFAULT_REPEAT) {}

  /**
   * The tempo ratio (> 1: faster now) against a kept calm utterance of one of `labels` that this one
   * repeats, or null. The aligned distance must be small outright and small against the other kept
   * utterances (a voice whose frames all look alike is not repeating itself).
   */
  match(t: RepeatTemplate, labels: ReadonlySet<string>): Alignment | null {
    const scored = this.kept.map((k) => ({ k, a: align(k.t.seq, t.seq, this.opts.maxRatio) }));
    let best: Alignment | null = null;
    for (const s of scored) if (s.a && s.k.calm && labels.has(s.k.t.label) && (!best || s.a.distance < best.distance)) best = s.a;
    if (!best || best.distance > this.opts.maxDistance) return null;
    const others = scored.filter((s) => s.a && s.a !== best).map((s) => s.a!.distance).sort((x, y) => x - y);
    if (others.length && best.distance > this.opts.maxRelative * others[others.length >> 1]) return null;
    return best;
  }

  /** `calm`: the utterance was not raised (a repeat's tempo is judged against a calm saying only). */
  remember(t: RepeatTemplate, calm: boolean): void {
    if (t.seq.length < MIN_FRAMES) return;
    this.kept.push({ t, calm });
    if (this.kept.length > this.opts.keep) this.kept.shift();
  }
}
