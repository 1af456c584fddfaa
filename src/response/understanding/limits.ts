// Honest limits: a request put to the assistant that no offline skill serves gets one short reply
// saying so, and what it can do instead. Translation requests are recognised in any phrasing
// ("convert spoken language audio into chinese") so the reply can name the language.
import { normalizeInstruction } from '../../instructions/parser.ts';
import { findLanguage } from '../../instructions/languages.ts';
import { findWorldLanguage, offlineLanguageChoice, type WorldLanguage } from '../../instructions/world-languages.ts';

export type LimitTopic = 'translate_language' | 'translate_from' | 'count_numbers' | 'music' | 'knowledge' | 'action' | 'other';

export interface Limit {
  topic: LimitTopic;
  /** The short spoken reply. */
  reply: string;
  /** For translate_language: the language asked for. */
  language?: WorldLanguage;
}

export const CAN_DO_INSTEAD = 'I can tell the time and date, do sums, set timers, translate, transcribe, and listen for sounds.';

const TRANSLATE_VERB = /\b(?:translat\w*|convert\w*|interpret\w*|turn|put|say|render|change|switch)\b/;
const STRONG_VERB = /\b(?:translat\w*|convert\w*|interpret\w*)\b/;

/**
 * A request to translate into a named language, in any phrasing: the language word after
 * "into/to/in" following a translate-like verb. `offline` is set when Apertium serves it.
 */
export function translationRequest(raw: string): { word: string; offline: string | null; world: WorldLanguage | null } | null {
  const t = normalizeInstruction(typeof raw === 'string' ? raw : '');
  const verb = t.match(TRANSLATE_VERB);
  if (!verb) return null;
  const after = t.slice(verb.index);
  // "into X" after any translate-like verb; after a strong one ("convert … chinese") the language alone.
  const targets = STRONG_VERB.test(after)
    ? after.split(' ').slice(1)
    : [...after.matchAll(/\b(?:into|to|in)\s+([a-z]+)/g)].map((m) => m[1]);
  for (const word of targets.reverse()) {
    const off = findLanguage(word);
    const world = findWorldLanguage(word);
    if (off || world) return { word, offline: off?.code ?? null, world: world ?? null };
  }
  return null;
}

const capital = (w: string) => w.charAt(0).toUpperCase() + w.slice(1);

/** "I can't translate into Chinese offline. I can translate into Spanish, Catalan, Galician or Esperanto." */
export function cannotTranslateInto(language: string): string {
  return `I can't translate into ${capital(language)} offline. I can translate into ${offlineLanguageChoice()}.`;
}

/** The honest reply to a request no offline skill serves. */
export function honestLimit(raw: string): Limit {
  const t = normalizeInstruction(typeof raw === 'string' ? raw : '');
  const tr = translationRequest(t);
  if (tr && !tr.offline) {
    const name = tr.world?.name ?? capital(tr.word);
    return { topic: 'translate_language', reply: cannotTranslateInto(name), ...(tr.world ? { language: tr.world } : {}) };
  }
  if (/\btranslat\w* from\b/.test(t)) return { topic: 'translate_from', reply: `I can only translate from English offline, into ${offlineLanguageChoice()}.` };
  if (/^(?:please )?count (?:to|from|up|down)\b/.test(t)) return { topic: 'count_numbers', reply: 'I count sounds, not numbers. Say, for example, count the dog barks.' };
  if (/^(?:please )?(?:play|put on|sing)\b/.test(t)) return { topic: 'music', reply: `I can't play music. ${CAN_DO_INSTEAD}` };
  if (/^(?:what|whats|who|whos|when|where|why|how|which|whose|is|are|does|do|did|can you tell me|tell me|explain|define|recommend|find)\b/.test(t)) {
    return { topic: 'knowledge', reply: `I can't answer that offline. ${CAN_DO_INSTEAD}` };
  }
  if (/^(?:call|send|text|email|book|order|buy|open|close|turn|switch|add|schedule|remind|set|lock|unlock)\b|\b(?:can|could|would|will) you\b/.test(t)) {
    return { topic: 'action', reply: `I can't do that offline. ${CAN_DO_INSTEAD}` };
  }
  return { topic: 'other', reply: `Sorry, I can't do that offline. ${CAN_DO_INSTEAD}` };
}
