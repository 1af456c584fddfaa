// Language -> espeak-ng voice. Accepts ISO 639-1 codes, BCP-47 tags and English language names.
import { execFileSync } from 'node:child_process';

/** Explicit choices where the espeak-ng id differs from the code, or where we pick a neighbour. */
const VOICES: Record<string, string> = {
  en: 'en-us',
  'en-us': 'en-us',
  'en-gb': 'en-gb',
  es: 'es',
  'es-es': 'es',
  'es-mx': 'es-419',
  'es-419': 'es-419',
  ca: 'ca',
  // espeak-ng 1.51 has no Galician voice; Galician spelling follows Spanish conventions (ñ, ll, ch, c/z), so the
  // Spanish rules read it far better than Portuguese ones (which misread ch, ñ, ll). Only "x" (/ʃ/) comes out wrong.
  gl: 'es',
  eo: 'eo',
  fr: 'fr-fr',
  'fr-fr': 'fr-fr',
  de: 'de',
  it: 'it',
  pt: 'pt',
  'pt-pt': 'pt',
  'pt-br': 'pt-br',
  nl: 'nl',
  ru: 'ru',
  pl: 'pl',
  zh: 'cmn',
  'zh-cn': 'cmn',
  ja: 'ja',
  ko: 'ko',
  ar: 'ar',
  hi: 'hi',
  tr: 'tr',
  sv: 'sv',
  el: 'el',
  eu: 'eu',
  la: 'la',
};

/** English names (and a few endonyms) of the languages above. */
const NAMES: Record<string, string> = {
  english: 'en', american: 'en-us', british: 'en-gb', spanish: 'es', castilian: 'es', español: 'es', castellano: 'es',
  catalan: 'ca', català: 'ca', galician: 'gl', galego: 'gl', esperanto: 'eo', french: 'fr', français: 'fr',
  german: 'de', deutsch: 'de', italian: 'it', italiano: 'it', portuguese: 'pt', português: 'pt', brazilian: 'pt-br',
  dutch: 'nl', russian: 'ru', polish: 'pl', chinese: 'zh', mandarin: 'zh', japanese: 'ja', korean: 'ko',
  arabic: 'ar', hindi: 'hi', turkish: 'tr', swedish: 'sv', greek: 'el', basque: 'eu', latin: 'la',
};

let installed: Set<string> | null = null;

/** Language ids espeak-ng reports (`espeak-ng --voices`), read once; empty if espeak-ng is missing. */
export function installedVoices(): Set<string> {
  if (installed) return installed;
  installed = new Set();
  try {
    const out = execFileSync('espeak-ng', ['--voices'], { encoding: 'utf8', timeout: 5000, stdio: ['ignore', 'pipe', 'ignore'] });
    for (const line of out.split('\n').slice(1)) {
      const lang = line.trim().split(/\s+/)[1];
      if (lang) installed.add(lang.toLowerCase());
    }
  } catch {
    // Missing espeak-ng surfaces later as MissingDependencyError when synthesis is attempted.
  }
  return installed;
}

/** Normalises "pt_BR", "Spanish", "ES" to a lower-case key of our tables. */
function key(lang: string): string {
  const k = lang.trim().toLowerCase().replace(/_/g, '-');
  return NAMES[k] ?? k;
}

/**
 * The espeak-ng voice for a language, or `fallback` (default en-us) when neither our table nor
 * the installed espeak-ng knows it. Region tags fall back to the base language (de-AT -> de).
 */
export function voiceFor(lang: string | undefined, fallback = 'en-us'): string {
  if (!lang) return fallback;
  const k = key(lang);
  if (VOICES[k]) return VOICES[k];
  if (installedVoices().has(k)) return k;
  const base = k.split('-')[0];
  if (VOICES[base]) return VOICES[base];
  if (installedVoices().has(base)) return base;
  return fallback;
}

/** True when voiceFor(lang) finds a real voice for it (rather than the fallback). */
export function hasVoice(lang: string): boolean {
  return voiceFor(lang, '') !== '';
}
