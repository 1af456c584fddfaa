// Questions about the sounds around the user ("what is that noise", "what's the style of the music",
// "tell me when the music stops", "how many times did it knock"). The intent layer only recognises them
// and hands them to whatever handlers are registered; answering needs the sound evidence, which lives
// with the sound models. With no handler, the assistant says honestly that it can't answer yet.
import type { SessionEvent } from '../../events.ts';
import type { ResponsePlan } from '../../decision/types.ts';
import { normalizeInstruction } from '../../instructions/parser.ts';
import { soundLabelFor } from '../../instructions/sounds.ts';

export type SoundQuestionKind = 'identify' | 'music_style' | 'until_stops' | 'how_many' | 'describe';

export interface SoundQuestion {
  kind: SoundQuestionKind;
  /** The sound class it is about, when named ("the music" → music, "it knock" → door_knock). */
  label?: string;
  text: string;
}

const IDENTIFY = /\b(?:what|which) (?:is|was|s) (?:that|this|the) (?:noise|sound)\b|\bwhat (?:noise|sound) (?:is|was) (?:that|this)\b|\bwhat (?:am i|are we) hearing\b|\bwhat can you hear\b|\bwhat do you hear\b|\bwhat was that\b|\bdid you hear that\b/;
const STYLE = /\b(?:style|genre|kind|type) of (?:the )?(?:music|song)\b|\bwhat (?:music|song) is (?:this|that|playing)\b|\b(?:music|song) (?:style|genre)\b|\bwhat (?:style|genre) is (?:this|that|the|it)\b/;
const UNTIL_STOPS = /\b(?:tell me|let me know|alert me|warn me|notify me) (?:when|if|once) (?:the |that |this )?(\w+(?: \w+)?) (?:stops|ends|finishes|is over|goes quiet)\b/;
const HOW_MANY = /\bhow many (?:times )?(?:did|has|have|was) (?:it|the \w+|that|someone|somebody) (\w+)/;
const DESCRIBE = /\b(?:describe|tell me about) (?:the |this |that )?(?:sound|sounds|noise|music)\b|\bis (?:the |that )?music (?:still )?playing\b/;

/** The sound question an utterance asks, or null. Never throws. */
export function parseSoundQuestion(raw: string): SoundQuestion | null {
  if (typeof raw !== 'string') return null;
  const t = normalizeInstruction(raw);
  if (!t) return null;
  if (STYLE.test(t)) return { kind: 'music_style', label: 'music', text: raw };
  const until = t.match(UNTIL_STOPS);
  if (until) return { kind: 'until_stops', label: soundLabelFor(until[1]) ?? 'music', text: raw };
  const many = t.match(HOW_MANY);
  if (many) {
    const label = soundLabelFor(t.slice(many.index!));
    return { kind: 'how_many', ...(label ? { label } : {}), text: raw };
  }
  if (IDENTIFY.test(t)) return { kind: 'identify', text: raw };
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
export type SoundQuestionHandler = (q: SoundQuestion, t: number) => SoundQuestionResult | null;

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

  handle(q: SoundQuestion, t: number): SoundQuestionResult | null {
    for (const h of this.handlers) {
      const r = h(q, t);
      if (r) return r;
    }
    return null;
  }
}

/** The honest answer when nothing can answer a sound question. */
export function cannotAnswerSoundQuestion(q: SoundQuestion): string {
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
