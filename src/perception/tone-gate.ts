// Keeps steady pure tones from opening utterances. Silero takes some sine tones for speech (a 520 Hz
// beep reads 0.6–0.9), and an utterance opened on one costs a second of recognition for nothing and
// gives the policy a transcript of "you" or "hey". Speech is never one partial held still: voiced frames
// carry the fundamental and its harmonics across many mel filters and the pitch moves, unvoiced ones are
// noise. So a VAD frame counts as speech for the segmenter only when its mel frames are not the tail of
// a run of frames that are all one narrow peak in one filter. The VAD's own probabilities still go to
// everything else (acoustic context, voice, echo guard).
import { MEL_BINS, melPeakShare } from './features.ts';

export interface ToneGateOptions {
  /** Share of a mel frame's energy within ±1 filter of its peak that marks it as tonal (> 1: gate off). */
  minShare: number;
  /** Tonal mel frames (10 ms) in a row, all with the same peak filter, before VAD frames are gated. */
  minRunFrames: number;
}

// Measured by bench/tone-gate.ts (docs/notes/perception.md, "Tone gate"): a sine from 330 Hz
// up puts ≥ 0.95 of its energy in its peak's three filters; with 120 ms of that in a row, none of 16
// synthetic voices' or 195 human prompts' speech frames is gated (0.9 or 8 frames gate some of the human
// prompts' held vowels), while a tone keeps at most its first ~100 ms, less than a candidate needs.
export const DEFAULT_TONE_GATE: ToneGateOptions = { minShare: 0.95, minRunFrames: 12 };

const HOP = 160;

export class ToneGate {
  readonly options: ToneGateOptions;
  /** VAD frames whose probability the gate took away (diagnostic). */
  gated = 0;
  private peak = -1;
  private run = 0;
  /** Tonal run length at each mel frame of the current chunk. */
  private runs = new Int32Array(0);

  constructor(opts: Partial<ToneGateOptions> = {}) {
    this.options = { ...DEFAULT_TONE_GATE, ...opts };
  }

  /**
   * One chunk: its log-mel frames, the VAD's probabilities and frame ends (stream samples), and where the
   * chunk starts (stream sample). Returns the probabilities the segmenter should see: 0 for frames inside
   * a steady tone, the VAD's own otherwise.
   */
  gate(mel: Float32Array, probs: number[], frameEnds: number[], chunkStartSample: number): number[] {
    const o = this.options;
    if (!(o.minShare <= 1)) return probs;
    const frames = Math.floor(mel.length / MEL_BINS);
    if (this.runs.length < frames) this.runs = new Int32Array(frames);
    for (let f = 0; f < frames; f++) {
      const s = melPeakShare(mel, f);
      this.run = s.share >= o.minShare ? (s.peak === this.peak ? this.run + 1 : 1) : 0;
      this.peak = s.share >= o.minShare ? s.peak : -1;
      this.runs[f] = this.run;
    }
    let out: number[] | null = null;
    for (let i = 0; i < probs.length; i++) {
      if (probs[i] === 0) continue;
      // The last mel frame inside the VAD frame (512 samples ending at frameEnds[i]).
      const last = Math.min(frames, Math.floor((frameEnds[i] - chunkStartSample) / HOP)) - 1;
      if (last < 0 || this.runs[last] < o.minRunFrames) continue;
      out ??= probs.slice();
      out[i] = 0;
      this.gated++;
    }
    return out ?? probs;
  }
}
