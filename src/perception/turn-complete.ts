// When may a turn end before its full closing silence? Only when what was heard is clearly a whole
// request: the command grammar accepted a complete sentence of it (every grammar sentence is a whole
// command or question), and neither reading ends the way an unfinished sentence does ("what is seven
// times", "tell me when the"). Free speech never qualifies: a dictated sentence split by a thinking pause
// looks complete in its first half far too often, so it keeps the full closing silence (and the
// policy's longer hold for unfinished readings). A grammar sentence not yet scored (agreedComplete) counts
// only when the open transcript has the very same words.
import { soundsUnfinished } from '../instructions/unfinished.ts';
import { normalizeTranscript } from './asr/wer.ts';

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

/**
 * The grammar's words and the open decoder's transcript of the same audio are the same complete
 * request: two decoders, one that can only hear whole requests and one that can hear anything, agree.
 * That is taken as complete without the grammar reading's confidence, which needs a free-loop decode
 * ~3× as long as the grammar's (batch readings; the turn then ends a chunk sooner, docs/notes/server.md).
 */
export function agreedComplete(grammarWords: string, transcript: string): boolean {
  const w = normalizeTranscript(grammarWords);
  return w !== '' && w === normalizeTranscript(transcript) && !soundsUnfinished(w);
}
