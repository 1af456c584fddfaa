// Timer requests: "set a timer for 10 seconds", "start a 5 minute timer", "remind me in 2 minutes".
// The skill only parses; the session schedules the timer on stream time and speaks `doneText`.
import { numberToWords } from '../../instructions/numbers.ts';
import { parseDuration } from '../../instructions/parser.ts';

export interface TimerRequest {
  seconds: number;
  /** Spoken when the timer is set: "Okay, a timer for ten seconds." */
  setText: string;
  /** Spoken when it rings. */
  doneText: string;
}

const MAX_SECONDS = 24 * 3600;

function spoken(seconds: number): string {
  const part = (n: number, unit: string) => `${n === 1 ? (unit === 'hour' ? 'an' : 'a') : numberToWords(n)} ${unit}${n === 1 ? '' : 's'}`;
  if (seconds % 3600 === 0) return part(seconds / 3600, 'hour');
  if (seconds % 60 === 0) return part(seconds / 60, 'minute');
  if (seconds > 60) return `${part(Math.floor(seconds / 60), 'minute')} and ${part(seconds % 60, 'second')}`;
  return part(seconds, 'second');
}

/** Parses a timer request from digit-normalised words; null when there is none. */
export function parseTimer(text: string): TimerRequest | { error: string } | null {
  let m = text.match(/\b(?:set|start|make|create|put on|give me)? ?(?:a|an|the)? ?timer (?:for|of|to) (.+?)(?: please| now)?$/);
  m ??= text.match(/\b(?:set|start|make|create)? ?(?:a|an) (\d+(?:\.\d+)? (?:second|minute|hour)) timer\b/);
  m ??= text.match(/\b(?:remind me|tell me|let me know|wake me(?: up)?|alert me|ping me) in (.+?)(?: please| now)?$/);
  m ??= text.match(/^(?:countdown|count down) (?:from |for )?(.+)$/);
  if (!m) return /^(?:set|start|make|create) (?:a |an |the |me a )?timer$/.test(text) ? { error: 'How long should the timer be?' } : null;
  const phrase = m[1].trim();
  const seconds = parseDuration(phrase);
  if (seconds === null) return /timer/.test(text) ? { error: 'How long should the timer be?' } : null;
  if (seconds <= 0 || seconds > MAX_SECONDS) return { error: 'I can set timers from one second up to a day.' };
  const s = spoken(seconds);
  return { seconds, setText: `Okay, a timer for ${s}.`, doneText: `Time is up: your timer for ${s} is done.` };
}
