// Data recipe of the voice rate model (src/perception/voice/rate-model.ts): speech whose rate is known,
// from the TUNING voices and phrasings only (bench/voice-audio.ts; the report ones are never synthesised
// here). Rates are the synthesisers' own settings, natural rate changes (espeak-ng `-s`, flite
// `duration_stretch`), never sox tempo, which is what the benches' faster clips are made with. Besides the
// 16 tuning phrasings, each voice × rate says word sequences drawn from the words of one group of 4
// phrasings (so a fold that holds a group out never hears its words). Round 11 adds written texts
// (scripts/voice-rate-texts.ts, no bench phrasing among them) said by the tuning voices and four more
// espeak-ng voices, each at its usual rate and one other (`--texts-shard=k/n`). Round 15 adds the same texts
// said by 14 more espeak-ng accent × variant voices and festival's ked (`--voices15-shard=k/n`; festival's
// Duration_Stretch is its natural rate setting). Voice frames come from the perception front end (log-mel,
// Silero VAD, frame extractor); cached in .cache/voice-rate/.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { bytesToPcm16, pcm16ToFloat } from '../src/audio/pcm.ts';
import { SileroVad } from '../src/perception/vad.ts';
import { voiceFramesOf } from '../src/perception/voice/analyze-signal.ts';
import type { VoiceFrame } from '../src/perception/voice/frames.ts';
import { makeRng } from '../src/util/rng.ts';
import { TUNING_PHRASES, TUNING_VOICES, concat, normalise, silence, soxEffect, trim } from '../bench/voice-audio.ts';
import { RATE_TEXTS } from './voice-rate-texts.ts';

export const CACHE = join('.cache', 'voice-rate');
const SR = 16000;

/** The tuning voices, as synthesiser settings (TUNING_VOICES in bench/voice-audio.ts). */
export const ESPEAK_VOICES = ['en-us', 'en+f3', 'en-us+f2', 'en+m7'];
export const FLITE_VOICES = ['slt', 'rms'];
/** espeak-ng words per minute; the benches say everything at 160. */
export const ESPEAK_RATES = [115, 130, 145, 160, 180, 200, 225, 255];
/** flite duration stretch (1 = its default rate; 0.8 = 25% faster). */
export const FLITE_STRETCHES = [1.45, 1.25, 1.12, 1, 0.89, 0.8, 0.71, 0.63];
/**
 * Round 11: more espeak-ng voices for the written texts (scripts/voice-rate-texts.ts), besides the tuning
 * ones. None is a bench voice (report: en-gb-scotland+m3, en-us+f5, en-us+klatt; flite awb, kal16) or a
 * voice test/voice-rate-model.test.ts calls untrained (en-gb-x-rp, en-us+klatt).
 */
export const EXTRA_ESPEAK_VOICES = ['en-gb-x-gbclan+m4', 'en+m1', 'en-us+m2', 'en+f4'];
/**
 * Round 15: more training speakers for the written texts (`--voices15-shard=k/n`, cached as
 * train-voices15-<k>of<n>). espeak-ng accents × variants, none sharing a variant with a bench voice (tuning:
 * the default, f2, f3, m7; report: m3, f5, klatt) nor the Klatt source (klatt*, and the named variants built on
 * klatt 6), nor the accents en-gb-x-rp (a test's untrained voice) and en-gb-scotland (a report voice's).
 */
export const VOICES15_ESPEAK = [
  'en-029+m5', 'en-gb-x-gbcwmd+m6', 'en-us-nyc+m8', 'en+f1', 'en-us+aunty', 'en-029+linda', 'en-gb-x-gbcwmd+steph',
  'en-us-nyc+Annie', 'en+Andy', 'en-us+Michael', 'en-029+robert', 'en-gb-x-gbclan+quincy', 'en-us-nyc+Gene', 'en+paul',
];
/** Round 15: festival voices (Debian festvox-kdlpc16k: ked, a US male diphone voice; rate = Duration_Stretch). */
export const VOICES15_FESTIVAL = ['ked'];
/** Rates per voice × written text: the usual one and this many others drawn from the list. */
const TEXT_OTHER_RATES = 1;

/** Phrasing groups (phrase index mod GROUPS): the folds of the phrasing hold-out. */
export const GROUPS = 4;
/** Word sequences per voice × rate × group (the base set; `more` adds MORE_SEQUENCES others). */
const SEQUENCES = 4;
const MORE_SEQUENCES = 4;

export interface ClipFeatures {
  /** Who and how, e.g. "espeak en+f3 s=200". */
  voice: string;
  /** Speaker (the voice without its rate), for per-speaker statistics. */
  speaker: string;
  text: string;
  group: number;
  /** Training target: log of the rate relative to the synthesiser's usual (log(s/160), −log(stretch)). */
  logRate: number;
  /** For the bench-style clips: calm / faster20 / higher3st / louder6dB (sox), else 'train'. */
  kind: string;
  frames: VoiceFrame[];
}

export const groupOf = (phrase: string): number => TUNING_PHRASES.indexOf(phrase) % GROUPS;

function sox16k(args: string[], input?: Buffer): Float32Array {
  const out = execFileSync('sox', ['-q', '-D', ...args, '-t', 'raw', '-r', String(SR), '-c', '1', '-b', '16', '-e', 'signed-integer', '-L', '-'], { input, maxBuffer: 1 << 28 });
  return pcm16ToFloat(bytesToPcm16(out));
}

function sayEspeak(voice: string, rate: number, text: string): Float32Array {
  return normalise(trim(sox16k(['-t', 'wav', '-'], execFileSync('espeak-ng', ['--stdout', '-v', voice, '-s', String(rate), text], { maxBuffer: 1 << 28 }))));
}

/** A synthesiser that writes a wav file (`run` gets its path), read back as 16 kHz, trimmed and normalised. */
function viaWav(tool: string, run: (file: string) => void): Float32Array {
  mkdirSync(CACHE, { recursive: true });
  const f = join(CACHE, `${tool}-${process.pid}.wav`);
  run(f);
  return normalise(trim(sox16k([f])));
}

function sayFlite(voice: string, stretch: number, text: string): Float32Array {
  return viaWav('flite', (f) => execFileSync('flite', ['-voice', voice, '--setf', `duration_stretch=${stretch}`, '-t', text, '-o', f]));
}

/**
 * festival (text2wave) saying `text` with `voice` (e.g. 'ked' = voice_ked_diphone) at Duration_Stretch
 * `stretch` (1 = its usual rate, 0.8 = 25% faster), as 16 kHz mono Float32 like the others.
 */
export function sayFestival(voice: string, stretch: number, text: string): Float32Array {
  return viaWav('festival', (f) => execFileSync('text2wave', ['-o', f, '-eval', `(voice_${voice}_diphone)`, '-eval', `(Parameter.set 'Duration_Stretch ${stretch})`], { input: text }));
}

/** Word sequences from one group's phrasings: 4–8 words, seeded per voice × rate × group. */
function sequences(group: number, seed: number, count = SEQUENCES): string[] {
  const words = [...new Set(TUNING_PHRASES.filter((p) => groupOf(p) === group).flatMap((p) => p.toLowerCase().split(' ')))];
  const rng = makeRng(seed);
  const out: string[] = [];
  for (let j = 0; j < count; j++) {
    const n = 4 + Math.floor(rng() * 5);
    out.push(Array.from({ length: n }, () => words[Math.floor(rng() * words.length)]).join(' '));
  }
  return out;
}

interface Job { voice: string; speaker: string; text: string; group: number; logRate: number; kind: string; make: () => Float32Array }

function trainingJobs(more = false): Job[] {
  const jobs: Job[] = [];
  const settings: { speaker: string; label: string; logRate: number; say: (t: string) => Float32Array }[] = [];
  for (const v of ESPEAK_VOICES) for (const s of ESPEAK_RATES) settings.push({ speaker: `espeak ${v}`, label: `s=${s}`, logRate: Math.log(s / 160), say: (t) => sayEspeak(v, s, t) });
  for (const v of FLITE_VOICES) for (const k of FLITE_STRETCHES) settings.push({ speaker: `flite ${v}`, label: `stretch=${k}`, logRate: -Math.log(k), say: (t) => sayFlite(v, k, t) });
  settings.forEach((st, si) => {
    const texts = more ? [] : [...TUNING_PHRASES.map((p) => ({ text: p, group: groupOf(p) }))];
    for (let g = 0; g < GROUPS; g++) for (const t of more ? sequences(g, 500_000 + 1000 * si + g, MORE_SEQUENCES) : sequences(g, 1000 * si + g + 1)) texts.push({ text: t, group: g });
    for (const { text, group } of texts) jobs.push({ voice: `${st.speaker} ${st.label}`, speaker: st.speaker, text, group, logRate: st.logRate, kind: 'train', make: () => st.say(text) });
  });
  return jobs;
}

/**
 * Round 11: the written texts (none a bench phrasing) said by the tuning voices and EXTRA_ESPEAK_VOICES,
 * each at its usual rate and TEXT_OTHER_RATES others drawn per voice × text; group −1 (in every fold's
 * training). `shard`/`shards` split the jobs between processes.
 */
function textJobs(shard = 0, shards = 1, round15 = false): Job[] {
  const jobs: Job[] = [];
  const voices: { speaker: string; usual: number; rates: { label: string; logRate: number; say: (t: string) => Float32Array }[] }[] = [];
  // Round 15: the new speakers only, same recipe (usual rate + TEXT_OTHER_RATES others per text).
  const espeakVoices = round15 ? VOICES15_ESPEAK : [...ESPEAK_VOICES, ...EXTRA_ESPEAK_VOICES];
  for (const v of espeakVoices) voices.push({ speaker: `espeak ${v}`, usual: ESPEAK_RATES.indexOf(160), rates: ESPEAK_RATES.map((s) => ({ label: `s=${s}`, logRate: Math.log(s / 160), say: (t: string) => sayEspeak(v, s, t) })) });
  // Stretch-rated synthesisers: flite's tuning voices, or round 15's festival voices (same stretch grid).
  const stretched = round15 ? VOICES15_FESTIVAL.map((v) => ({ speaker: `festival ${v}`, say: (k: number, t: string) => sayFestival(v, k, t) })) : FLITE_VOICES.map((v) => ({ speaker: `flite ${v}`, say: (k: number, t: string) => sayFlite(v, k, t) }));
  for (const v of stretched) voices.push({ speaker: v.speaker, usual: FLITE_STRETCHES.indexOf(1), rates: FLITE_STRETCHES.map((k) => ({ label: `stretch=${k}`, logRate: -Math.log(k), say: (t: string) => v.say(k, t) })) });
  let k = 0;
  voices.forEach((v, vi) => RATE_TEXTS.forEach((text, ti) => {
    const rng = makeRng((round15 ? 1_900_000 : 900_000) + 1000 * vi + ti);
    const others = v.rates.map((_, i) => i).filter((i) => i !== v.usual);
    for (let i = others.length - 1; i > 0; i--) {
      const j = Math.floor(rng() * (i + 1));
      [others[i], others[j]] = [others[j], others[i]];
    }
    for (const ri of [v.usual, ...others.slice(0, TEXT_OTHER_RATES)]) {
      const r = v.rates[ri];
      if (k++ % shards === shard) jobs.push({ voice: `${v.speaker} ${r.label}`, speaker: v.speaker, text, group: -1, logRate: r.logRate, kind: 'text', make: () => r.say(text) });
    }
  }));
  return jobs;
}

/** The voice-rate bench's clips (each tuning voice × phrasing, calm and sox-manipulated), for d′. */
const BENCH_KINDS: Record<string, string[]> = { calm: [], faster20: ['tempo', '-s', '1.2'], higher3st: ['pitch', '300'], louder6dB: ['gain', '6'] };

function benchJobs(): Job[] {
  const jobs: Job[] = [];
  for (const v of TUNING_VOICES) for (const p of TUNING_PHRASES) {
    let calm: Float32Array | null = null;
    for (const [kind, fx] of Object.entries(BENCH_KINDS)) {
      jobs.push({ voice: v.name, speaker: v.name, text: p, group: groupOf(p), logRate: 0, kind, make: () => {
        calm ??= v.say(p);
        return fx.length ? soxEffect(calm, fx) : calm;
      } });
    }
  }
  return jobs;
}

// Cache: one JSON of clip metadata + one Float32 file of frames (t, midDb, mfcc × 12 per frame).
const FRAME_FLOATS = 14;

function save(name: string, clips: ClipFeatures[]): void {
  const total = clips.reduce((n, c) => n + c.frames.length, 0);
  const buf = new Float32Array(total * FRAME_FLOATS);
  let o = 0;
  for (const c of clips) for (const f of c.frames) {
    buf[o++] = f.t;
    buf[o++] = f.midDb;
    buf.set(f.mfcc, o);
    o += 12;
  }
  writeFileSync(join(CACHE, `${name}.bin`), Buffer.from(buf.buffer));
  writeFileSync(join(CACHE, `${name}.json`), JSON.stringify(clips.map(({ frames, ...m }) => ({ ...m, nFrames: frames.length }))));
}

function load(name: string): ClipFeatures[] | null {
  const meta = join(CACHE, `${name}.json`), bin = join(CACHE, `${name}.bin`);
  if (!existsSync(meta) || !existsSync(bin)) return null;
  const b = readFileSync(bin);
  const buf = new Float32Array(b.buffer, b.byteOffset, b.byteLength / 4);
  let o = 0;
  return (JSON.parse(readFileSync(meta, 'utf8')) as (Omit<ClipFeatures, 'frames'> & { nFrames: number })[]).map(({ nFrames, ...m }) => {
    const frames: VoiceFrame[] = [];
    for (let i = 0; i < nFrames; i++, o += FRAME_FLOATS) {
      frames.push({ t: buf[o], midDb: buf[o + 1], levelDb: buf[o + 1], lowPow: 0, highPow: 0, f0: 0, aperiodicity: 1, mfcc: buf.slice(o + 2, o + 14) });
    }
    return { ...m, frames };
  });
}

async function build(name: string, jobs: Job[], log: (s: string) => void): Promise<ClipFeatures[]> {
  const cached = load(name);
  if (cached && cached.length === jobs.length) return cached;
  mkdirSync(CACHE, { recursive: true });
  const vad = await SileroVad.create();
  const out: ClipFeatures[] = [];
  const t0 = Date.now();
  for (const [i, j] of jobs.entries()) {
    const frames = await voiceFramesOf(concat([silence(0.6), j.make(), silence(1.2)]), vad);
    const { make: _make, ...m } = j;
    out.push({ ...m, frames });
    if ((i + 1) % 100 === 0) log(`  ${name}: ${i + 1}/${jobs.length} clips (${((Date.now() - t0) / 1000).toFixed(0)} s)`);
  }
  save(name, out);
  return out;
}

/** Training clips (natural rate changes) and the bench-style clips, built once and cached. */
export async function rateData(log: (s: string) => void = console.log, more = false, texts = 0, voices15 = 0): Promise<{ train: ClipFeatures[]; bench: ClipFeatures[] }> {
  const bench = await build('bench-tuning', benchJobs(), log);
  const train = await build('train', trainingJobs(), log);
  if (more) train.push(...(await build('train-more', trainingJobs(true), log)));
  // Round 11: the written texts, built in `texts` shards (one process each: --texts-shard k/n).
  for (let k = 0; k < texts; k++) train.push(...(await build(`train-texts-${k}of${texts}`, textJobs(k, texts), log)));
  // Round 15: the new speakers' texts, built in `voices15` shards (--voices15-shard k/n).
  for (let k = 0; k < voices15; k++) train.push(...(await build(`train-voices15-${k}of${voices15}`, textJobs(k, voices15, true), log)));
  return { train, bench };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const shardArg = process.argv.find((a) => a.startsWith('--texts-shard='));
  if (shardArg) {
    // One shard of the written texts only: node --import tsx scripts/voice-rate-data.ts --texts-shard=0/2 (and 1/2, in parallel).
    const [k, n] = shardArg.slice('--texts-shard='.length).split('/').map(Number);
    const clips = await build(`train-texts-${k}of${n}`, textJobs(k, n), console.log);
    console.log(`texts shard ${k}/${n}: ${clips.length} clips (${clips.reduce((s, c) => s + c.frames.length, 0)} frames)`);
    process.exit(0);
  }
  const v15Arg = process.argv.find((a) => a.startsWith('--voices15-shard='));
  if (v15Arg) {
    // One shard of round 15's new speakers: --voices15-shard=0/2 and 1/2, in parallel.
    const [k, n] = v15Arg.slice('--voices15-shard='.length).split('/').map(Number);
    const clips = await build(`train-voices15-${k}of${n}`, textJobs(k, n, true), console.log);
    console.log(`voices15 shard ${k}/${n}: ${clips.length} clips (${clips.reduce((s, c) => s + c.frames.length, 0)} frames)`);
    process.exit(0);
  }
  if (process.argv.includes('--more-only')) {
    // Only the extra word sequences (`--more`'s second part), to build them beside the first in another process.
    const clips = await build('train-more', trainingJobs(true), console.log);
    console.log(`train-more: ${clips.length} clips`);
    process.exit(0);
  }
  const { train, bench } = await rateData(console.log, process.argv.includes('--more'));
  console.log(`train ${train.length} clips (${train.reduce((n, c) => n + c.frames.length, 0)} frames), bench ${bench.length}`);
}
