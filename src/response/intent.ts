// What a recognised sentence asks for, as one comparable string: the parsed task, or the offline
// skill that answers it. Used to score recognisers (bench, tests) and by callers that only need the
// intent of constrained-recogniser text.
import { answer } from './skills/index.ts';
import { parseInstruction } from '../instructions/parser.ts';

/** "task:{...}", "refusal:<code>", "skill:<name>", or null when the text asks for nothing. */
export function intentOf(text: string): string | null {
  const p = parseInstruction(text);
  if (p?.type === 'task') return `task:${JSON.stringify(p.task)}`;
  if (p?.type === 'refusal') return `refusal:${p.code}`;
  const a = answer(text, { now: new Date(0), addressed: true });
  if (a && a.skill !== 'fallback' && a.skill !== 'wake') {
    // Arithmetic and timers carry their operands: compare the answer text, not just the skill.
    return a.skill === 'arithmetic' || a.skill === 'timer' ? `skill:${a.skill}:${a.text}` : `skill:${a.skill}`;
  }
  return null;
}
