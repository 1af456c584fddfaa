// Per-frame voice features for the speech frames of a chunk, from what perception already computed
// (log-mel, VAD) plus the F0 tracker: level, mid-band level (for syllable nuclei), low/high band power
// (spectral tilt), F0 and aperiodicity, and MFCCs (DCT of the log-mel) for speaker statistics.
import { FRAMES_PER_CHUNK, HOP_LENGTH, MEL_BINS, MEL_DB_OFFSET, melCenterFrequencies } from '../features.ts';
import { PitchTracker } from './pitch.ts';

/** MFCCs kept per frame: c1..c12 (c0 is level, which says little about who speaks). */
export const N_MFCC = 12;
/** A VAD frame at or above this marks the mel frames it covers as speech. */
const SPEECH_P = 0.5;

const CENTRES = melCenterFrequencies(MEL_BINS);
const LOW_BANDS = CENTRES.map((c, i) => (c < 1000 ? i : -1)).filter((i) => i >= 0);
const HIGH_BANDS = CENTRES.map((c, i) => (c >= 2000 ? i : -1)).filter((i) => i >= 0);
const MID_BANDS = CENTRES.map((c, i) => (c >= 300 && c <= 3000 ? i : -1)).filter((i) => i >= 0);
/** Orthonormal DCT-II rows 1..N_MFCC over the mel bands. */
const DCT = (() => {
  const m = MEL_BINS;
  const t = new Float64Array(N_MFCC * m);
  for (let k = 1; k <= N_MFCC; k++) for (let b = 0; b < m; b++) t[(k - 1) * m + b] = Math.sqrt(2 / m) * Math.cos((Math.PI * k * (b + 0.5)) / m);
  return t;
})();

export interface VoiceFrame {
  /** Stream time (s) at the end of the frame. */
  t: number;
  /** Frame level, dB (0 dB = rms 1.0). */
  levelDb: number;
  /** Level of the 300–3000 Hz bands, dB: its peaks are syllable nuclei. */
  midDb: number;
  lowPow: number;
  highPow: number;
  f0: number;
  aperiodicity: number;
  mfcc: Float32Array;
}

/** Computes VoiceFrames for the speech frames of each chunk (others are skipped: silence costs ~nothing). */
export class VoiceFrameExtractor {
  private readonly pitch = new PitchTracker();

  process(mel: Float32Array, vadProbs: number[], pcm: Float32Array, chunkStartSample: number): VoiceFrame[] {
    const frames = Math.min(Math.floor(pcm.length / HOP_LENGTH), mel.length / MEL_BINS) || FRAMES_PER_CHUNK;
    const speech = speechMask(frames, vadProbs);
    const pitch = this.pitch.process(pcm, speech);
    const out: VoiceFrame[] = [];
    for (let f = 0; f < frames; f++) {
      if (!speech[f]) continue;
      const row = f * MEL_BINS;
      let all = 0, low = 0, high = 0, mid = 0;
      for (let b = 0; b < MEL_BINS; b++) all += Math.exp(mel[row + b]);
      for (const b of LOW_BANDS) low += Math.exp(mel[row + b]);
      for (const b of HIGH_BANDS) high += Math.exp(mel[row + b]);
      for (const b of MID_BANDS) mid += Math.exp(mel[row + b]);
      const mfcc = new Float32Array(N_MFCC);
      for (let k = 0; k < N_MFCC; k++) {
        let s = 0;
        const o = k * MEL_BINS;
        for (let b = 0; b < MEL_BINS; b++) s += DCT[o + b] * mel[row + b];
        mfcc[k] = s;
      }
      out.push({
        t: (chunkStartSample + (f + 1) * HOP_LENGTH) / 16000,
        levelDb: 10 * Math.log10(all + 1e-12) - MEL_DB_OFFSET,
        midDb: 10 * Math.log10(mid + 1e-12) - MEL_DB_OFFSET,
        lowPow: low,
        highPow: high,
        f0: pitch[f].f0,
        aperiodicity: pitch[f].aperiodicity,
        mfcc,
      });
    }
    return out;
  }

  reset(): void {
    this.pitch.reset();
  }
}

/** Mel frame f is speech when the VAD frame covering it is ≥ SPEECH_P. */
function speechMask(frames: number, probs: number[]): boolean[] {
  const nv = probs.length;
  const mask: boolean[] = new Array(frames).fill(false);
  if (nv === 0) return mask;
  for (let f = 0; f < frames; f++) mask[f] = probs[Math.min(nv - 1, Math.floor((f * nv) / frames))] >= SPEECH_P;
  return mask;
}
