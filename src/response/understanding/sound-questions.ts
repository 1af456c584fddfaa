// Questions about the sounds around the user ("what is that noise", "what's the style of the music",
// "tell me when the music stops", "how many times did it knock"). The intent layer only recognises them
// and hands them to whatever handlers are registered; answering needs the sound evidence, which lives
// with the sound models. With no handler, the assistant says honestly that it can't answer yet.
import type { SessionEvent } from '../../events.ts';
import type { ResponsePlan } from '../../decision/types.ts';
import { normalizeInstruction } from '../../instructions/parser.ts';
import { soundLabelFor } from '../../instructions/sounds.ts';
import { parseSoundQuestion as parsePendingQuestion } from '../../instructions/sound-questions.ts';

export type SoundQuestionKind = 'identify' | 'music_style' | 'until_stops' | 'how_many' | 'describe';

export interface SoundQuestionIntent {
  kind: SoundQuestionKind;
  /** The sound class it is about, when named ("the music" → music, "it knock" → door_knock). */
  label?: string;
  text: string;
}

// The instruction language owns the phrasings of sound questions (src/instructions/sound-questions.ts,
// which also feeds the command grammar); this layer maps them onto intents and adds only the forms that
// start no pending task on purpose but, addressed, still deserve an answer (or an honest "not yet").
const PENDING_KIND = { music_style: 'music_style', sound_name: 'identify', music_stop: 'until_stops', count_heard: 'how_many' } as const;
const IDENTIFY_EXTRA = /\bwhat (?:am i|are we) hearing\b|\bwhat was that\b|\bdid you hear that\b/;
const UNTIL_STOPS = /\b(?:tell me|let me know|alert me|warn me|notify me) (?:when|if|once) (?:the |that |this )?(\w+(?: \w+)?) (?:stops|ends|finishes|is over|goes quiet)\b/;
const DESCRIBE = /\b(?:describe|tell me about) (?:the |this |that )?(?:sound|sounds|noise|music)\b|\bis (?:the |that )?music (?:still )?playing\b/;

/** The sound question an utterance asks, as an intent, or null. Never throws. */
export function detectSoundQuestion(raw: string): SoundQuestionIntent | null {
  if (typeof raw !== 'string') return null;
  const pending = parsePendingQuestion(raw);
  if (pending) {
    const label = pending.kind === 'count_heard' ? pending.label : pending.kind === 'sound_name' ? undefined : 'music';
    return { kind: PENDING_KIND[pending.kind], ...(label ? { label } : {}), text: raw };
  }
  const t = normalizeInstruction(raw);
  if (!t) return null;
  const until = t.match(UNTIL_STOPS);
  if (until) return { kind: 'until_stops', label: soundLabelFor(until[1]) ?? 'music', text: raw };
  if (IDENTIFY_EXTRA.test(t)) return { kind: 'identify', text: raw };
  if (DESCRIBE.test(t)) return { kind: 'describe', ...(soundLabelFor(t) ? { label: soundLabelFor(t)! } : {}), text: raw };
  return null;
}

/** What a handler does with a question: reply now and/or start pending work (events). */
export interface SoundQuestionResult {
  responses: ResponsePlan[];
  events: SessionEvent[];
  reason: string;
}

/** Answers (or starts waiting to answer) a sound question; null = not mine. */
export type SoundQuestionHandler = (q: SoundQuestionIntent, t: number) => SoundQuestionResult | null;

/** Handlers per session, tried in registration order. */
export class SoundQuestionRegistry {
  private readonly handlers: SoundQuestionHandler[] = [];

  register(h: SoundQuestionHandler): () => void {
    this.handlers.push(h);
    return () => {
      const i = this.handlers.indexOf(h);
      if (i >= 0) this.handlers.splice(i, 1);
    };
  }

  get size(): number {
    return this.handlers.length;
  }

  handle(q: SoundQuestionIntent, t: number): SoundQuestionResult | null {
    for (const h of this.handlers) {
      const r = h(q, t);
      if (r) return r;
    }
    return null;
  }
}

/** The honest answer when nothing can answer a sound question. */
export function cannotAnswerSoundQuestion(q: SoundQuestionIntent): string {
  const instead = 'I can tell you when I hear a sound like a dog barking or the doorbell, or count them.';
  switch (q.kind) {
    case 'music_style':
      return `I can't tell music styles yet. ${instead}`;
    case 'until_stops':
      return `I can't watch for a sound stopping yet. ${instead}`;
    default:
      return `I can't answer questions about sounds yet. ${instead}`;
  }
}
