// The vocabulary of a JSGF grammar, so a decoder can name the words its dictionary lacks
// (pocketsphinx itself just fails, and its log is silenced).

/** Terminal words of a JSGF grammar: no header, rule names, tags, weights or operators. */
export function jsgfWords(text: string): string[] {
  const body = text
    .replace(/\/\*[\s\S]*?\*\//g, ' ') // block comments
    .replace(/\/\/[^\n]*/g, ' ') // line comments
    .replace(/^\s*#JSGF[^;]*;/m, ' ')
    .replace(/^\s*(grammar|import)\s[^;]*;/gm, ' ')
    .replace(/<[^>]*>/g, ' ') // rule names and references
    .replace(/\{[^}]*\}/g, ' ') // tags
    .replace(/\/[^/]*\//g, ' ') // weights
    .replace(/\bpublic\b/g, ' ')
    .replace(/[()[\]|*+;=]/g, ' ');
  const words = new Set<string>();
  for (const w of body.split(/\s+/)) {
    const t = w.replace(/^"|"$/g, '');
    if (t) words.add(t);
  }
  return [...words];
}
