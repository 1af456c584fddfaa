// The one event union every session emits. These names and fields are a public contract
// (the CLI's --json output, the native WebSocket protocol, scripts that parse them): extend, never rename.
import type { ErrorCode } from './error-codes.ts';

// 'whisper' and 'calm' answer the user in kind (a whispered request; a stressed voice), see docs/notes/voice.md.
export const EMOTIONS = ['happy', 'sad', 'angry', 'surprise', 'normal', 'urgent', 'whisper', 'calm'] as const;
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

// How an utterance was said and who said it (perception/voice; the final transcript's `voice`).
export const AROUSALS = ['calm', 'excited', 'stressed', 'low'] as const;
/** Arousal/valence relative to this speaker's own baseline: calm (as usual), excited (raised, lively
 * pitch), stressed (raised, tense: louder/faster with a narrow pitch range), low (quieter, slower, lower). */
export type Arousal = (typeof AROUSALS)[number];

export interface VoiceInfo {
  /** Speaker label from online clustering ("S1", "S2", ...). */
  speaker: string;
  /** This speaker is the enrolled user (true), another voice (false); absent when nobody is enrolled. */
  user?: boolean;
  /** Whispered: speech with (almost) no voicing and no raised level. */
  whisper: boolean;
  /** ≥ 6 dB above the session's running speech level. */
  loud: boolean;
  /** ≥ 20% faster than this speaker's usual rate (or > 7 syllables/s before a baseline exists). */
  fast: boolean;
  arousal: Arousal;
  /** Arousal score: 0 as usual, ≥ 1 clearly raised, ≤ −1 clearly lowered. */
  arousalScore: number;
  /** Median F0 of voiced frames, Hz (0 when none was voiced). */
  f0Hz: number;
  /** F0 spread (semitones, interquartile range) of voiced frames. */
  f0RangeSt: number;
  /** Fraction of speech frames that are voiced (0..1). */
  voicedRatio: number;
  /** Speech level (dB, 0 dB = rms 1.0) over the utterance's speech frames. */
  levelDb: number;
  /** Level relative to the session's running speech level (0 for the first utterance). */
  relLevelDb: number;
  /** Syllable nuclei per second of speech. */
  rateSyllPerSec: number;
  /** Transcript syllables per second of speech (when a plausible transcript was known and one voice spoke). */
  syllablesPerSec?: number;
  /**
   * Content-normalised speaking rate: the transcript's expected calm speaking time (per-phone-class
   * durations of its words) over the measured speaking time; > 1 faster than an average calm pace.
   * Only when the transcript's syllables agree with the acoustic syllable count.
   */
  contentRate?: number;
  /** Speaking time (s): the utterance's frames within 30 dB of its loudest. */
  speechS?: number;
  /**
   * Tempo index (about syllables per second): geometric mean of the syllable rate, the spectral
   * velocity and the syllabic modulation frequency; arousal's rate cue (`fast`: well above the speaker's usual).
   */
  tempo?: number;
  /**
   * The utterance repeats words this voice said calmly just before: its tempo against that saying
   * (> 1 faster; from aligning the two), which arousal's rate cue then uses instead of the baseline.
   */
  repeatTempo?: number;
  /** Spectral tilt: energy above 2 kHz minus energy below 1 kHz, dB (whispers and tense voices are flatter). */
  tiltDb: number;
  /** Speech level over the room's noise floor at the utterance's end (dB); absent without a floor. */
  snrDb?: number;
  /** Stream time (s) of the first and last speech frame. */
  startS: number;
  endS: number;
  /**
   * Speaker turns when a second voice took over inside the utterance (a pause too short to close it):
   * each voice's label and time span. `speaker` and the prosody are the voice that spoke longest.
   */
  turns?: { speaker: string; startS: number; endS: number }[];
}

export interface TranscriptEvent {
  type: 'transcript';
  t: number;
  text: string;
  final: boolean;
  /** Identifies the utterance this (partial or final) hypothesis belongs to. */
  utterance: number;
  /** Final transcripts: who spoke ("S1", "S2", ... from online speaker tracking). */
  speaker?: string;
  /** Final transcripts: how it was said (whisper, arousal, F0, rate, level, ...). */
  voice?: VoiceInfo;
}

export interface SoundEvent {
  type: 'sound';
  t: number;
  label: string;
  p: number;
  /** Stream time (s, 10 ms resolution) the sound began, when the event layer segmented it. */
  onset?: number;
  /** Stream time (s) it ended; absent while a sustained sound goes on. */
  offset?: number;
  /** A standard alarm pattern the signal matched: T3 (smoke/fire) or T4 (carbon monoxide). */
  pattern?: 'T3' | 'T4';
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
