// The seam every engine implements: the embedded (offline) engine, a served Audio-Interaction model, ...
import type { Emotion, SessionEvent, TaskKind } from '../events.ts';
import type { SessionOptions } from './options.ts';

export interface Session extends AsyncIterable<SessionEvent> {
  readonly id: string;
  /**
   * Feeds 16 kHz mono audio of any length (Float32 in [-1,1] or PCM16). Resolves when the input
   * queue has room again: awaiting it is the producer's backpressure.
   */
  push(pcm: Float32Array | Int16Array): Promise<void>;
  /** A text instruction or question, handled like a spoken one. */
  instruct(text: string): void;
  /**
   * Starts one reply now, outside the per-chunk policy (a client asked for it, e.g. Realtime
   * `response.create`). Exactly one `response.start` … `response.end` with `request.id` follows.
   */
  respond?(request: ReplyRequest): void;
  /** Cuts the reply in progress, if any (it ends with interrupted: true). */
  cancelResponse(reason?: string): void;
  /**
   * The client reports how much of the reply audio it actually played (ms), e.g. after a barge-in,
   * so the session's idea of what was heard matches the user's.
   */
  truncateResponse?(id: string, playedMs: number): void;
  /** No more input: pads and processes the last chunk, lets pending replies finish, then ends the events. */
  end(): Promise<void>;
  /** Stops at once, dropping pending work; the event stream ends. */
  close(): void;
}

export interface Engine {
  readonly name: string;
  createSession(options?: Partial<SessionOptions>): Promise<Session>;
  /** Loads shared models ahead of the first session and keeps per-session resources warm (servers). */
  warmUp?(): Promise<void>;
  /** Releases shared resources (model sessions, child processes). */
  close?(): Promise<void>;
}

/** A reply asked for explicitly. Give `input` (answered like a typed instruction), `text`, or `produce`. */
export interface ReplyRequest {
  /** Id of the reply's response.* events (unique within the session). */
  id: string;
  /** Typed text handled like an instruction or question: commands start tasks, skills or the LLM answer. */
  input?: string;
  /** The reply's ready text. */
  text?: string;
  /** Or its text as streamed deltas (e.g. from the caller's own LLM call). */
  produce?: (signal: AbortSignal) => AsyncIterable<string>;
  /** Speak it (default: the session's `speak` option). */
  spoken?: boolean;
  /** espeak-ng voice for this reply (default: the session's). */
  voice?: string;
  emotion?: Emotion;
  task?: TaskKind;
}
