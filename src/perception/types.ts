// What perception hands to the decision step, one Percept per 0.4 s chunk.
import type { Chunk } from '../audio/chunk.ts';
import type { ErrorCode } from '../error-codes.ts';
import type { VoiceInfo } from './voice/types.ts';
import type { PerceptTrace } from '../util/chunk-trace.ts';

export interface FinalTranscript {
  text: string;
  /** Utterance number within the session. */
  utterance: number;
  /** Raw PCM16 of the utterance, bounded in length. */
  audio?: Int16Array;
  /** The command/question grammar's reading of the utterance, when it accepted one. */
  command?: { text: string; confidence: number; floored?: boolean };
  /** The grammar's best reading when its own thresholds rejected it (evidence to weigh, not a result). */
  commandCandidate?: string;
  /** The open decoder's n-best hypotheses, best first (when the recogniser produced them). */
  alternatives?: string[];
  /** The open decode's mean acoustic fit per frame of its words (FinalDecode.wordScore; local decode only). */
  openFit?: number;
  /** A remote recogniser failed and the local transcript was used instead. */
  fallback?: { code: ErrorCode; message: string };
  /** How the utterance was said and who said it (perception/voice). */
  voice?: VoiceInfo;
  /**
   * The utterance was the room itself: the babble gate found the room full of other voices while it was
   * open (the VAD had opened it on the crowd). Not to be answered.
   */
  room?: boolean;
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
  /**
   * An utterance has ended and its final transcript was not ready within the decision budget: it is
   * decided on a later chunk, and until then the turn is held (no reply on a guess). Set by the session.
   */
  finalPending?: boolean;
  /** Makes a speaker label the session's user (voice enrolment); absent when voice analysis is off. */
  enrollSpeaker?: (speaker: string) => void;
  /** Where this chunk's perception time went (timing spans; src/util/chunk-trace.ts). */
  trace?: PerceptTrace;
}
