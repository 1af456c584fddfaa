// A noise floor under one utterance, for a second grammar reading. Formant TTS voices (espeak) leave
// near-zero spectral valleys between harmonics and formants; the acoustic model, trained on real
// recordings that always have a room under them, fits such speech badly (en-gb-scotland commands: word
// fit −4.9…−9 per frame, 0/17 accepted). Pink noise ~25 dB under the speech fills the valleys (13/17).
// Added to the whole process's input it also let chatter through on bench-v1, so it is used only where
// it can help: for an utterance whose plain reading the word fit rejects, in a room quieter than the
// floor (docs/notes/eval-v1-misses.md, ninth round). Seeded: the same audio gets the same floor.
import { selectKth } from '../../util/select.ts';

const FRAME = 320; // 20 ms
/** Frames within this many dB of the loudest count as the speech whose level sets the floor. */
const ACTIVE_RANGE_DB = 30;
/** The room's level: this quantile of the utterance's frame levels (its pauses and edges). */
const ROOM_QUANTILE = 0.1;

export interface UtteranceLevels {
  /** Mean power of the active (speech) frames, dBFS (full-scale square wave = 0). */
  speechDbfs: number;
  /** The quiet frames' level, dBFS. */
  roomDbfs: number;
}

/** Speech and room levels of one utterance (null when shorter than one frame or digital silence). */
export function utteranceLevels(pcm: Int16Array): UtteranceLevels | null {
  const n = Math.floor(pcm.length / FRAME);
  if (n < 1) return null;
  const power = new Float64Array(n);
  for (let f = 0; f < n; f++) {
    let s = 0;
    for (let i = f * FRAME; i < (f + 1) * FRAME; i++) s += pcm[i] * pcm[i];
    power[f] = s / FRAME / (32768 * 32768);
  }
  const max = power.reduce((a, b) => Math.max(a, b), 0);
  if (!(max > 0)) return null;
  const floorPow = max * Math.pow(10, -ACTIVE_RANGE_DB / 10);
  let sum = 0;
  let count = 0;
  for (const p of power) if (p >= floorPow) (sum += p), count++;
  const room = selectKth(power.slice(), Math.floor(ROOM_QUANTILE * (n - 1)));
  return { speechDbfs: 10 * Math.log10(sum / count), roomDbfs: 10 * Math.log10(Math.max(room, 1e-12)) };
}

/** A seeded pink-noise generator: xorshift32 state `s` and the pink filter's three poles. */
export interface PinkState { s: number; b0: number; b1: number; b2: number }
const SEED = 0x6d2b79f5;

/** One step of xorshift32 on `st.s`, as a uniform value in [−1, 1). */
export function whiteNext(st: { s: number }): number {
  st.s ^= st.s << 13;
  st.s ^= st.s >>> 17;
  st.s ^= st.s << 5;
  return ((st.s >>> 0) / 4294967296) * 2 - 1;
}

/** Paul Kellet's economy pink filter (three poles): −3 dB/octave within ±0.5 dB over the speech band. */
export function pinkFilter(st: PinkState, u: number): number {
  st.b0 = 0.99765 * st.b0 + u * 0.099046;
  st.b1 = 0.963 * st.b1 + u * 0.2965164;
  st.b2 = 0.57 * st.b2 + u * 1.0526913;
  return st.b0 + st.b1 + st.b2 + u * 0.1848;
}

function pinkNext(st: PinkState): number {
  return pinkFilter(st, whiteNext(st));
}

/** RMS of the generator's output from `seed` (the filter's gain), over 4 s of samples. */
export function pinkRms(seed: number): number {
  const st: PinkState = { s: seed, b0: 0, b1: 0, b2: 0 };
  let acc = 0;
  const n = 64000;
  for (let i = 0; i < n; i++) acc += pinkNext(st) ** 2;
  return Math.sqrt(acc / n);
}
let unitRms = 0;

/**
 * `pcm` with pink noise added so the room sits `belowSpeechDb` under the utterance's speech, or null when
 * the room is already within 3 dB of that (it fills the valleys itself) or the levels cannot be read.
 * Only the missing power is added (a room 6 dB quieter than the target gets the difference).
 */
export function withNoiseFloor(pcm: Int16Array, belowSpeechDb: number): Int16Array | null {
  const lv = utteranceLevels(pcm);
  if (!lv) return null;
  const target = lv.speechDbfs - belowSpeechDb;
  if (lv.roomDbfs >= target - 3) return null;
  const addPower = Math.pow(10, target / 10) - Math.pow(10, lv.roomDbfs / 10);
  // dBFS here is against a full-scale square wave (power 1), so RMS in samples = 32768·√power.
  unitRms ||= pinkRms(SEED);
  const gain = (32768 * Math.sqrt(addPower)) / unitRms;
  const st: PinkState = { s: SEED, b0: 0, b1: 0, b2: 0 };
  const out = new Int16Array(pcm.length);
  for (let i = 0; i < pcm.length; i++) {
    const v = pcm[i] + Math.round(gain * pinkNext(st));
    out[i] = v > 32767 ? 32767 : v < -32768 ? -32768 : v;
  }
  return out;
}
