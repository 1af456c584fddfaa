// A request's first words are the ones the recogniser garbles most (the utterance starts cold, with no
// context): "can you order pizza" → "can new order pizza", "suggest a film" → "sig jest of film", "book a
// table" → "but the table", "soundflow turn on …" → "stoned flow turn on …". The form of a request sits
// in those words, so a reading whose opening sounds like a request opener is re-read with the opener put
// back; the addressed score and the request form are then judged on that re-reading.
// Openers are imperative verbs, polite modals with "you", "please", "tell/show/give me" and our name.
// Questions ("who is", "what does") are left out on purpose: statements open with words that sound like
// them ("the kids are" ≈ "what is are", "they are" ≈ "who are"), so they would turn talk into requests.
import { normalizeInstruction } from '../../instructions/parser.ts';
import { FINITE, OPENER_VERBS, PAST } from './addressed.ts';
import { phoneSimilarity, phrasePhones, type Phones } from './phonetics.ts';

export interface OpenerRewrite {
  /** The reading with its first words replaced by the opener they sound like. */
  text: string;
  opener: string;
  /** Phone similarity of the replaced words and the opener (0..1). */
  similarity: number;
}

/**
 * Lowest phone similarity at which the first words are taken as a misheard opener. On the tuning
 * phrasings' recogniser outputs, chatter openings reached 0.62–0.63 ("i tend" ≈ send, "and you" ≈ send)
 * and misheard requests 0.70–0.83 ("but the" ≈ book, "sig jest" ≈ suggest, "can new" ≈ can you).
 */
export const MIN_OPENER_SIMILARITY = 0.7;

// A reading that opens with a subject or a determiner is a clause of its own ("i tend to finish …",
// "they are painting …", "the kids are …"): its first words are not re-read.
const CLAUSE_OPENERS = new Set(`i id im ill ive we well wed were they theyre theyd he hes she shes it its the a an my your yours her his
our their there theres this that these those you youre youll some someone somebody everyone nobody
what whats which why when where who whos how whose today tonight tomorrow yesterday hi hello oh ah well yes no yeah okay ok tis`.split(/\s+/));
// A lone function word re-read as a verb is a guess on too little sound: "so oxnard …" (chatter) is not
// "show oxnard …", "but the table for two" not surely "book the table …". Longer spans still are re-read
// ("so i'm full turn on the radio" → soundflow turn on …, "so do way to …" → could you …).
const FUNCTION = new Set('so and but or if then at to of in on for with as by from because cause'.split(' '));
// An auxiliary first ("can new order pizza", "will do a lot to the front door") is a polite modal whose
// "you" was misheard, never an imperative verb.
const AUXILIARIES = new Set('do does did is are was am can could would will should shall have has had may might must'.split(' '));
const MODALS = new Set(['can you', 'could you', 'would you', 'will you']);

const PHRASES = ['can you', 'could you', 'would you', 'will you', 'please', 'tell me', 'show me', 'give me', 'let me know', 'i want you to', 'soundflow', 'hey soundflow'];

let openers: { text: string; phones: Phones }[] | null = null;
function openerList(): { text: string; phones: Phones }[] {
  openers ??= [...new Set([...PHRASES, ...OPENER_VERBS])].map((text) => ({ text, phones: phrasePhones(text) }));
  return openers;
}

/** Up to this many words at the start are compared with the openers. */
const MAX_WORDS = 3;

/** The reading with a misheard request opener put back, or null when its opening sounds like none. */
export function openerRewrite(reading: string, minSimilarity = MIN_OPENER_SIMILARITY): OpenerRewrite | null {
  if (typeof reading !== 'string') return null;
  const words = normalizeInstruction(reading).replace(/'/g, '').split(' ').filter(Boolean);
  // Two words at least must follow the opener (a guessed opener on "sig jest" leaves one word to ask
  // for: "sing jest"); long run-ons are not requests.
  if (words.length < 3 || words.length > 20 || CLAUSE_OPENERS.has(words[0])) return null;
  // An auxiliary heard with its "you" is a question of its own ("did you remember …"), not a misheard "could you".
  if (AUXILIARIES.has(words[0]) && words[1] === 'you') return null;
  let best: OpenerRewrite | null = null;
  for (let k = 1; k <= Math.min(MAX_WORDS, words.length - 2); k++) {
    const head = words.slice(0, k);
    const p = phrasePhones(head);
    for (const o of openerList()) {
      if (head.join(' ') === o.text) return null; // already opens with it: nothing to put back
      if (AUXILIARIES.has(words[0]) && !MODALS.has(o.text)) continue;
      if (k === 1 && FUNCTION.has(words[0])) continue;
      // A verb put back before a clause with its own finite verb ("but the kids are playing" → "book the
      // kids are …") is a statement misread, not an imperative.
      // Nor is a verb put before "you" ("dave you remember …" → "save you remember …": you is its subject).
      if (OPENER_VERBS.has(o.text) && (words[k] === 'you' || words.slice(k, k + 3).some((w) => FINITE.test(w) || PAST.test(w)))) continue;
      // Very different lengths cannot reach the floor; skip the edit distance.
      if (Math.abs(o.phones.length - p.length) > Math.max(2, o.phones.length / 2)) continue;
      const s = phoneSimilarity(p, o.phones);
      if (s >= minSimilarity && (!best || s > best.similarity)) best = { text: [o.text, ...words.slice(k)].join(' '), opener: o.text, similarity: s };
    }
  }
  return best;
}
