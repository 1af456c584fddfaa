// Sentence splitting so a long reply starts speaking after its first sentence, both for whole texts and
// for text that arrives in deltas (an LLM stream).

/** Words whose trailing period does not end a sentence (lower-case, without the period). */
const ABBREVIATIONS = new Set([
  'mr', 'mrs', 'ms', 'dr', 'prof', 'sr', 'sra', 'srta', 'jr', 'st', 'vs', 'etc', 'e.g', 'i.e', 'approx', 'no', 'fig',
  'a.m', 'p.m', 'mt', 'inc', 'ltd', 'co', 'dept', 'min', 'max', 'sec', 'p.ej', 'ud', 'uds', 'núm', 'art', 'av', 'cf', 'ca', 'z.b', 'bzw', 'usw',
]);

// A terminator run, optional closing quotes/brackets, then whitespace (or the end of a finished text).
// CJK full stops need no following space.
const BOUNDARY = /([.!?…]+["'”’»)\]]*)(\s+|$)|([。！？]+["'”’」』)]*)/g;
/** Soft break points for over-long sentences. */
const SOFT = /[,;:—–]\s/g;

export interface SplitOptions {
  /** Sentences longer than this are cut at a comma/semicolon (or a space) so synthesis can start early. */
  maxChars?: number;
}

function isAbbreviation(text: string, dotAt: number): boolean {
  if (text[dotAt] !== '.') return false;
  const before = text.slice(0, dotAt);
  const word = /([\p{L}.]+)$/u.exec(before)?.[1]?.toLowerCase() ?? '';
  if (!word) return false;
  if (word.length === 1 && /\p{Lu}/u.test(before.slice(-1))) return true; // an initial: "J. Smith"
  return ABBREVIATIONS.has(word);
}

/**
 * End offsets of complete sentences in `text`. Without `final`, a terminator at the very end is not a
 * boundary yet (more text may follow: "3." then "5 kg").
 */
function boundaries(text: string, final: boolean): number[] {
  const out: number[] = [];
  BOUNDARY.lastIndex = 0;
  for (let m: RegExpExecArray | null; (m = BOUNDARY.exec(text)); ) {
    if (m[3] !== undefined) {
      out.push(m.index + m[0].length);
      continue;
    }
    const end = m.index + m[1].length;
    if (m[2] === '' && !final) break; // terminator at the end of a partial text
    if (m[2] === '' && end < text.length) continue;
    if (isAbbreviation(text, m.index) && m[1] === '.') continue;
    out.push(end);
  }
  // Paragraph breaks end a sentence even without punctuation.
  for (let i = text.indexOf('\n\n'); i >= 0; i = text.indexOf('\n\n', i + 2)) out.push(i);
  return [...new Set(out)].sort((a, b) => a - b);
}

function cutLong(s: string, maxChars: number): string[] {
  const out: string[] = [];
  while (s.length > maxChars) {
    let cut = -1;
    SOFT.lastIndex = 0;
    for (let m: RegExpExecArray | null; (m = SOFT.exec(s)) && m.index < maxChars; ) cut = m.index + 1;
    if (cut < maxChars / 4) cut = s.lastIndexOf(' ', maxChars);
    if (cut <= 0) cut = maxChars;
    out.push(s.slice(0, cut).trim());
    s = s.slice(cut).trim();
  }
  if (s) out.push(s);
  return out.filter(Boolean);
}

function pieces(text: string, ends: number[], maxChars: number): { sentences: string[]; rest: string } {
  const sentences: string[] = [];
  let start = 0;
  for (const end of ends) {
    const s = text.slice(start, end).trim();
    if (s) sentences.push(...cutLong(s, maxChars));
    start = end;
  }
  return { sentences, rest: text.slice(start) };
}

/** Splits a finished text into sentences (trimmed, none empty). */
export function splitSentences(text: string, opts: SplitOptions = {}): string[] {
  const maxChars = opts.maxChars ?? 250;
  const { sentences, rest } = pieces(text, boundaries(text, true), maxChars);
  const tail = rest.trim();
  return tail ? [...sentences, ...cutLong(tail, maxChars)] : sentences;
}

/** Incremental splitter for streamed text: push deltas, get sentences as soon as they are complete. */
export class SentenceSplitter {
  private buf = '';
  constructor(private readonly opts: SplitOptions = {}) {}

  push(delta: string): string[] {
    this.buf += delta;
    const maxChars = this.opts.maxChars ?? 250;
    const { sentences, rest } = pieces(this.buf, boundaries(this.buf, false), maxChars);
    this.buf = rest;
    // A run-on without punctuation: release the part before a soft break once it is long enough.
    if (this.buf.length > maxChars) {
      const cut = cutLong(this.buf.trim(), maxChars);
      this.buf = cut.pop() ?? '';
      sentences.push(...cut);
    }
    return sentences;
  }

  /** The remaining text as final sentences. */
  flush(): string[] {
    const out = splitSentences(this.buf, this.opts);
    this.buf = '';
    return out;
  }
}
