// Alarm and appliance-beep signals with exact, known timing, for the alarm detector's tests and bench.
// Tones are band-limited (harmonics above 7.9 kHz dropped), as a real alarm heard through a 16 kHz
// microphone path is: a square or pulse wave keeps its fundamental and its in-band harmonics.
import { SoundFlowError } from '../../util/errors.ts';
import { uniform, type Random } from '../../util/rng.ts';

const SR = 16000;

export type Wave = 'sine' | 'square' | 'pulse';

export interface ToneSpec {
  freqHz: number;
  wave: Wave;
  /** Pulse-wave duty cycle (0–1); square is 0.5. */
  duty?: number;
  /** RMS level of the tone while it sounds, dBFS (0 dBFS = a full-scale sine's RMS). */
  levelDbfs: number;
}

/** On/off segments in seconds: [on, off, on, off, ...]. */
export type Timing = number[];

export const T3_CYCLE: Timing = [0.5, 0.5, 0.5, 0.5, 0.5, 1.5];
export const T4_CYCLE: Timing = [0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 5.0];

/** Adds one band-limited tone burst at sample `at` (5 ms raised-cosine ramps). */
export function addBurst(x: Float32Array, at: number, seconds: number, spec: ToneSpec): void {
  const n = Math.round(seconds * SR);
  const duty = spec.wave === 'square' ? 0.5 : spec.wave === 'pulse' ? (spec.duty ?? 0.25) : 1;
  if (!(spec.freqHz > 0 && spec.freqHz < SR / 2)) throw new SoundFlowError('invalid_argument', `tone frequency ${spec.freqHz} Hz outside 0–8000 Hz`);
  // Harmonic amplitudes of a pulse wave of duty d: (2/(nπ))·sin(nπd); a sine is harmonic 1 alone.
  const harmonics: [number, number][] = [];
  if (spec.wave === 'sine') harmonics.push([1, 1]);
  else for (let h = 1; h * spec.freqHz < 7900; h++) harmonics.push([h, (2 / (h * Math.PI)) * Math.sin(h * Math.PI * duty)]);
  const power = harmonics.reduce((s, [, a]) => s + (a * a) / 2, 0);
  const gain = Math.pow(10, spec.levelDbfs / 20) * Math.sqrt(0.5 / power); // RMS of the burst = level re full-scale sine
  const ramp = Math.round(0.005 * SR);
  for (let i = 0; i < n && at + i < x.length; i++) {
    if (at + i < 0) continue;
    let v = 0;
    for (const [h, a] of harmonics) v += a * Math.sin((2 * Math.PI * h * spec.freqHz * i) / SR);
    const env = i < ramp ? 0.5 - 0.5 * Math.cos((Math.PI * i) / ramp) : i > n - ramp ? 0.5 - 0.5 * Math.cos((Math.PI * (n - i)) / ramp) : 1;
    x[at + i] += gain * env * v;
  }
}

/** Repeats a timing `cycles` times from `leadSec`; returns the signal and the first onset (s). */
export function patternSignal(timing: Timing, cycles: number, spec: ToneSpec, opts: { leadSec?: number; tailSec?: number; scale?: number } = {}): { x: Float32Array; onset: number } {
  const lead = opts.leadSec ?? 1;
  const scale = opts.scale ?? 1; // stretches every phase (tolerance tests)
  const cycleSec = timing.reduce((a, b) => a + b, 0) * scale;
  const x = new Float32Array(Math.round((lead + cycles * cycleSec + (opts.tailSec ?? 1)) * SR));
  let t = lead;
  for (let c = 0; c < cycles; c++) {
    for (let k = 0; k < timing.length; k++) {
      const d = timing[k] * scale;
      if (k % 2 === 0) addBurst(x, Math.round(t * SR), d, spec);
      t += d;
    }
  }
  return { x, onset: lead };
}

/**
 * Household appliance beeps (microwave done, oven/kitchen timer, alarm clock, dishwasher, washing
 * machine), each repeated as the device would. These are the signals that must NOT read as a smoke or
 * CO alarm. None follows T3 or T4: their published/observed patterns are listed in docs/notes/sounds.md.
 */
export const APPLIANCE_PATTERNS: { name: string; make: (rng: Random) => { timing: Timing; repeats: number } }[] = [
  // Microwave "done": 3–5 beeps of 0.15–0.35 s, 0.1–0.3 s apart, once (some repeat every minute).
  { name: 'microwave', make: (rng) => ({ timing: beeps(rng, Math.floor(uniform(rng, 3, 6)), [0.15, 0.35], [0.1, 0.3], [3, 8]), repeats: 1 + Math.floor(uniform(rng, 0, 2)) }) },
  // One long beep (microwave, fridge door).
  { name: 'long-beep', make: (rng) => ({ timing: [uniform(rng, 0.8, 2.5), uniform(rng, 2, 8)], repeats: 1 }) },
  // Kitchen/oven timer: fast beeps in bursts, bursts under a second apart, until stopped.
  { name: 'kitchen-timer', make: (rng) => ({ timing: beeps(rng, Math.floor(uniform(rng, 2, 5)), [0.05, 0.12], [0.05, 0.12], [0.4, 1.0]), repeats: 4 + Math.floor(uniform(rng, 0, 8)) }) },
  // Alarm clock: beep-beep, a second apart, growing insistence.
  { name: 'alarm-clock', make: (rng) => ({ timing: beeps(rng, 2, [0.08, 0.15], [0.08, 0.15], [0.6, 0.9]), repeats: 6 + Math.floor(uniform(rng, 0, 10)) }) },
  // Continuous 1 Hz beeping (washing machine end, reversing truck).
  { name: 'continuous', make: (rng) => ({ timing: [uniform(rng, 0.3, 0.6), uniform(rng, 0.3, 0.6)], repeats: 8 + Math.floor(uniform(rng, 0, 12)) }) },
  // Dishwasher/washer melody-less end signal: 0.7–1.2 s beeps, 0.3–0.8 s apart, 3–6 times.
  { name: 'dishwasher', make: (rng) => ({ timing: beeps(rng, Math.floor(uniform(rng, 3, 7)), [0.7, 1.2], [0.3, 0.8], [3, 6]), repeats: 1 }) },
  // Keypad/confirmation chirps: single 0.05–0.1 s beeps at irregular times.
  { name: 'keypad', make: (rng) => ({ timing: Array.from({ length: 12 }, (_, i) => (i % 2 ? uniform(rng, 0.2, 1.5) : uniform(rng, 0.05, 0.1))), repeats: 1 }) },
];

function beeps(rng: Random, n: number, on: [number, number], off: [number, number], pause: [number, number]): Timing {
  const d = uniform(rng, on[0], on[1]);
  const g = uniform(rng, off[0], off[1]);
  const out: Timing = [];
  for (let i = 0; i < n; i++) out.push(d, i === n - 1 ? uniform(rng, pause[0], pause[1]) : g);
  return out;
}
