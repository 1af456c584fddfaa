// What the decision step sees per chunk and what it asks the response stage to do.
import type { Decision, Emotion, SessionEvent, TaskKind } from '../events.ts';
import type { Chunk } from '../perception/types.ts';

export interface FinalTranscript {
  text: string;
  /** Utterance number within the session. */
  utterance: number;
  /** Raw PCM16 of the utterance, bounded in length. */
  audio?: Int16Array;
  /** The command/question grammar's reading of the utterance, when it accepted one. */
  command?: { text: string; confidence: number };
  /** The grammar's best reading when its own thresholds rejected it (evidence to weigh, not a result). */
  commandCandidate?: string;
  /** The open decoder's n-best hypotheses, best first (when the recogniser produced them). */
  alternatives?: string[];
  /** A remote recogniser failed and the local transcript was used instead. */
  fallback?: { code: string; message: string };
}

/** Everything perception knows about one chunk. Heavy work (ASR) arrives as promises. */
export interface Percept {
  chunk: Chunk;
  /** Log-mel frames of this chunk (FRAMES_PER_CHUNK × MEL_BINS, row-major). */
  mel: Float32Array;
  vadProbs: number[];
  /** Fraction of VAD frames above the speech threshold. */
  speech: number;
  levelDb: number;
  /** Speech over noise floor (dB), 0 until speech has been heard. */
  snrDb: number;
  /** Speech segment boundaries detected in this chunk (stream sample offsets). */
  speechStarted: boolean;
  speechEnded: boolean;
  inSpeech: boolean;
  /** Trailing silence since the last speech frame, ms. */
  silenceMs: number;
  /** Sound-event probabilities, when a sound model runs. */
  sounds?: { classes: string[]; probs: Float32Array; thresholds: Float32Array };
  /** ASR partial for this chunk's audio, when it is decoded (best-effort; may be dropped under load). */
  partial?: Promise<{ text: string; utterance: number } | null>;
  /** The newest partial decoded so far, without waiting: the live view never holds up a decision. */
  partialNow?: () => { text: string; utterance: number } | null;
  /** Present on the chunk where an utterance ended: its final transcript. */
  final?: Promise<FinalTranscript | null>;
}

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
