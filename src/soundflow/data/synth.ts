// Deterministic synthetic sounds and ambience for scenes when no recorded corpus is available. Crude
// but with the right gross structure (an alarm's T3 beeping, a doorbell's two decaying tones, a cough's
// noisy burst), so that sound detectors see distinct events. All 16 kHz mono, seeded.
import { createRng, type Rng } from '../../util/rng.ts';
import { SAMPLE_RATE } from '../../audio/chunk.ts';

const TAU = 2 * Math.PI;

function buf(seconds: number): Float32Array {
  return new Float32Array(Math.round(seconds * SAMPLE_RATE));
}

/** Adds a sine partial with an envelope function of time since onset. */
function addTone(out: Float32Array, at: number, dur: number, freq: number | ((t: number) => number), amp: number, env: (t: number) => number): void {
  const start = Math.round(at * SAMPLE_RATE);
  const n = Math.min(out.length - start, Math.round(dur * SAMPLE_RATE));
  let phase = 0;
  for (let i = 0; i < n; i++) {
    const t = i / SAMPLE_RATE;
    const f = typeof freq === 'number' ? freq : freq(t);
    phase += (TAU * f) / SAMPLE_RATE;
    out[start + i] += amp * env(t) * Math.sin(phase);
  }
}

/** White noise through a one-pole low-pass (coef near 1 = darker) and optional high-pass. */
function addNoise(out: Float32Array, rng: Rng, at: number, dur: number, amp: number, env: (t: number) => number, lp = 0, hp = 0): void {
  const start = Math.round(at * SAMPLE_RATE);
  const n = Math.min(out.length - start, Math.round(dur * SAMPLE_RATE));
  let l = 0, hprev = 0, hout = 0;
  for (let i = 0; i < n; i++) {
    const w = rng.next() * 2 - 1;
    l = lp ? l * lp + w * (1 - lp) : w;
    hout = hp ? hp * (hout + l - hprev) : l;
    hprev = l;
    out[start + i] += amp * env(i / SAMPLE_RATE) * hout;
  }
}

const attackDecay = (attack: number, decay: number) => (t: number) => (t < attack ? t / attack : Math.exp(-(t - attack) / decay));
const gate = (dur: number, ramp = 0.005) => (t: number) => Math.min(1, t / ramp, Math.max(0, (dur - t) / ramp));

/** Scales to a peak of `peak` (no clipping, comparable levels across classes). */
function normalize(x: Float32Array, peak: number): Float32Array {
  let m = 0;
  for (const v of x) m = Math.max(m, Math.abs(v));
  if (m > 0) for (let i = 0; i < x.length; i++) x[i] *= peak / m;
  return x;
}

type Synth = (rng: Rng, events?: number) => Float32Array;

export const SYNTH_SOUNDS: Record<string, Synth> = {
  // ANSI T3 temporal pattern: three 0.5 s beeps with 0.5 s gaps, then 1.5 s off; ~3.1 kHz.
  smoke_alarm: (rng) => {
    const out = buf(3.0);
    const f = 3000 + rng.int(0, 200);
    for (let k = 0; k < 3; k++) {
      addTone(out, k, 0.5, f, 0.5, gate(0.5));
      addTone(out, k, 0.5, 3 * f > 7900 ? f * 1.5 : 3 * f, 0.15, gate(0.5));
    }
    return normalize(out, 0.6);
  },
  beeping_alarm: (rng) => {
    const out = buf(2.4);
    const f = 2000 + rng.int(0, 1200);
    for (let k = 0; k < 4; k++) for (let j = 0; j < 2; j++) addTone(out, k * 0.6 + j * 0.15, 0.1, f, 0.5, gate(0.1));
    return normalize(out, 0.6);
  },
  doorbell: (rng) => {
    const out = buf(2.2);
    const base = 640 + rng.int(-40, 40);
    for (const [at, f] of [[0, base], [0.6, base * 0.8]] as const) {
      for (const [h, a] of [[1, 0.6], [2.76, 0.2], [5.4, 0.08]] as const) addTone(out, at, 1.6, f * h, a, attackDecay(0.004, 0.45));
    }
    return normalize(out, 0.5);
  },
  door_knock: (rng, events) => {
    const drawn = rng.int(2, 3);
    const n = events ?? drawn;
    const out = buf(0.35 * n + 0.3);
    for (let k = 0; k < n; k++) {
      const at = 0.05 + k * 0.3 + rng.next() * 0.04;
      addNoise(out, rng, at, 0.08, 0.8, attackDecay(0.001, 0.012), 0.85);
      addTone(out, at, 0.12, 140 + rng.int(0, 40), 0.6, attackDecay(0.001, 0.03));
    }
    return normalize(out, 0.6);
  },
  cough: (rng, events) => {
    const drawn = rng.int(1, 2);
    const n = events ?? drawn;
    const out = buf(0.45 * n + 0.2);
    for (let k = 0; k < n; k++) {
      const at = 0.05 + k * 0.45;
      addNoise(out, rng, at, 0.35, 0.8, attackDecay(0.015, 0.09), 0.5, 0.97);
      // A voiced component: coughs carry some glottal buzz.
      addTone(out, at, 0.25, (t) => 260 - 120 * t, 0.25, attackDecay(0.01, 0.08));
    }
    return normalize(out, 0.5);
  },
  glass_break: (rng) => {
    const out = buf(1.6);
    addNoise(out, rng, 0, 0.3, 0.9, attackDecay(0.001, 0.05), 0, 0.9);
    for (let k = 0; k < 25; k++) addTone(out, rng.next() * 1.1, 0.4, 2500 + rng.next() * 5000, 0.15 + rng.next() * 0.2, attackDecay(0.001, 0.05 + rng.next() * 0.1));
    return normalize(out, 0.6);
  },
  dog_bark: (rng, events) => {
    const drawn = rng.int(2, 3);
    const n = events ?? drawn;
    const out = buf(0.45 * n + 0.2);
    for (let k = 0; k < n; k++) {
      const at = 0.05 + k * 0.45;
      const f0 = 420 + rng.int(-60, 80);
      for (let h = 1; h <= 6; h++) addTone(out, at, 0.18, (t) => f0 * h * (1 + 0.6 * t), 0.5 / h, attackDecay(0.01, 0.06));
      addNoise(out, rng, at, 0.18, 0.2, attackDecay(0.01, 0.05), 0.3);
    }
    return normalize(out, 0.55);
  },
  birds: (rng) => {
    const out = buf(3.0);
    for (let k = 0; k < 9; k++) {
      const at = rng.next() * 2.8;
      const f = 3200 + rng.next() * 2000;
      const up = rng.next() < 0.5 ? 1 : -1;
      addTone(out, at, 0.09, (t) => f + up * 9000 * t, 0.4, gate(0.09, 0.01));
    }
    return normalize(out, 0.25);
  },
  rain: (rng) => {
    const out = buf(3.5);
    addNoise(out, rng, 0, 3.5, 0.5, gate(3.5, 0.3), 0.6);
    for (let k = 0; k < 120; k++) addNoise(out, rng, rng.next() * 3.4, 0.01, 0.6, attackDecay(0.0005, 0.002), 0, 0.8);
    return normalize(out, 0.2);
  },
  wind: (rng) => {
    const out = buf(3.5);
    const mod = 0.5 + rng.next();
    addNoise(out, rng, 0, 3.5, 0.8, (t) => gate(3.5, 0.5)(t) * (0.6 + 0.4 * Math.sin(TAU * mod * t * 0.3)), 0.97);
    return normalize(out, 0.2);
  },
  music: (rng) => {
    const out = buf(4.0);
    // I-V-vi-IV in a random key, one chord per second, plucked eighth notes.
    const root = 220 * Math.pow(2, rng.int(0, 11) / 12);
    const prog = [[0, 4, 7], [7, 11, 14], [9, 12, 16], [5, 9, 12]];
    prog.forEach((chord, c) => {
      for (let e = 0; e < 4; e++) {
        const semis = chord[e % 3] + (e === 3 ? 12 : 0);
        const f = root * Math.pow(2, semis / 12);
        addTone(out, c + e * 0.25, 0.5, f, 0.3, attackDecay(0.005, 0.2));
        addTone(out, c + e * 0.25, 0.5, f * 2, 0.08, attackDecay(0.005, 0.12));
      }
      addTone(out, c, 1.0, root / 2 * Math.pow(2, chord[0] / 12), 0.3, attackDecay(0.01, 0.5));
    });
    return normalize(out, 0.4);
  },
};

export const SYNTH_CLASSES = Object.keys(SYNTH_SOUNDS);

/**
 * One clip of `cls`. `events` fixes how many separate events a clip of a repeating class (knocks, barks,
 * coughs) holds, e.g. 1 for counting scenes where every turn is one counted event; other recipes
 * (a doorbell's ding-dong is one ring) ignore it.
 */
export function synthSound(cls: string, seed: number, events?: number): Float32Array {
  const f = SYNTH_SOUNDS[cls];
  if (!f) throw new RangeError(`no synthetic recipe for sound class "${cls}" (have: ${SYNTH_CLASSES.join(', ')})`);
  return f(createRng(seed), events);
}

/** Ambience beds for the builder's noise library: quiet, long, stationary-ish. */
export const AMBIENCE: Record<string, (rng: Rng) => Float32Array> = {
  room: (rng) => {
    const out = buf(8);
    addNoise(out, rng, 0, 8, 1, () => 1, 0.9);
    addTone(out, 0, 8, 50, 0.15, () => 1);
    return normalize(out, 0.01);
  },
  kitchen: (rng) => {
    const out = buf(8);
    addNoise(out, rng, 0, 8, 1, () => 1, 0.7);
    addTone(out, 0, 8, 100, 0.3, () => 1); // fridge hum
    return normalize(out, 0.015);
  },
  street: (rng) => {
    const out = buf(8);
    addNoise(out, rng, 0, 8, 1, (t) => 0.6 + 0.4 * Math.sin(TAU * 0.15 * t), 0.95);
    return normalize(out, 0.03);
  },
  office: (rng) => {
    const out = buf(8);
    addNoise(out, rng, 0, 8, 1, () => 1, 0.5, 0.95); // air conditioning hiss
    return normalize(out, 0.008);
  },
  night: (rng) => {
    const out = buf(8);
    addNoise(out, rng, 0, 8, 1, () => 1, 0.98);
    return normalize(out, 0.003);
  },
};
