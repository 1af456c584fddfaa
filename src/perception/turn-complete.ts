// When may a turn end before its full closing silence? Only when what was heard is clearly a whole
// request: the command grammar accepted a complete sentence of it (every grammar sentence is a whole
// command or question), and neither reading ends the way an unfinished sentence does ("what is seven
// times", "tell me when the"). Free speech never qualifies: a dictated sentence split by a thinking pause
// looks complete in its first half far too often, so it keeps the full closing silence (and the
// policy's longer hold for unfinished readings).
import { soundsUnfinished } from '../instructions/unfinished.ts';

export interface EarlyEndEvidence {
  /** The open decoder's transcript of the utterance so far. */
  text: string;
  /** The grammar's reading, when it ran. */
  command?: { text: string; accepted: boolean; confidence: number } | null;
}

/** Grammar confidence needed to end a turn early (the grammar accepts from 0.5). */
export const EARLY_END_CONFIDENCE = 0.7;

export function clearlyComplete(e: EarlyEndEvidence): boolean {
  const cmd = e.command;
  if (!cmd || !cmd.accepted || cmd.confidence < EARLY_END_CONFIDENCE || !cmd.text.trim()) return false;
  if (soundsUnfinished(cmd.text)) return false;
  // The open transcript may be garbled, but if it ends on a dangling word the speaker probably goes on.
  return !(e.text.trim() && soundsUnfinished(e.text));
}
