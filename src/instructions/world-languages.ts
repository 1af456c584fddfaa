// Languages people may ask to translate into beyond the Apertium pairs: with an LLM endpoint the
// assistant translates into them; offline it names them in an honest refusal. Voices are espeak-ng's.
import { findLanguage, KNOWN_UNSUPPORTED_LANGUAGES, TARGET_LANGUAGES } from './languages.ts';

export interface WorldLanguage {
  code: string;
  name: string;
  /** espeak-ng voice that reads it. */
  voice: string;
  aliases: string[];
}

const L = (code: string, name: string, voice: string, ...aliases: string[]): WorldLanguage => ({ code, name, voice, aliases: [name.toLowerCase(), ...aliases] });

export const WORLD_LANGUAGES: readonly WorldLanguage[] = Object.freeze([
  L('zh', 'Chinese', 'cmn', 'mandarin'), L('yue', 'Cantonese', 'yue'), L('fr', 'French', 'fr'), L('de', 'German', 'de'), L('it', 'Italian', 'it'),
  L('pt', 'Portuguese', 'pt'), L('ja', 'Japanese', 'ja'), L('ko', 'Korean', 'ko'), L('ru', 'Russian', 'ru'), L('ar', 'Arabic', 'ar'),
  L('hi', 'Hindi', 'hi'), L('nl', 'Dutch', 'nl'), L('sv', 'Swedish', 'sv'), L('pl', 'Polish', 'pl'), L('tr', 'Turkish', 'tr'),
  L('el', 'Greek', 'el'), L('he', 'Hebrew', 'he'), L('la', 'Latin', 'la'), L('eu', 'Basque', 'eu'), L('cy', 'Welsh', 'cy'),
  L('ga', 'Irish', 'ga'), L('da', 'Danish', 'da'), L('fi', 'Finnish', 'fi'), L('no', 'Norwegian', 'nb'), L('cs', 'Czech', 'cs'),
  L('hu', 'Hungarian', 'hu'), L('ro', 'Romanian', 'ro'), L('uk', 'Ukrainian', 'uk'), L('vi', 'Vietnamese', 'vi'), L('th', 'Thai', 'th'),
  L('id', 'Indonesian', 'id'), L('sw', 'Swahili', 'sw'), L('fa', 'Persian', 'fa', 'farsi'), L('bn', 'Bengali', 'bn'), L('ur', 'Urdu', 'ur'),
  L('tlh', 'Klingon', 'en'),
]);

export function findWorldLanguage(word: string): WorldLanguage | undefined {
  const k = word.trim().toLowerCase();
  return WORLD_LANGUAGES.find((l) => l.code === k || l.aliases.includes(k));
}

/** Every language name the understanding layer listens for (offline pairs first). */
export function allLanguageNames(): string[] {
  return [...new Set([...TARGET_LANGUAGES.flatMap((l) => l.aliases.filter((a) => /^[a-z]+$/.test(a))), ...WORLD_LANGUAGES.flatMap((l) => l.aliases), ...KNOWN_UNSUPPORTED_LANGUAGES])];
}

export const isOfflineLanguage = (word: string): boolean => !!findLanguage(word);

/** "Spanish, Catalan, Galician or Esperanto". */
export function offlineLanguageChoice(): string {
  const names = TARGET_LANGUAGES.map((l) => l.name);
  return names.length <= 1 ? names.join('') : `${names.slice(0, -1).join(', ')} or ${names[names.length - 1]}`;
}
