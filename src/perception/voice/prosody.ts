// Utterance-level prosody from its speech frames: level, F0 median and spread, voicing ratio,
// speaking rate (syllable nuclei: peaks of the smoothed 300–3000 Hz level, voiced unless the whole
// utterance is unvoiced, each standing ≥ 2 dB over the dip before it), a tempo index (the rate's
// steadier companion for arousal) and spectral tilt.
import { semitones } from './pitch.ts';
import type { VoiceFrame } from './frames.ts';

export interface Prosody {
  levelDb: number;
  /** Median F0 (Hz) of voiced frames, 0 when none. */
  f0Hz: number;
  /** Interquartile range of voiced F0, semitones. */
  f0RangeSt: number;
  voicedRatio: number;
  rateSyllPerSec: number;
  /**
   * Tempo index: geometric mean of the syllable rate, the spectral velocity (mean MFCC change over
   * 20 ms, ÷2.5) and the syllabic modulation frequency (centroid of the level envelope's 1.5–12 Hz
   * spectrum, Hz). Each moves with a faster tempo; their errors between phrasings are partly
   * independent, so the mean varies less between one speaker's phrasings than any one of them
   * (docs/notes/voice.md). 0 when none is measurable.
   */
  tempo: number;
  /** Spectral velocity ÷2.5 (reads about like syllables per second): the tempo index's steadiest part. */
  articulation: number;
  tiltDb: number;
  /** Seconds of speaking time (frames within 30 dB of the loudest): the rate's denominator. */
  speechS: number;
  /** Speech frames analysed. */
  frames: number;
}

/** Syllable peak must stand this much over the dip since the previous accepted peak, dB. */
const NUCLEUS_DIP_DB = 2;
/** Peaks more than this below the utterance's loudest mid-band frame are ignored, dB. */
const NUCLEUS_RANGE_DB = 25;
/** Frames this far below the loudest count as pauses for the speaking rate, dB. */
const ACTIVE_RANGE_DB = 30;
/** Spectral velocity is divided by this to read about like a syllable rate (the scale cancels in z-scores). */
const VELOCITY_PER_SYLLABLE = 2.5;
/** Below this voiced share, the utterance counts as unvoiced for syllable counting (whispers). */
const UNVOICED_UTTERANCE = 0.2;

export function prosodyOf(frames: readonly VoiceFrame[]): Prosody {
  const n = frames.length;
  if (n === 0) return { levelDb: -100, f0Hz: 0, f0RangeSt: 0, voicedRatio: 0, rateSyllPerSec: 0, tempo: 0, articulation: 0, tiltDb: 0, speechS: 0, frames: 0 };
  let pow = 0, low = 0, high = 0;
  const f0s: number[] = [];
  for (const fr of frames) {
    pow += 10 ** (fr.levelDb / 10);
    low += fr.lowPow;
    high += fr.highPow;
    if (fr.f0 > 0) f0s.push(semitones(fr.f0));
  }
  f0s.sort((a, b) => a - b);
  const q = (p: number) => f0s[Math.min(f0s.length - 1, Math.floor(p * f0s.length))];
  const voicedRatio = f0s.length / n;
  const speechS = activeSeconds(frames);
  const rateSyllPerSec = syllableNuclei(frames, voicedRatio >= UNVOICED_UTTERANCE) / speechS;
  const articulation = spectralVelocity(frames) / VELOCITY_PER_SYLLABLE;
  return {
    levelDb: 10 * Math.log10(pow / n),
    f0Hz: f0s.length ? 100 * 2 ** (q(0.5) / 12) : 0,
    f0RangeSt: f0s.length >= 4 ? q(0.75) - q(0.25) : 0,
    voicedRatio,
    rateSyllPerSec,
    tempo: geometricMean([rateSyllPerSec, articulation, modulationCentroid(frames)]),
    articulation,
    tiltDb: 10 * Math.log10((high + 1e-12) / (low + 1e-12)),
    speechS,
    frames: n,
  };
}

/** Seconds of frames within ACTIVE_RANGE_DB of the loudest (the VAD's trailing frames are not speech time). */
function activeSeconds(frames: readonly VoiceFrame[]): number {
  let top = -Infinity;
  for (const f of frames) top = Math.max(top, f.midDb);
  let n = 0;
  for (const f of frames) if (f.midDb >= top - ACTIVE_RANGE_DB) n++;
  return Math.max(1, n) * 0.01;
}

/** Counts syllable nuclei in time-ordered speech frames (gaps between them are pauses). */
export function syllableNuclei(frames: readonly VoiceFrame[], needVoicing: boolean): number {
  const n = frames.length;
  if (n < 3) return 0;
  // 5-frame moving average of the mid-band level, restarted across pauses (> 30 ms gaps).
  const sm = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let s = 0, c = 0;
    for (let j = i - 2; j <= i + 2; j++) {
      if (j < 0 || j >= n || Math.abs(frames[j].t - frames[i].t) > 0.025 + 1e-9) continue;
      s += frames[j].midDb;
      c++;
    }
    sm[i] = s / c;
  }
  let top = -Infinity;
  for (const v of sm) top = Math.max(top, v);
  let count = 0;
  let dip = -Infinity; // lowest level since the last accepted nucleus (none yet: the first peak counts)
  let lastPeak = -Infinity;
  for (let i = 0; i < n; i++) {
    const gap = i > 0 && frames[i].t - frames[i - 1].t > 0.015;
    if (gap) dip = -Infinity; // a pause separates syllables
    dip = Math.min(dip, sm[i]);
    const isPeak = (i === 0 || sm[i] >= sm[i - 1]) && (i === n - 1 || sm[i] > sm[i + 1]);
    if (!isPeak || sm[i] < top - NUCLEUS_RANGE_DB) continue;
    if (needVoicing && frames[i].f0 <= 0 && !(i > 0 && frames[i - 1].f0 > 0) && !(i + 1 < n && frames[i + 1].f0 > 0)) continue;
    if (sm[i] - dip >= NUCLEUS_DIP_DB) {
      count++;
      lastPeak = sm[i];
      dip = sm[i];
    } else if (sm[i] > lastPeak) {
      lastPeak = sm[i]; // the same syllable rising further: the next nucleus needs a dip after this
      dip = sm[i];
    }
  }
  return count;
}

/** Geometric mean of the positive finite values (0 when none). */
function geometricMean(v: number[]): number {
  const ok = v.filter((x) => Number.isFinite(x) && x > 0);
  return ok.length ? Math.exp(ok.reduce((a, x) => a + Math.log(x), 0) / ok.length) : 0;
}

/** Frames this far below the utterance's loudest mid-band frame are left out of the spectral velocity, dB. */
const VELOCITY_RANGE_DB = 30;

/**
 * Mean Euclidean MFCC change across each frame (next frame minus previous, 20 ms apart), within speech
 * runs and over frames within VELOCITY_RANGE_DB of the loudest: the MFCCs of near-silent frames (onsets,
 * the VAD's tail) move with the noise floor, not the articulation, and their share differs between
 * phrasings and with the level (docs/notes/voice.md, round 6).
 */
export function spectralVelocity(frames: readonly VoiceFrame[]): number {
  let top = -Infinity;
  for (const f of frames) top = Math.max(top, f.midDb);
  let sum = 0, n = 0;
  for (let i = 1; i + 1 < frames.length; i++) {
    if (frames[i + 1].t - frames[i - 1].t > 0.025) continue; // a pause inside: not one run of speech
    if (frames[i].midDb < top - VELOCITY_RANGE_DB) continue;
    const a = frames[i - 1].mfcc, b = frames[i + 1].mfcc;
    let d2 = 0;
    for (let k = 0; k < a.length; k++) {
      const x = b[k] - a[k];
      d2 += x * x;
    }
    sum += Math.sqrt(d2);
    n++;
  }
  return n ? sum / n : 0;
}

/** Lowest/highest syllabic modulation frequency and step, Hz. */
const MOD_LO = 1.5, MOD_HI = 12, MOD_STEP = 0.25;

/**
 * Power-weighted mean frequency of the mid-band level envelope's spectrum between 1.5 and 12 Hz
 * (Hann-windowed DFT over the speech frames, pauses left out): the rate at which syllables come.
 */
export function modulationCentroid(frames: readonly VoiceFrame[]): number {
  const n = frames.length;
  if (n < 32) return 0;
  let mean = 0;
  for (const f of frames) mean += f.midDb;
  mean /= n;
  const x = new Float64Array(n);
  for (let i = 0; i < n; i++) x[i] = (frames[i].midDb - mean) * (0.5 - 0.5 * Math.cos((2 * Math.PI * i) / (n - 1)));
  let num = 0, den = 0;
  for (let hz = MOD_LO; hz <= MOD_HI + 1e-9; hz += MOD_STEP) {
    // Rotating phasor instead of a sin/cos per sample.
    const w = 2 * Math.PI * hz * 0.01;
    const cw = Math.cos(w), sw = Math.sin(w);
    let c = 1, s = 0, re = 0, im = 0;
    for (let i = 0; i < n; i++) {
      re += x[i] * c;
      im += x[i] * s;
      const c2 = c * cw - s * sw;
      s = s * cw + c * sw;
      c = c2;
    }
    const p = re * re + im * im;
    num += p * hz;
    den += p;
  }
  return den > 0 ? num / den : 0;
}
