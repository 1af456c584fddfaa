// Rolling acoustic context, fed once per chunk with the chunk's log-mel frames and VAD probabilities.
// It answers "how loud is the room when nobody talks" (per-band noise floor), "how loud is speech"
// and "did something just start" (onsets = energy rising above the floor), so a steady noisy room
// triggers nothing while a beep or a knock does.
//
// Noise floor: minimum statistics over chunk averages. Each chunk contributes, per band, the mean power
// of its non-speech frames (or, in a mostly-speech chunk, of its 8 quietest frames, marked as speech).
// The floor is the per-band minimum over the last FLOOR_WINDOW chunks (3.2 s), using non-speech
// contributions when there are any; during long speech it holds the last non-speech floor for up to
// FLOOR_HOLD chunks (10 s), then falls back to the speech chunks' quiet frames. Falls are tracked at
// once; rises only after the quieter chunks leave the window (≤ 3.2 s): a stationary sound that lasts
// longer than that becomes part of the floor. Memory: at most FLOOR_HOLD band vectors.
// All dB values use the mean-square reference of features.ts (0 dB = rms 1.0; a full-scale sine is −3 dB).
import { SoundFlowError } from '../util/errors.ts';
import { MEL_BINS, MEL_DB_OFFSET } from './features.ts';
import { objectArray } from '../util/arrays.ts';

const FLOOR_WINDOW = 8;
const FLOOR_HOLD = 25;
const MIN_NOISE_FRAMES = 8;
/** A VAD frame at or above this probability marks the mel frames it covers (± one VAD frame) as speech. */
const SPEECH_P = 0.5;
/** Band power must exceed the floor by this factor (3 dB) to count as excess energy. */
const EXCESS_FACTOR = 2;
/** Onset: excess energy rising this much (dB) over the minimum of the previous ONSET_LOOKBACK frames. */
const ONSET_DB = 6;
const ONSET_LOOKBACK = 3;
/** Frames (10 ms) after an onset in which no further onset is reported. */
const ONSET_REFRACTORY = 10;
/** Speech level smoothing: per speech frame, ~3 s of speech. */
const SPEECH_ALPHA = 1 / 300;
const MIN_DB = -100;

export interface AcousticSnapshot {
  /** Chunk level from the PCM, 20·log10(rms), floored at −100. */
  levelDb: number;
  /** Broadband (50–8000 Hz) noise floor, same scale. */
  noiseFloorDb: number;
  /** Smoothed level of speech frames heard so far; null before any speech. */
  speechLevelDb: number | null;
  /** speechLevelDb − noiseFloorDb; null before any speech. */
  snrDb: number | null;
  /** This chunk's mean mel energy over the floor (dB; ≈ 0 for the steady background). */
  aboveFloorDb: number;
  /** Largest per-frame onset strength in the chunk (dB of rise of the excess energy). */
  onsetStrength: number;
  /** Frame indices within the chunk (0..frames−1, 10 ms each) where an onset was detected. */
  onsetFrames: number[];
  /** Per frame: energy above the floor, 10·log10(1 + excess/floor), dB ≥ 0. */
  excessDb: Float32Array;
  /** Per-band noise floor in dB (mean-square reference), after this chunk. */
  bandNoiseFloor: Float32Array;
  /** Fraction of the chunk's mel frames treated as speech. */
  speechFraction: number;
}

interface FloorEntry {
  chunk: number;
  speech: boolean;
  band: Float64Array; // mel energy units
}

const toDb = (melEnergy: number): number => Math.max(MIN_DB, 10 * Math.log10(melEnergy) - MEL_DB_OFFSET);

export class AcousticContext {
  readonly nMels: number;
  private readonly entries: FloorEntry[] = objectArray();
  private floor: Float64Array | null = null;
  private chunkIndex = 0;
  private speechPower: number | null = null;
  // The last ONSET_LOOKBACK excess values, carried across chunks (a ring: a plain array's elements kind
  // would change with its first value in every session, see util/arrays.ts).
  private readonly excessHist = new Float64Array(ONSET_LOOKBACK);
  private excessNext = 0; // ring position of the next value
  private excessFilled = 0; // values held (≤ ONSET_LOOKBACK)
  private sinceOnset = ONSET_REFRACTORY;
  private power = new Float64Array(0);
  private framePow = new Float64Array(0);

  constructor(opts: { nMels?: number } = {}) {
    this.nMels = opts.nMels ?? MEL_BINS;
  }

  update(mel: Float32Array, frames: number, vadProbs: number[], pcm: Float32Array): AcousticSnapshot {
    const nb = this.nMels;
    if (!(mel instanceof Float32Array) || !(pcm instanceof Float32Array)) {
      throw new SoundFlowError('invalid_input', 'acoustic context: mel and pcm must be Float32Arrays', { recoverable: true });
    }
    if (!Number.isInteger(frames) || frames < 1 || mel.length !== frames * nb) {
      throw new SoundFlowError('invalid_input', `acoustic context: expected ${frames}×${nb} mel values, got ${mel.length}`, { recoverable: true });
    }

    // Linear band powers and the speech mask.
    // Scratch reused from chunk to chunk (every element is written below before it is read).
    if (this.power.length !== frames * nb) this.power = new Float64Array(frames * nb);
    if (this.framePow.length !== frames) this.framePow = new Float64Array(frames);
    const power = this.power;
    const framePow = this.framePow;
    for (let f = 0; f < frames; f++) {
      let s = 0;
      for (let b = 0; b < nb; b++) {
        const p = Math.exp(mel[f * nb + b]);
        power[f * nb + b] = p;
        s += p;
      }
      framePow[f] = s;
    }
    const speech = this.speechMask(frames, vadProbs);
    let nSpeech = 0;
    for (const s of speech) nSpeech += s ? 1 : 0;

    // The chunk's floor candidate.
    const candidate = new Float64Array(nb);
    const chosen: number[] = [];
    for (let f = 0; f < frames; f++) if (!speech[f]) chosen.push(f);
    const speechChunk = chosen.length < Math.min(MIN_NOISE_FRAMES, frames);
    if (speechChunk) {
      chosen.length = 0;
      const order = Array.from({ length: frames }, (_, i) => i).sort((a, b) => framePow[a] - framePow[b]);
      chosen.push(...order.slice(0, Math.min(MIN_NOISE_FRAMES, frames)));
    }
    for (const f of chosen) for (let b = 0; b < nb; b++) candidate[b] += power[f * nb + b];
    for (let b = 0; b < nb; b++) candidate[b] /= chosen.length;

    // Onsets are judged against the floor known before this chunk (a loud chunk cannot mask itself).
    const floorBefore = this.floor ?? this.quietest(power, framePow, frames);
    let floorSum = 0;
    for (let b = 0; b < nb; b++) floorSum += floorBefore[b];
    const excessDb = new Float32Array(frames);
    const onsetFrames: number[] = [];
    let onsetStrength = 0;
    for (let f = 0; f < frames; f++) {
      let ex = 0;
      for (let b = 0; b < nb; b++) ex += Math.max(0, power[f * nb + b] - EXCESS_FACTOR * floorBefore[b]);
      const e = 10 * Math.log10(1 + ex / floorSum);
      excessDb[f] = e;
      let prevMin = this.excessFilled ? Infinity : e;
      for (let k = 0; k < this.excessFilled; k++) prevMin = Math.min(prevMin, this.excessHist[k]);
      const strength = Math.max(0, e - prevMin);
      onsetStrength = Math.max(onsetStrength, strength);
      this.sinceOnset++;
      if (strength >= ONSET_DB && this.sinceOnset > ONSET_REFRACTORY) {
        onsetFrames.push(f);
        this.sinceOnset = 0;
      }
      this.excessHist[this.excessNext] = e;
      this.excessNext = (this.excessNext + 1) % ONSET_LOOKBACK;
      this.excessFilled = Math.min(this.excessFilled + 1, ONSET_LOOKBACK);
    }

    // Speech level (power EMA over speech frames).
    for (let f = 0; f < frames; f++) {
      if (!speech[f]) continue;
      this.speechPower = this.speechPower === null ? framePow[f] : this.speechPower + SPEECH_ALPHA * (framePow[f] - this.speechPower);
    }

    this.entries.push({ chunk: this.chunkIndex, speech: speechChunk, band: candidate });
    while (this.entries.length && this.entries[0].chunk <= this.chunkIndex - FLOOR_HOLD) this.entries.shift();
    this.floor = this.estimateFloor();
    this.chunkIndex++;

    let meanPow = 0;
    for (let f = 0; f < frames; f++) meanPow += framePow[f];
    meanPow /= frames;
    let floorAfter = 0;
    const bandNoiseFloor = new Float32Array(nb);
    for (let b = 0; b < nb; b++) {
      floorAfter += this.floor[b];
      bandNoiseFloor[b] = toDb(this.floor[b]);
    }
    const noiseFloorDb = toDb(floorAfter);
    const speechLevelDb = this.speechPower === null ? null : toDb(this.speechPower);
    return {
      levelDb: levelDb(pcm),
      noiseFloorDb,
      speechLevelDb,
      snrDb: speechLevelDb === null ? null : speechLevelDb - noiseFloorDb,
      aboveFloorDb: 10 * Math.log10(meanPow / floorSum),
      onsetStrength,
      onsetFrames,
      excessDb,
      bandNoiseFloor,
      speechFraction: nSpeech / frames,
    };
  }

  reset(): void {
    this.entries.length = 0;
    this.floor = null;
    this.chunkIndex = 0;
    this.speechPower = null;
    this.excessNext = 0;
    this.excessFilled = 0;
    this.sinceOnset = ONSET_REFRACTORY;
  }

  /** Mel frame f is speech when a VAD frame covering it (or a neighbour: VAD reacts late) is ≥ SPEECH_P. */
  private speechMask(frames: number, probs: number[]): boolean[] {
    const nv = probs.length;
    const mask: boolean[] = new Array(frames).fill(false);
    if (nv === 0) return mask;
    for (let f = 0; f < frames; f++) {
      const j = Math.min(nv - 1, Math.floor((f * nv) / frames));
      mask[f] = probs[Math.max(0, j - 1)] >= SPEECH_P || probs[j] >= SPEECH_P || probs[Math.min(nv - 1, j + 1)] >= SPEECH_P;
    }
    return mask;
  }

  /** First-chunk floor: the mean of the quietest frames. */
  private quietest(power: Float64Array, framePow: Float64Array, frames: number): Float64Array {
    const nb = this.nMels;
    const order = Array.from({ length: frames }, (_, i) => i).sort((a, b) => framePow[a] - framePow[b]);
    const pick = order.slice(0, Math.min(MIN_NOISE_FRAMES, frames));
    const out = new Float64Array(nb);
    for (const f of pick) for (let b = 0; b < nb; b++) out[b] += power[f * nb + b] / pick.length;
    return out;
  }

  private estimateFloor(): Float64Array {
    const now = this.chunkIndex;
    const recent = this.entries.filter((e) => e.chunk > now - FLOOR_WINDOW);
    let use = recent.filter((e) => !e.speech);
    if (use.length === 0) use = this.entries.filter((e) => !e.speech).slice(-FLOOR_WINDOW); // hold through speech
    if (use.length === 0) use = recent; // nothing but speech for FLOOR_HOLD chunks
    const out = new Float64Array(this.nMels).fill(Infinity);
    for (const e of use) for (let b = 0; b < this.nMels; b++) out[b] = Math.min(out[b], e.band[b]);
    return out;
  }
}

/** 20·log10(rms) of the PCM, floored at −100 dB (ChunkEvent.levelDb). */
export function levelDb(pcm: Float32Array): number {
  let s = 0;
  for (let i = 0; i < pcm.length; i++) s += pcm[i] * pcm[i];
  const ms = s / Math.max(1, pcm.length);
  return ms > 0 ? Math.max(MIN_DB, 10 * Math.log10(ms)) : MIN_DB;
}
