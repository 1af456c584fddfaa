// Training examples for the sound-event model, generated on the fly from the corpus: a random 0.4 s
// window (plus left context) of a file of a chosen class, with random speed (pitch+tempo), gain, small
// reverb, background ambience at a random SNR, occasional second event, clipping and DC offset.
// Classes are sampled uniformly (balancing); short impulsive files are scattered 1–3 times per window.
import { join } from 'node:path';
import { logMelOfSignal } from '../../perception/features.ts';
import { CONTEXT_FRAMES, INPUT_FRAMES, N_MELS } from '../../perception/sounds/model.ts';
import { IMPULSIVE_CLASSES } from '../../perception/sounds/classes.ts';
import { readWav } from '../corpus/convert.ts';
import type { CorpusEntry, Split } from '../corpus/manifest.ts';
import { gauss, pick, randInt, uniform, type Random } from '../../util/rng.ts';
import { SAMPLE_RATE } from '../../audio/chunk.ts';
import { spawnSync } from 'node:child_process';

/** 'base': speed, reverb, gain, ambience, mixing. 'strong': adds sox pitch/tempo variants, random EQ
 * and band limits, recorded backgrounds of other classes, more mixing. 'source': strong, plus recordings
 * drawn by source package first (a package with 24 files of a class no longer outweighs one with 2) and
 * time/frequency masks on the log-mel (aimed at packages never trained on). */
export type AugmentRecipe = 'base' | 'strong' | 'source';

export const AUGMENT_RECIPES: readonly AugmentRecipe[] = ['base', 'strong', 'source'];

/** A clip of the class: uniformly over files, or over source packages first (`bySource`). */
export function pickClip(rng: Random, clips: Clip[], bySource: boolean): Clip {
  if (!bySource) return pick(rng, clips);
  const pkgs = [...new Set(clips.map((c) => c.entry.package))];
  const pkg = pick(rng, pkgs);
  return pick(rng, clips.filter((c) => c.entry.package === pkg));
}

export const HOP = 160;
export const WINDOW_SAMPLES = INPUT_FRAMES * HOP; // 8320 = 0.52 s (0.12 s context + 0.4 s chunk)
export const CHUNK_START = CONTEXT_FRAMES * HOP;
const MAX_LOAD_SECONDS = 30;

export interface Clip {
  entry: CorpusEntry;
  x: Float32Array;
  /** RMS (dB) of the loudest 50 ms frames: the level of the file's events. */
  activeDb: number;
}

export interface ExampleSet {
  /** N × INPUT_FRAMES × N_MELS log-mel. */
  x: Float32Array;
  /** N × C multi-hot targets. */
  y: Float32Array;
  n: number;
  /** Main class index of each example. */
  label: Int32Array;
}

export function rmsDb(x: Float32Array, from = 0, to = x.length): number {
  let s = 0;
  for (let i = from; i < to; i++) s += x[i] * x[i];
  return 10 * Math.log10(s / Math.max(1, to - from) + 1e-12);
}

function activeLevel(x: Float32Array): number {
  const f = 800;
  const lv: number[] = [];
  for (let i = 0; i + f <= x.length; i += f) lv.push(rmsDb(x, i, i + f));
  if (!lv.length) return rmsDb(x);
  lv.sort((a, b) => b - a);
  return lv[Math.min(lv.length - 1, Math.floor(lv.length * 0.1))];
}

/** Loads the WAVs of one split, grouped by class (long files capped at 30 s to bound memory). */
export function loadClips(corpusDir: string, entries: CorpusEntry[], split: Split): Map<string, Clip[]> {
  const out = new Map<string, Clip[]>();
  for (const e of entries) {
    if (e.split !== split) continue;
    let x = readWav(join(corpusDir, e.file));
    if (x.length > MAX_LOAD_SECONDS * SAMPLE_RATE) x = x.slice(0, MAX_LOAD_SECONDS * SAMPLE_RATE);
    const list = out.get(e.cls) ?? [];
    list.push({ entry: e, x, activeDb: activeLevel(x) });
    out.set(e.cls, list);
  }
  return out;
}

/** Linear-interpolation resampling by `rate` (>1 = faster and higher). */
function resample(x: Float32Array, rate: number): Float32Array {
  const n = Math.floor(x.length / rate);
  const y = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const p = i * rate;
    const j = Math.floor(p);
    const f = p - j;
    y[i] = x[j] * (1 - f) + (j + 1 < x.length ? x[j + 1] : 0) * f;
  }
  return y;
}

/** A cheap room: a few feedback comb filters (Schroeder), mixed in at `wet`. */
function reverb(x: Float32Array, rng: Random, wet: number): void {
  const delays = [1116, 1188, 1277, 1356].map((d) => Math.round(d * uniform(rng, 0.5, 1.1) * 16 / 44.1));
  const g = uniform(rng, 0.6, 0.82);
  const y = new Float32Array(x.length);
  for (const d of delays) {
    const buf = new Float32Array(d);
    let k = 0;
    for (let i = 0; i < x.length; i++) {
      const out = buf[k];
      buf[k] = x[i] + g * out;
      y[i] += out / delays.length;
      k = (k + 1) % d;
    }
  }
  for (let i = 0; i < x.length; i++) x[i] += wet * y[i];
}

/**
 * One foreground window of `cls`, WINDOW_SAMPLES long; null when the chosen file has no active
 * window (caller retries). The current-chunk part is guaranteed to contain the event.
 */
function foreground(clips: Clip[], rng: Random, impulsive: boolean, bySource = false): Float32Array | null {
  const clip = pickClip(rng, clips, bySource);
  const speed = rng() < 0.5 ? uniform(rng, 0.85, 1.18) : 1;
  const src = speed === 1 ? clip.x : resample(clip.x, speed);
  const w = new Float32Array(WINDOW_SAMPLES);
  const chunkLen = WINDOW_SAMPLES - CHUNK_START;
  if (src.length < chunkLen * 0.8 || (impulsive && src.length < SAMPLE_RATE && rng() < 0.7)) {
    // Short sound: place it (and maybe more of its class) inside the chunk.
    const copies = impulsive ? randInt(rng, 1, 3) : 1;
    for (let c = 0; c < copies; c++) {
      const s = c === 0 ? src : pickClip(rng, clips, bySource).x;
      const at = CHUNK_START + randInt(rng, -Math.min(s.length >> 1, CHUNK_START), Math.max(0, chunkLen - (s.length >> 2)));
      const g = c === 0 ? 1 : uniform(rng, 0.4, 1);
      for (let i = 0; i < s.length; i++) if (at + i >= 0 && at + i < w.length) w[at + i] += g * s[i];
    }
    return w;
  }
  for (let tries = 0; tries < 6; tries++) {
    const off = randInt(rng, -CHUNK_START, Math.max(-CHUNK_START, src.length - WINDOW_SAMPLES));
    w.fill(0);
    for (let i = 0; i < WINDOW_SAMPLES; i++) {
      const j = off + i;
      if (j >= 0 && j < src.length) w[i] = src[j];
    }
    if (rmsDb(w, CHUNK_START) > clip.activeDb - 18) return w;
  }
  return null;
}

function backgroundWindow(bg: Clip[], rng: Random, synthetic = 0.3): Float32Array {
  const w = new Float32Array(WINDOW_SAMPLES);
  if (rng() < synthetic || !bg.length) {
    // Synthetic noise floor: white or brown.
    const brown = rng() < 0.5;
    let y = 0;
    for (let i = 0; i < w.length; i++) {
      const g = gauss(rng);
      y = 0.99 * y + 0.1 * g;
      w[i] = brown ? y : g;
    }
    return w;
  }
  const c = pick(rng, bg);
  const off = randInt(rng, 0, Math.max(0, c.x.length - WINDOW_SAMPLES));
  for (let i = 0; i < WINDOW_SAMPLES && off + i < c.x.length; i++) w[i] = c.x[off + i];
  return w;
}

function addScaled(dst: Float32Array, src: Float32Array, refDb: number, snrDb: number, from = CHUNK_START): void {
  const sDb = rmsDb(src, from);
  if (sDb < -100) return;
  const g = Math.pow(10, (refDb - snrDb - sDb) / 20);
  for (let i = 0; i < dst.length; i++) dst[i] += g * src[i];
}

export interface GenOptions {
  classes: string[];
  clips: Map<string, Clip[]>;
  rng: Random;
  /** Full augmentation for training; val/test use milder, fixed-seed settings. */
  augment: boolean;
  /** The 'strong' recipe's extra augmentation (random EQ, other-class backgrounds, more mixing). */
  strong?: boolean;
  /** Draw a class's recordings by source package first ('source' recipe). */
  bySource?: boolean;
  /** Time and frequency masks on the log-mel of each example ('source' recipe). */
  specMask?: boolean;
}

/** Classes whose recordings make plausible unlabelled backgrounds under another class's event. */
const BACKGROUND_CLASSES = ['rain', 'wind', 'water', 'traffic', 'birds', 'music', 'speech', 'typing', 'applause', 'ambient'];

/** RBJ biquad applied in place (direct form I). */
function biquad(x: Float32Array, b0: number, b1: number, b2: number, a0: number, a1: number, a2: number): void {
  let x1 = 0, x2 = 0, y1 = 0, y2 = 0;
  for (let i = 0; i < x.length; i++) {
    const y = (b0 * x[i] + b1 * x1 + b2 * x2 - a1 * y1 - a2 * y2) / a0;
    x2 = x1; x1 = x[i]; y2 = y1; y1 = y;
    x[i] = y;
  }
}

function peaking(x: Float32Array, f: number, gainDb: number, q: number): void {
  const A = Math.pow(10, gainDb / 40);
  const w = (2 * Math.PI * f) / SAMPLE_RATE;
  const al = Math.sin(w) / (2 * q);
  biquad(x, 1 + al * A, -2 * Math.cos(w), 1 - al * A, 1 + al / A, -2 * Math.cos(w), 1 - al / A);
}

function pass(x: Float32Array, f: number, high: boolean): void {
  const w = (2 * Math.PI * f) / SAMPLE_RATE;
  const al = Math.sin(w) / (2 * Math.SQRT1_2);
  const c = Math.cos(w);
  if (high) biquad(x, (1 + c) / 2, -(1 + c), (1 + c) / 2, 1 + al, -2 * c, 1 - al);
  else biquad(x, (1 - c) / 2, 1 - c, (1 - c) / 2, 1 + al, -2 * c, 1 - al);
}

/** A different microphone, speaker or source rate: random peaks/dips and band limits. */
function randomEq(w: Float32Array, rng: Random): void {
  const bands = randInt(rng, 0, 2);
  for (let k = 0; k < bands; k++) peaking(w, Math.exp(uniform(rng, Math.log(150), Math.log(6000))), uniform(rng, -10, 10), uniform(rng, 0.7, 2.5));
  if (rng() < 0.3) pass(w, uniform(rng, 80, 500), true);
  // 8 kHz / 11 kHz / 16 kHz-ish sources and small loudspeakers.
  if (rng() < 0.3) pass(w, pick(rng, [3400, 3800, 5000, 5500, 7000]), false);
}

/** Runs sox on float samples in memory; null when sox fails. */
function soxEffect(x: Float32Array, effect: string[]): Float32Array | null {
  const fmt = ['-t', 'raw', '-r', String(SAMPLE_RATE), '-e', 'floating-point', '-b', '32', '-c', '1'];
  const r = spawnSync('sox', [...fmt, '-', ...fmt, '-', ...effect], { input: Buffer.from(x.buffer, x.byteOffset, x.byteLength), maxBuffer: 1 << 28 });
  if (r.status !== 0 || !r.stdout?.length) return null;
  const b = r.stdout as Buffer;
  return new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + (b.length & ~3)));
}

/**
 * Adds one sox-processed variant per clip (ambience excepted): a ±1–3 semitone pitch shift at constant
 * tempo, or a 0.8–1.25× tempo change at constant pitch. Long files are cut to 12 s first.
 */
export function withVariants(clips: Map<string, Clip[]>, rng: Random, log: (s: string) => void): Map<string, Clip[]> {
  const out = new Map<string, Clip[]>();
  let made = 0;
  for (const [cls, list] of clips) {
    const all = [...list];
    if (cls !== 'ambient') {
      for (const c of list) {
        const x = c.x.length > 12 * SAMPLE_RATE ? c.x.subarray(0, 12 * SAMPLE_RATE) : c.x;
        const effect = rng() < 0.5
          ? ['pitch', String(Math.round((rng() < 0.5 ? -1 : 1) * uniform(rng, 100, 300)))]
          : ['tempo', uniform(rng, 0.8, 1.25).toFixed(3)];
        const y = soxEffect(x, effect);
        if (y && y.length > 400) {
          all.push({ entry: c.entry, x: y, activeDb: activeLevel(y) });
          made++;
        }
      }
    }
    out.set(cls, all);
  }
  log(`sox variants: ${made} clips`);
  return out;
}

/** Renders one labelled window; returns the audio and the multi-hot target. */
export function makeExample(opts: GenOptions, clsIndex: number): { audio: Float32Array; target: Float32Array } | null {
  const { classes, clips, rng, augment } = opts;
  const cls = classes[clsIndex];
  const own = clips.get(cls);
  if (!own?.length) return null;
  const target = new Float32Array(classes.length);
  target[clsIndex] = 1;
  const ambientIdx = classes.indexOf('ambient');
  const bg = clips.get('ambient') ?? [];
  let w: Float32Array | null = null;
  if (cls === 'ambient') w = backgroundWindow(own, rng);
  else for (let t = 0; t < 4 && !w; t++) w = foreground(own, rng, IMPULSIVE_CLASSES.has(cls), opts.bySource);
  if (!w) return null;
  if (augment && cls !== 'ambient' && rng() < 0.25) reverb(w, rng, uniform(rng, 0.1, 0.5));
  if (opts.strong && rng() < 0.6) randomEq(w, rng);
  // Event level: -45..-6 dBFS.
  const levelDb = uniform(rng, augment ? -45 : -35, augment ? -6 : -12);
  const cur = rmsDb(w, CHUNK_START);
  if (cur < -100) return null;
  const g = Math.pow(10, (levelDb - cur) / 20);
  for (let i = 0; i < w.length; i++) w[i] *= g;
  if (cls !== 'ambient') {
    if (rng() < (augment ? 0.85 : 1)) addScaled(w, backgroundWindow(bg, rng), levelDb, uniform(rng, augment ? 3 : 10, 30));
    if (opts.strong && rng() < 0.4) {
      // A recording of another (background-like) class under the event, unlabelled: from other packages.
      const others = BACKGROUND_CLASSES.filter((c) => c !== cls && c !== 'ambient' && clips.get(c)?.length);
      if (others.length) addScaled(w, backgroundWindow(clips.get(pick(rng, others))!, rng, 0), levelDb, uniform(rng, 10, 30));
    }
    // A second, quieter event of another class: teaches that classes co-occur (multi-label).
    if (augment && rng() < (opts.strong ? 0.2 : 0.12)) {
      const j = randInt(rng, 0, classes.length - 1);
      const other = j !== clsIndex && j !== ambientIdx ? clips.get(classes[j]) : undefined;
      const ow = other?.length ? foreground(other, rng, IMPULSIVE_CLASSES.has(classes[j]), opts.bySource) : null;
      if (ow) {
        addScaled(w, ow, levelDb, uniform(rng, 0, 6));
        target[j] = 1;
      }
    }
  } else if (augment) {
    // Ambient robustness: quiet to moderately loud floors, hum, DC offset.
    const amb = uniform(rng, -80, -25);
    const c = rmsDb(w, CHUNK_START);
    const ga = c > -120 ? Math.pow(10, (amb - c) / 20) : 0;
    for (let i = 0; i < w.length; i++) w[i] *= ga;
    if (rng() < 0.2) {
      const f = rng() < 0.5 ? 50 : 60;
      const a = Math.pow(10, uniform(rng, -50, -15) / 20);
      const ph = rng() * 6.28;
      for (let i = 0; i < w.length; i++) w[i] += a * Math.sin(ph + (2 * Math.PI * f * i) / SAMPLE_RATE);
    }
  }
  if (augment && rng() < 0.08) {
    const dc = uniform(rng, -0.3, 0.3);
    for (let i = 0; i < w.length; i++) w[i] += dc;
  }
  if (augment && rng() < 0.05) {
    // Hard clipping of an over-driven input.
    const drive = uniform(rng, 3, 30);
    for (let i = 0; i < w.length; i++) w[i] = Math.max(-1, Math.min(1, w[i] * drive));
  }
  for (let i = 0; i < w.length; i++) w[i] = Math.max(-1, Math.min(1, w[i]));
  return { audio: w, target };
}

/** Log-mel of a rendered window: INPUT_FRAMES × N_MELS. */
export function windowFeatures(w: Float32Array): Float32Array {
  const { data } = logMelOfSignal(w);
  return data.subarray(0, INPUT_FRAMES * N_MELS);
}

/**
 * SpecAugment-style masks in place on INPUT_FRAMES × N_MELS log-mel: 1–2 bands of 2–8 mel bins and,
 * half the time, 2–6 frames of the chunk, set to the window's mean (a missing band or a dropout of the
 * microphone, not silence).
 */
export function maskFeatures(f: Float32Array, rng: Random): void {
  let mean = 0;
  for (const v of f) mean += v;
  mean /= f.length;
  const bands = randInt(rng, 1, 2);
  for (let k = 0; k < bands; k++) {
    const wdt = randInt(rng, 2, 8);
    const m0 = randInt(rng, 0, N_MELS - wdt);
    for (let t = 0; t < INPUT_FRAMES; t++) for (let m = m0; m < m0 + wdt; m++) f[t * N_MELS + m] = mean;
  }
  if (rng() < 0.5) {
    const wdt = randInt(rng, 2, 6);
    const t0 = randInt(rng, CONTEXT_FRAMES, INPUT_FRAMES - wdt);
    for (let t = t0; t < t0 + wdt; t++) for (let m = 0; m < N_MELS; m++) f[t * N_MELS + m] = mean;
  }
}

/** `n` examples, classes drawn uniformly (balanced). */
export function makeExampleSet(opts: GenOptions, n: number, onProgress?: (i: number) => void): ExampleSet {
  const C = opts.classes.length;
  const x = new Float32Array(n * INPUT_FRAMES * N_MELS);
  const y = new Float32Array(n * C);
  const label = new Int32Array(n);
  const available = opts.classes.map((c, i) => (opts.clips.get(c)?.length ? i : -1)).filter((i) => i >= 0);
  let k = 0;
  while (k < n) {
    const ci = available[Math.floor(opts.rng() * available.length)];
    const ex = makeExample(opts, ci);
    if (!ex) continue;
    const f = windowFeatures(ex.audio);
    if (opts.specMask) maskFeatures(f, opts.rng);
    x.set(f, k * INPUT_FRAMES * N_MELS);
    y.set(ex.target, k * C);
    label[k] = ci;
    k++;
    if (onProgress && k % 500 === 0) onProgress(k);
  }
  return { x, y, n, label };
}
