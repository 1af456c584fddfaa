// Streams shared by the benches that must measure the same audio (loop, utterance-end), and how the
// multi-session CPU benches feed one stream to many sessions.
import type { Session } from '../src/engine/types.ts';
import { concat, mix, noise, silence, speech, tone, SR } from '../src/testing/audio.ts';
import { makeRng } from '../src/util/rng.ts';

/**
 * Feeds each session the audio rotated to start `shift(i)` samples in (so the sessions' speech does not
 * coincide), in 0.1 s pushes as fast as the sessions take them, then ends them.
 */
export async function feedRotated(sessions: readonly Session[], audio: Float32Array, shift: (i: number) => number): Promise<void> {
  await Promise.all(
    sessions.map(async (s, i) => {
      const k = shift(i);
      const x = concat(audio.subarray(k), audio.subarray(0, k));
      for (let o = 0; o < x.length; o += 1600) await s.push(x.subarray(o, o + 1600));
      await s.end();
    }),
  );
}

/** Plays the audio through one session in 0.1 s pushes as fast as it takes them, draining its events, then ends it. */
export async function playThrough(session: Session, audio: Float32Array): Promise<void> {
  const reader = (async () => {
    for await (const _ of session) {
      // drained
    }
  })();
  for (let i = 0; i < audio.length; i += 1600) await session.push(audio.subarray(i, i + 1600));
  await session.end();
  await reader;
}

/**
 * Low-passed white noise from a fixed seed: sox's noise differs on every run, and so would every
 * transcript, so two builds (or two variants) could not be compared on their decisions.
 */
export function seededRoomNoise(n: number, seed: number): Float32Array {
  const white = makeRng(seed);
  const out = new Float32Array(n);
  let y = 0;
  for (let i = 0; i < n; i++) {
    y = 0.95 * y + 0.05 * (white() - 0.5);
    out[i] = y;
  }
  return out;
}

const SENTENCES = [
  'The museum opens at nine and closes at six on weekdays.',
  'My brother bought a new bicycle last summer and rides it to work.',
  'Please remember to water the plants while we are away.',
  'The train to the city leaves every twenty minutes from platform two.',
  'We cooked pasta with tomatoes and basil from the garden.',
  'The meeting was moved to Thursday afternoon because of the holiday.',
  'Children were playing football in the park until it got dark.',
  'She reads the newspaper every morning with a cup of tea.',
];

/** Continuous speech: sentences from two espeak voices, 0.3 s apart, over room noise at 25 dB. */
export function speechHeavy(seconds: number): Float32Array {
  const parts: Float32Array[] = [];
  let n = 0;
  for (let i = 0; n < seconds * SR; i++) {
    const s = speech(SENTENCES[i % SENTENCES.length], { voice: i % 2 ? 'en+m3' : 'en-us' });
    parts.push(s, silence(0.3));
    n += s.length + 0.3 * SR;
  }
  const x = concat(...parts).subarray(0, seconds * SR);
  return mix(x, noise(seconds, { amplitude: 0.02 }), 25);
}

/** Sounds without speech: beeps, white-noise bursts, tones and gaps over brown room noise (the loop bench's sound-heavy stream). */
export function soundHeavy(seconds: number): Float32Array {
  const parts: Float32Array[] = [];
  let n = 0;
  for (let i = 0; n < seconds * SR; i++) {
    const p = i % 4 === 0 ? tone(3100, 0.5, 0.4) : i % 4 === 1 ? noise(0.3, { color: 'white', amplitude: 0.3 }) : i % 4 === 2 ? tone(440 + 40 * i, 0.8, 0.2) : silence(0.6);
    parts.push(p, silence(0.7));
    n += p.length + 0.7 * SR;
  }
  const x = concat(...parts).subarray(0, seconds * SR);
  return mix(noise(seconds, { color: 'brown', amplitude: 0.05 }), x, -10);
}
