// The audio a server's warm-up plays through a throwaway session (EmbeddedEngine.warmUp), so the first
// real session does not pay for code paths nothing had run yet (issue #12, docs/notes/server.md, round 13).
// Made here, without sox or espeak-ng (library code must not spawn test tools): seeded room noise with the
// kinds of sound the loop bench's sound-heavy stream has (a high beep, a white-noise burst, a low steady
// tone the VAD takes for speech, a gap), so perception, the sound model's post-processing, the sound
// handlers, the segmenter's utterance start/end and the decision on an utterance's final all run once.
import { SAMPLE_RATE } from '../audio/chunk.ts';
import { makeRng } from '../util/rng.ts';

/** Seconds of warm-up audio: two rounds of beep, burst, tone and gap (≈ 25 chunks). */
export const WARM_UP_SECONDS = 10;

/** The warm-up clip: deterministic (seeded), 16 kHz mono Float32, `seconds` long. */
export function warmUpClip(seconds: number = WARM_UP_SECONDS): Float32Array {
  const n = Math.round(seconds * SAMPLE_RATE);
  const out = new Float32Array(n);
  const white = makeRng(0x5f1e1d);
  // Brown-ish room noise (a leaky integrator of white noise), ~-35 dBFS.
  let y = 0;
  for (let i = 0; i < n; i++) {
    y = 0.98 * y + 0.02 * (white() - 0.5);
    out[i] = 0.15 * y;
  }
  const add = (from: number, seconds: number, f: (t: number, i: number) => number) => {
    const a = Math.round(from * SAMPLE_RATE);
    const b = Math.min(n, a + Math.round(seconds * SAMPLE_RATE));
    for (let i = a; i < b; i++) out[i] += f((i - a) / SAMPLE_RATE, i - a);
  };
  // Voiced, speech-like sound (a pulse train at ~130 Hz through three vowel formants, in syllables): the
  // VAD opens an utterance on it, so its start, its recognition and its end run once too.
  const voiced = vowel(1.4, white);
  add(3.3, voiced.length / SAMPLE_RATE, (_, i) => voiced[i]);
  for (let t = 0, k = 0; t + 5 <= seconds; t += 5, k++) {
    add(t, 0.5, (s) => 0.4 * Math.sin(2 * Math.PI * 3100 * s)); // a beep
    add(t + 1.2, 0.3, () => 0.3 * (2 * white() - 1)); // a white-noise burst
    add(t + 2.2, 0.8, (s) => 0.2 * Math.sin(2 * Math.PI * (520 + 40 * k) * s)); // a low tone (taken for speech)
  }
  return out;
}

/** `seconds` of a synthetic vowel: a jittered glottal pulse train through formant resonators, 4 syllables/s. */
function vowel(seconds: number, rnd: () => number): Float32Array {
  const n = Math.round(seconds * SAMPLE_RATE);
  const src = new Float32Array(n);
  let next = 0;
  for (let i = 0; i < n; i++) {
    if (i >= next) {
      src[i] = 1;
      const f0 = 130 + 20 * Math.sin((2 * Math.PI * i) / n) + 4 * (rnd() - 0.5);
      next = i + SAMPLE_RATE / f0;
    }
  }
  let out = src;
  for (const [f, bw] of [[700, 110], [1220, 120], [2600, 160]]) {
    // Two-pole resonator at f Hz, bandwidth bw Hz.
    const r = Math.exp((-Math.PI * bw) / SAMPLE_RATE);
    const a1 = 2 * r * Math.cos((2 * Math.PI * f) / SAMPLE_RATE);
    const a2 = -r * r;
    const y = new Float32Array(n);
    for (let i = 0; i < n; i++) y[i] = (1 - r) * out[i] + a1 * (y[i - 1] ?? 0) + a2 * (y[i - 2] ?? 0);
    out = y;
  }
  let peak = 0;
  for (let i = 0; i < n; i++) peak = Math.max(peak, Math.abs(out[i]));
  for (let i = 0; i < n; i++) out[i] *= (0.3 / (peak || 1)) * (0.55 - 0.45 * Math.cos((2 * Math.PI * 4 * i) / SAMPLE_RATE));
  return out;
}
