// Offline chat: the questions SoundFlow answers without a language model (its name, what it can do,
// time, date, arithmetic, timers, greetings, thanks). Matching is by keywords rather than exact
// sentences because open-vocabulary ASR garbles ("what is your name" → "juanita name"). Overheard
// chatter gets null; "I can't answer that offline" only goes to questions clearly put to the assistant.
import type { Emotion } from '../../events.ts';
import { listLanguageNames } from '../../instructions/languages.ts';
import { solveArithmetic } from './arithmetic.ts';
import { sayDate, sayTime, sayWeekday } from './clock.ts';
import { ASSISTANT_NAME, isQuestionForm, prepare } from './text.ts';
import { parseTimer, type TimerRequest } from './timer.ts';

export { ASSISTANT_NAME } from './text.ts';
export type { TimerRequest } from './timer.ts';

export type SkillName = 'name' | 'capabilities' | 'time' | 'date' | 'arithmetic' | 'timer' | 'cancel_timer' | 'greeting' | 'how_are_you' | 'thanks' | 'goodbye' | 'wake' | 'fallback';

export interface SkillContext {
  now: Date;
  /** The session knows the user is talking to it (a chat task, a text instruction, a reply just given). */
  addressed: boolean;
  /** IANA time zone for time/date answers; the process's by default. */
  timeZone?: string;
}

export interface SkillAnswer {
  text: string;
  emotion: Emotion;
  skill: SkillName;
  /** Set for "set a timer for ...": the session schedules it on stream time and says `doneText`. */
  timer?: TimerRequest;
  /** "cancel the timer": the session drops its pending timers. */
  cancelTimers?: boolean;
}

export const CAPABILITIES_TEXT =
  `I'm ${ASSISTANT_NAME}. I keep listening and can transcribe what you say, translate it into ${listLanguageNames()}, ` +
  'count sounds like dog barks or knocks, tell you when the baby cries or the doorbell rings, ' +
  'tell the time and the date, do arithmetic and set timers.';

const has = (words: readonly string[], ...keys: string[]) => keys.some((k) => words.includes(k));

function isNameQuestion(t: string, w: readonly string[]): boolean {
  if (/\b(?:who are you|what are you called|what should i call you|introduce yourself|what do i call you|tell me about yourself)\b/.test(t)) return true;
  if (!has(w, 'name', 'names', 'named')) return false;
  // Someone else's name ("what is his name") is not a question for us.
  if (has(w, 'his', 'her', 'their', 'my', 'its', 'dogs', 'cats')) return false;
  // Garbled ASR keeps "name" and loses the rest: a short utterance ending in "name" is the question.
  return has(w, 'your', 'you', 'yours', 'whats', 'what') || (w.length <= 3 && w.at(-1) === 'name');
}

function isCapabilities(t: string, w: readonly string[]): boolean {
  if (/\bwhat (?:can|could|do) you do\b|\bwhat are you (?:able|good) (?:to|at)\b|\bhow can you help\b|\bwhat can i ask\b|\bwhat are your (?:skills|features|capabilities|abilities)\b|\bwhat do you (?:know|offer)\b/.test(t)) return true;
  return w.length <= 2 && has(w, 'help');
}

function isTime(t: string): boolean {
  return /\bwhat(?: is|s)?(?: the)?(?: current| exact)? time(?: is it| it is)?(?: now| right now)?$|\btime is it\b|\btell me the time\b|\b(?:do you )?(?:have|know) the time\b|\bwhat time it is\b|\bcurrent time\b/.test(t);
}

function isDate(t: string): boolean {
  return /\bwhat(?: is|s)?(?: the)?(?: today s| todays)? date\b|\bdate today\b|\btoday s date\b|\btodays date\b|\bwhat is today\b|\bwhats today\b|\bwhat date is it\b/.test(t);
}

function isWeekday(t: string): boolean {
  return /\bwhat day(?: of the week)? is (?:it|today)\b|\bwhich day is (?:it|today)\b|\bwhat day is it today\b/.test(t);
}

const GREETING = /^(?:hello|hi|hey|hiya|howdy|good (?:morning|afternoon|evening)|greetings|yo)(?: there| everyone| you)?$/;
const HOW_ARE_YOU = /\bhow are you(?: doing| today)?\b|\bhow s it going\b|\bhows it going\b|\bhow do you do\b/;
const THANKS = /^(?:thank you|thanks|thank you very much|thanks a lot|many thanks|cheers|thank you so much|much appreciated|i appreciate it|thats great thanks|great thanks|perfect thanks)(?: very much)?$/;
const GOODBYE = /^(?:bye|goodbye|good bye|see you|see you later|bye bye|good night|goodnight)$/;

/**
 * Answers an utterance from the offline skills, or null (overheard chatter, not a question for us).
 * Never throws on odd input.
 */
export function answer(utterance: string, ctx: SkillContext): SkillAnswer | null {
  if (typeof utterance !== 'string' || !utterance.trim()) return null;
  const u = prepare(utterance);
  const t = u.text;
  const w = u.words;
  const addressed = ctx.addressed || u.wake;
  const say = (text: string, skill: SkillName, emotion: Emotion = 'normal'): SkillAnswer => ({ text, emotion, skill });

  if (!t) return u.wake ? say('Yes? How can I help?', 'wake') : null;

  const timer = parseTimer(t);
  if (timer) {
    if ('error' in timer) return say(timer.error, 'timer');
    return { ...say(timer.setText, 'timer'), timer };
  }
  if (/\b(?:cancel|stop|delete|clear|turn off) (?:the |my |all |all the )?timers?\b/.test(t)) return { ...say('Okay, timer cancelled.', 'cancel_timer'), cancelTimers: true };

  if (isNameQuestion(t, w)) return say(`My name is ${ASSISTANT_NAME}.`, 'name', 'happy');
  if (isCapabilities(t, w)) return say(CAPABILITIES_TEXT, 'capabilities');
  if (isTime(t)) return say(sayTime(ctx.now, ctx.timeZone), 'time');
  if (isWeekday(t)) return say(sayWeekday(ctx.now, ctx.timeZone), 'date');
  if (isDate(t)) return say(sayDate(ctx.now, ctx.timeZone), 'date');

  const math = solveArithmetic(w);
  // Numbers with operators in free chatter ("we were 2 plus the kids") only count as a question form.
  if (math && (addressed || isQuestionForm(t) || /^(?:calculate|compute|\d)/.test(t))) return say(math.text, 'arithmetic');

  if (HOW_ARE_YOU.test(t) && (addressed || w.length <= 5)) return say("I'm fine, thank you. How can I help?", 'how_are_you', 'happy');
  // Greetings, thanks and goodbyes between people are not for us unless we are being talked to.
  if (addressed && GREETING.test(t)) return say(`Hello! I'm ${ASSISTANT_NAME}. How can I help?`, 'greeting', 'happy');
  if (addressed && THANKS.test(t)) return say("You're welcome.", 'thanks', 'happy');
  if (addressed && GOODBYE.test(t)) return say('Goodbye!', 'goodbye', 'happy');

  if (addressed && (isQuestionForm(t) || u.wake)) return say("Sorry, I can't answer that offline.", 'fallback', 'sad');
  return null;
}
