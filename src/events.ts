// The one event union every session emits. These names and fields are a public contract
// (the CLI's --json output, the native WebSocket protocol, scripts that parse them): extend, never rename.
import type { ErrorCode } from './error-codes.ts';

export const EMOTIONS = ['happy', 'sad', 'angry', 'surprise', 'normal', 'urgent'] as const;
export type Emotion = (typeof EMOTIONS)[number];

export const TASK_KINDS = ['chat', 'transcribe', 'translate', 'count', 'alert', 'ack'] as const;
export type TaskKind = (typeof TASK_KINDS)[number];

export type Decision = 'silent' | 'respond';

/** Session state as in the reference model: LISTENING yields KEEP_SILENCE/TEXT_BEGIN per chunk. */
export type SessionState = 'listening' | 'speaking';

export interface SessionStartedEvent {
  type: 'session.started';
  sessionId: string;
  engine: string;
  sampleRate: number;
  chunkMs: number;
  mode: 'concurrent' | 'sequential';
}

export interface ChunkEvent {
  type: 'chunk';
  index: number;
  /** Stream time (s) at the end of this chunk. */
  t: number;
  decision: Decision;
  /** Why: a short machine-readable phrase, e.g. "speech", "end-of-utterance:answer", "ambient". */
  reason: string;
  state: SessionState;
  /** Fraction of the chunk's VAD frames judged speech (0..1). */
  speech: number;
  /** Chunk level in dBFS. */
  levelDb: number;
  /** Most likely sound classes for this chunk, when a sound model runs. */
  sounds?: { label: string; p: number }[];
}

export interface SpeechStartedEvent {
  type: 'speech.started';
  t: number;
}

export interface SpeechStoppedEvent {
  type: 'speech.stopped';
  t: number;
}

export interface TranscriptEvent {
  type: 'transcript';
  t: number;
  text: string;
  final: boolean;
  /** Identifies the utterance this (partial or final) hypothesis belongs to. */
  utterance: number;
}

export interface SoundEvent {
  type: 'sound';
  t: number;
  label: string;
  p: number;
}

export interface TaskStartedEvent {
  type: 'task.started';
  t: number;
  taskId: string;
  task: TaskKind;
  /** Slots parsed from the instruction: target language, sound class, ... */
  params: Record<string, string | number | boolean>;
  instruction: string;
}

export interface TaskEndedEvent {
  type: 'task.ended';
  t: number;
  taskId: string;
  task: TaskKind;
  reason: string;
}

export interface ResponseStartEvent {
  type: 'response.start';
  id: string;
  t: number;
  task: TaskKind;
  emotion: Emotion;
}

export interface ResponseTextEvent {
  type: 'response.text';
  id: string;
  delta: string;
}

export interface ResponseAudioEvent {
  type: 'response.audio';
  id: string;
  /** Base64 PCM16 little-endian mono. */
  pcm: string;
  sampleRate: number;
}

export interface ResponseEndEvent {
  type: 'response.end';
  id: string;
  t: number;
  text: string;
  interrupted: boolean;
}

export interface ErrorEvent {
  type: 'error';
  code: ErrorCode;
  message: string;
  /** True when the session goes on after this error. */
  recoverable: boolean;
}

export interface SessionEndedEvent {
  type: 'session.ended';
  t: number;
  chunks: number;
}

export type SessionEvent =
  | SessionStartedEvent
  | ChunkEvent
  | SpeechStartedEvent
  | SpeechStoppedEvent
  | TranscriptEvent
  | SoundEvent
  | TaskStartedEvent
  | TaskEndedEvent
  | ResponseStartEvent
  | ResponseTextEvent
  | ResponseAudioEvent
  | ResponseEndEvent
  | ErrorEvent
  | SessionEndedEvent;

export type SessionEventType = SessionEvent['type'];
export type EventOf<T extends SessionEventType> = Extract<SessionEvent, { type: T }>;
