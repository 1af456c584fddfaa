// Emotion -> espeak-ng prosody. Speed is words per minute (-s, espeak default 175), pitch 0..99 (-p, default 50),
// amplitude 0..200 (-a, default 100; above ~130 espeak's output clips at full scale, so we stay below),
// word gap in units of 10 ms (-g). The shape follows common emotional-speech findings: arousal raises
// rate, pitch and loudness (happy, angry, surprise, urgent); sadness lowers all three and adds pauses.
import { EMOTIONS, type Emotion } from '../../events.ts';
import { SoundFlowError } from '../../util/errors.ts';

export interface Prosody {
  /** Words per minute. */
  speed: number;
  /** 0..99. */
  pitch: number;
  /** 0..200. */
  amplitude: number;
  /** Extra pause between words, in 10 ms units. */
  wordGap: number;
}

export const PROSODY: Readonly<Record<Emotion, Readonly<Prosody>>> = Object.freeze({
  normal: { speed: 165, pitch: 50, amplitude: 100, wordGap: 0 },
  happy: { speed: 180, pitch: 64, amplitude: 110, wordGap: 0 },
  sad: { speed: 128, pitch: 34, amplitude: 78, wordGap: 3 },
  angry: { speed: 185, pitch: 40, amplitude: 122, wordGap: 0 },
  surprise: { speed: 172, pitch: 76, amplitude: 115, wordGap: 0 },
  urgent: { speed: 215, pitch: 60, amplitude: 122, wordGap: 0 },
  // Answering in kind: a whisper back (espeak's whisper variant, see espeak.ts) at low volume; a slow,
  // low, steady voice for a stressed user.
  whisper: { speed: 150, pitch: 45, amplitude: 55, wordGap: 1 },
  calm: { speed: 140, pitch: 42, amplitude: 95, wordGap: 2 },
});

export function prosodyFor(emotion: Emotion = 'normal'): Prosody {
  if (!(EMOTIONS as readonly string[]).includes(emotion)) {
    throw new SoundFlowError('invalid_argument', `unknown emotion "${emotion}" (expected one of ${EMOTIONS.join(', ')})`);
  }
  return PROSODY[emotion];
}
