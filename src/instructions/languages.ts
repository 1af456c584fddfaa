// The target languages SoundFlow can translate English into: one row per installed Apertium pair.
// The parser, the grammar and the translator all read this table, so adding a pair is one row here
// plus its Debian package in scripts/debian-packages.txt.

export interface TargetLanguage {
  /** ISO 639-1 code used in task params and the public API. */
  code: string;
  /** English name, as spoken in instructions and acknowledgements. */
  name: string;
  /** Apertium mode under /usr/share/apertium/modes (without .mode). */
  mode: string;
  /** Debian package that ships the mode. */
  debianPackage: string;
  /** espeak-ng voice that reads the translation aloud. */
  voice: string;
  /** Other ways people name the language (lower case). */
  aliases: string[];
}

export const TARGET_LANGUAGES: readonly TargetLanguage[] = Object.freeze([
  { code: 'es', name: 'Spanish', mode: 'eng-spa', debianPackage: 'apertium-eng-spa', voice: 'es', aliases: ['spanish', 'castilian', 'espanol', 'español'] },
  { code: 'ca', name: 'Catalan', mode: 'eng-cat', debianPackage: 'apertium-eng-cat', voice: 'ca', aliases: ['catalan', 'catala', 'català'] },
  // espeak-ng has no Galician voice; Galician spelling follows Spanish conventions closely enough.
  { code: 'gl', name: 'Galician', mode: 'en-gl', debianPackage: 'apertium-en-gl', voice: 'es', aliases: ['galician', 'galego'] },
  { code: 'eo', name: 'Esperanto', mode: 'en-eo', debianPackage: 'apertium-eo-en', voice: 'eo', aliases: ['esperanto'] },
]);

/** Languages people ask for that have no installed pair: recognised so the refusal can name them. */
export const KNOWN_UNSUPPORTED_LANGUAGES: readonly string[] = Object.freeze([
  'french', 'german', 'italian', 'portuguese', 'chinese', 'mandarin', 'cantonese', 'japanese', 'korean',
  'russian', 'arabic', 'hindi', 'dutch', 'swedish', 'polish', 'turkish', 'greek', 'hebrew', 'klingon',
  'latin', 'basque', 'welsh', 'irish', 'english',
]);

export function findLanguage(nameOrCode: string): TargetLanguage | undefined {
  const k = nameOrCode.trim().toLowerCase();
  return TARGET_LANGUAGES.find((l) => l.code === k || l.aliases.includes(k) || l.name.toLowerCase() === k);
}

/** "Spanish, Catalan, Galician and Esperanto" — for spoken refusals. */
export function listLanguageNames(): string {
  const names = TARGET_LANGUAGES.map((l) => l.name);
  return names.length <= 1 ? names.join('') : `${names.slice(0, -1).join(', ')} and ${names[names.length - 1]}`;
}
