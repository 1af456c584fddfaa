// What perception says about how an utterance was said and who said it (the final transcript's `voice`).

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
  /** Spectral tilt: energy above 2 kHz minus energy below 1 kHz, dB (whispers and tense voices are flatter). */
  tiltDb: number;
  /** Speech level over the room's noise floor at the utterance's end (dB); absent without a floor. */
  snrDb?: number;
  /** Stream time (s) of the first and last speech frame. */
  startS: number;
  endS: number;
}
