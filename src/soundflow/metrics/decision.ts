// Scores for the per-chunk respond/silent decision.
//
// Chunk level: a labelled `respond` chunk L is hit by a predicted reply at chunk P when
// L <= P <= L + tolerance (a reply may come a little after the turn ends, never before it). Matching is
// one-to-one and greedy in time, so one reply cannot cover two labels and a burst of replies to one
// label counts the extras as false replies.

export interface ChunkMatch {
  /** Labelled chunk -> matched predicted chunk (or null). */
  pairs: { label: number; pred: number | null }[];
  /** Predicted chunks that matched no label. */
  falsePreds: number[];
}

export function matchChunks(labels: number[], preds: number[], tolerance: number): ChunkMatch {
  if (!(tolerance >= 0)) throw new RangeError('tolerance must be >= 0');
  const L = [...labels].sort((a, b) => a - b);
  const P = [...preds].sort((a, b) => a - b);
  const used = new Array(P.length).fill(false);
  const pairs: ChunkMatch['pairs'] = [];
  let start = 0;
  for (const l of L) {
    while (start < P.length && (used[start] || P[start] < l)) start++;
    // The earliest unused prediction at or after l; P is sorted so the first candidate is it.
    let hit: number | null = null;
    for (let j = start; j < P.length && P[j] <= l + tolerance; j++) {
      if (!used[j]) {
        used[j] = true;
        hit = P[j];
        break;
      }
    }
    pairs.push({ label: l, pred: hit });
  }
  return { pairs, falsePreds: P.filter((_, j) => !used[j]) };
}

export interface PrfCounts {
  tp: number;
  /** Predictions matching no label. */
  fp: number;
  /** Labels with no matching prediction. */
  fn: number;
}

export interface Prf extends PrfCounts {
  precision: number;
  recall: number;
  f1: number;
}

/** P/R/F1 from counts; an empty denominator gives 0 (never-respond has precision 0, not NaN). */
export function prf(c: PrfCounts): Prf {
  const precision = c.tp + c.fp > 0 ? c.tp / (c.tp + c.fp) : 0;
  const recall = c.tp + c.fn > 0 ? c.tp / (c.tp + c.fn) : 0;
  const f1 = precision + recall > 0 ? (2 * precision * recall) / (precision + recall) : 0;
  return { ...c, precision, recall, f1 };
}

/** Balanced accuracy of a binary event decision: mean of recall on positives and on negatives. */
export function balancedAccuracy(events: { truth: boolean; pred: boolean }[]): { value: number | null; tpr: number | null; tnr: number | null } {
  const pos = events.filter((e) => e.truth);
  const neg = events.filter((e) => !e.truth);
  const tpr = pos.length ? pos.filter((e) => e.pred).length / pos.length : null;
  const tnr = neg.length ? neg.filter((e) => !e.pred).length / neg.length : null;
  // With only one class present, the balanced accuracy is the recall on that class.
  const parts = [tpr, tnr].filter((x): x is number => x !== null);
  return { value: parts.length ? parts.reduce((a, b) => a + b, 0) / parts.length : null, tpr, tnr };
}

export function mean(xs: number[]): number | null {
  return xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : null;
}

export function percentile(xs: number[], p: number): number | null {
  if (!xs.length) return null;
  const s = [...xs].sort((a, b) => a - b);
  const i = Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1));
  return s[i];
}
