// What the decision step asks the response stage to do, and the policy interface (it sees a Percept).
import type { Decision, Emotion, SessionEvent, TaskKind } from '../events.ts';
import type { Percept } from '../perception/types.ts';

/** A reply the decision step wants: either ready text or a source the response stage runs. */
export interface ResponsePlan {
  task: TaskKind;
  emotion: Emotion;
  /** Ready text (offline skills, acks, alerts, counting). */
  text?: string;
  /** Or text produced asynchronously, as deltas (LLM, translation). */
  produce?: (signal: AbortSignal) => AsyncIterable<string>;
  /** espeak-ng voice for this reply (e.g. the translation's target language). */
  voice?: string;
  /** Urgent replies may cut a reply in progress and are spoken even while the user talks. */
  urgent?: boolean;
  /** False for replies that are only text (live transcription); default true. */
  spoken?: boolean;
  /** The answer to a question the user asked and a task accepted, due once its evidence was heard
   *  (a pending sound question): the learned gate does not hold it, as it does not hold live counts. */
  owed?: boolean;
}

export interface ChunkDecision {
  decision: Decision;
  reason: string;
  responses: ResponsePlan[];
  /** Cut the reply in progress (barge-in). */
  interrupt?: boolean;
  /** Other events this chunk produced (transcripts, task changes, detected sounds), in order. */
  events: SessionEvent[];
}

/** What the session tells the policy about itself at this chunk. */
export interface DecisionContext {
  /** A reply is being generated or played (stream-time window). */
  speaking: boolean;
  /** Stream time of the last reply's start, or -Infinity. */
  lastReplyT: number;
  /** Words of recent replies, for the echo guard. */
  recentOutput: string[];
  /** The chunk sounds like the assistant's own reply coming back through a microphone. */
  echo: boolean;
}

/** A per-chunk decision policy (rules, learned, server_vad baseline). */
export interface Policy {
  decide(percept: Percept, ctx: DecisionContext): Promise<ChunkDecision>;
  /** A text instruction or question (CLI --instruction, server text). */
  instruct(text: string, t: number): ChunkDecision;
}
