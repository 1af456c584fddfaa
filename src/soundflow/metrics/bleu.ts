// Corpus BLEU as defined by Papineni et al. (2002) and computed by sacreBLEU's default: clipped n-gram
// counts summed over the whole corpus (not averaged per sentence), n = 1..4, uniform weights, and a
// brevity penalty from the total hypothesis vs reference length. Scores are on the 0..100 scale.
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
  opts: { maxN?: number; tokenize?: (s: string) => string[]; lowercase?: boolean } = {},
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
  const precisions = matches.map((m, i) => (totals[i] > 0 ? (100 * m) / totals[i] : 0));
  const bp = hypLen === 0 ? 0 : hypLen < refLen ? Math.exp(1 - refLen / hypLen) : 1;
  // Any zero n-gram match makes the (unsmoothed) geometric mean zero, as in sacreBLEU's default.
  let score = 0;
  if (matches.every((m) => m > 0)) {
    const logMean = matches.reduce((s, m, i) => s + Math.log(m / totals[i]), 0) / maxN;
    score = 100 * bp * Math.exp(logMean);
  }
  return { score, precisions, bp, hypLen, refLen };
}
