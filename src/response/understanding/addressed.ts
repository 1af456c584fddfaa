// "Is this said to the assistant?" as a calibrated probability. An always-on listener hears requests
// (imperatives, questions, second person, its name) mixed with people talking among themselves
// (narrative, third parties, past events, plans). A logistic model over a few form features, fitted on
// the tuning phrasings in bench/understanding/phrasings.ts (bench/understanding/tune-addressed.ts), so
// its output reads as a probability and one threshold serves every caller.
import { normalizeInstruction } from '../../instructions/parser.ts';
import { readFileSync } from 'node:fs';

const WAKE = /^(?:(?:hey|hi|hello|ok|okay|oh|a)\s+)?(?:soundflow|sound flow|sound flows|sound flower|sounds flow)\b\s*/;
const LEAD = /^(?:please|so|and|um|uh|er|now|okay|ok|hey|just)\s+/;

/** Verbs whose bare form opens a request; also the openers a garbled first word is compared with (openers.ts). */
export const OPENER_VERBS = new Set(`count translate transcribe convert tell set stop start play show give find call send read explain describe help
listen watch remind let say repeat open close turn book order write make check look search switch record cancel add
define spell calculate compute interpret keep alert warn notify wake ignore be name list sing text email buy schedule
recommend suggest bring get put remember note fetch dim lock unlock pause resume skip share post print save delete create
update mute unmute raise lower increase decrease tidy clean lookup`.split(/\s+/));
// More verbs that open a request when said first. Not used as openers to re-read garbled first words: short
// common words sound like them ("per" ≈ pay, "bring" ≈ ring) and talk would be re-read as requests.
export const REQUEST_VERBS = new Set([...OPENER_VERBS, ...`message ring phone dial reserve navigate pick choose take pay
fix water feed download install rent hire cook heat charge unplug plug hoover vacuum answer ask arrange organise organize confirm
transfer sell track forward reply snooze rewind replay shuffle adjust brighten draw compose summarise summarize teach quiz
predict forecast estimate measure locate map route tweet`.split(/\s+/)]);
const WH = /^(?:what|whats|who|whos|when|where|why|how|which|whose)\b/;
const AUX = /^(?:is|are|am|do|does|can|could|would|will|should|shall|have|has|may)\b/;
const MODAL_YOU = /\b(?:can|could|would|will) you\b|\bdo you know\b|\bare you able\b/;
const MODAL_VERB = /\b(?:can|could|would|will) you (?:please |kindly |possibly |just |be able to )?(\w+)/;
// "would you mind calling …", "would you be so kind as to …": a polite request whatever the verb after it.
const MODAL_MIND = /\b(?:would|do) you mind\b|\bwould you be so kind\b|^(?:i (?:want|need|would like)|i d like) you to\b/;
// A polite modal at the start followed by an article, a preposition or a finite auxiliary where its verb
// should be ("will you a lot to the front door", "will you of the front door" for "will you lock …",
// "could you didn't like …" for "could you dim the lights"): the recogniser lost or misheard the verb.
// Said that way the words are not English, so they are damage to a modal request, never people's talk,
// which keeps its verb ("would you like …", "can you believe …").
const MODAL_LOST_VERB = /^(?:can|could|would|will) you (?:please )?(?:a|an|the|of|to|at|in|on|for|is|are|was|were|did|does|do not|didn t|don t|doesn t)\b/;
const ASK_ME = /\b(?:tell me|show me|give me|let me know|remind me|help me|for me|do me a|i want you to|i need you to|i would like you to)\b/;
// A request verb with "me"/"us" as its object anywhere ("… send me a message", "… read them to me" aside):
// the speaker asks for something for themselves, also after a leading clause ("if it rains tomorrow send me …").
function asksForSpeaker(words: string[]): boolean {
  for (let i = 0; i + 1 < words.length; i++) if ((words[i + 1] === 'me' || words[i + 1] === 'us') && REQUEST_VERBS.has(words[i]) && words[i] !== 'let') return true;
  return false;
}
const I_WANT = /^(?:i (?:want|need|would like|wanna)|i d like)\b/;
const TASK_WORDS = /\b(?:translate|translation|transcribe|transcription|count|counting|timer|convert|language|sound|sounds|noise|music|alarm|weather|minutes|seconds|spanish|catalan|esperanto|galician|chinese|french|german|japanese)\b/;
const THIRD = /\b(?:he|she|they|his|her|their|him|them|hers|theirs)\b/;
export const PAST = /\b(?:did|was|were|went|had|yesterday|ago|last (?:night|week|year|time|weekend)|told|said|saw|got|came|left|bought|forgot)\b/;
const WE = /\b(?:we|us|our|ours)\b/;
const I_STATEMENT = /^(?:i|i m|im|my|me)\b/;
// Conversational hedges anywhere in the utterance ("… i think it starts at eight"): people answering people.
/** "let me think", "let's see": the speaker's own turn ("let me know" is a request). */
const LET_ME = /^(?:let me|let us|let s)\b(?! know)/;
const HEDGE = /\b(?:let me think|let me see|tell you what|i think|i would think|i would guess|i would say|i guess|i suppose|i believe|i m afraid|i am afraid|i m sure|i am sure|i ll|i will|i hope)\b/;
const ANSWER = /^(?:yes|no|yeah|yep|nope|sure|maybe|okay|ok|right|well|oh|ah|wow)\b/;
// Second person about someone's own life ("are you coming", "did you see"): people asking people.
const SOCIAL = /\b(?:are you (?:coming|going|staying|leaving|free|busy|okay|ok|sure|ready|home|back)|did you|have you (?:seen|heard|been|got|finished)|were you|where did you|when did you|you know what|do you want to|do you remember)\b/;

// "when was the eiffel tower built", "who was the first king": a question about the world asked in the
// past tense. Talk between people in the past tense is about people ("what did you think of the film",
// "how was work today, it was fine"): a person in it, or a second past-tense verb, and it stays past.
const PAST_QUESTION = /^(?:what|who|when|where|why|how|which) (?:was|were|did) /;
const PERSON = /\b(?:i|me|my|you|your|we|us|our|he|she|they|his|her|him|them|their)\b/;
function impersonalPastQuestion(t: string): boolean {
  if (!PAST_QUESTION.test(t) || PERSON.test(t)) return false;
  const rest = t.split(' ').slice(2).join(' ');
  return !PAST.test(rest);
}

/** The words without "<request verb> him/her/them" ("call my wife and tell her …": the object of a request, not talk about her). */
function withoutRequestObjects(words: string[]): string {
  return words.filter((w, i) => !(i > 0 && /^(?:him|her|them)$/.test(w) && REQUEST_VERBS.has(words[i - 1]))).join(' ');
}

// "if it rains tomorrow send me a message", "when you get a chance remind me …": a leading condition or
// time clause, then the imperative.
const LEADING_CLAUSE = /^(?:if|when|once|whenever|as soon as|after|before)\b/;
const OBJECT_START = /^(?:me|us|my|our|off|on|up|down)$/;
function imperativeAfterClause(words: string[]): boolean {
  if (!LEADING_CLAUSE.test(words.join(' '))) return false;
  for (let i = 3; i + 1 < words.length; i++) if (REQUEST_VERBS.has(words[i]) && OBJECT_START.test(words[i + 1]) && !/^(?:i|we|you|he|she|they|it)$/.test(words[i - 1])) return true;
  return false;
}

// "is it going to snow this weekend", "is there a pharmacy near here": a yes/no question with no person in
// it asks about the world, like a wh-question ("is it your turn", "are you ready" have one).
const IMPERSONAL_AUX = /^(?:is|are|will|was|does|did) (?:it|there)\b/;
function impersonalYesNo(t: string): boolean {
  return IMPERSONAL_AUX.test(t) && !PERSON.test(t.split(' ').slice(2).join(' '));
}

export const ADDRESSED_FEATURES = [
  'bias', 'wake', 'imperative', 'wh', 'aux', 'modal_you', 'modal_request', 'you', 'please', 'ask_me', 'i_want', 'task_words',
  'third', 'past', 'we', 'i_statement', 'hedge', 'answer', 'social', 'long', 'short',
] as const;

/** The form features of an utterance (0/1, length ones in 0..1). */
export function addressedFeatures(text: string): number[] {
  let t = normalizeInstruction(typeof text === 'string' ? text : '');
  const wake = WAKE.test(t) || /\bsound ?flow\b/.test(t);
  t = t.replace(WAKE, '');
  let prev: string;
  do {
    prev = t;
    t = t.replace(LEAD, '');
  } while (t !== prev);
  const words = t.split(' ').filter(Boolean);
  const first = words[0] ?? '';
  const n = words.length;
  const f: Record<(typeof ADDRESSED_FEATURES)[number], number> = {
    bias: 1,
    wake: wake ? 1 : 0,
    imperative: (REQUEST_VERBS.has(first) && !LET_ME.test(t)) || /^(?:do not|don t|never|do me)\b/.test(t) || imperativeAfterClause(words) ? 1 : 0,
    wh: WH.test(t) || impersonalYesNo(t) ? 1 : 0,
    aux: AUX.test(t) ? 1 : 0,
    modal_you: MODAL_YOU.test(t) ? 1 : 0,
    // "could you read …", "would you check …": a request verb after the modal ("would you like", "can you believe" are not).
    modal_request: (MODAL_VERB.test(t) && REQUEST_VERBS.has(MODAL_VERB.exec(t)![1])) || MODAL_LOST_VERB.test(t) || MODAL_MIND.test(t) ? 1 : 0,
    you: /\b(?:you|your|yourself)\b/.test(t) ? 1 : 0,
    please: /\bplease\b/.test(normalizeInstruction(String(text))) ? 1 : 0,
    ask_me: ASK_ME.test(t) || asksForSpeaker(words) ? 1 : 0,
    i_want: I_WANT.test(t) ? 1 : 0,
    task_words: TASK_WORDS.test(t) ? 1 : 0,
    third: THIRD.test(withoutRequestObjects(words)) ? 1 : 0,
    past: PAST.test(t) && !impersonalPastQuestion(t) ? 1 : 0,
    we: WE.test(t) ? 1 : 0,
    i_statement: I_STATEMENT.test(t) && !I_WANT.test(t) ? 1 : 0,
    hedge: HEDGE.test(t) ? 1 : 0,
    answer: ANSWER.test(t) ? 1 : 0,
    social: SOCIAL.test(t) ? 1 : 0,
    long: Math.min(1, Math.max(0, (n - 8) / 12)),
    short: n > 0 && n <= 2 ? 1 : 0,
  };
  return ADDRESSED_FEATURES.map((k) => f[k]);
}

export interface AddressedModel {
  features: readonly string[];
  weights: number[];
  /** Probability at or above which an utterance is taken as addressed (chosen on the tuning set). */
  threshold: number;
}

const MODEL = JSON.parse(readFileSync(new URL('../../../models/understanding/addressed.json', import.meta.url), 'utf8')) as AddressedModel;
if (MODEL.features.join(',') !== ADDRESSED_FEATURES.join(',')) throw new Error('models/understanding/addressed.json does not match the feature list: rerun bench/understanding/tune-addressed.ts');

/** Probability that the utterance is a request or question put to the assistant. */
export function addressedScore(text: string, m: AddressedModel = MODEL): number {
  if (typeof text !== 'string' || !text.trim()) return 0;
  const x = addressedFeatures(text);
  let z = 0;
  for (let i = 0; i < x.length; i++) z += x[i] * m.weights[i];
  return 1 / (1 + Math.exp(-z));
}

export const ADDRESSED_THRESHOLD = MODEL.threshold;

/**
 * Opens with the assistant's name ("hey soundflow, who invented the telephone"): said to us whatever
 * its form. The model weighs the wake word lightly (few tuning rows have it) and the rest of such a
 * request is often garbled ("hey sound flow here invented the telephone" scored 0.50).
 */
export function namesAssistant(text: string): boolean {
  return typeof text === 'string' && WAKE.test(normalizeInstruction(text));
}

/** Opens as a request by its form: our name, an imperative verb, or "can/could/would/will you" + a request verb. */
export function requestLead(text: string): boolean {
  if (typeof text !== 'string') return false;
  const f = addressedFeatures(text);
  const at = (k: (typeof ADDRESSED_FEATURES)[number]) => f[ADDRESSED_FEATURES.indexOf(k)];
  if (at('wake') === 1 || at('modal_request') === 1) return true;
  if (at('imperative') !== 1) return false;
  // "let me think", "let's see": the speaker's own turn, not a request ("let me know" is one).
  if (LET_ME.test(normalizeInstruction(text).replace(WAKE, '').replace(LEAD, ''))) return false;
  // A verb that opens a clause is no imperative: "print it is broken again", "keep counted them" (a
  // statement whose first word was misheard as a verb) have a finite verb right behind it.
  const after = normalizeInstruction(text).split(' ').slice(1, 3);
  return !after.some((w) => FINITE.test(w));
}

/** Finite verb forms that cannot follow an imperative's first word. */
export const FINITE = /^(?:is|are|was|were|am|has|had|does|did|\w+ed)$/;

export function isAddressed(text: string): boolean {
  return addressedScore(text) >= ADDRESSED_THRESHOLD;
}
