// Numbers spoken as words ("twenty five", "a hundred and twelve") to values and back. ASR output and
// the grammar both carry words, never digits, so the parser, the skills and the grammar share this.

export const UNITS = ['zero', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine'] as const;
export const TEENS = ['ten', 'eleven', 'twelve', 'thirteen', 'fourteen', 'fifteen', 'sixteen', 'seventeen', 'eighteen', 'nineteen'] as const;
export const TENS = ['', '', 'twenty', 'thirty', 'forty', 'fifty', 'sixty', 'seventy', 'eighty', 'ninety'] as const;

const SMALL = new Map<string, number>();
UNITS.forEach((w, i) => SMALL.set(w, i));
TEENS.forEach((w, i) => SMALL.set(w, 10 + i));
TENS.forEach((w, i) => w && SMALL.set(w, i * 10));
SMALL.set('oh', 0);
SMALL.set('fourty', 40);
const SCALES = new Map<string, number>([['hundred', 100], ['thousand', 1000], ['million', 1_000_000]]);

export function isNumberWord(w: string): boolean {
  return SMALL.has(w) || SCALES.has(w) || /^\d+(\.\d+)?$/.test(w);
}

/**
 * Parses a run of number words starting at tokens[i]. Accepts digits too ("12"), "a hundred",
 * "one hundred and five", "twenty-five". Returns the value and how many tokens it used, or null.
 */
export function readNumber(tokens: readonly string[], i: number): { value: number; used: number } | null {
  let j = i;
  let total = 0;
  let current = 0;
  let any = false;
  let lastSmall: number | null = null;
  while (j < tokens.length) {
    const w = tokens[j];
    if (/^\d+(\.\d+)?$/.test(w)) {
      if (any) break;
      return { value: Number(w), used: 1 };
    }
    if (SMALL.has(w)) {
      const v = SMALL.get(w)!;
      // "twenty five" adds; "five five" or "twelve three" is two numbers, stop before the second.
      if (lastSmall !== null && !(lastSmall >= 20 && lastSmall % 10 === 0 && v < 10)) break;
      current += v;
      lastSmall = v;
      any = true;
      j++;
      continue;
    }
    if ((w === 'a' || w === 'an') && !any && SCALES.has(tokens[j + 1] ?? '')) {
      current = 1;
      any = true;
      j++;
      continue;
    }
    if (SCALES.has(w) && any) {
      const s = SCALES.get(w)!;
      if (s === 100) current = (current || 1) * 100;
      else {
        total += (current || 1) * s;
        current = 0;
      }
      lastSmall = null;
      j++;
      continue;
    }
    // "one hundred and five": "and" joins only when a number word follows a scale.
    if (w === 'and' && any && lastSmall === null && SMALL.has(tokens[j + 1] ?? '')) {
      j++;
      continue;
    }
    break;
  }
  if (!any) return null;
  return { value: total + current, used: j - i };
}

/** Replaces every run of number words in a token list with its digits. */
export function numbersToDigits(tokens: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < tokens.length; ) {
    // "a" alone is an article, not one; readNumber only takes it before a scale word.
    const r = readNumber(tokens, i);
    if (r && !(r.used === 1 && (tokens[i] === 'a' || tokens[i] === 'an'))) {
      out.push(String(r.value));
      i += r.used;
    } else out.push(tokens[i++]);
  }
  return out;
}

/** 0..999999 in words, e.g. 56 → "fifty six" (spaces, as a grammar/dictionary needs). */
export function numberToWords(n: number): string {
  if (!Number.isInteger(n) || n < 0) throw new RangeError(`numberToWords: ${n}`);
  if (n < 10) return UNITS[n];
  if (n < 20) return TEENS[n - 10];
  if (n < 100) return n % 10 ? `${TENS[Math.floor(n / 10)]} ${UNITS[n % 10]}` : TENS[n / 10];
  if (n < 1000) return `${UNITS[Math.floor(n / 100)]} hundred${n % 100 ? ` ${numberToWords(n % 100)}` : ''}`;
  if (n < 1_000_000) return `${numberToWords(Math.floor(n / 1000))} thousand${n % 1000 ? ` ${numberToWords(n % 1000)}` : ''}`;
  return String(n);
}
