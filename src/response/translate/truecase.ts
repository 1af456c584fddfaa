// ASR text is all lower case and unpunctuated; Apertium needs English casing to analyse it ("i" is
// unknown, "london" stays untranslated, "London" becomes "Londres"). This restores the casing that
// matters: the pronoun I, sentence starts, and a list of common proper nouns.

// Left out on purpose: words that are also ordinary English (may, march, will, bill, mark, rose, ...).
const PROPER = `monday tuesday wednesday thursday friday saturday sunday january february april june july
september october november december christmas easter
english spanish catalan galician esperanto french german italian portuguese chinese japanese russian arabic
england britain spain france germany italy portugal europe america africa asia australia canada mexico
brazil argentina japan russia india ireland scotland wales london paris madrid barcelona rome berlin
lisbon dublin edinburgh tokyo moscow valencia seville galicia catalonia york boston chicago texas california
john mary james michael david sarah anna maria peter paul george tom anne susan robert william elizabeth
emma olivia sophia lucas daniel laura carlos juan pedro jose luis carmen pablo alice bob charlie
google microsoft amazon apple`
  .split(/\s+/)
  .filter(Boolean);

const MULTI: [RegExp, string][] = [
  [/\bnew york\b/g, 'New York'],
  [/\bunited states\b/g, 'United States'],
  [/\bunited kingdom\b/g, 'United Kingdom'],
  [/\bsan francisco\b/g, 'San Francisco'],
  [/\blos angeles\b/g, 'Los Angeles'],
];

const properSet = new Set(PROPER);

export interface TruecaseOptions {
  /** Extra proper nouns (any case) to capitalise, e.g. the user's contacts. */
  properNouns?: readonly string[];
}

/** Restores English casing for translation: "i think john is in london" → "I think John is in London". */
export function truecase(text: string, opts: TruecaseOptions = {}): string {
  const extra = new Map((opts.properNouns ?? []).map((w) => [w.toLowerCase(), w]));
  let out = text.replace(/\s+/g, ' ').trim();
  for (const [re, rep] of MULTI) out = out.replace(re, rep);
  for (const [lower, cased] of extra) if (lower.includes(' ')) out = out.replace(new RegExp(`\\b${lower.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\b`, 'gi'), cased);
  out = out.replace(/[A-Za-z]+(?:'[A-Za-z]+)?/g, (word) => {
    // Possessives and contractions: the casing is decided by the part before the apostrophe.
    const [base, ...rest] = word.split("'");
    const tail = rest.length ? `'${rest.join("'")}` : '';
    const lower = base.toLowerCase();
    if (lower === 'i') return 'I' + tail;
    if (base !== lower) return word;
    if (extra.has(lower)) return extra.get(lower)! + tail;
    if (properSet.has(lower)) return lower[0].toUpperCase() + lower.slice(1) + tail;
    return word;
  });
  // Capital at the start and after sentence punctuation.
  return out.replace(/(^|[.!?]\s+)([a-z])/g, (_, pre: string, c: string) => pre + c.toUpperCase());
}
