// Transcript clean-up and word error rate: the one implementation, used by the recogniser, the ASR
// tests and the evaluation harness (src/soundflow/eval/score.ts).

const FILLER = /^(<[^>]*>|\[[^\]]*\]|\+\+?[^+]*\+\+?|\(null\))$/i;

/**
 * Lowercases, drops decoder fillers (<sil>, <s>, [NOISE], ++BREATH++, (NULL)), pronunciation-variant
 * suffixes ("the(2)" → "the") and punctuation other than in-word apostrophes; single spaces.
 */
export function normalizeTranscript(text: string): string {
  if (typeof text !== 'string') return '';
  const out: string[] = [];
  for (const raw of text.toLowerCase().split(/\s+/)) {
    if (!raw || FILLER.test(raw)) continue;
    const word = raw
      .replace(/\(\d+\)$/, '') // pronunciation variant
      .replace(/[^\p{L}\p{N}']+/gu, ' ') // punctuation → word break
      .replace(/(^|\s)'+|'+(\s|$)/g, '$1$2') // quotes, keep "don't"
      .trim();
    if (word) out.push(...word.split(/\s+/));
  }
  return out.join(' ');
}

export interface WerCounts {
  /** Words in the reference. */
  words: number;
  substitutions: number;
  deletions: number;
  insertions: number;
  /** (S + D + I) / N; 0 for two empty strings, 1 per inserted word against an empty reference. */
  wer: number;
}

/** Word-level edit distance between normalized reference and hypothesis, with its breakdown. */
export function werCounts(reference: string, hypothesis: string): WerCounts {
  const r = normalizeTranscript(reference).split(' ').filter(Boolean);
  const h = normalizeTranscript(hypothesis).split(' ').filter(Boolean);
  // cost[j] and ops[j] hold the row for the current reference prefix; ops = [S, D, I].
  let cost = Array.from({ length: h.length + 1 }, (_, j) => j);
  let ops: [number, number, number][] = Array.from({ length: h.length + 1 }, (_, j) => [0, 0, j]);
  for (let i = 1; i <= r.length; i++) {
    const nextCost = [i];
    const nextOps: [number, number, number][] = [[0, i, 0]];
    for (let j = 1; j <= h.length; j++) {
      const same = r[i - 1] === h[j - 1];
      const sub = cost[j - 1] + (same ? 0 : 1);
      const del = cost[j] + 1;
      const ins = nextCost[j - 1] + 1;
      const best = Math.min(sub, del, ins);
      nextCost.push(best);
      if (best === sub) {
        const [s, d, n] = ops[j - 1];
        nextOps.push([s + (same ? 0 : 1), d, n]);
      } else if (best === del) {
        const [s, d, n] = ops[j];
        nextOps.push([s, d + 1, n]);
      } else {
        const [s, d, n] = nextOps[j - 1];
        nextOps.push([s, d, n + 1]);
      }
    }
    cost = nextCost;
    ops = nextOps;
  }
  const [substitutions, deletions, insertions] = ops[h.length];
  const errors = cost[h.length];
  return { words: r.length, substitutions, deletions, insertions, wer: r.length ? errors / r.length : errors };
}

/** Word error rate of `hyp` against `ref` (both normalized first). */
export function wer(ref: string, hyp: string): number {
  return werCounts(ref, hyp).wer;
}

/** Corpus counts: edits and reference words summed over all pairs (NIST sclite's convention). */
export function corpusWerCounts(pairs: readonly { ref: string; hyp: string }[]): WerCounts {
  const sum: WerCounts = { words: 0, substitutions: 0, deletions: 0, insertions: 0, wer: 0 };
  for (const { ref, hyp } of pairs) {
    const c = werCounts(ref, hyp);
    sum.words += c.words;
    sum.substitutions += c.substitutions;
    sum.deletions += c.deletions;
    sum.insertions += c.insertions;
  }
  const errors = sum.substitutions + sum.deletions + sum.insertions;
  sum.wer = sum.words ? errors / sum.words : errors;
  return sum;
}

/** Corpus WER: total errors over total reference words (not the mean of per-pair rates). */
export function corpusWer(pairs: readonly { ref: string; hyp: string }[]): number {
  return corpusWerCounts(pairs).wer;
}
