// Syllables in a transcript: the vowel phones of each word's first pronunciation in the recogniser's
// dictionary (pocketsphinx's cmudict, stress marks stripped), or vowel groups for words it lacks.
// Speaking rate as transcript syllables per second of speech varies less with the wording than a count
// of energy peaks (docs/notes/voice.md).
import { readFileSync } from 'node:fs';
import { DEFAULT_DICT } from '../asr/native.ts';

let dict: Map<string, number> | null = null;
const VOWELS = new Set(['AA', 'AE', 'AH', 'AO', 'AW', 'AY', 'EH', 'ER', 'EY', 'IH', 'IY', 'OW', 'OY', 'UH', 'UW']);

function dictionary(): Map<string, number> {
  if (dict) return dict;
  dict = new Map();
  try {
    for (const line of readFileSync(DEFAULT_DICT, 'utf8').split('\n')) {
      const sp = line.indexOf(' ');
      if (sp <= 0) continue;
      const word = line.slice(0, sp);
      if (word.endsWith(')')) continue; // alternative pronunciations: the first one stands
      let n = 0;
      for (const ph of line.slice(sp + 1).split(' ')) if (VOWELS.has(ph.replace(/[0-9]/g, ''))) n++;
      dict.set(word, n);
    }
  } catch {
    // No dictionary installed: the spelling rule below serves every word.
  }
  return dict;
}

/** Syllables of one lower-case word by its spelling: vowel groups, a final silent e dropped, at least 1. */
export function spelledSyllables(word: string): number {
  const w = word.replace(/[^a-z]/g, '');
  if (!w) return 0;
  const groups = w.match(/[aeiouy]+/g)?.length ?? 0;
  const silentE = /[^aeiouy]e$/.test(w) && !/[^aeiouy]le$/.test(w) && groups > 1 ? 1 : 0;
  return Math.max(1, groups - silentE);
}

/** Syllables in a text (words of letters and apostrophes; digits are spelled by the recogniser anyway). */
export function syllableCount(text: string): number {
  const d = dictionary();
  let n = 0;
  for (const raw of text.toLowerCase().split(/[^a-z']+/)) {
    if (!raw) continue;
    n += d.get(raw) ?? spelledSyllables(raw);
  }
  return n;
}
