// Acoustic echo guard: tells whether an input chunk is (mostly) our own reply audio coming back through
// the user's speaker and microphone, so a reply does not barge in on itself (full duplex without AEC).
//
// The session reports every piece of reply audio it emits and the stream time it plays at. We keep a
// bounded timeline of the output's coarse band envelopes (8 bands over 250–4000 Hz, 10 ms frames).
// For an input chunk two questions decide:
//  1. Does its envelope follow ours at some delay (0–500 ms: speaker, mic and network latency)? Per band
//     the window mean is removed, so a fixed attenuation or a filter (small speaker, phone band) costs
//     nothing; the normalised cross-correlation over bands × frames is the `score`.
//  2. Is there energy our output cannot explain? Predict the mic from the delayed output (with a
//     reverberant decay, per-band echo path gain, the mic's floor); frames exceeding the prediction are
//     `unexplained`. A user talking over the reply fills our pauses and adds their own onsets, so double
//     talk is not echo even when the envelope correlation stays fairly high.
// Measured rates and the threshold choice: docs/notes/echo-guard.md.
import { Resampler } from '../audio/resample.ts';
import { pcm16ToFloat } from '../audio/pcm.ts';
import { LogMel, MEL_BINS, MEL_DB_OFFSET, melCenterFrequencies } from './features.ts';
import { SoundFlowError } from '../util/errors.ts';
import { SAMPLE_RATE } from '../audio/chunk.ts';

export interface EchoCheck {
  /** The chunk looks like our own output, delayed and filtered. */
  echo: boolean;
  /** Best normalised envelope correlation over the candidate delays (−1..1; 0 when nothing to compare). */
  score: number;
  /** The delay (ms) of the best match; −1 when no output was playing. */
  lagMs: number;
  /** Fraction of frames with energy the delayed output cannot explain (double talk), 0..1. */
  unexplained: number;
}

export interface EchoGuardOptions {
  /** Frames of output kept, counted in seconds (bounds memory; output further ahead than this is dropped). */
  seconds: number;
  /** Largest speaker→mic delay searched, ms. */
  maxLagMs: number;
  /** Score at or above which a chunk may be echo. */
  threshold: number;
  /** Above this fraction of unexplained frames the chunk has someone else in it (double talk). */
  maxUnexplained: number;
}

export const DEFAULT_ECHO_GUARD: Readonly<EchoGuardOptions> = Object.freeze({
  seconds: 60,
  maxLagMs: 500,
  threshold: 0.6,
  maxUnexplained: 0.2,
});

/** Coarse band edges (Hz): the part of the spectrum that survives a small speaker and a phone-band mic. */
const BAND_EDGES = [250, 450, 700, 1000, 1400, 1900, 2500, 3200, 4000];
const N_BANDS = BAND_EDGES.length - 1;
const FRAME_S = 0.01;
/** Band energies are clamped below this mean-square level (dB): below it a band is just "quiet". */
const FLOOR_DB = -75;
/** Within a window, each band is also clamped this far below its own peak, so deep silences of the
 * output (digital zeros) and of the mic (noise floor) read alike. */
const RANGE_DB = 30;
/** An output frame is active when its 250–4000 Hz level reaches this (dBFS). */
const ACTIVE_DB = -50;
/** Fewest active output frames (10 ms) in a compared window before a delay is considered. */
const MIN_ACTIVE_FRAMES = 8;
// Double-talk model (see unexplained()).
/** Reverberation: output frames up to 400 ms back still count, decaying 1 dB per 10 ms (RT60 ≈ 0.6 s). */
const REVERB_FRAMES = 40;
const DECAY_DB = 1.0;
/** Echo path gain = this quantile of mic − output over frames within GAIN_RANGE_DB of the output's peak. */
const GAIN_QUANTILE = 0.2;
const GAIN_RANGE_DB = 15;
const MIN_GAIN_FRAMES = 4;
/** A band is unexplained in a frame when the mic exceeds the prediction by this (dB). */
const EXCESS_DB = 6;
/** ... in at least this many bands. */
const MIN_BANDS = 2;
/** A new piece of output starting within this of the end of the previous one continues it. */
const CONTIGUOUS_S = 0.02;

/** For each coarse band, the mel bins whose centre lies inside it. */
const BAND_BINS: number[][] = (() => {
  const centres = melCenterFrequencies(MEL_BINS);
  return Array.from({ length: N_BANDS }, (_, b) =>
    centres.flatMap((f, i) => (f >= BAND_EDGES[b] && f < BAND_EDGES[b + 1] ? [i] : [])),
  );
})();

const DB_PER_LN = 10 / Math.LN10;

/** One log-mel frame (natural log energies) → coarse band levels in dB (mean-square, 0 dB = rms 1). */
function bandLevels(mel: Float32Array, frameOffset: number, out: Float32Array, outOffset: number): number {
  let total = 0;
  for (let b = 0; b < N_BANDS; b++) {
    let e = 0;
    for (const i of BAND_BINS[b]) e += Math.exp(mel[frameOffset + i]);
    total += e;
    out[outOffset + b] = Math.max(FLOOR_DB, DB_PER_LN * Math.log(e + 1e-30) - MEL_DB_OFFSET);
  }
  return DB_PER_LN * Math.log(total + 1e-30) - MEL_DB_OFFSET;
}

function checkTime(t: number, what: string): void {
  if (typeof t !== 'number' || !Number.isFinite(t) || t < 0) {
    throw new SoundFlowError('invalid_argument', `${what} must be a finite stream time ≥ 0 (s), got ${t}`, { recoverable: true });
  }
}

export class EchoGuard {
  readonly options: EchoGuardOptions;
  private readonly capacity: number;
  private readonly maxLag: number;
  /** Ring of output frames: band levels, activity and the absolute frame index held in each slot. */
  private readonly bands: Float32Array;
  private readonly active: Uint8Array;
  private readonly slotFrame: Float64Array;
  // The current contiguous run of output: where its next sample plays and the feature state carried along.
  private runRate = 0;
  private resampler: Resampler | null = null;
  private mel = new LogMel();
  /** Absolute frame index of the run's next frame. */
  private nextFrame = -1;
  /** Stream time (s) where the queued output ends. */
  private endTime = 0;
  /** Latest chunk start seen by check(): frames far behind it may be overwritten. */
  private checkedFrame = 0;
  /** Output frames not stored because they lay beyond the ring's reach. */
  dropped = 0;
  // Scratch for check().
  private inBands = new Float32Array(40 * N_BANDS);
  private outWin = new Float32Array(40 * N_BANDS);
  private inRaw = new Float32Array(40 * N_BANDS);
  private pred = new Float32Array(40 * N_BANDS);

  constructor(options: Partial<EchoGuardOptions> = {}) {
    const defined = Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined));
    const o: EchoGuardOptions = { ...DEFAULT_ECHO_GUARD, ...defined };
    if (!(o.seconds >= 2 && o.seconds <= 600)) throw new SoundFlowError('invalid_argument', `echo guard seconds must be in 2..600, got ${o.seconds}`);
    if (!(o.maxLagMs >= 0 && o.maxLagMs <= 2000)) throw new SoundFlowError('invalid_argument', `echo guard maxLagMs must be in 0..2000, got ${o.maxLagMs}`);
    if (!(o.threshold > -1 && o.threshold <= 1)) throw new SoundFlowError('invalid_argument', `echo guard threshold must be in (-1, 1], got ${o.threshold}`);
    this.options = o;
    this.capacity = Math.ceil(o.seconds / FRAME_S);
    this.maxLag = Math.round(o.maxLagMs / 1000 / FRAME_S);
    this.bands = new Float32Array(this.capacity * N_BANDS);
    this.active = new Uint8Array(this.capacity);
    this.slotFrame = new Float64Array(this.capacity).fill(-1);
  }

  /**
   * Reply audio that was emitted and is expected to play from stream time `atStreamTime` (s). A piece
   * that starts before the end of the queued output plays after it (a client plays its audio in order).
   */
  played(pcm: Int16Array | Float32Array, sampleRate: number, atStreamTime: number): void {
    if (!(pcm instanceof Int16Array) && !(pcm instanceof Float32Array)) {
      throw new SoundFlowError('invalid_audio', 'played audio must be an Int16Array or a Float32Array', { recoverable: true });
    }
    if (!Number.isInteger(sampleRate) || sampleRate < 8000 || sampleRate > 48000) {
      throw new SoundFlowError('invalid_argument', `played audio sample rate must be an integer in 8000..48000, got ${sampleRate}`, { recoverable: true });
    }
    checkTime(atStreamTime, 'played atStreamTime');
    if (pcm.length === 0) return;
    const x = pcm instanceof Int16Array ? pcm16ToFloat(pcm) : pcm;
    // Refuse bad samples before any state changes (a NaN would poison the resampler's history).
    for (let i = 0; i < x.length; i++) {
      if (!Number.isFinite(x[i])) throw new SoundFlowError('invalid_audio', `played audio sample ${i} is not finite (${x[i]})`, { recoverable: true });
    }
    const contiguous = this.nextFrame >= 0 && atStreamTime <= this.endTime + CONTIGUOUS_S && sampleRate === this.runRate;
    if (!contiguous) {
      this.finishRun();
      const start = Math.max(atStreamTime, this.endTime);
      this.runRate = sampleRate;
      this.resampler = sampleRate === SAMPLE_RATE ? null : new Resampler(sampleRate, SAMPLE_RATE);
      this.mel.reset();
      this.nextFrame = Math.round(start / FRAME_S);
      this.endTime = start;
    }
    this.endTime += x.length / sampleRate;
    this.addSamples(this.resampler ? this.resampler.process(x) : x);
  }

  /** The reply was cut at stream time `t` (barge-in, cancel, client truncation): output after it never plays. */
  stop(t: number): void {
    checkTime(t, 'stop time');
    this.finishRun();
    const from = Math.round(t / FRAME_S);
    for (let s = 0; s < this.capacity; s++) if (this.slotFrame[s] >= from) this.slotFrame[s] = -1;
    this.endTime = Math.min(this.endTime, t);
  }

  /** Forgets all output. */
  reset(): void {
    this.finishRun();
    this.slotFrame.fill(-1);
    this.endTime = 0;
    this.checkedFrame = 0;
  }

  /** Stream time (s) at which the queued output ends (0 when none was played). */
  get playingUntil(): number {
    return this.endTime;
  }

  /** True when our output is audible around stream time `t` (an active frame within ±250 ms, pauses between words included). */
  outputActiveAt(t: number): boolean {
    if (!Number.isFinite(t)) return false;
    const f = Math.round(t / FRAME_S);
    for (let k = f - 25; k <= f + 25; k++) if (this.frameActive(k)) return true;
    return false;
  }

  /**
   * Does the input chunk (log-mel, frame-major, MEL_BINS per frame, normally 40 frames) starting at
   * `chunkStartTime` look like our output, delayed by 0..maxLagMs? Cost: ~N_BANDS × frames × lags mult-adds.
   */
  check(chunkMel: Float32Array, chunkStartTime: number): EchoCheck {
    if (!(chunkMel instanceof Float32Array) || chunkMel.length === 0 || chunkMel.length % MEL_BINS !== 0) {
      throw new SoundFlowError('invalid_argument', `chunk mel must be a Float32Array of frames × ${MEL_BINS} values`, { recoverable: true });
    }
    checkTime(chunkStartTime, 'chunk start time');
    const frames = chunkMel.length / MEL_BINS;
    const first = Math.round(chunkStartTime / FRAME_S);
    this.checkedFrame = Math.max(this.checkedFrame, first);
    const none: EchoCheck = { echo: false, score: 0, lagMs: -1, unexplained: 0 };
    // Cheap exit: no active output anywhere in reach.
    let anyActive = false;
    for (let k = first - this.maxLag; k < first + frames && !anyActive; k++) anyActive = this.frameActive(k);
    if (!anyActive) return none;

    const n = frames * N_BANDS;
    if (this.inBands.length < n) {
      this.inBands = new Float32Array(n);
      this.outWin = new Float32Array(n);
    }
    const x = this.inBands;
    const y = this.outWin;
    for (let f = 0; f < frames; f++) bandLevels(chunkMel, f * MEL_BINS, x, f * N_BANDS);
    if (this.inRaw.length < n) this.inRaw = new Float32Array(n);
    this.inRaw.set(x.subarray(0, n));
    if (!normaliseWindow(x, frames)) return none;

    let best = -Infinity;
    let bestLag = -1;
    for (let lag = 0; lag <= this.maxLag; lag++) {
      let activeFrames = 0;
      for (let f = 0; f < frames; f++) {
        const k = first + f - lag;
        const slot = this.slotOf(k);
        if (slot >= 0) {
          if (this.active[slot]) activeFrames++;
          for (let b = 0; b < N_BANDS; b++) y[f * N_BANDS + b] = this.bands[slot * N_BANDS + b];
        } else for (let b = 0; b < N_BANDS; b++) y[f * N_BANDS + b] = FLOOR_DB;
      }
      if (activeFrames < MIN_ACTIVE_FRAMES) continue;
      if (!normaliseWindow(y, frames)) continue;
      let s = 0;
      for (let i = 0; i < n; i++) s += x[i] * y[i];
      if (s > best) {
        best = s;
        bestLag = lag;
      }
    }
    if (bestLag < 0 || !Number.isFinite(best)) return none;
    const unexplained = this.unexplained(first, frames, bestLag);
    const echo = best >= this.options.threshold && unexplained <= this.options.maxUnexplained;
    return { echo, score: best, lagMs: bestLag * FRAME_S * 1000, unexplained };
  }

  // ---- double talk ------------------------------------------------------------------------------------

  /**
   * What the output at this delay cannot explain. Per band, the echo path gain is a low quantile of
   * mic − output over frames where the output is strong (double talk and reverb only add energy, so a low
   * quantile resists both).
   * Predicted mic = output envelope with a reverberant decay + gain, power-added to the mic's floor;
   * `unexplained` is the fraction of frames exceeding it by EXCESS_DB in ≥ MIN_BANDS bands.
   */
  private unexplained(first: number, frames: number, lag: number): number {
    const x = this.inRaw;
    if (this.pred.length < frames * N_BANDS) this.pred = new Float32Array(frames * N_BANDS);
    const p = this.pred;
    const gains = new Float64Array(N_BANDS).fill(NaN);
    const floor = new Float64Array(N_BANDS);
    const d: number[] = [];
    for (let b = 0; b < N_BANDS; b++) {
      let peak = -Infinity;
      let lo = Infinity;
      for (let f = 0; f < frames; f++) {
        const slot = this.slotOf(first + f - lag);
        if (slot >= 0) peak = Math.max(peak, this.bands[slot * N_BANDS + b]);
        lo = Math.min(lo, x[f * N_BANDS + b]);
      }
      floor[b] = Math.pow(10, lo / 10);
      d.length = 0;
      for (let f = 0; f < frames; f++) {
        const slot = this.slotOf(first + f - lag);
        if (slot < 0) continue;
        const v = this.bands[slot * N_BANDS + b];
        if (v >= peak - GAIN_RANGE_DB && v > FLOOR_DB + 10) d.push(x[f * N_BANDS + b] - v);
      }
      if (d.length >= MIN_GAIN_FRAMES) {
        d.sort((u, v) => u - v);
        gains[b] = d[Math.floor(d.length * GAIN_QUANTILE)];
      }
    }
    // Predicted envelope: the strongest of the output's recent frames, decayed as a room would.
    for (let f = 0; f < frames; f++) {
      for (let b = 0; b < N_BANDS; b++) p[f * N_BANDS + b] = -Infinity;
      for (let j = 0; j <= REVERB_FRAMES; j++) {
        const slot = this.slotOf(first + f - lag - j);
        if (slot < 0) continue;
        for (let b = 0; b < N_BANDS; b++) {
          const v = this.bands[slot * N_BANDS + b] - DECAY_DB * j;
          if (v > p[f * N_BANDS + b]) p[f * N_BANDS + b] = v;
        }
      }
    }
    let bad = 0;
    for (let f = 0; f < frames; f++) {
      let over = 0;
      for (let b = 0; b < N_BANDS; b++) {
        if (Number.isNaN(gains[b])) continue;
        const pr = 10 * Math.log10(Math.pow(10, (p[f * N_BANDS + b] + gains[b]) / 10) + floor[b]);
        if (x[f * N_BANDS + b] - pr > EXCESS_DB) over++;
      }
      if (over >= MIN_BANDS) bad++;
    }
    return bad / frames;
  }

  // ---- timeline ---------------------------------------------------------------------------------------

  private slotOf(frame: number): number {
    if (frame < 0) return -1;
    const s = frame % this.capacity;
    return this.slotFrame[s] === frame ? s : -1;
  }

  private frameActive(frame: number): boolean {
    const s = this.slotOf(frame);
    return s >= 0 && this.active[s] === 1;
  }

  /** Flushes the resampler's tail into the timeline and ends the run. */
  private finishRun(): void {
    if (this.resampler) this.addSamples(this.resampler.flush());
    this.resampler = null;
    this.nextFrame = -1;
    this.runRate = 0;
  }

  private addSamples(x16k: Float32Array): void {
    if (x16k.length === 0 || this.nextFrame < 0) return;
    const mel = this.mel.process(x16k);
    const frames = mel.length / MEL_BINS;
    for (let f = 0; f < frames; f++) {
      const k = this.nextFrame++;
      const s = k % this.capacity;
      // Never overwrite a frame the next checks still need (up to maxLag behind the latest chunk):
      // output queued further ahead than the ring reaches is dropped instead.
      const occupant = this.slotFrame[s];
      if (occupant >= 0 && occupant !== k && occupant >= this.checkedFrame - this.maxLag) {
        this.dropped++;
        continue;
      }
      const level = bandLevels(mel, f * MEL_BINS, this.bands, s * N_BANDS);
      this.active[s] = level >= ACTIVE_DB ? 1 : 0;
      this.slotFrame[s] = k;
    }
  }
}

/**
 * In place: clamps each band RANGE_DB below its peak in the window, removes each band's mean and scales
 * the whole window to unit norm. Returns false when the window is flat (nothing to correlate).
 */
function normaliseWindow(v: Float32Array, frames: number): boolean {
  let norm = 0;
  for (let b = 0; b < N_BANDS; b++) {
    let peak = -Infinity;
    for (let f = 0; f < frames; f++) peak = Math.max(peak, v[f * N_BANDS + b]);
    const lo = peak - RANGE_DB;
    let mean = 0;
    for (let f = 0; f < frames; f++) {
      const i = f * N_BANDS + b;
      if (v[i] < lo) v[i] = lo;
      mean += v[i];
    }
    mean /= frames;
    for (let f = 0; f < frames; f++) {
      const i = f * N_BANDS + b;
      v[i] -= mean;
      norm += v[i] * v[i];
    }
  }
  if (!(norm > 1e-6)) return false;
  const inv = 1 / Math.sqrt(norm);
  for (let i = 0; i < frames * N_BANDS; i++) v[i] *= inv;
  return true;
}
