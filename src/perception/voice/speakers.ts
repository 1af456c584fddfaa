// Online speaker tracking without a pretrained model. Each utterance is a full-covariance Gaussian over
// its MFCC frames; it joins the known speaker whose Gaussian it merges with at the lowest generalised
// likelihood ratio per frame (GLR, the data term of ΔBIC; plus a penalty when the median F0 differs by
// more than a few semitones), or starts a new speaker when every GLR exceeds a threshold. A per-frame
// threshold rather than BIC's log n penalty: measured on 7 synthetic voices, same-speaker GLR/frame
// stays ≤ ~4 and different speakers ≥ ~6 whatever the amount of data (docs/notes/voice.md). Speaker models are sufficient statistics (n, Σx, Σxxᵀ) capped at MAX_FRAMES so they
// keep adapting and a long-known speaker does not swamp the test.
import { N_MFCC } from './frames.ts';

const D = N_MFCC;
/** Frame count a speaker model is scaled back to (≈ 20 s of voiced speech). */
const MAX_FRAMES = 2000;
/** Utterances with fewer frames are labelled with the nearest speaker but never start a new one. */
const MIN_NEW_FRAMES = 40;
const MAX_SPEAKERS = 8;
/** Ridge added to covariances (MFCC units²) so short utterances give a finite log-determinant. */
const RIDGE = 0.02;

export interface SpeakerOptions {
  /** GLR/frame granted to the preferred (enrolled) speaker: the user talks to their assistant most. */
  preferredBonus: number;
  /** GLR per frame above which an utterance is another speaker (higher: fewer speakers). */
  threshold: number;
  /** Per-frame penalty per semitone of median-F0 difference beyond `f0FreeSt`. */
  f0Weight: number;
  f0FreeSt: number;
}

export const DEFAULT_SPEAKER_OPTIONS: SpeakerOptions = { preferredBonus: 1.5, threshold: 5, f0Weight: 0.15, f0FreeSt: 2 };

export class Gaussian {
  n = 0;
  readonly sum = new Float64Array(D);
  readonly sq = new Float64Array(D * D);
  f0St: number[] = [];

  add(x: ArrayLike<number>): void {
    this.n++;
    for (let i = 0; i < D; i++) {
      this.sum[i] += x[i];
      for (let j = 0; j <= i; j++) this.sq[i * D + j] += x[i] * x[j];
    }
  }

  merge(o: Gaussian): void {
    this.n += o.n;
    for (let i = 0; i < D; i++) this.sum[i] += o.sum[i];
    for (let k = 0; k < D * D; k++) this.sq[k] += o.sq[k];
    this.f0St.push(...o.f0St);
    if (this.f0St.length > 20) this.f0St = this.f0St.slice(-20);
    if (this.n > MAX_FRAMES) this.scale(MAX_FRAMES / this.n);
  }

  private scale(k: number): void {
    this.n *= k;
    for (let i = 0; i < D; i++) this.sum[i] *= k;
    for (let i = 0; i < D * D; i++) this.sq[i] *= k;
  }

  get f0(): number | null {
    if (!this.f0St.length) return null;
    const s = [...this.f0St].sort((a, b) => a - b);
    return s[s.length >> 1];
  }
}

/** log|Σ| of the (ridged) covariance of the union of some Gaussians' statistics. */
function logDetCov(parts: Gaussian[]): number {
  let n = 0;
  const mean = new Float64Array(D);
  const c = new Float64Array(D * D);
  for (const g of parts) {
    n += g.n;
    for (let i = 0; i < D; i++) mean[i] += g.sum[i];
    for (let k = 0; k < D * D; k++) c[k] += g.sq[k];
  }
  for (let i = 0; i < D; i++) mean[i] /= n;
  for (let i = 0; i < D; i++) {
    for (let j = 0; j <= i; j++) c[i * D + j] = c[i * D + j] / n - mean[i] * mean[j];
    c[i * D + i] += RIDGE;
  }
  return choleskyLogDet(c);
}

/** log-determinant of a symmetric positive D×D matrix given by its lower triangle (overwritten). */
export function choleskyLogDet(c: Float64Array): number {
  let logDet = 0;
  for (let j = 0; j < D; j++) {
    let s = c[j * D + j];
    for (let k = 0; k < j; k++) s -= c[j * D + k] * c[j * D + k];
    if (s <= 1e-12) s = 1e-12;
    const l = Math.sqrt(s);
    c[j * D + j] = l;
    logDet += 2 * Math.log(l);
    for (let i = j + 1; i < D; i++) {
      let t = c[i * D + j];
      for (let k = 0; k < j; k++) t -= c[i * D + k] * c[j * D + k];
      c[i * D + j] = t / l;
    }
  }
  return logDet;
}

/** ΔBIC of modelling a and b as one Gaussian rather than two (> 0: different speakers). */
export function deltaBic(a: Gaussian, b: Gaussian, lambda: number): number {
  const n = a.n + b.n;
  const p = D + (D * (D + 1)) / 2;
  const gain = 0.5 * (n * logDetCov([a, b]) - a.n * logDetCov([a]) - b.n * logDetCov([b]));
  return gain - lambda * 0.5 * p * Math.log(n);
}

export interface SpeakerAssignment {
  label: string;
  /** A new speaker was opened for this utterance. */
  isNew: boolean;
  /** GLR per frame minus the threshold against the chosen speaker (negative: a match). */
  score: number;
  /** The closest other known speaker and its score (a new voice may be a known one speaking differently). */
  nearest?: { label: string; score: number };
  /** Every other known speaker with its score, closest first. */
  others: { label: string; score: number }[];
}

export class SpeakerTracker {
  private readonly speakers: { label: string; model: Gaussian }[] = [];
  private readonly opts: SpeakerOptions;
  private last: string | null = null;
  /** The enrolled user's label, favoured by `preferredBonus`. */
  preferred: string | null = null;

  constructor(options: Partial<SpeakerOptions> = {}) {
    this.opts = { ...DEFAULT_SPEAKER_OPTIONS, ...options };
  }

  get count(): number {
    return this.speakers.length;
  }

  /** The label `assign` would give these frames, or null for a new speaker; learns nothing. */
  peek(mfcc: readonly ArrayLike<number>[], f0St: number | null): string | null {
    const g = new Gaussian();
    for (const x of mfcc) g.add(x);
    if (f0St !== null) g.f0St.push(f0St);
    if (g.n === 0) return this.last;
    const scored = this.rank(g, f0St);
    const best = scored[0];
    const canOpen = g.n >= MIN_NEW_FRAMES && this.speakers.length < MAX_SPEAKERS;
    return best && (best.score <= 0 || !canOpen) ? best.s.label : null;
  }

  /** Labels one utterance from its MFCC frames and F0 (semitones re 100 Hz) of its voiced frames. */
  assign(mfcc: readonly ArrayLike<number>[], f0St: number | null): SpeakerAssignment {
    const g = new Gaussian();
    for (const x of mfcc) g.add(x);
    if (f0St !== null) g.f0St.push(f0St);
    if (g.n === 0) return { label: this.last ?? this.open(g), isNew: false, score: 0, others: [] };
    const scored = this.rank(g, f0St);
    const best = scored[0];
    const canOpen = g.n >= MIN_NEW_FRAMES && this.speakers.length < MAX_SPEAKERS;
    if (best && (best.score <= 0 || !canOpen)) {
      best.s.model.merge(g);
      this.last = best.s.label;
      const others = scored.slice(1).map((x) => ({ label: x.s.label, score: x.score }));
      return { label: best.s.label, isNew: false, score: best.score, ...(others.length ? { nearest: others[0] } : {}), others };
    }
    const others = scored.map((x) => ({ label: x.s.label, score: x.score }));
    const label = this.open(g);
    return { label, isNew: true, score: best ? best.score : 0, ...(others.length ? { nearest: others[0] } : {}), others };
  }

  /** Known speakers by their score against g (GLR/frame − threshold, F0 penalty, user bonus), best first. */
  private rank(g: Gaussian, f0St: number | null): { s: { label: string; model: Gaussian }; score: number }[] {
    return this.speakers.map((s) => {
      let score = deltaBic(s.model, g, 0) / g.n - this.opts.threshold;
      const sf = s.model.f0;
      if (sf !== null && f0St !== null) score += this.opts.f0Weight * Math.max(0, Math.abs(sf - f0St) - this.opts.f0FreeSt);
      if (s.label === this.preferred) score -= this.opts.preferredBonus;
      return { s, score };
    }).sort((a, b) => a.score - b.score);
  }

  private open(g: Gaussian): string {
    const label = `S${this.speakers.length + 1}`;
    this.speakers.push({ label, model: g });
    this.last = label;
    return label;
  }
}
