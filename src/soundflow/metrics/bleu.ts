// Corpus BLEU as defined by Papineni et al. (2002) and computed by sacreBLEU's defaults: clipped n-gram
// counts summed over the whole corpus (not averaged per sentence), n = 1..4, uniform weights, a brevity
// penalty from the total hypothesis vs closest-reference length, 13a tokenisation and "exp" smoothing
// (an n-gram order with no match gets precision 1/(2^k * total) for its k-th such order; with no match
// at all the score is 0). Scores are on the 0..100 scale.
import { SoundFlowError } from '../../util/errors.ts';

export interface BleuResult {
  /** 0..100, like sacreBLEU. */
  score: number;
  /** Modified n-gram precisions (0..100) for n = 1..maxN. */
  precisions: number[];
  bp: number;
  hypLen: number;
  refLen: number;
}

/**
 * Tokenisation close to sacreBLEU's "13a": punctuation split off as separate tokens, whitespace split.
 * Dashes and periods between digits stay attached (e.g. "3.5"), as in 13a.
 */
export function tokenize13a(text: string): string[] {
  let s = ` ${text} `;
  s = s.replace(/([{-~[-` -&(-+:-@/])/g, ' $1 ');
  s = s.replace(/([^0-9])([.,])/g, '$1 $2 ');
  s = s.replace(/([.,])([^0-9])/g, ' $1 $2');
  s = s.replace(/([0-9])(-)/g, '$1 $2 ');
  return s.split(/\s+/).filter(Boolean);
}

function ngramCounts(tokens: string[], n: number): Map<string, number> {
  const m = new Map<string, number>();
  for (let i = 0; i + n <= tokens.length; i++) {
    const k = tokens.slice(i, i + n).join('\u0001');
    m.set(k, (m.get(k) ?? 0) + 1);
  }
  return m;
}

/**
 * Corpus BLEU over parallel lists. Each hypothesis may have one reference or several (the closest
 * reference length is used for the brevity penalty, ties to the shorter one, as sacreBLEU does).
 * `tokenize` defaults to 13a; pass `(s) => s.split(/\s+/).filter(Boolean)` for pre-tokenised text.
 */
export function corpusBleu(
  hypotheses: string[],
  references: (string | string[])[],
  opts: { maxN?: number; tokenize?: (s: string) => string[]; lowercase?: boolean; smooth?: 'exp' | 'none' } = {},
): BleuResult {
  if (hypotheses.length !== references.length) {
    throw new SoundFlowError('bleu_length_mismatch', `BLEU: ${hypotheses.length} hypotheses but ${references.length} references`);
  }
  const maxN = opts.maxN ?? 4;
  const tok = (s: string) => (opts.tokenize ?? tokenize13a)(opts.lowercase ? s.toLowerCase() : s);
  const matches = new Array(maxN).fill(0);
  const totals = new Array(maxN).fill(0);
  let hypLen = 0;
  let refLen = 0;
  for (let i = 0; i < hypotheses.length; i++) {
    const hyp = tok(hypotheses[i]);
    const refs = (Array.isArray(references[i]) ? (references[i] as string[]) : [references[i] as string]).map(tok);
    hypLen += hyp.length;
    // Closest reference length; on a tie the shorter one.
    let best = refs[0]?.length ?? 0;
    for (const r of refs) {
      const d = Math.abs(r.length - hyp.length);
      const bd = Math.abs(best - hyp.length);
      if (d < bd || (d === bd && r.length < best)) best = r.length;
    }
    refLen += best;
    for (let n = 1; n <= maxN; n++) {
      const h = ngramCounts(hyp, n);
      // Clip each hypothesis n-gram by its maximum count in any single reference.
      const maxRef = new Map<string, number>();
      for (const r of refs) for (const [k, c] of ngramCounts(r, n)) maxRef.set(k, Math.max(maxRef.get(k) ?? 0, c));
      for (const [k, c] of h) matches[n - 1] += Math.min(c, maxRef.get(k) ?? 0);
      totals[n - 1] += Math.max(0, hyp.length - n + 1);
    }
  }
  const smooth = opts.smooth ?? 'exp';
  const precisions = new Array(maxN).fill(0);
  let halvings = 1;
  for (let n = 0; n < maxN; n++) {
    // An order with no hypothesis n-grams at all (very short output) keeps precision 0, so the score is 0.
    if (totals[n] === 0) break;
    if (matches[n] > 0) precisions[n] = (100 * matches[n]) / totals[n];
    else if (smooth === 'exp') {
      halvings *= 2;
      precisions[n] = 100 / (halvings * totals[n]);
    }
  }
  const bp = hypLen === 0 ? 0 : hypLen < refLen ? Math.exp(1 - refLen / hypLen) : 1;
  let score = 0;
  if (matches.some((m) => m > 0) && precisions.every((p) => p > 0)) {
    score = bp * Math.exp(precisions.reduce((s, p) => s + Math.log(p), 0) / maxN);
  }
  return { score, precisions, bp, hypLen, refLen };
}
