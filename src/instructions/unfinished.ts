// How a sentence that is not finished yet ends ("what is the", "what is seven times"). Read by the
// decision rules (hold for a longer pause) and by perception (never end a turn early on such a reading).
import { isNumberWord } from './numbers.ts';

/** Endings after which a speaker is very likely to go on. */
const UNFINISHED = new Set([
  'the', 'a', 'an', 'and', 'or', 'but', 'of', 'to', 'for', 'with', 'in', 'on', 'at', 'is', 'are', 'was',
  'my', 'your', 'what', "what's", 'how', 'why', 'when', 'where', 'which', 'who', 'if', 'because', 'so', 'than',
  'um', 'uh', 'like', 'into', 'from', 'about',
  // arithmetic left hanging: "what is three times ..."
  'times', 'plus', 'minus', 'divided', 'by', 'over', 'multiplied',
]);

export function soundsUnfinished(text: string): boolean {
  const words = text.toLowerCase().trim().split(/\s+/).filter(Boolean);
  return words.length > 0 && UNFINISHED.has(words[words.length - 1]);
}

// Words the open decoder writes for a spoken number ("ate" for eight): hearing one counts as hearing it.
const NUMBER_SOUNDALIKES: Record<string, string[]> = {
  one: ['won'], two: ['to', 'too'], three: ['tree', 'free'], four: ['for', 'fore', 'or'], five: ['fife'],
  six: ['sex', 'sick'], seven: ['heaven'], eight: ['ate'], nine: ['nun', 'night'], ten: ['then', 'tin'],
};

const SUM_TAIL = /^(.*\b(?:plus|minus|times|divided by|multiplied by))\s+([a-z]+(?: [a-z]+)?)$/;

/**
 * A sum whose last number only the grammar heard. The command grammar must end a sum on a number, so
 * for a question paused before its last number ("what is twelve plus … nine") it says one anyway
 * ("what is twelve plus eight") while the open decoder, which may stop anywhere, heard no such word
 * ("what is childless", "one is twelve plus") though it heard the sum begin (the operator, or the
 * question's first words). Then the speaker most likely goes on: the reading up to
 * its operator is returned, to be held like an unfinished sentence and joined with the continuation.
 * Null when the reading is no sum or some open reading has its last number.
 */
export function grammarCompletedSum(reading: string | undefined, open: readonly string[]): string | null {
  const m = SUM_TAIL.exec((reading ?? '').toLowerCase().trim().replace(/ please$/, ''));
  if (!m) return null;
  const last = m[2].split(' ');
  if (!last.every(isNumberWord)) return null;
  const readings = open.map((o) => o.toLowerCase().match(/[a-z]+/g) ?? []);
  const heard = new Set(readings.flat());
  const said = last.some((w) => heard.has(w) || (NUMBER_SOUNDALIKES[w] ?? []).some((s) => heard.has(s)));
  if (said) return null;
  // The open decoder must have heard a sum being asked too: its operator, or the question's opening
  // words. Free speech the grammar forced onto a sum ("my sister is visiting next weekend", dictated)
  // shares neither and is not held.
  const frame = m[1].split(' ');
  const asked = heard.has(frame[frame.length - 1]) || readings.some((r) => r.length >= 2 && r[0] === frame[0] && r[1] === frame[1]);
  return asked ? m[1] : null;
}
