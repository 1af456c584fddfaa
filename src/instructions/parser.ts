// Text → typed instruction. Spoken instructions arrive here as the constrained recogniser's text (or
// the open decoder's), typed ones from the CLI/server; both go through the same rules. Anything that is
// not clearly an instruction returns null, so chatter and garbled ASR never change the active tasks.
import { findLanguage, listLanguageNames, TARGET_LANGUAGES } from './languages.ts';
import { numbersToDigits } from './numbers.ts';
import { NAMEABLE_SOUNDS, soundLabelFor } from './sounds.ts';
import type { ParsedInstruction, RefusalCode, StopTarget, TaskSpec } from './types.ts';

const WAKE = /^(?:(?:hey|hi|ok|okay|hello)\s+)?(?:sound\s?flow|soundflow)\b\s*/;
const LEAD_FILLER = /^(?:please|ok(?:ay)?|so|and|now|alright|all right|(?:can|could|would|will) you(?: please)?|i (?:want|need|would like|d like) you to|i want to|i would like to|you should|go ahead and|just)\s+/;
const TRAIL_FILLER = /\s+(?:please|now|for me|thanks|thank you|ok(?:ay)?|right now|from now on)$/;
const NO_ACK = /\s*\b(?:quietly|silently|without (?:confirming|answering|acknowledging|replying|saying anything)|(?:there is )?no need to (?:confirm|answer|reply|acknowledge|respond)|(?:do not|dont) (?:confirm|acknowledge|answer|reply|respond)(?: to this)?)\b\s*/;

/** Lower case, no punctuation, contractions expanded; the form every rule below matches against. */
export function normalizeInstruction(text: string): string {
  let t = text.toLowerCase().replace(/[’‘`]/g, "'");
  t = t.replace(/\b(do|does|did|is|are|was|should|could|would)n't\b/g, '$1 not').replace(/\bwon't\b/g, 'will not').replace(/\bcan't\b/g, 'can not');
  t = t.replace(/\bdont\b/g, 'do not').replace(/\blet's\b|\blets\b/g, 'let us').replace(/\bi'd\b/g, 'i would').replace(/\bi'll\b/g, 'i will');
  t = t.replace(/'s\b/g, 's').replace(/[^a-z0-9àáâãçèéêíïñòóôúü' -]+/g, ' ').replace(/[-']/g, ' ');
  return t.replace(/\s+/g, ' ').trim();
}

function stripFillers(t: string): string {
  let prev: string;
  do {
    prev = t;
    t = t.replace(WAKE, '').replace(LEAD_FILLER, '').replace(TRAIL_FILLER, '').trim();
  } while (t !== prev);
  return t;
}

const UNIT_SECONDS: Record<string, number> = { second: 1, seconds: 1, sec: 1, secs: 1, minute: 60, minutes: 60, min: 60, mins: 60, hour: 3600, hours: 3600 };

/** "5 minutes", "a minute", "half an hour", "a couple of minutes" (already digit-normalised) → seconds. */
export function parseDuration(phrase: string): number | null {
  const p = phrase.replace(/^(?:the next|next|about|around|roughly|another)\s+/, '').trim();
  if (/^half an? hour$/.test(p)) return 1800;
  if (/^an? hour and a half$/.test(p)) return 5400;
  let m = p.match(/^(\d+(?:\.\d+)?) (?:and a half )?(seconds?|secs?|minutes?|mins?|hours?)$/);
  if (m) return Math.round((Number(m[1]) + (/and a half/.test(p) ? 0.5 : 0)) * UNIT_SECONDS[m[2]]);
  m = p.match(/^(?:an?|one) (second|minute|hour)$/);
  if (m) return UNIT_SECONDS[m[1]];
  m = p.match(/^a (?:couple|couple of|few) (seconds|minutes|hours)$/);
  if (m) return (/couple/.test(p) ? 2 : 3) * UNIT_SECONDS[m[1]];
  return null;
}

const capital = (w: string) => w.charAt(0).toUpperCase() + w.slice(1);

function refusal(code: RefusalCode, requested: string, text: string): ParsedInstruction {
  if (code === 'unknown_sound') {
    const examples = NAMEABLE_SOUNDS.slice(0, 12).map((c) => c.label);
    return {
      type: 'refusal', code, requested, text, supported: NAMEABLE_SOUNDS.map((c) => c.label),
      message: `Sorry, I don't know that sound${requested ? ` ("${requested}")` : ''}. I can listen for sounds like ${examples.map((l) => l.replace(/_/g, ' ')).join(', ')}.`,
    };
  }
  const supported = TARGET_LANGUAGES.map((l) => l.name);
  const message = code === 'missing_language'
    ? `Into which language? I can translate into ${listLanguageNames()}.`
    : `Sorry, I can't translate into ${capital(requested)}. I can translate into ${listLanguageNames()}.`;
  return { type: 'refusal', code, requested, message, supported, text };
}

const task = (spec: TaskSpec, ack: boolean, text: string): ParsedInstruction => ({ type: 'task', task: spec, ack, text });

const TRANSLATE_WORD = /\b(?:translate|translating|translation|translations|translator|interpret|interpreting)\b/;
const THIRD_PARTY_SUBJECT = /^(?:my|his|her|their|our|he|she|they|the)$/;
const NOT_LANGUAGE = new Set(['me', 'it', 'this', 'that', 'everything', 'what', 'the', 'my', 'a', 'them']);

function parseTranslate(t: string, ack: boolean, text: string): ParsedInstruction | null {
  const at = t.match(TRANSLATE_WORD);
  // An instruction leads with the verb ("start translating", "spanish translation please"); "I need to
  // translate this letter" is chatter about translating.
  const before = at ? t.slice(0, at.index).split(' ').filter(Boolean) : [];
  if (!at || before.length > 2) return null;
  // Nor does it have a subject of its own: "my sister translate(d) the letter", "they translate …" (a
  // recogniser often drops the past tense) are told about translating, not asked for it.
  if (before.length && THIRD_PARTY_SUBJECT.test(before[0])) return null;
  const after = t.slice(at.index);
  // The target is the last "to/into/in X" (so "from english to spanish" picks spanish), or "X translation".
  const targets = [...after.matchAll(/\b(?:into|to|in)\s+([a-zà-ü]+)/g)].map((m) => m[1]).filter((w) => !NOT_LANGUAGE.has(w));
  let word = targets.at(-1);
  if (!word) word = t.match(/\b([a-zà-ü]+) (?:translation|translations)\b/)?.[1];
  if (word && /^(?:the|a|start|stop|spoken|live|real|english)$/.test(word)) word = undefined;
  if (!word) return refusal('missing_language', '', text);
  if (word === 'english') return refusal('unsupported_language', word, text);
  const lang = findLanguage(word);
  if (!lang) return refusal('unsupported_language', word, text);
  return task({ kind: 'translate', targetLang: lang.code }, ack, text);
}

function stopTarget(rest: string): { target: StopTarget; label?: string } | null {
  const r = rest.replace(/^(?:the|all|your|any|that|this)\s+/, '');
  if (r === '' || /^(?:it|that|this|everything|all|all tasks|tasks|all of it|all of that|now|please|what you are doing|everything you are doing)$/.test(r)) return { target: 'all' };
  if (/^(?:translat|interpret)/.test(r)) return { target: 'translate' };
  if (/^(?:transcri|writing|dictation|taking notes|caption|subtitl)/.test(r)) return { target: 'transcribe' };
  if (/^(?:counting|count|tally|keeping count|keeping track)/.test(r)) {
    const label = soundLabelFor(r);
    return label ? { target: 'count', label } : { target: 'count' };
  }
  if (/^(?:talking|speaking|chatting)$/.test(r)) return null; // "stop talking" means be quiet: handled by QUIET
  if (/^(?:chat|chatting|conversation)/.test(r)) return { target: 'chat' };
  if (/^(?:being quiet|being silent|the silence|quiet mode)/.test(r)) return { target: 'quiet' };
  if (/^(?:watching|listening|alert|alerting|warning|telling me|notifying|monitoring|the alert|alerts)/.test(r)) {
    const label = soundLabelFor(r.replace(/^\w+/, ''));
    return label ? { target: 'alert', label } : { target: 'alert' };
  }
  return null;
}

const QUIET = /^(?:be quiet|quiet|keep quiet|stay quiet|be silent|stay silent|silence|shut up|hush|mute|go quiet|stop talking|stop speaking|do not (?:talk|speak|say anything|interrupt(?: me)?)|no talking|quiet mode|quiet please|be still|pipe down|not now)(?:\s+(?:for\s+)?(.+))?$/;
const RESUME = /^(?:you can (?:talk|speak|answer) again|unmute|resume talking|you may (?:talk|speak) again|stop being quiet|stop being silent|end quiet mode)$/;
const IGNORE = /^(?:do not|never|stop|no need to|you do not need to|you can stop) (?:comment(?:ing)?|talk(?:ing)?|tell(?:ing)? me|say(?:ing)? anything|worry(?:ing)?|respond(?:ing)?|react(?:ing)?|warn(?:ing)? me|alert(?:ing)? me|bother(?:ing)? me)(?: (?:on|about|to|when|if|for|whenever))? (.+)$/;
const IGNORE2 = /^(?:ignore|disregard|never mind) (.+)$/;
const ALERT = /^(?:tell me|let me know|alert me|warn me|notify me|wake me(?: up)?|call me|say something|shout|ping me|inform me|tell me right away|speak up) (?:right away |immediately )?(?:if|when|whenever|once|as soon as|in case|about|each time|every time) (.+)$/;
// "look up the train times" is a look-up, not a watch: "look" only with "out" or "for".
const WATCH = /^(?:watch|listen|look(?= out| for)|keep an ear out|keep an ear|be on the lookout|keep listening|keep watch|stand guard|watch out|listen out|monitor|start listening) (?:out )?(?:for )?(.+)$/;
const THIS_SOUND_PHRASE = /^(?:(?:this|that|the next|the following|these|those) (?:sound|noise|sounds|noises)|(?:the |my |your |his |her )?(?:claps?|clapping|hand ?claps?|(?:finger )?snaps?|snapping|clicks?|clicking|taps?|tapping|stomps?|whistles? i make))$/;
const COUNT = /^(?:start |begin |keep )?(?:count(?:ing)?|keep count of|keep track of|keep a count of|tally|tell me how many times|tell me how often|how many times (?:does|do|will)|how often (?:does|do|will))(?: (?:how many times|the number of times|the number of|how many|how often|every time|each time))?(?: (.+))?$/;
const TRANSCRIBE = /^(?:(?:start |begin )?(?:transcribe|transcribing|transcription|dictation|captioning|subtitling)|(?:write|type|take) (?:down )?(?:what i say|everything|notes|my words)|(?:turn on|show|give me|start) (?:the )?(?:captions|subtitles|transcript|transcription|dictation)|caption (?:this|me|everything))\b/;
const CHAT = /^(?:let us (?:chat|talk)|chat with me|talk with me|talk to me|answer (?:all )?(?:my )?questions|conversation mode|chat mode|have a conversation)$/;

/** Parses one instruction; null when the text is not an instruction (chatter, questions, garble). */
export function parseInstruction(text: string): ParsedInstruction | null {
  if (typeof text !== 'string') return null;
  let t = stripFillers(normalizeInstruction(text));
  if (!t) return null;
  let ack = true;
  if (NO_ACK.test(t)) {
    ack = false;
    t = stripFillers(t.replace(NO_ACK, ' ').replace(/\s+(?:and|but)$/, '').replace(/\s+/g, ' ').trim());
    if (!t) return null;
  }
  const digits = numbersToDigits(t.split(' ')).join(' ');

  if (RESUME.test(t)) return task({ kind: 'stop', target: 'quiet' }, ack, text);

  const quiet = digits.match(QUIET);
  if (quiet) {
    if (!quiet[1]) return task({ kind: 'quiet', seconds: null }, ack, text);
    if (/^(?:a while|a bit|a moment|now|please|until i say so|until further notice)$/.test(quiet[1])) return task({ kind: 'quiet', seconds: null }, ack, text);
    const seconds = parseDuration(quiet[1]);
    if (seconds !== null && seconds > 0) return task({ kind: 'quiet', seconds }, ack, text);
    // "do not talk about the dog" and friends are ignore-instructions, handled below.
  }

  const ignore = t.match(IGNORE) ?? t.match(IGNORE2);
  if (ignore) {
    const label = soundLabelFor(ignore[1]);
    if (label) return task({ kind: 'alert', label, mode: 'ignore' }, ack, text);
  }

  const stop = t.match(/^(?:stop|cancel|end|quit|halt|finish|no more|turn off|switch off|that is enough|enough|disable)(?: (.*))?$/);
  if (stop) {
    const target = stopTarget(stop[1] ?? '');
    if (target) return task({ kind: 'stop', ...target }, ack, text);
  }

  const translate = parseTranslate(t, ack, text);
  if (translate) return translate;

  if (TRANSCRIBE.test(t)) return task({ kind: 'transcribe' }, ack, text);

  const count = t.match(COUNT);
  if (count) {
    const phrase = count[1] ?? '';
    // "count this sound", "count the claps": repeats of whatever sound comes next, model class or not.
    if (THIS_SOUND_PHRASE.test(phrase)) return task({ kind: 'count', label: 'this_sound' }, ack, text);
    const label = soundLabelFor(phrase);
    if (label) return task({ kind: 'count', label }, ack, text);
    // "count to ten" is not a counting task; a named but unknown sound is a refusal.
    if (phrase && !/^(?:to|from|down|up|with|on|me|it|this|that)\b/.test(phrase) && !/^\d/.test(phrase)) return refusal('unknown_sound', phrase, text);
    return null;
  }

  const alert = t.match(ALERT) ?? t.match(WATCH);
  if (alert) {
    const label = soundLabelFor(alert[1]);
    // "tell me if it rains tomorrow" asks about the future, not about a sound in the room.
    if (/\b(?:tomorrow|today|tonight|this (?:week|weekend|evening|afternoon)|next week)\b/.test(alert[1])) return null;
    if (label) return task({ kind: 'alert', label, mode: 'respond' }, ack, text);
    // "tell me if it rains tomorrow" is a question for a chat engine, not a sound watch; only refuse
    // when the phrase reads like a sound ("the xylophone plays").
    if (/\b(?:sound|sounds|noise|noises|rings|beeps|plays|goes off|cries|barks)\b/.test(alert[1])) return refusal('unknown_sound', alert[1], text);
    return null;
  }

  if (CHAT.test(t)) return task({ kind: 'chat' }, ack, text);
  return null;
}
