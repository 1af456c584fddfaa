// Alarm benchmark (not run by tests): the standards-based detector on the full matrix of the issue
// (T3/T4 × sine/square/pulse × frequencies × levels × clean / 10 dB noise / under speech / under music),
// then ≥ 1 h of speech, music, ambience and appliance beeps through the whole sound path (model +
// detector + reply policy) counting false urgent alerts, and the detector's cost per chunk.
// Run: npm run bench -- alarms   (music/ambience come from the corpus: node bin/soundflow.js corpus build)
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { AlarmDetector } from '../src/perception/sounds/alarm.ts';
import { APPLIANCE_PATTERNS, patternSignal, T3_CYCLE, T4_CYCLE, type Wave } from '../src/soundflow/corpus/alarm-patterns.ts';
import { SoundClassifier } from '../src/perception/sounds/classifier.ts';
import { LogMel } from '../src/perception/features.ts';
import { SoundWatcher } from '../src/decision/sound-watcher.ts';
import { TaskManager } from '../src/decision/task-manager.ts';
import type { Percept } from '../src/perception/types.ts';
import { DEFAULT_CORPUS_DIR } from '../src/soundflow/corpus/build.ts';
import { readManifest } from '../src/soundflow/corpus/manifest.ts';
import { readWav } from '../src/soundflow/corpus/convert.ts';
import { makeRng, uniform } from '../src/util/rng.ts';
import { DEFAULT_MUSIC_DIR, loadSong, readSongs } from '../src/soundflow/music/corpus.ts';

const SR = 16000;
const CHUNK = 6400;
const rms = (x: Float32Array) => Math.sqrt(x.reduce((s, v) => s + v * v, 0) / Math.max(1, x.length)) || 1e-9;

function espeak(text: string, voice: string): Float32Array {
  const raw = execFileSync('sh', ['-c', `espeak-ng --stdout -v ${voice} -s 165 "$0" | sox -q -t wav - -t raw -r 16000 -c 1 -b 16 -e signed-integer -L -`, text], { maxBuffer: 1 << 28 });
  const i16 = new Int16Array(raw.buffer, raw.byteOffset, raw.byteLength >> 1);
  return Float32Array.from(i16, (v) => v / 32768);
}

function whiteNoise(n: number, rng: () => number): Float32Array {
  const x = new Float32Array(n);
  for (let i = 0; i < n; i++) x[i] = rng() * 2 - 1;
  return x;
}

function pinkNoise(n: number, rng: () => number): Float32Array {
  const x = new Float32Array(n);
  let b0 = 0, b1 = 0, b2 = 0;
  for (let i = 0; i < n; i++) {
    const w = rng() * 2 - 1;
    b0 = 0.99765 * b0 + w * 0.099046;
    b1 = 0.963 * b1 + w * 0.2965164;
    b2 = 0.57 * b2 + w * 1.0526913;
    x[i] = b0 + b1 + b2 + w * 0.1848;
  }
  return x;
}

/** `bed` looped/cut to x's length and scaled so that x's on-phase RMS is `snrDb` above it; hard clip at ±1. */
function mixUnder(x: Float32Array, bed: Float32Array, snrDb: number, toneRms: number, offset = 0): Float32Array {
  const out = new Float32Array(x.length);
  const seg = new Float32Array(x.length);
  for (let i = 0; i < x.length; i++) seg[i] = bed[(offset + i) % bed.length];
  const g = toneRms / Math.pow(10, snrDb / 20) / rms(seg);
  for (let i = 0; i < x.length; i++) out[i] = Math.max(-1, Math.min(1, x[i] + g * seg[i]));
  return out;
}

function clip(x: Float32Array): Float32Array {
  return x.map((v) => Math.max(-1, Math.min(1, v)));
}

function detect(x: Float32Array): { pattern: string; replyT: number }[] {
  const d = new AlarmDetector();
  const out: { pattern: string; replyT: number }[] = [];
  for (let i = 0; i < x.length; i += CHUNK) {
    const c = new Float32Array(CHUNK);
    c.set(x.subarray(i, i + CHUNK));
    const tEnd = (i + CHUNK) / SR;
    for (const a of d.process(c, tEnd)) out.push({ pattern: a.pattern, replyT: tEnd });
  }
  return out;
}

// Sources for "under speech / music" and for the false-alert hour.
const rng = makeRng(2024);
const VOICES = ['en-us', 'en-gb', 'en+f3', 'en+m3', 'en-us+f4', 'en+klatt', 'de', 'fr', 'es'];
const SENTENCES = [
  'Could you pass me the salt, please, and the pepper too.',
  'I think the meeting starts at half past three, not at four.',
  'The weather is supposed to be nice this weekend, so we could go hiking.',
  'Did you remember to water the plants before you left this morning?',
  'My brother is coming to visit next month with his two children.',
  'Please turn the lights off when you go out, it saves a lot of money.',
  'We should leave a little earlier tomorrow because of the roadworks.',
  'That was the best soup I have had in years, thank you so much.',
];
console.error('alarms: synthesising speech…');
const speechParts: Float32Array[] = [];
for (const v of VOICES) for (const s of SENTENCES) speechParts.push(espeak(s, v), new Float32Array(Math.round(uniform(rng, 0.1, 0.6) * SR)));
const speechBed = Float32Array.from(speechParts.flatMap((p) => Array.from(p)));

const corpus = process.env.SOUNDFLOW_CORPUS ?? DEFAULT_CORPUS_DIR;
const manifestPath = join(corpus, 'manifest.json');
const byClass = new Map<string, Float32Array[]>();
if (existsSync(manifestPath)) {
  for (const e of readManifest(manifestPath).entries) {
    if (!['music', 'speech', 'ambient', 'rain', 'wind', 'birds', 'traffic', 'water', 'typing', 'applause', 'footsteps', 'clock_tick', 'phone_ring', 'doorbell', 'kettle_whistle', 'siren'].includes(e.cls)) continue;
    const list = byClass.get(e.cls) ?? [];
    list.push(readWav(join(corpus, e.file)));
    byClass.set(e.cls, list);
  }
} else console.error(`alarms: no corpus at ${corpus}: music and recorded ambience are skipped`);
const cat = (xs: Float32Array[]) => {
  const n = xs.reduce((k, x) => k + x.length, 0);
  const out = new Float32Array(n);
  let o = 0;
  for (const x of xs) {
    out.set(x, o);
    o += x.length;
  }
  return out;
};
const musicBed = cat(byClass.get('music') ?? []);

// 1. The detection matrix.
type Cond = 'clean' | 'white10' | 'pink10' | 'speech' | 'music10';
const CONDS: Cond[] = ['clean', 'white10', 'pink10', 'speech', ...(musicBed.length ? ['music10' as Cond] : [])];
const WAVES: { wave: Wave; duty?: number; name: string }[] = [
  { wave: 'sine', name: 'sine' },
  { wave: 'square', name: 'square' },
  { wave: 'pulse', duty: 0.1, name: 'pulse10' },
  { wave: 'pulse', duty: 0.25, name: 'pulse25' },
  { wave: 'pulse', duty: 0.75, name: 'pulse75' },
];
// ALARMS_DUMP=DIR writes every missed case as raw float32 16 kHz PCM (for debugging the detector).
const DUMP = process.env.ALARMS_DUMP;
if (DUMP) mkdirSync(DUMP, { recursive: true });
const rows: { pattern: string; wave: string; freq: number; level: number; cond: Cond; detected: boolean; wrong: boolean; latency: number | null }[] = [];
// ALARMS_HOUR_ONLY=1: the false-alert hour alone (written to alarms-hour.json), for work on the reply path.
const HOUR_ONLY = !!process.env.ALARMS_HOUR_ONLY;
console.error('alarms: matrix…');
let k = 0;
for (const [pattern, freqs, timing] of HOUR_ONLY ? [] : [['T3', [2800, 2950, 3100, 3300, 3500], T3_CYCLE], ['T4', [3000, 3200, 3400], T4_CYCLE]] as const) {
  for (const w of WAVES) {
    for (const freq of freqs) {
      for (const level of [-35, -30, -10, 0]) {
        for (const cond of CONDS) {
          k++;
          const lead = 1 + uniform(rng, 0, 0.4);
          const { x, onset } = patternSignal(timing, 2, { freqHz: freq, wave: w.wave, duty: w.duty, levelDbfs: level }, { leadSec: lead, tailSec: 1 });
          const toneRms = Math.pow(10, level / 20) * Math.SQRT1_2;
          const off = Math.floor(rng() * 1e6);
          const y = cond === 'clean' ? clip(x)
            : cond === 'white10' ? mixUnder(x, whiteNoise(x.length, rng), 10, toneRms)
            : cond === 'pink10' ? mixUnder(x, pinkNoise(x.length, rng), 10, toneRms)
            : cond === 'speech' ? mixUnder(x, speechBed, 0, toneRms, off) // speech as loud as the alarm
            : mixUnder(x, musicBed, 10, toneRms, off);
          const alerts = detect(y);
          if (DUMP && !alerts.some((a) => a.pattern === pattern)) writeFileSync(join(DUMP, `${pattern}-${w.name}-${freq}-${level}-${cond}.f32`), Buffer.from(y.buffer));
          const first = alerts.find((a) => a.pattern === pattern);
          rows.push({ pattern, wave: w.name, freq, level, cond, detected: !!first, wrong: alerts.some((a) => a.pattern !== pattern), latency: first ? +(first.replyT - onset).toFixed(2) : null });
        }
      }
    }
  }
}
const summary = (f: (r: (typeof rows)[number]) => boolean) => {
  const sel = rows.filter(f);
  const lat = sel.flatMap((r) => (r.latency === null ? [] : [r.latency])).sort((a, b) => a - b);
  return { cases: sel.length, detected: sel.filter((r) => r.detected).length, rate: +(sel.filter((r) => r.detected).length / Math.max(1, sel.length)).toFixed(3), wrongPattern: sel.filter((r) => r.wrong).length, latencyMax: lat.at(-1) ?? null, latencyP50: lat[lat.length >> 1] ?? null };
};
// The issue's matrix: T3 2.8–3.5 kHz, T4 3.0–3.4 kHz, −30/−10 dBFS, clean / 10 dB noise / under speech.
const issueMatrix = summary((r) => (r.level === -30 || r.level === -10) && r.cond !== 'music10');
const byCond = Object.fromEntries(CONDS.map((c) => [c, summary((r) => r.cond === c)]));
const byLevel = Object.fromEntries([-35, -30, -10, 0].map((l) => [`${l}dBFS`, summary((r) => r.level === l)]));
const byPattern = { T3: summary((r) => r.pattern === 'T3'), T4: summary((r) => r.pattern === 'T4') };
const misses = rows.filter((r) => !r.detected).map((r) => `${r.pattern}/${r.wave}/${r.freq}/${r.level}/${r.cond}`);
// ALARMS_MATRIX_ONLY=1: the matrix alone (no result file), for quick detector work.
if (process.env.ALARMS_MATRIX_ONLY) {
  console.log(JSON.stringify({ issueMatrix, misses }));
  process.exit(0);
}

// 2. The false-alert hour through the whole sound path.
console.error('alarms: false-alert hour…');
function appliances(seconds: number): Float32Array {
  const x = new Float32Array(seconds * SR);
  const bed = pinkNoise(x.length, rng);
  const g = 0.003 / rms(bed);
  for (let i = 0; i < x.length; i++) x[i] = bed[i] * g;
  let t = 0.5;
  let j = 0;
  while (t < seconds - 1) {
    const p = APPLIANCE_PATTERNS[j++ % APPLIANCE_PATTERNS.length];
    const { timing, repeats } = p.make(rng);
    const wave: Wave = (['sine', 'square', 'pulse'] as const)[Math.floor(rng() * 3)];
    const { x: y } = patternSignal(timing, repeats, { freqHz: uniform(rng, 2000, 4500), wave, duty: uniform(rng, 0.1, 0.9), levelDbfs: uniform(rng, -35, -6) }, { leadSec: 0, tailSec: 0 });
    const at = Math.round(t * SR);
    for (let i = 0; i < y.length && at + i < x.length; i++) x[at + i] = Math.max(-1, Math.min(1, x[at + i] + y[i]));
    t += y.length / SR + uniform(rng, 1, 6);
  }
  return x;
}
/** 15 min of the music corpus's songs, one of each style in turn (empty without `soundflow corpus music`). */
function renderedSongs(n: number): Float32Array {
  const dir = process.env.SOUNDFLOW_MUSIC ?? DEFAULT_MUSIC_DIR;
  if (!existsSync(join(dir, 'songs.json'))) return new Float32Array(0);
  const songs = readSongs(dir);
  const styles = [...new Set(songs.map((s) => s.style))];
  const picked = Array.from({ length: 32 }, (_, k) => songs.filter((s) => s.style === styles[k % styles.length])[Math.floor(k / styles.length) * 7]).filter(Boolean);
  return loopTo(cat(picked.map((s) => loadSong(dir, s.id))), n);
}
const loopTo = (x: Float32Array, n: number) => Float32Array.from({ length: n }, (_, i) => x[i % x.length]);
const ambience = cat(['ambient', 'rain', 'wind', 'birds', 'traffic', 'water', 'typing', 'applause', 'footsteps', 'clock_tick'].flatMap((c) => byClass.get(c) ?? []));
const recordedSpeech = cat(byClass.get('speech') ?? []);
const MIN15 = 15 * 60 * SR;
const hour: { name: string; x: Float32Array }[] = [
  { name: 'speech (espeak-ng, 9 voices + Debian recordings)', x: loopTo(recordedSpeech.length ? cat([speechBed, recordedSpeech]) : speechBed, MIN15) },
  { name: 'music (Debian recordings)', x: musicBed.length ? loopTo(musicBed, MIN15) : new Float32Array(0) },
  // The project's rendered songs (MMA grooves through fluidsynth): synth leads and guitars in 2–4.5 kHz
  // with steady rhythms, the music most like a beep pattern (a rock song's melody once matched T3).
  { name: 'rendered songs (8 styles, music corpus)', x: renderedSongs(MIN15) },
  { name: 'ambience (Debian recordings + pink noise)', x: ambience.length ? loopTo(ambience, MIN15) : loopTo(pinkNoise(60 * SR, rng).map((v) => v * 0.02), MIN15) },
  { name: 'appliance beeps (7 patterns, 2–4.5 kHz, −35…−6 dBFS)', x: appliances(15 * 60) },
];
const clf = await SoundClassifier.load();
const detectorMs: number[] = [];
const falseAlerts: { name: string; minutes: number; detectorAlerts: number; urgentReplies: number; otherReplies: number; byReason: Record<string, number>; examples: string[] }[] = [];
for (const part of hour) {
  if (!part.x.length) continue;
  const watcher = new SoundWatcher(new TaskManager(), true);
  const lm = new LogMel();
  clf.reset();
  const det = new AlarmDetector();
  let detectorAlerts = 0, urgent = 0, other = 0;
  const examples: string[] = [];
  const byReason: Record<string, number> = {};
  for (let i = 0, idx = 0; i < part.x.length; i += CHUNK, idx++) {
    const pcm = new Float32Array(CHUNK);
    pcm.set(part.x.subarray(i, i + CHUNK));
    const t = (i + CHUNK) / SR;
    const t0 = performance.now();
    detectorAlerts += det.process(pcm, t).length;
    if (detectorMs.length < 20000) detectorMs.push(performance.now() - t0);
    const mel = lm.process(pcm);
    const probs = clf.classify(mel);
    const p = { chunk: { index: idx, start: t - 0.4, t, pcm, padded: false }, mel, vadProbs: [], speech: 0, levelDb: -40, snrDb: 0, speechStarted: false, speechEnded: false, inSpeech: false, silenceMs: 0, sounds: { classes: clf.classes, probs, thresholds: clf.thresholds } } as Percept;
    const r = watcher.onChunk(p, false);
    for (const resp of r?.responses ?? []) {
      byReason[r!.reason] = (byReason[r!.reason] ?? 0) + 1;
      if (resp.urgent) urgent++;
      else other++;
      if (examples.length < 6) examples.push(`${t.toFixed(1)}s ${resp.urgent ? 'URGENT ' : ''}${resp.text}`);
    }
  }
  falseAlerts.push({ name: part.name, minutes: +(part.x.length / SR / 60).toFixed(1), detectorAlerts, urgentReplies: urgent, otherReplies: other, byReason, examples });
}
detectorMs.sort((a, b) => a - b);
const result = {
  issueMatrix,
  byPattern,
  byCondition: byCond,
  byLevel,
  misses,
  falseAlerts,
  totalMinutes: +falseAlerts.reduce((s, f) => s + f.minutes, 0).toFixed(1),
  detectorMsPerChunk: { mean: +(detectorMs.reduce((a, b) => a + b, 0) / detectorMs.length).toFixed(3), p50: +detectorMs[detectorMs.length >> 1].toFixed(3), p99: +detectorMs[Math.floor(detectorMs.length * 0.99)].toFixed(3) },
};
mkdirSync('bench/results', { recursive: true });
writeFileSync(HOUR_ONLY ? 'bench/results/alarms-hour.json' : 'bench/results/alarms.json', JSON.stringify(result, null, 1) + '\n');

console.log(`alarm matrix (${rows.length} cases: ${WAVES.length} waveforms × T3 5 freqs / T4 3 freqs × 4 levels × ${CONDS.length} conditions, 2 cycles each)`);
console.log('subset                         detected   rate   wrong-pattern  latency p50/max (s from onset to reply chunk end)');
const line = (name: string, s: ReturnType<typeof summary>) => console.log(`${name.padEnd(30)} ${`${s.detected}/${s.cases}`.padStart(9)}  ${s.rate.toFixed(3)}  ${String(s.wrongPattern).padStart(6)}         ${s.latencyP50}/${s.latencyMax}`);
line("issue matrix (−30/−10 dBFS)", issueMatrix);
for (const [k2, v] of Object.entries(byPattern)) line(k2, v);
for (const [k2, v] of Object.entries(byCond)) line(k2, v);
for (const [k2, v] of Object.entries(byLevel)) line(k2, v);
if (misses.length) console.log(`misses: ${misses.slice(0, 20).join(', ')}${misses.length > 20 ? ' …' : ''}`);
console.log(`\nfalse alerts over ${result.totalMinutes} min (whole sound path: model + detector + reply policy):`);
for (const f of falseAlerts) console.log(`  ${f.name.padEnd(52)} ${String(f.minutes).padStart(5)} min  detector T3/T4: ${f.detectorAlerts}  urgent replies: ${f.urgentReplies}  other replies: ${f.otherReplies} ${JSON.stringify(f.byReason)} ${f.examples.length ? JSON.stringify(f.examples) : ''}`);
console.log(`detector cost per 0.4 s chunk: mean ${result.detectorMsPerChunk.mean} ms, p50 ${result.detectorMsPerChunk.p50} ms, p99 ${result.detectorMsPerChunk.p99} ms (machine shared)`);
console.log('wrote bench/results/alarms.json');
