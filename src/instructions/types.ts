// Typed tasks parsed from instructions, spoken or typed. A task spec is what the user asked for; a
// Task is a spec the TaskManager accepted (id, start time, expiry).
import type { TaskKind } from '../events.ts';

export type InstructionKind = 'transcribe' | 'translate' | 'count' | 'alert' | 'quiet' | 'stop' | 'chat';

/** What "stop ..." can target; 'all' ends every task. */
export type StopTarget = 'transcribe' | 'translate' | 'count' | 'alert' | 'quiet' | 'chat' | 'all';

export type TaskSpec =
  | { kind: 'transcribe' }
  | { kind: 'translate'; targetLang: string }
  | { kind: 'count'; label: string }
  /** Watch for a sound: respond = tell the user when it happens; ignore = never comment on it. */
  | { kind: 'alert'; label: string; mode: 'respond' | 'ignore' }
  /** Say nothing for `seconds` of stream time (null: until told otherwise). */
  | { kind: 'quiet'; seconds: number | null }
  | { kind: 'stop'; target: StopTarget; label?: string }
  /** Answer everything said, not only what is addressed to the assistant. */
  | { kind: 'chat' };

export type Task = Exclude<TaskSpec, { kind: 'stop' }> & {
  id: string;
  /** Stream time (s) when it started. */
  startedAt: number;
  /** Stream time (s) when it ends by itself (quiet for N seconds), else null. */
  endsAt: number | null;
  instruction: string;
};

export type RefusalCode = 'unsupported_language' | 'missing_language' | 'unknown_sound';

export type ParsedInstruction =
  | {
      type: 'task';
      task: TaskSpec;
      /** False when the user said not to confirm ("quietly", "no need to answer"). */
      ack: boolean;
      text: string;
    }
  | {
      type: 'refusal';
      code: RefusalCode;
      /** What the user asked for ("klingon"). */
      requested: string;
      /** Spoken/evented answer, e.g. "Sorry, I can't translate into Klingon. I can translate into Spanish, ...". */
      message: string;
      /** Supported values the user can pick from. */
      supported: string[];
      text: string;
    };

/** The public event name (src/events.ts) a task kind is reported under. */
export function eventTaskKind(kind: InstructionKind): TaskKind {
  switch (kind) {
    case 'transcribe':
    case 'translate':
    case 'count':
    case 'alert':
    case 'chat':
      return kind;
    // quiet and stop have no output of their own; their only voice is the acknowledgement.
    case 'quiet':
    case 'stop':
      return 'ack';
  }
}
