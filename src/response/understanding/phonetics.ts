// Words as phones, and how alike two phone strings sound. The pronunciations come from the CMU
// dictionary pocketsphinx-en-us ships, so "dog parks" and "dog barks" differ by one voicing (P/B), which
// is exactly the kind of slip the recogniser makes (src/perception/asr/pronouncing-dictionary.ts: loaded
// once per process, lazily, ~0.2 s, ~15 MB).
import { dictionaryPronunciations } from '../../perception/asr/pronouncing-dictionary.ts';
import { EXTRA_PRONUNCIATIONS } from '../../instructions/grammar.ts';

export type Phones = readonly string[];

/** Words of EXTRA_PRONUNCIATIONS the dictionary file lacks. */
let extra: Map<string, Phones> | null = null;

/** A word's phones: the dictionary file's first pronunciation, else EXTRA_PRONUNCIATIONS, else undefined. */
function knownPhones(word: string): Phones | undefined {
  const file = dictionaryPronunciations();
  if (!extra) {
    extra = new Map();
    for (const [w, p] of Object.entries(EXTRA_PRONUNCIATIONS)) if (!file.has(w)) extra.set(w, p.split(' '));
  }
  return file.get(word) ?? extra.get(word);
}

// Letters → rough phones for words the dictionary lacks (digits, typos, foreign names): good enough
// to compare, never used to speak.
const LETTER: Record<string, string[]> = {
  a: ['AE'], b: ['B'], c: ['K'], d: ['D'], e: ['EH'], f: ['F'], g: ['G'], h: ['HH'], i: ['IH'], j: ['JH'], k: ['K'], l: ['L'], m: ['M'],
  n: ['N'], o: ['AA'], p: ['P'], q: ['K'], r: ['R'], s: ['S'], t: ['T'], u: ['AH'], v: ['V'], w: ['W'], x: ['K', 'S'], y: ['Y'], z: ['Z'],
};

export function wordPhones(word: string): Phones {
  const w = word.toLowerCase();
  const known = knownPhones(w);
  if (known) return known;
  const out: string[] = [];
  for (const ch of w) out.push(...(LETTER[ch] ?? []));
  return out;
}

export function phrasePhones(phrase: string | readonly string[]): Phones {
  const words = typeof phrase === 'string' ? phrase.split(/\s+/).filter(Boolean) : phrase;
  return words.flatMap((w) => wordPhones(w));
}

const VOWELS = new Set(['AA', 'AE', 'AH', 'AO', 'AW', 'AY', 'EH', 'ER', 'EY', 'IH', 'IY', 'OW', 'OY', 'UH', 'UW']);
// Pairs the recogniser confuses: voicing, place, nasals, liquids.
const CLOSE: string[][] = [
  ['P', 'B'], ['T', 'D'], ['K', 'G'], ['F', 'V'], ['S', 'Z'], ['TH', 'DH'], ['SH', 'ZH'], ['CH', 'JH'],
  ['M', 'N'], ['N', 'NG'], ['L', 'R'], ['W', 'V'], ['TH', 'F'], ['DH', 'D'], ['T', 'K'], ['P', 'T'], ['S', 'SH'], ['HH', 'F'],
];
const closeSet = new Set(CLOSE.flatMap(([a, b]) => [`${a} ${b}`, `${b} ${a}`]));

function substCost(a: string, b: string): number {
  if (a === b) return 0;
  if (closeSet.has(`${a} ${b}`)) return 0.4;
  const va = VOWELS.has(a);
  if (va && VOWELS.has(b)) return 0.5;
  if (va !== VOWELS.has(b)) return 1.2;
  return 0.9;
}

// phoneDistance runs for every vocabulary word against every unknown token of every transcript (~10 ms
// of event loop per statement with string keys), so phones are interned to small ids and the pair costs
// kept in a table filled from substCost on first use: the same numbers in the same arithmetic.
const MAX_IDS = 256;
const phoneIds = new Map<string, number>();
const idPhones: string[] = [];
const pairCost = new Float64Array(MAX_IDS * MAX_IDS).fill(-1);
const idCache = new WeakMap<Phones, Int32Array | null>();

/** The phones as interned ids, or null when there are more distinct phones than the table holds. */
function idsOf(p: Phones): Int32Array | null {
  const hit = idCache.get(p);
  if (hit !== undefined) return hit;
  let out: Int32Array | null = new Int32Array(p.length);
  for (let i = 0; i < p.length; i++) {
    let id = phoneIds.get(p[i]);
    if (id === undefined) {
      if (idPhones.length >= MAX_IDS) {
        out = null;
        break;
      }
      id = idPhones.length;
      phoneIds.set(p[i], id);
      idPhones.push(p[i]);
    }
    out[i] = id;
  }
  idCache.set(p, out);
  return out;
}

/** Weighted edit distance between two phone strings (insert/delete 1, close phones 0.4, vowels 0.5). */
export function phoneDistance(a: Phones, b: Phones): number {
  const ia = idsOf(a);
  const ib = ia && idsOf(b);
  const n = b.length;
  let prev = new Float64Array(n + 1);
  let cur = new Float64Array(n + 1);
  for (let j = 0; j <= n; j++) prev[j] = j;
  for (let i = 1; i <= a.length; i++) {
    cur[0] = i;
    for (let j = 1; j <= n; j++) {
      let c: number;
      if (ib) {
        const k = ia![i - 1] * MAX_IDS + ib[j - 1];
        c = pairCost[k];
        if (c < 0) c = pairCost[k] = substCost(idPhones[ia![i - 1]], idPhones[ib[j - 1]]);
      } else c = substCost(a[i - 1], b[j - 1]);
      cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + c);
    }
    [prev, cur] = [cur, prev];
  }
  return prev[n];
}

/** 0..1: 1 = same phones. Normalised by the longer string, so short words need a close match. */
export function phoneSimilarity(a: Phones, b: Phones): number {
  const len = Math.max(a.length, b.length);
  if (len === 0) return 1;
  return Math.max(0, 1 - phoneDistance(a, b) / len);
}

/** How alike two phrases sound (0..1). */
export function soundsAlike(a: string, b: string): number {
  return phoneSimilarity(phrasePhones(a), phrasePhones(b));
}
