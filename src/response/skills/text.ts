// Utterance clean-up shared by the skills: lower case, digits for number words, the wake word
// stripped off and remembered (it is the clearest sign the user is talking to us).
import { numbersToDigits } from '../../instructions/numbers.ts';
import { normalizeInstruction } from '../../instructions/parser.ts';

export const ASSISTANT_NAME = 'SoundFlow';

// "sound flow", and the ways pocketsphinx's dictionary spells it back.
const WAKE = /^(?:(?:hey|hi|hello|ok|okay|oh|a)\s+)?(?:soundflow|sound flow|sound flows|sound flower|sounds flow)\b\s*/;

export interface Utterance {
  /** Normalised words with number words as digits ("what is 7 times 8"). */
  text: string;
  words: string[];
  /** The user said the wake word. */
  wake: boolean;
}

export function prepare(raw: string): Utterance {
  let t = normalizeInstruction(raw);
  const wake = WAKE.test(t);
  t = t.replace(WAKE, '').replace(/^(?:please|so|and|um|uh|er)\s+/, '').trim();
  const words = numbersToDigits(t.split(' ').filter(Boolean));
  return { text: words.join(' '), words, wake };
}

/** Question or request form: the fallback may only answer these, never statements overheard. */
export function isQuestionForm(text: string): boolean {
  return /^(?:what|whats|who|whos|when|where|why|how|which|whose|is|are|am|was|were|do|does|did|can|could|would|will|should|shall|have|has|tell me|explain|describe|give me|show me|find|search|look up|play|open|call|send|set|turn|read|sing)\b/.test(text);
}
