// The seam every engine implements: the embedded (offline) engine, a served Audio-Interaction model, ...
import type { SessionEvent } from '../events.ts';
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
