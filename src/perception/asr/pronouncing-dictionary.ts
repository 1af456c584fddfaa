// The CMU pronouncing dictionary pocketsphinx-en-us ships, parsed once per process (~0.2 s, ~15 MB) and
// shared: understanding compares words by their phones, the voice analyser counts syllables from them.
// Two parses used to happen, the second one synchronously at a long first utterance's end (~0.2 s of a
// server's main thread: docs/notes/server.md, twelfth round).
import { existsSync, readFileSync } from 'node:fs';
import { DEFAULT_DICT } from './native.ts';

let dict: Map<string, readonly string[]> | null = null;

/** word → phones of its first pronunciation (stress marks dropped). Empty when the dictionary is missing. */
export function dictionaryPronunciations(): ReadonlyMap<string, readonly string[]> {
  if (dict) return dict;
  const d = new Map<string, readonly string[]>();
  if (existsSync(DEFAULT_DICT)) {
    for (const line of readFileSync(DEFAULT_DICT, 'utf8').split('\n')) {
      const sp = line.indexOf(' ');
      if (sp <= 0) continue;
      const word = line.slice(0, sp);
      if (word.endsWith(')')) continue; // alternates: the first reading stands
      d.set(word, line.slice(sp + 1).trim().split(/\s+/).map((p) => p.replace(/\d$/, '')));
    }
  }
  dict = d;
  return d;
}

/** A word's first pronunciation in the dictionary file (stress marks dropped); undefined when it lacks the word. */
export function filePronunciation(word: string): readonly string[] | undefined {
  return dictionaryPronunciations().get(word);
}
