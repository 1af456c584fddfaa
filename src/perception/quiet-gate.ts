// Skips the per-chunk models (Silero VAD, sound model) while nothing is happening, so an idle session
// costs almost no CPU. A chunk is "nothing" when no 10 ms frame rises above the background noise floor
// (the acoustic context's per-band floor, known before the chunk) by `maxExcessDb`, no utterance is
// open or starting, and the last chunks were quiet too. Measured per chunk (largest frame excess):
// steady white noise 0.4–1 dB, pink 1–3.5 dB, brown 2.4–6 dB; "how are you" mixed at 0 dB into pink
// noise 12–20 dB, a 50 ms 1 kHz beep at −10 dB 35 dB. The models run again from the first chunk above.
import { MEL_BINS, MEL_DB_OFFSET } from './features.ts';

export interface QuietGateOptions {
  /** Largest frame excess over the noise floor (dB, acoustic-context definition) that still counts as quiet. */
  maxExcessDb: number;
  /** Quiet chunks needed (the models ran on them) before chunks are skipped. */
  minQuietChunks: number;
  /** Largest VAD speech probability in the last chunk that still counts as quiet. */
  maxVadProb: number;
}

export const DEFAULT_QUIET_GATE: QuietGateOptions = { maxExcessDb: 5, minQuietChunks: 3, maxVadProb: 0.15 };

/** Mirrors AcousticContext's excess: 10·log10(1 + Σ max(0, P − 2F) / Σ F). */
const EXCESS_FACTOR = 2;

export class QuietGate {
  readonly options: QuietGateOptions;
  private floor: Float64Array | null = null;
  private floorSum = 0;
  private quietRun = 0;
  /** Chunks skipped so far (for benchmarks and logs). */
  skipped = 0;

  constructor(options: Partial<QuietGateOptions> = {}) {
    this.options = { ...DEFAULT_QUIET_GATE, ...Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined)) };
  }

  /** The per-band floor (dB, as in AcousticSnapshot.bandNoiseFloor) after the last chunk. */
  setFloor(bandFloorDb: Float32Array): void {
    const f = (this.floor ??= new Float64Array(bandFloorDb.length));
    this.floorSum = 0;
    for (let b = 0; b < bandFloorDb.length; b++) {
      f[b] = Math.pow(10, (bandFloorDb[b] + MEL_DB_OFFSET) / 10);
      this.floorSum += f[b];
    }
  }

  /** Largest frame excess of this chunk's log-mel frames over the floor, dB (Infinity before a floor is known). */
  maxExcessDb(mel: Float32Array): number {
    if (!this.floor || !(this.floorSum > 0)) return Infinity;
    const nb = MEL_BINS;
    let worst = 0;
    for (let f = 0; f * nb < mel.length; f++) {
      let ex = 0;
      for (let b = 0; b < nb; b++) ex += Math.max(0, Math.exp(mel[f * nb + b]) - EXCESS_FACTOR * this.floor[b]);
      worst = Math.max(worst, ex);
    }
    return 10 * Math.log10(1 + worst / this.floorSum);
  }

  /**
   * Whether the chunk may skip the models. `busy`: an utterance is open or a candidate is being
   * confirmed; `lastVadMax`: the largest speech probability of the previous chunk (0 when skipped).
   */
  shouldSkip(mel: Float32Array, busy: boolean, lastVadMax: number): boolean {
    const quiet = !busy && lastVadMax <= this.options.maxVadProb && this.maxExcessDb(mel) <= this.options.maxExcessDb;
    if (!quiet) {
      this.quietRun = 0;
      return false;
    }
    this.quietRun++;
    const skip = this.quietRun > this.options.minQuietChunks;
    if (skip) this.skipped++;
    return skip;
  }

  reset(): void {
    this.floor = null;
    this.floorSum = 0;
    this.quietRun = 0;
  }
}
