// Rewrites of a noisy transcript toward what the assistant understands, each with a confidence. The
// recogniser's slips are phonetic ("dog parks" for "dog barks", "seven times a" for "seven times
// eight", "to ease count" for "please count"), so a word outside the command vocabulary is replaced by
// the vocabulary word it sounds most like (slots included: sound names, languages, numbers, units), and
// a garbled word or two at either end may be dropped. Whole fixed questions ("what is your new you")
// are matched on their phones. The caller parses every rewrite and keeps the most confident reading.
import { buildGrammar } from '../../instructions/grammar.ts';
import { normalizeInstruction } from '../../instructions/parser.ts';
import { NAMEABLE_SOUNDS } from '../../instructions/sounds.ts';
import { phoneSimilarity, phrasePhones, wordPhones, type Phones } from './phonetics.ts';
import { allLanguageNames } from '../../instructions/world-languages.ts';

export interface Rewrite {
  text: string;
  /** 0..1: product of the phonetic similarities of the changes and a small cost per dropped word. */
  confidence: number;
  /** What changed, for logs: "parks→barks", "-to", "~what is your name". */
  changes: string[];
}

/** Transcripts longer than this are not commands: no rewrites (bounded cost on run-ons). */
export const MAX_REWRITE_WORDS = 14;
const MIN_WORD_SIMILARITY = 0.6;
const DROP_COST = 0.96;

// Function words never replaced (too short to compare; they carry little).
const SUBJECTS = new Set(['i', 'you', 'he', 'she', 'we', 'they', 'it', 'my', 'his', 'her', 'our', 'their', 'your', 'there', 'this', 'that']);
const KEEP = new Set(['a', 'an', 'the', 'i', 'is', 'it', 'to', 'in', 'on', 'of', 'and', 'me', 'my', 'you', 'your', 'do', 'be', 'by', 'for', 'that', 'this', 'what', 'how', 'who', 'when', 'if']);

let vocab: { word: string; phones: Phones }[] | null = null;
let vocabSet: Set<string> | null = null;
function vocabulary(): { word: string; phones: Phones }[] {
  if (vocab) return vocab;
  const words = new Set(buildGrammar().words.filter((w) => /^[a-z]+$/.test(w)));
  for (const c of NAMEABLE_SOUNDS) for (const k of c.keywords) for (const w of k.split(' ')) words.add(w);
  for (const l of allLanguageNames()) if (/^[a-z]+$/.test(l)) words.add(l);
  for (const w of ['total', 'times', 'barks', 'bark', 'knocks', 'translate', 'transcribe', 'count', 'how', 'many', 'does', 'timer', 'minutes', 'convert']) words.add(w);
  vocab = [...words].map((word) => ({ word, phones: wordPhones(word) }));
  vocabSet = new Set(vocab.map((v) => v.word));
  return vocab;
}
const inVocabulary = (w: string) => (vocabulary(), vocabSet!.has(w));

// Numbers the recogniser hears as other words, after an arithmetic operator ("seven times a").
const NUMBER_HOMOPHONES: Record<string, [string, number]> = {
  a: ['eight', 0.82], ate: ['eight', 0.9], to: ['two', 0.9], too: ['two', 0.9], for: ['four', 0.9], won: ['one', 0.9], tree: ['three', 0.85],
  free: ['three', 0.75], sex: ['six', 0.8], sick: ['six', 0.75], fife: ['five', 0.8], nun: ['nine', 0.75], then: ['ten', 0.75], tin: ['ten', 0.8],
  it: ['eight', 0.7], and: ['nine', 0.6], the: ['three', 0.6], or: ['four', 0.8], fore: ['four', 0.9], night: ['nine', 0.75], heaven: ['seven', 0.8],
};
const OPERATORS = new Set(['plus', 'minus', 'times', 'by', 'multiplied', 'divided', 'over']);

// nearestWord depends only on the token (the vocabulary is fixed once built): answers are kept, bounded.
const nearestCache = new Map<string, { word: string; similarity: number } | null>();
const NEAREST_CACHE_MAX = 20_000;

/** The vocabulary word a token sounds most like, with the similarity (or null below the floor). */
export function nearestWord(token: string): { word: string; similarity: number } | null {
  const hit = nearestCache.get(token);
  if (hit !== undefined) return hit && { ...hit };
  const found = searchNearest(token);
  if (nearestCache.size >= NEAREST_CACHE_MAX) nearestCache.clear();
  nearestCache.set(token, found && { ...found });
  return found;
}

function searchNearest(token: string): { word: string; similarity: number } | null {
  const p = wordPhones(token);
  let best: { word: string; similarity: number } | null = null;
  for (const v of vocabulary()) {
    // Cheap length filter: very different lengths cannot reach the floor.
    if (Math.abs(v.phones.length - p.length) > Math.max(2, p.length / 2)) continue;
    const s = phoneSimilarity(p, v.phones);
    if (!best || s > best.similarity) best = { word: v.word, similarity: s };
  }
  return best && best.similarity >= MIN_WORD_SIMILARITY ? best : null;
}

/** Fixed questions and commands with no slots, matched on the phones of the whole utterance. */
const FIXED = [
  'what is your name', 'what are you called', 'who are you', 'what can you do', 'how can you help me', 'what time is it',
  'what is the time', 'tell me the time', 'what is the date today', 'what day is it today', 'transcribe what i say',
  'start transcribing', 'thank you very much', 'how are you', 'be quiet',
];
let fixedPhones: { text: string; phones: Phones }[] | null = null;

function substitutions(tokens: string[]): ({ word: string; similarity: number } | null)[] {
  return tokens.map((tok, i) => {
    if (OPERATORS.has(tokens[i - 1] ?? '') && NUMBER_HOMOPHONES[tok]) {
      const [word, similarity] = NUMBER_HOMOPHONES[tok];
      return { word, similarity };
    }
    if (KEEP.has(tok) || inVocabulary(tok) || /^\d/.test(tok)) return null;
    const n = nearestWord(tok);
    return n && n.word !== tok ? n : null;
  });
}

/** Loads the pronunciations and the vocabulary's phones now rather than on the first utterance. */
export function warmUp(): void {
  vocabulary();
  fixedPhones ??= FIXED.map((f) => ({ text: f, phones: phrasePhones(f) }));
}

/** Candidate rewrites of a transcript, most confident first (the original itself is not included). */
export function rewrites(text: string): Rewrite[] {
  if (typeof text !== 'string') return [];
  const tokens = normalizeInstruction(text).split(' ').filter(Boolean);
  if (tokens.length === 0 || tokens.length > MAX_REWRITE_WORDS) return [];
  const subs = substitutions(tokens);
  const subIdx = subs.map((s, i) => (s ? i : -1)).filter((i) => i >= 0);
  // Substitution sets: none, all, and each one alone.
  const sets: number[][] = [[]];
  if (subIdx.length) sets.push(subIdx);
  if (subIdx.length > 1) for (const i of subIdx) sets.push([i]);
  const out = new Map<string, Rewrite>();
  const add = (r: Rewrite) => {
    const prev = out.get(r.text);
    if (r.text && (!prev || prev.confidence < r.confidence)) out.set(r.text, r);
  };
  for (const set of sets) {
    const words = [...tokens];
    let conf = 1;
    const changes: string[] = [];
    for (const i of set) {
      words[i] = subs[i]!.word;
      conf *= subs[i]!.similarity;
      changes.push(`${tokens[i]}→${subs[i]!.word}`);
    }
    for (let lead = 0; lead <= 2; lead++) {
      // A subject is not a garbled "please": "she translated it" must not become "translated it".
      if (lead > 0 && SUBJECTS.has(words[lead - 1])) break;
      for (let trail = 0; trail <= 2; trail++) {
        if (lead + trail >= words.length) continue;
        if (set.length === 0 && lead + trail === 0) continue;
        const kept = words.slice(lead, words.length - trail);
        const dropped = [...words.slice(0, lead), ...words.slice(words.length - trail)].map((w) => `-${w}`);
        add({ text: kept.join(' '), confidence: conf * DROP_COST ** (lead + trail), changes: [...changes, ...dropped] });
      }
    }
  }
  // Whole fixed sentences, with up to two words skipped at either end.
  fixedPhones ??= FIXED.map((f) => ({ text: f, phones: phrasePhones(f) }));
  for (let lead = 0; lead <= 2; lead++) {
    for (let trail = 0; trail <= 2; trail++) {
      if (lead + trail >= tokens.length) continue;
      const p = phrasePhones(tokens.slice(lead, tokens.length - trail));
      for (const f of fixedPhones) {
        if (Math.abs(f.phones.length - p.length) > f.phones.length / 2) continue;
        const s = phoneSimilarity(p, f.phones) * DROP_COST ** (lead + trail);
        if (s >= 0.7) add({ text: f.text, confidence: s, changes: [`~${f.text}`] });
      }
    }
  }
  return [...out.values()].sort((a, b) => b.confidence - a.confidence);
}
