// Syllables and expected speaking time of a transcript, from each word's first pronunciation in the
// recogniser's dictionary (pocketsphinx's cmudict, stress marks stripped); words it lacks are spelled
// out (vowel groups). The expected time sums a mean duration per phone class, fitted on the tuning
// voices' calm speech (docs/notes/voice.md, round 8): measured speaking time over it is a speaking rate
// that no longer depends on how long the words are.
import { filePronunciation } from '../asr/pronouncing-dictionary.ts';

export interface WordSound {
  syllables: number;
  /** Expected speaking time at a calm pace, seconds. */
  seconds: number;
}

/**
 * Mean seconds per phone of each class, plus one per word, fitted (least squares, non-negative) to the
 * speaking time of the 6 tuning voices' calm phrasings (16 each) from their reference words (round 8,
 * docs/notes/voice.md). Absolute scale does not matter: rates are judged against the speaker's own.
 */
export const PHONE_CLASS_SECONDS: Record<string, number> = {
  short: 0.057, // AA AE AH AO EH IH UH
  long: 0.091, // IY UW ER
  diphthong: 0.089, // AW AY EY OW OY
  stop: 0.031, // P B T D K G
  fricative: 0.040, // F V TH DH S Z SH ZH HH CH JH
  nasal: 0.030, // M N NG
  liquid: 0.088, // L R W Y
  word: 0.055,
};
const CLASS_OF: Record<string, string> = {};
for (const [cls, phones] of Object.entries({
  short: 'AA AE AH AO EH IH UH', long: 'IY UW ER', diphthong: 'AW AY EY OW OY', stop: 'P B T D K G',
  fricative: 'F V TH DH S Z SH ZH HH CH JH', nasal: 'M N NG', liquid: 'L R W Y',
})) for (const ph of phones.split(' ')) CLASS_OF[ph] = cls;
const VOWEL_CLASSES = new Set(['short', 'long', 'diphthong']);

/**
 * Word → syllables and expected milliseconds packed in one number (ms × 16 + syllables), filled a word
 * at a time from the pronouncing dictionary that understanding also reads (asr/pronouncing-dictionary.ts): this
 * module used to parse the same ~130k-line file again into its own map, ~0.2 s on the main thread at
 * the first transcript a voice was described with (docs/notes/server.md, twelfth round). Holds only
 * words the file has (at most its ~130k), so arbitrary transcript words do not grow it.
 */
const known = new Map<string, number>();
const pack = (w: WordSound): number => Math.round(w.seconds * 1000) * 16 + Math.min(15, w.syllables);
const unpack = (v: number): WordSound => ({ syllables: v & 15, seconds: (v >> 4) / 1000 });

/** One pronunciation (phones, stress marks allowed) as syllables and expected seconds. */
export function soundOf(phones: readonly string[]): WordSound {
  let syllables = 0, seconds = PHONE_CLASS_SECONDS.word;
  for (const ph of phones) {
    const cls = CLASS_OF[ph.replace(/[0-9]/g, '')];
    if (!cls) continue;
    if (VOWEL_CLASSES.has(cls)) syllables++;
    seconds += PHONE_CLASS_SECONDS[cls];
  }
  return { syllables, seconds };
}

/** A word's packed sound from the dictionary file's first pronunciation, or -1 when the file lacks it. */
function lookUp(word: string): number {
  const v = known.get(word);
  if (v !== undefined) return v;
  const phones = filePronunciation(word);
  if (phones === undefined) return -1;
  const packed = pack(soundOf(phones));
  known.set(word, packed);
  return packed;
}

/** Syllables of one lower-case word by its spelling: vowel groups, a final silent e dropped, at least 1. */
export function spelledSyllables(word: string): number {
  const w = word.replace(/[^a-z]/g, '');
  if (!w) return 0;
  const groups = w.match(/[aeiouy]+/g)?.length ?? 0;
  const silentE = /[^aeiouy]e$/.test(w) && !/[^aeiouy]le$/.test(w) && groups > 1 ? 1 : 0;
  return Math.max(1, groups - silentE);
}

/** A spelled word: each syllable a consonant-vowel pair of average length. */
const SPELLED_SYLLABLE_SECONDS = (PHONE_CLASS_SECONDS.short + PHONE_CLASS_SECONDS.stop + PHONE_CLASS_SECONDS.liquid) / 1.5;

/** Syllables and expected calm speaking time (s) of a text (words of letters and apostrophes). */
export function textSound(text: string): WordSound {
  let syllables = 0, seconds = 0;
  for (const raw of text.toLowerCase().split(/[^a-z']+/)) {
    if (!raw) continue;
    const packed = lookUp(raw);
    const s = packed >= 0 ? unpack(packed) : { syllables: spelledSyllables(raw), seconds: PHONE_CLASS_SECONDS.word + spelledSyllables(raw) * SPELLED_SYLLABLE_SECONDS };
    syllables += s.syllables;
    seconds += s.seconds;
  }
  return { syllables, seconds };
}

/** Syllables in a text (digits are spelled by the recogniser anyway). */
export function syllableCount(text: string): number {
  return textSound(text).syllables;
}
