// Speaker change inside one utterance: a second voice that takes over without a pause long enough to
// close the utterance. Classic single change-point test on the utterance's MFCC frames: for each candidate
// split, the generalised likelihood ratio of one full-covariance Gaussian for the whole against one for
// each side, per frame (the data term of ΔBIC, as the speaker tracker uses between utterances). Prefix
// sums make every candidate O(D³), so the scan costs well under a millisecond per utterance.
import { N_MFCC } from './frames.ts';
import { choleskyLogDet } from './speakers.ts';

const D = N_MFCC;
/** Ridge on covariances (MFCC units²), as in the speaker tracker. */
const RIDGE = 0.02;

export interface ChangeOptions {
  /** Frames each side needs (10 ms frames; short sides give unstable covariances). */
  minSide: number;
  /** Candidate splits are tried every `step` frames. */
  step: number;
}

export const DEFAULT_CHANGE: ChangeOptions = { minSide: 60, step: 5 };

export interface ChangePoint {
  /** Index of the first frame of the second part. */
  index: number;
  /** GLR per frame of two Gaussians over one at this split (higher: more likely two voices). */
  score: number;
}

/** BIC's model-size penalty (λ = 1) per frame for n frames: one Gaussian's mean and covariance, ½·P·ln n / n. */
export function bicPenaltyPerFrame(n: number): number {
  return (0.5 * (D + (D * (D + 1)) / 2) * Math.log(n)) / n;
}

/** The best single split of a frame sequence into two voices, or null when too short to test. */
export function bestChange(mfcc: readonly ArrayLike<number>[], options: Partial<ChangeOptions> = {}): ChangePoint | null {
  const o = { ...DEFAULT_CHANGE, ...options };
  const n = mfcc.length;
  if (n < 2 * o.minSide) return null;
  // Prefix sums of x and of the lower triangle of xxᵀ.
  const T = (D * (D + 1)) / 2;
  const ps = new Float64Array((n + 1) * D);
  const pq = new Float64Array((n + 1) * T);
  for (let f = 0; f < n; f++) {
    const x = mfcc[f];
    for (let i = 0; i < D; i++) ps[(f + 1) * D + i] = ps[f * D + i] + x[i];
    let k = 0;
    for (let i = 0; i < D; i++) for (let j = 0; j <= i; j++, k++) pq[(f + 1) * T + k] = pq[f * T + k] + x[i] * x[j];
  }
  const cov = new Float64Array(D * D);
  const logDet = (a: number, b: number): number => {
    const m = b - a;
    let k = 0;
    for (let i = 0; i < D; i++) {
      const mi = (ps[b * D + i] - ps[a * D + i]) / m;
      for (let j = 0; j <= i; j++, k++) {
        const mj = (ps[b * D + j] - ps[a * D + j]) / m;
        cov[i * D + j] = (pq[b * T + k] - pq[a * T + k]) / m - mi * mj + (i === j ? RIDGE : 0);
      }
    }
    return choleskyLogDet(cov);
  };
  const whole = n * logDet(0, n);
  let best: ChangePoint | null = null;
  for (let t = o.minSide; t <= n - o.minSide; t += o.step) {
    const score = (0.5 * (whole - t * logDet(0, t) - (n - t) * logDet(t, n))) / n;
    if (!best || score > best.score) best = { index: t, score };
  }
  return best;
}

