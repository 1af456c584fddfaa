// Word error rate by Levenshtein alignment over words. Corpus WER sums edits and reference words over
// all pairs (not a mean of per-utterance rates), the convention of NIST sclite and most ASR papers.

export interface WerResult {
  /** (substitutions + deletions + insertions) / reference words; 0 when both are empty. */
  wer: number;
  substitutions: number;
  deletions: number;
  insertions: number;
  refWords: number;
}

/** Lowercase, drop punctuation except in-word apostrophes, collapse whitespace. */
export function normalizeForWer(text: string): string[] {
  return text
    .toLowerCase()
    .replace(/[^\p{L}\p{N}'\s]+/gu, ' ')
    .replace(/(^|\s)'+|'+(?=\s|$)/g, ' ')
    .split(/\s+/)
    .filter(Boolean);
}

/** Edit counts between two token lists (minimum total edits; ties prefer substitutions). */
export function alignWords(ref: string[], hyp: string[]): Omit<WerResult, 'wer' | 'refWords'> {
  const n = ref.length;
  const m = hyp.length;
  // dp[j] = [cost, subs, dels, ins] for ref[0..i) vs hyp[0..j).
  let prev: number[][] = Array.from({ length: m + 1 }, (_, j) => [j, 0, 0, j]);
  for (let i = 1; i <= n; i++) {
    const cur: number[][] = [[i, 0, i, 0]];
    for (let j = 1; j <= m; j++) {
      const same = ref[i - 1] === hyp[j - 1];
      const diag = prev[j - 1];
      const up = prev[j];
      const left = cur[j - 1];
      const cands = [
        [diag[0] + (same ? 0 : 1), diag[1] + (same ? 0 : 1), diag[2], diag[3]],
        [up[0] + 1, up[1], up[2] + 1, up[3]],
        [left[0] + 1, left[1], left[2], left[3] + 1],
      ];
      cur.push(cands.reduce((a, b) => (b[0] < a[0] ? b : a)));
    }
    prev = cur;
  }
  const [, substitutions, deletions, insertions] = prev[m];
  return { substitutions, deletions, insertions };
}

export function wer(ref: string, hyp: string): number {
  return corpusWer([ref], [hyp]).wer;
}

export function corpusWer(refs: string[], hyps: string[]): WerResult {
  if (refs.length !== hyps.length) throw new RangeError(`WER: ${refs.length} references but ${hyps.length} hypotheses`);
  let s = 0, d = 0, ins = 0, words = 0;
  for (let k = 0; k < refs.length; k++) {
    const r = normalizeForWer(refs[k]);
    const h = normalizeForWer(hyps[k]);
    const a = alignWords(r, h);
    s += a.substitutions;
    d += a.deletions;
    ins += a.insertions;
    words += r.length;
  }
  const edits = s + d + ins;
  return { wer: words === 0 ? (edits === 0 ? 0 : 1) : edits / words, substitutions: s, deletions: d, insertions: ins, refWords: words };
}
