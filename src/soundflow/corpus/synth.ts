// Sounds Debian has no recording of, synthesised from their published patterns with randomised
// parameters: smoke alarm (ANSI/ISO 8201 temporal-three at ~3 kHz), appliance/microwave beeps, kettle
// whistle, sirens, telephone rings, doorbell chimes, knocks on wood; plus quiet room tone and mains hum
// for the ambient class. Everything is 16 kHz mono; each generator takes its own seeded RNG.
import { gauss, randInt, uniform, pick, type Random } from '../../util/rng.ts';
import type { SoundClass } from '../../perception/sounds/classes.ts';
import { SAMPLE_RATE } from '../../audio/chunk.ts';


function buf(seconds: number): Float32Array {
  return new Float32Array(Math.round(seconds * SAMPLE_RATE));
}

/** Adds a tone burst [t0, t0+dur) with partials (freq multiple, gain), 5 ms ramps, optional vibrato. */
function addTone(x: Float32Array, t0: number, dur: number, f0: number, amp: number, partials: [number, number][] = [[1, 1]], vib = 0, vibHz = 0): void {
  const s0 = Math.round(t0 * SAMPLE_RATE);
  const n = Math.round(dur * SAMPLE_RATE);
  const ramp = Math.round(0.005 * SAMPLE_RATE);
  let phase = 0;
  for (let i = 0; i < n && s0 + i < x.length; i++) {
    const t = i / SAMPLE_RATE;
    const f = f0 * (1 + vib * Math.sin(2 * Math.PI * vibHz * t));
    phase += (2 * Math.PI * f) / SAMPLE_RATE;
    let v = 0;
    for (const [m, g] of partials) if (f * m < SAMPLE_RATE / 2 - 200) v += g * Math.sin(m * phase);
    const env = Math.min(1, i / ramp, (n - i) / ramp);
    if (s0 + i >= 0) x[s0 + i] += amp * env * v;
  }
}

/** Second-order resonator (two-pole band-pass) applied to an excitation, summed into x at `at`. */
function addResonance(x: Float32Array, at: number, exc: Float32Array, f: number, q: number, gain: number): void {
  const w = (2 * Math.PI * f) / SAMPLE_RATE;
  const r = Math.exp(-w / (2 * q));
  const a1 = -2 * r * Math.cos(w);
  const a2 = r * r;
  let y1 = 0;
  let y2 = 0;
  const n = Math.min(x.length - at, Math.round(0.4 * SAMPLE_RATE));
  for (let i = 0; i < n; i++) {
    const e = i < exc.length ? exc[i] : 0;
    const y = (1 - r) * e - a1 * y1 - a2 * y2;
    y2 = y1;
    y1 = y;
    x[at + i] += gain * y;
  }
}

function normalise(x: Float32Array, peak: number): Float32Array {
  let m = 0;
  for (const v of x) m = Math.max(m, Math.abs(v));
  if (m > 0) for (let i = 0; i < x.length; i++) x[i] *= peak / m;
  return x;
}

function addNoise(x: Float32Array, rng: Random, rms: number): void {
  for (let i = 0; i < x.length; i++) x[i] += rms * gauss(rng);
}

/** Pink-ish noise (Paul Kellet's economy filter) at the given rms. */
function pinkNoise(n: number, rng: Random, rms: number): Float32Array {
  const x = new Float32Array(n);
  let b0 = 0, b1 = 0, b2 = 0;
  for (let i = 0; i < n; i++) {
    const w = gauss(rng);
    b0 = 0.99765 * b0 + w * 0.099046;
    b1 = 0.963 * b1 + w * 0.2965164;
    b2 = 0.57 * b2 + w * 1.0526913;
    x[i] = (b0 + b1 + b2 + w * 0.1848) * 0.11;
  }
  return scaleRms(x, rms);
}

function brownNoise(n: number, rng: Random, rms: number): Float32Array {
  const x = new Float32Array(n);
  let y = 0;
  for (let i = 0; i < n; i++) {
    y = 0.995 * y + 0.05 * gauss(rng);
    x[i] = y;
  }
  return scaleRms(x, rms);
}

function scaleRms(x: Float32Array, rms: number): Float32Array {
  let s = 0;
  for (const v of x) s += v * v;
  const g = s > 0 ? rms / Math.sqrt(s / x.length) : 0;
  for (let i = 0; i < x.length; i++) x[i] *= g;
  return x;
}

/** Smoke alarm, ANSI T3: three 0.5 s beeps with 0.5 s gaps, then 1.5 s pause; 1–2 cycles at 2.8–3.5 kHz. */
export function smokeAlarm(rng: Random): Float32Array {
  const lead = uniform(rng, 0, 0.8);
  const cycles = randInt(rng, 1, 2);
  const x = buf(lead + cycles * 4 + 0.3);
  const f0 = uniform(rng, 2800, 3500);
  const on = uniform(rng, 0.45, 0.55);
  const off = uniform(rng, 0.45, 0.55);
  const partials: [number, number][] = [[1, 1], [2, uniform(rng, 0, 0.3)]];
  const amp = uniform(rng, 0.3, 0.8);
  const wobble = uniform(rng, 0, 0.01);
  for (let c = 0; c < cycles; c++) {
    for (let b = 0; b < 3; b++) addTone(x, lead + c * (3 * (on + off) + 1.5 - off) + b * (on + off), on, f0, amp, partials, wobble, uniform(rng, 5, 12));
  }
  addNoise(x, rng, 0.002);
  return x;
}

/** Appliance beeps (microwave done, timer): 3–5 short beeps at 1.5–4 kHz. */
export function applianceBeeps(rng: Random): Float32Array {
  const n = randInt(rng, 3, 5);
  const dur = uniform(rng, 0.12, 0.5);
  const gap = uniform(rng, 0.12, 0.45);
  const lead = uniform(rng, 0, 0.5);
  const x = buf(lead + n * (dur + gap) + 0.3);
  const f0 = uniform(rng, 1500, 4000);
  const square = rng() < 0.5;
  const partials: [number, number][] = square ? [[1, 1], [3, 0.33], [5, 0.2]] : [[1, 1]];
  for (let i = 0; i < n; i++) addTone(x, lead + i * (dur + gap), dur, f0, uniform(rng, 0.3, 0.6), partials);
  addNoise(x, rng, 0.002);
  return x;
}

/** Kettle whistle: breathy tone gliding up to a steady 1.8–3 kHz, with vibrato and boiling rumble. */
export function kettleWhistle(rng: Random): Float32Array {
  const seconds = uniform(rng, 3, 6);
  const x = buf(seconds);
  const fStart = uniform(rng, 900, 1500);
  const fEnd = uniform(rng, 1800, 3000);
  const glide = uniform(rng, 0.5, 2.5);
  const vib = uniform(rng, 0.004, 0.02);
  const vibHz = uniform(rng, 4, 9);
  let phase = 0;
  let lp = 0;
  const breath = uniform(rng, 0.1, 0.4);
  for (let i = 0; i < x.length; i++) {
    const t = i / SAMPLE_RATE;
    const g = Math.min(1, t / glide);
    const f = (fStart + (fEnd - fStart) * g) * (1 + vib * Math.sin(2 * Math.PI * vibHz * t));
    phase += (2 * Math.PI * f) / SAMPLE_RATE;
    const amp = 0.4 * Math.min(1, t / 0.3) * (0.8 + 0.2 * g);
    x[i] = amp * (Math.sin(phase) + 0.15 * Math.sin(2 * phase)) * (1 + breath * gauss(rng) * 0.3);
    lp = 0.98 * lp + 0.02 * gauss(rng);
    x[i] += 0.05 * lp;
  }
  return x;
}

/** Emergency siren: wail (slow 3–6 s sweep) or yelp (fast 0.2–0.4 s sweep) between ~600 and 1500 Hz. */
export function siren(rng: Random): Float32Array {
  const seconds = uniform(rng, 4, 7);
  const x = buf(seconds);
  const yelp = rng() < 0.4;
  const period = yelp ? uniform(rng, 0.18, 0.4) : uniform(rng, 2.5, 6);
  const lo = uniform(rng, 550, 800);
  const hi = uniform(rng, 1200, 1700);
  let phase = 0;
  for (let i = 0; i < x.length; i++) {
    const t = i / SAMPLE_RATE;
    const u = 0.5 - 0.5 * Math.cos((2 * Math.PI * t) / period);
    const f = lo + (hi - lo) * u;
    phase += (2 * Math.PI * f) / SAMPLE_RATE;
    x[i] = 0.4 * Math.min(1, t / 0.2) * (Math.sin(phase) + 0.4 * Math.sin(2 * phase) + 0.2 * Math.sin(3 * phase));
  }
  addNoise(x, rng, 0.003);
  return x;
}

/** Telephone ring: dual-tone cadences (US 440+480 Hz, UK 400+450 Hz double ring) or an electromechanical bell. */
export function phoneRing(rng: Random): Float32Array {
  const kind = pick(rng, ['us', 'uk', 'bell'] as const);
  const lead = uniform(rng, 0, 0.5);
  const x = buf(lead + 5);
  if (kind === 'us' || kind === 'uk') {
    const [fa, fb] = kind === 'us' ? [440, 480] : [400, 450];
    const bursts = kind === 'us' ? [[0, 2]] : [[0, 0.4], [0.6, 0.4], [3, 0.4], [3.6, 0.4]];
    for (const [t, d] of bursts) {
      addTone(x, lead + t, d, fa, 0.25);
      addTone(x, lead + t, d, fb, 0.25);
    }
  } else {
    // A clapper striking two bells ~20 times a second: decaying inharmonic partials, retriggered.
    const f0 = uniform(rng, 900, 2200);
    const rate = uniform(rng, 16, 25);
    const ringFor = uniform(rng, 1.2, 2);
    for (let r = 0; r < 2; r++) {
      const start = lead + r * (ringFor + uniform(rng, 1.5, 2.5));
      for (let k = 0; k < ringFor * rate; k++) {
        const t0 = start + k / rate;
        const s0 = Math.round(t0 * SAMPLE_RATE);
        for (let i = 0; i < SAMPLE_RATE * 0.12 && s0 + i < x.length; i++) {
          const t = i / SAMPLE_RATE;
          const e = Math.exp(-t / 0.05) * 0.2;
          x[s0 + i] += e * (Math.sin(2 * Math.PI * f0 * t) + 0.5 * Math.sin(2 * Math.PI * f0 * 2.76 * t) * (f0 * 2.76 < 7800 ? 1 : 0));
        }
      }
    }
  }
  addNoise(x, rng, 0.002);
  return normalise(x, uniform(rng, 0.3, 0.8));
}

/** Ding-dong chime: two struck-bar tones a major third apart, exponentially decaying with bell partials. */
export function doorbell(rng: Random): Float32Array {
  const lead = uniform(rng, 0, 0.4);
  const x = buf(lead + 2.5);
  const f1 = uniform(rng, 500, 900);
  const ratio = pick(rng, [1.26, 1.19, 1.33, 1.5]);
  const tau = uniform(rng, 0.4, 1.0);
  const gap = uniform(rng, 0.4, 0.75);
  const strike = (t0: number, f: number): void => {
    const s0 = Math.round(t0 * SAMPLE_RATE);
    for (let i = 0; s0 + i < x.length; i++) {
      const t = i / SAMPLE_RATE;
      const e = Math.exp(-t / tau);
      if (e < 1e-3) break;
      x[s0 + i] += e * (Math.sin(2 * Math.PI * f * t) + 0.3 * Math.sin(2 * Math.PI * f * 2.0 * t) + 0.15 * Math.exp(-t / 0.1) * Math.sin(2 * Math.PI * f * 3.9 * t));
    }
  };
  strike(lead, f1 * ratio);
  strike(lead + gap, f1);
  addNoise(x, rng, 0.002);
  return normalise(x, uniform(rng, 0.3, 0.8));
}

/** Knuckles on a wooden door: 2–5 knocks, each a short noise burst through low and mid wood resonances. */
export function doorKnocks(rng: Random): Float32Array {
  const n = randInt(rng, 2, 5);
  const spacing = uniform(rng, 0.14, 0.4);
  const lead = uniform(rng, 0.05, 0.5);
  const x = buf(lead + n * spacing + 0.6);
  const modes: [number, number, number][] = [
    [uniform(rng, 90, 250), uniform(rng, 4, 10), 1],
    [uniform(rng, 300, 700), uniform(rng, 3, 8), uniform(rng, 0.3, 0.8)],
    [uniform(rng, 900, 2500), uniform(rng, 2, 5), uniform(rng, 0.1, 0.4)],
  ];
  for (let k = 0; k < n; k++) {
    const at = Math.round((lead + k * spacing + uniform(rng, -0.02, 0.02)) * SAMPLE_RATE);
    const exc = new Float32Array(Math.round(uniform(rng, 0.002, 0.006) * SAMPLE_RATE));
    for (let i = 0; i < exc.length; i++) exc[i] = gauss(rng) * (1 - i / exc.length);
    const level = uniform(rng, 0.6, 1);
    for (const [f, q, g] of modes) addResonance(x, at, exc, f * uniform(rng, 0.97, 1.03), q, g * level * 8);
  }
  addNoise(x, rng, 0.001);
  return normalise(x, uniform(rng, 0.3, 0.9));
}

/** Quiet rooms: pink/brown noise floors, mains hum with harmonics, near-digital silence. */
export function ambientRoom(rng: Random): Float32Array {
  const seconds = uniform(rng, 6, 12);
  const n = Math.round(seconds * SAMPLE_RATE);
  const kind = pick(rng, ['pink', 'brown', 'hum', 'silence'] as const);
  const db = (d: number) => Math.pow(10, d / 20);
  if (kind === 'pink') return pinkNoise(n, rng, db(uniform(rng, -65, -35)));
  if (kind === 'brown') return brownNoise(n, rng, db(uniform(rng, -60, -30)));
  if (kind === 'silence') return pinkNoise(n, rng, db(uniform(rng, -90, -70)));
  const x = pinkNoise(n, rng, db(uniform(rng, -70, -50)));
  const mains = rng() < 0.5 ? 50 : 60;
  const a = db(uniform(rng, -45, -20));
  const h2 = uniform(rng, 0.1, 0.6);
  const h3 = uniform(rng, 0.05, 0.4);
  for (let i = 0; i < n; i++) {
    const w = (2 * Math.PI * mains * i) / SAMPLE_RATE;
    x[i] += a * (Math.sin(w) + h2 * Math.sin(2 * w) + h3 * Math.sin(3 * w));
  }
  return x;
}

/**
 * Coughs: an explosive broadband burst, a noisy decaying phase shaped by vocal-tract formants, and
 * sometimes a short voiced tail; 1–3 per file. Debian has only two recorded coughs, so these teach the
 * class its shape rather than one speaker's timbre.
 */
export function coughs(rng: Random): Float32Array {
  const n = randInt(rng, 1, 3);
  const lead = uniform(rng, 0.05, 0.4);
  const spacing = uniform(rng, 0.35, 0.7);
  const x = buf(lead + n * spacing + 0.6);
  const formants: [number, number, number][] = [
    [uniform(rng, 450, 850), uniform(rng, 3, 6), 1],
    [uniform(rng, 1100, 1900), uniform(rng, 4, 8), uniform(rng, 0.5, 0.9)],
    [uniform(rng, 2300, 3200), uniform(rng, 4, 9), uniform(rng, 0.2, 0.5)],
  ];
  const f0 = uniform(rng, 90, 260);
  for (let k = 0; k < n; k++) {
    const at = Math.round((lead + k * spacing + uniform(rng, -0.03, 0.03)) * SAMPLE_RATE);
    const dur = uniform(rng, 0.18, 0.4);
    const len = Math.round(dur * SAMPLE_RATE);
    const exc = new Float32Array(len);
    const burst = uniform(rng, 0.02, 0.06);
    const voiced = rng() < 0.5 ? uniform(rng, 0.2, 0.6) : 0;
    let phase = 0;
    for (let i = 0; i < len; i++) {
      const t = i / SAMPLE_RATE;
      const env = t < 0.004 ? t / 0.004 : t < burst ? 1 : Math.exp(-(t - burst) / (dur * 0.35));
      phase += f0 / SAMPLE_RATE;
      const pulse = voiced && t > dur * 0.4 ? voiced * (phase % 1 < 0.1 ? 1 : -0.1) : 0;
      exc[i] = env * (gauss(rng) + pulse);
    }
    const level = uniform(rng, 0.6, 1);
    for (const [f, q, g] of formants) addResonance(x, at, exc, f * uniform(rng, 0.95, 1.05), q, g * level * 4);
    // A little unfiltered air in the burst.
    for (let i = 0; i < Math.round(burst * SAMPLE_RATE) && at + i < x.length; i++) x[at + i] += 0.15 * level * gauss(rng);
  }
  addNoise(x, rng, 0.001);
  return normalise(x, uniform(rng, 0.3, 0.9));
}

export interface SynthRecipe {
  kind: string;
  cls: SoundClass;
  count: number;
  make: (rng: Random) => Float32Array;
}

export const SYNTH_RECIPES: SynthRecipe[] = [
  { kind: 'smoke_alarm_t3', cls: 'smoke_alarm', count: 30, make: smokeAlarm },
  { kind: 'appliance_beeps', cls: 'beeping_alarm', count: 16, make: applianceBeeps },
  { kind: 'kettle_whistle', cls: 'kettle_whistle', count: 20, make: kettleWhistle },
  { kind: 'siren', cls: 'siren', count: 10, make: siren },
  { kind: 'phone_ring', cls: 'phone_ring', count: 12, make: phoneRing },
  { kind: 'doorbell_chime', cls: 'doorbell', count: 12, make: doorbell },
  { kind: 'door_knocks', cls: 'door_knock', count: 24, make: doorKnocks },
  { kind: 'room_tone', cls: 'ambient', count: 24, make: ambientRoom },
  { kind: 'coughs', cls: 'cough', count: 20, make: coughs },
];

/** Sentences and voices for TTS speech (espeak-ng): the `speech` class is not only one recorded voice. */
export const TTS_SENTENCES = [
  'Could you pass me the salt, please?',
  'I think the meeting starts at half past three.',
  'The weather is supposed to be nice this weekend.',
  'Did you remember to water the plants?',
  'We should leave a little earlier tomorrow.',
  'My brother is coming to visit next month.',
  'Please turn the lights off when you go out.',
  'That was the best soup I have had in years.',
  'Where did I put my keys this time?',
  'Let me know when you are ready to go.',
  'Ich habe heute keine Zeit, vielleicht morgen.',
  'Il fait très beau aujourd\'hui, allons au parc.',
  'Mañana vamos a visitar a mis abuelos.',
  'Questa sera andiamo al cinema con gli amici.',
];
export const TTS_VOICES = ['en-us', 'en-gb', 'en+f3', 'en+m3', 'en-us+f4', 'en+m7', 'en-gb-x-rp', 'en+klatt', 'de', 'fr', 'es', 'it'];
