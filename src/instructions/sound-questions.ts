// Questions about what is (or is about to be) heard: "what's the style of the music below?", "what is
// that noise?", "tell me when the music stops", "how many times did it knock?". They are answered later,
// once the evidence has been heard (src/decision/sound-questions.ts). Kept apart from parser.ts so the
// instruction parser stays about tasks; the assistant asks this module first, because "tell me when the
// music stops" would otherwise read as an alert on music and "how many times did it knock" as nothing.
import { normalizeInstruction } from './parser.ts';
import { soundLabelFor } from './sounds.ts';

export type SoundQuestion =
  | { kind: 'music_style' }
  | { kind: 'sound_name' }
  | { kind: 'music_stop' }
  /** How many events of `label` were heard (so far, or over the next seconds when none yet). */
  | { kind: 'count_heard'; label: string };

const LEAD = /^(?:(?:hey |hi |ok |okay )?sound ?flow |please |so |and |now |okay |ok |hey |can you |could you |based on the (?:audio|music|sound) (?:below |that follows |coming )?)+/;
const TRAIL = / (?:please|now|for me|right now)$/;
const MUSIC = '(?:music|song|tune|track|piece)';
const STYLE = new RegExp(
  `^(?:(?:what is|whats|what) (?:the )?(?:style|genre|kind|type|sort) of (?:this |that |the )?${MUSIC}|` +
  `(?:what|which) (?:style|genre|kind|type|sort) (?:of ${MUSIC} )?is (?:this|that|it|the ${MUSIC}|playing)|` +
  `(?:tell me|guess|name) (?:the )?(?:style|genre) of (?:this |that |the )?${MUSIC}|` +
  `what (?:style|genre) is (?:this|that|the) ${MUSIC})\\b`,
);
// Only forms that name a sound: a bare "what is that?" is as often about something seen, and overheard
// it would start a question nobody asked.
const NOISE = /^(?:what (?:is|was) (?:that|this|the) (?:noise|sound)|whats (?:that|this) (?:noise|sound)|what (?:noise|sound) (?:is|was) (?:that|this)|what did i just hear|what can you hear|what do you hear)\b/;
const MUSIC_STOP = new RegExp(`^(?:tell me|let me know|say something|alert me|notify me) (?:when|once|as soon as|if) (?:the |this |that )?${MUSIC} (?:stops|ends|is over|finishes|is finished|ends playing|stops playing)$`);
const HOW_MANY = /^how many times (?:did|has|have) (.+)$/;

export function parseSoundQuestion(text: string): SoundQuestion | null {
  if (typeof text !== 'string') return null;
  let t = normalizeInstruction(text);
  let prev: string;
  do {
    prev = t;
    t = t.replace(LEAD, '').replace(TRAIL, '').trim();
  } while (t !== prev);
  if (!t) return null;
  if (MUSIC_STOP.test(t)) return { kind: 'music_stop' };
  if (STYLE.test(t)) return { kind: 'music_style' };
  const many = t.match(HOW_MANY);
  if (many) {
    const label = soundLabelFor(many[1]);
    return label ? { kind: 'count_heard', label } : null;
  }
  if (NOISE.test(t)) return { kind: 'sound_name' };
  return null;
}

/** JSGF rule for the command grammar (src/instructions/grammar.ts): the spoken forms of the above. */
export const SOUND_QUESTION_RULES = [
  '<soundquestion> = <musicstyle> | <soundname> | <musicstop> | <countheard>;',
  "<musicstyle> = ((what is | what's) the (style | genre | kind) of [the | this] music [below | playing]) | (what kind of music is (this | that | playing)) | (what style is (this | the music));",
  "<soundname> = (what is | what's | what was) that (noise | sound) | what (noise | sound) is that;",
  '<musicstop> = (tell me | let me know) when the music stops;',
  '<countheard> = how many times did (it knock | someone knock | the dog bark | it bark | the doorbell ring | the phone ring | it ring | it beep | someone cough | i cough);',
];
