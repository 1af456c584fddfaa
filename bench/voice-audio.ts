// Speech for the voice bench: flite and espeak-ng voices (incl. whisper variants), Debian's recorded
// prompts (asterisk-core-sounds-en-wav, one human voice), sox manipulations (gain, tempo, pitch).
// Everything is 16 kHz mono Float32. Tuning and report voices/phrasings are disjoint.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { bytesToPcm16, floatToPcm16, pcm16ToFloat } from '../src/audio/pcm.ts';
import { OnePassRecognizer, openOnePassPool } from '../src/perception/asr/one-pass.ts';
import { readWavFile } from '../src/audio/wav.ts';
import { AMBIENCE } from '../src/soundflow/data/synth.ts';
import { createRng, makeRng } from '../src/util/rng.ts';

export const SR = 16000;
const TMP = join('.cache', 'voice-bench');

function soxRaw(inputArgs: string[], effects: string[] = [], input?: Buffer): Float32Array {
  const out = execFileSync('sox', ['-q', '-D', ...inputArgs, '-t', 'raw', '-r', String(SR), '-c', '1', '-b', '16', '-e', 'signed-integer', '-L', '-', ...effects], {
    input,
    maxBuffer: 1 << 30,
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  return pcm16ToFloat(bytesToPcm16(out));
}

/** Trims leading/trailing samples below 0.01 (synthesisers pad with silence). */
export function trim(x: Float32Array): Float32Array {
  let a = 0, b = x.length;
  while (a < b && Math.abs(x[a]) < 0.01) a++;
  while (b > a && Math.abs(x[b - 1]) < 0.01) b--;
  return x.slice(a, b);
}

/** Scales to a peak of `peak` (leaves headroom for +6 dB manipulations). */
export function normalise(x: Float32Array, peak = 0.25): Float32Array {
  let m = 0;
  for (const v of x) m = Math.max(m, Math.abs(v));
  const k = m > 0 ? peak / m : 1;
  return x.map((v) => v * k);
}

/** sox effects on a 16 kHz signal, e.g. ['tempo', '1.2'], ['pitch', '300'], ['gain', '6']. */
export function soxEffect(x: Float32Array, effects: string[]): Float32Array {
  const pcm = Buffer.from(floatToPcm16(x).buffer);
  return soxRaw(['-t', 'raw', '-r', String(SR), '-c', '1', '-b', '16', '-e', 'signed-integer', '-L', '-'], effects, pcm);
}

export interface Voice {
  name: string;
  say(text: string): Float32Array;
}

function espeak(voice: string): Voice {
  return {
    name: `espeak ${voice}`,
    say: (text) => normalise(trim(soxRaw(['-t', 'wav', '-'], [], execFileSync('espeak-ng', ['--stdout', '-v', voice, '-s', '160', text], { maxBuffer: 1 << 28 })))),
  };
}

function flite(voice: string): Voice {
  return {
    name: `flite ${voice}`,
    say: (text) => {
      mkdirSync(TMP, { recursive: true });
      const f = join(TMP, `flite-${process.pid}.wav`);
      execFileSync('flite', ['-voice', voice, '-t', text, '-o', f]);
      return normalise(trim(soxRaw([f])));
    },
  };
}

export const TUNING_VOICES: Voice[] = [espeak('en-us'), espeak('en+f3'), flite('slt'), flite('rms'), espeak('en-us+f2'), espeak('en+m7')];
export const REPORT_VOICES: Voice[] = [flite('awb'), flite('kal16'), espeak('en-gb-scotland+m3'), espeak('en-us+f5'), espeak('en-us+klatt')];
export const WHISPER_VOICES: Voice[] = [espeak('en-029+whisper'), espeak('en-us+whisper'), espeak('en+whisper'), espeak('en-gb-x-rp+whisperf'), espeak('en-us+whisperf')];

/**
 * The voice folds of `scripts/train-voice-rate.ts --voice-folds`: fold f holds out the tuning speakers
 * VOICE_FOLD_PAIRS[f >> 1] and the phrasing groups (tuning index mod 4) 0–1 (f even) or 2–3 (f odd).
 */
export const VOICE_FOLD_PAIRS = [['espeak en-us', 'flite slt'], ['espeak en+f3', 'flite rms'], ['espeak en-us+f2', 'espeak en+m7']];
/** The voice fold whose model heard neither this speaker nor this tuning phrasing (-1: not a tuning speaker). */
export function voiceFoldOf(speaker: string, phrasingIndex: number): number {
  const pair = VOICE_FOLD_PAIRS.findIndex((p) => p.includes(speaker));
  return pair < 0 || phrasingIndex < 0 ? -1 : 2 * pair + (phrasingIndex % 4 >= 2 ? 1 : 0);
}

export const TUNING_PHRASES = [
  'what time is it', 'set a timer for five minutes', 'tell me about the weather in the morning',
  'how are you doing today', 'I think we should leave at noon', 'can you translate this into spanish',
  'the train was late again this morning', 'please turn off the kitchen lights',
  'my brother is coming over for dinner', 'is it going to snow this weekend', 'the garden needs water after this heat',
  'turn the music down a bit', 'we ran out of milk and bread', 'who called me while I was out',
  'the printer upstairs is broken again', 'let us play a game of chess tonight',
];
export const REPORT_PHRASES = [
  'what is the date today', 'remind me to call my sister', 'we bought some apples at the market',
  'how many minutes until the bus comes', 'my keys are on the table by the door', 'could you count the knocks',
  'it has been raining since yesterday', 'what can you do for me', 'the meeting starts after lunch',
  'open the window a little please', 'where did I put my glasses', 'tell me a short story about a cat',
];

/**
 * Real human speech Debian ships: asterisk-core-sounds-en-wav prompts (one female voice, 8 kHz), fetched
 * with apt-get download + dpkg -x into .cache on first use. Empty when apt cannot fetch it.
 */
export function asteriskPrompts(max = 40): { name: string; pcm: Float32Array }[] {
  const dir = join('.cache', 'debian', 'asterisk-core-sounds-en-wav');
  const root = join(dir, 'usr', 'share', 'asterisk', 'sounds', 'en_US_f_Allison');
  if (!existsSync(root)) {
    try {
      mkdirSync(dir, { recursive: true });
      execFileSync('sh', ['-c', `cd ${JSON.stringify(dir)} && apt-get download asterisk-core-sounds-en-wav >/dev/null 2>&1 && dpkg -x asterisk-core-sounds-en-wav_*.deb . && rm -f *.deb`]);
    } catch {
      return [];
    }
  }
  if (!existsSync(root)) return [];
  const files = readdirSync(root).filter((f) => f.endsWith('.wav')).sort();
  const out: { name: string; pcm: Float32Array }[] = [];
  for (const f of files) {
    const pcm = trim(soxRaw([join(root, f)]));
    if (pcm.length < 1.2 * SR || pcm.length > 4 * SR) continue; // sentence-length prompts only
    out.push({ name: f, pcm: normalise(pcm) });
    if (out.length >= max) break;
  }
  return out;
}

export function silence(seconds: number): Float32Array {
  return new Float32Array(Math.round(seconds * SR));
}

export function concat(parts: Float32Array[]): Float32Array {
  const n = parts.reduce((k, p) => k + p.length, 0);
  const out = new Float32Array(n);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/**
 * What the session's recogniser (pocketsphinx, one pass) hears in each clip: the transcripts the voice
 * analysis gets in a session (their syllables give the speaking rate), errors included.
 */
export async function transcribe(clips: Float32Array[]): Promise<string[]> {
  // Transcripts are cached by the clip's audio (the benches' clips are deterministic), so a re-run that
  // only changes the voice analysis does not decode everything again.
  const cacheFile = join(TMP, 'transcripts.json');
  const cache: Record<string, string> = existsSync(cacheFile) ? JSON.parse(readFileSync(cacheFile, 'utf8')) : {};
  const keyOf = (x: Float32Array) => createHash('sha1').update(Buffer.from(floatToPcm16(x).buffer)).digest('hex');
  const keys = clips.map(keyOf);
  const todo = clips.map((c, i) => i).filter((i) => cache[keys[i]] === undefined);
  if (todo.length) {
    const pool = openOnePassPool({}, { max: 1, spare: 0 });
    const rec = new OnePassRecognizer(pool);
    try {
      for (const i of todo) {
        rec.startUtterance(silence(0.3));
        const padded = concat([clips[i], silence(0.4)]);
        for (let j = 0; j < padded.length; j += 6400) await rec.feed(padded.subarray(j, j + 6400));
        cache[keys[i]] = (await rec.finish()).text;
      }
    } finally {
      rec.close();
      pool.close();
    }
    // Merge with what another run may have written meanwhile.
    mkdirSync(TMP, { recursive: true });
    const now = existsSync(cacheFile) ? JSON.parse(readFileSync(cacheFile, 'utf8')) : {};
    writeFileSync(cacheFile, JSON.stringify({ ...now, ...cache }));
  }
  return keys.map((k) => cache[k]);
}

// ---- Room noise for the noise-step bench ---------------------------------------------------------

const CORPUS_WAV = join('.cache', 'corpus', 'wav');

function corpusFile(rel: string): Float32Array | null {
  const p = join(CORPUS_WAV, rel);
  if (!existsSync(p)) return null;
  const w = readWavFile(p);
  return w.sampleRate === SR ? w.samples : null;
}

/** `seconds` of a recording from `offset` s on, looped when shorter. */
function loop(x: Float32Array, seconds: number, offset: number): Float32Array {
  const n = Math.round(seconds * SR);
  const out = new Float32Array(n);
  const o = Math.round(offset * SR) % x.length;
  for (let i = 0; i < n; i++) out[i] = x[(o + i) % x.length];
  return out;
}

export const rmsOf = (x: Float32Array): number => Math.sqrt(x.reduce((s, v) => s + v * v, 0) / Math.max(1, x.length));
export const scaleTo = (x: Float32Array, rms: number): Float32Array => {
  const k = rms / Math.max(1e-9, rmsOf(x));
  return x.map((v) => v * k);
};

/**
 * Babble of real voices from the sound corpus (.cache/corpus, `soundflow corpus build`): `talkers`
 * streams of its speech recordings (Debian's asterisk prompts, flare-game's merchants, qabcs words) and
 * laughter, each stream a random sequence with short gaps, summed. Null when the corpus is not built.
 */
export function corpusBabble(seconds: number, seed: number, talkers = 6): Float32Array | null {
  const dir = join(CORPUS_WAV, 'speech');
  if (!existsSync(dir)) return null;
  const names = readdirSync(dir).filter((f) => f.endsWith('.wav')).sort();
  const laughs = existsSync(join(CORPUS_WAV, 'laughter')) ? readdirSync(join(CORPUS_WAV, 'laughter')).filter((f) => f.endsWith('.wav')).sort().map((f) => `laughter/${f}`) : [];
  const clips = [...names.map((f) => `speech/${f}`), ...laughs]
    .map(corpusFile)
    .filter((x): x is Float32Array => x !== null && x.length >= 0.3 * SR && x.length <= 8 * SR)
    .map((x) => scaleTo(x, 0.05));
  if (!clips.length) return null;
  const rng = makeRng(seed);
  const n = Math.round(seconds * SR);
  const out = new Float32Array(n);
  for (let k = 0; k < talkers; k++) {
    let o = Math.round(rng() * 0.8 * SR);
    while (o < n) {
      const y = clips[Math.floor(rng() * clips.length)];
      for (let i = 0; i < y.length && o + i < n; i++) out[o + i] += y[i];
      o += y.length + Math.round((0.1 + 0.3 * rng()) * SR);
    }
  }
  return out;
}

/** Babble of the report voices (synthetic), all talking at once. */
export function voiceBabble(seconds: number, seed: number): Float32Array {
  const n = Math.round(seconds * SR);
  const out = new Float32Array(n);
  REPORT_VOICES.forEach((v, k) => {
    let o = Math.round((k * 0.37 + seed * 0.11) * SR);
    for (let j = 0; o < n; j++) {
      const x = v.say(REPORT_PHRASES[(k + j + seed) % REPORT_PHRASES.length]);
      for (let i = 0; i < x.length && o + i < n; i++) out[o + i] += x[i];
      o += x.length + Math.round(0.15 * SR);
    }
  });
  return out;
}

export type RoomKind = 'office' | 'street' | 'city' | 'cafe' | 'babble';
/** What each room is made of (for the bench's table). */
export const ROOM_SOURCES: Record<RoomKind, string> = {
  office: 'synthetic air-conditioning hiss',
  street: 'synthetic street (noise with a slow swell)',
  city: "btanks-data's recorded city ambience (corpus traffic)",
  cafe: 'six overlapping real voices and laughter from the corpus (asterisk, flare-game, qabcs)',
  babble: 'the five report voices talking at once',
};

/** `seconds` of one room's noise at `rms`; null when its recordings are not available. */
export function roomNoise(kind: RoomKind, seconds: number, seed: number, rms: number): Float32Array | null {
  let x: Float32Array | null;
  if (kind === 'office' || kind === 'street') {
    const parts: Float32Array[] = [];
    let n = 0;
    while (n < seconds * SR) {
      const b = AMBIENCE[kind](createRng(seed + parts.length));
      parts.push(b);
      n += b.length;
    }
    x = concat(parts).subarray(0, Math.round(seconds * SR));
  } else if (kind === 'city') {
    const rec = corpusFile('traffic/btanks-data__ambient_city.wav');
    x = rec ? loop(rec, seconds, (seed * 7.3) % 40) : null;
  } else if (kind === 'cafe') {
    x = corpusBabble(seconds, seed);
  } else {
    x = voiceBabble(seconds, seed);
  }
  return x ? scaleTo(x, rms) : null;
}
