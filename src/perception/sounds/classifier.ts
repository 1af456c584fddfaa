// Per-chunk sound-event classifier the session calls once per 0.4 s chunk with the shared log-mel.
// Keeps the last CONTEXT_FRAMES frames of the previous chunk as left context (one instance per session).
import { fileURLToPath } from 'node:url';
import { SoundFlowError } from '../../util/errors.ts';
import { CHUNK_FRAMES, CONTEXT_FRAMES, INPUT_FRAMES, N_MELS, SILENCE_LOGMEL, SoundNet, loadSoundWeights, type SoundWeights } from './model.ts';

/** models/sounds in the repository, independent of the working directory. */
export const DEFAULT_SOUND_MODEL_DIR = fileURLToPath(new URL('../../../models/sounds/', import.meta.url));

const weightCache = new Map<string, SoundWeights>();

export class SoundClassifier {
  readonly classes: string[];
  /** Per-class thresholds tuned on the validation split (probability above → class present). */
  readonly thresholds: Float32Array;
  private readonly net: SoundNet;
  private readonly input = new Float32Array(INPUT_FRAMES * N_MELS);

  private constructor(weights: SoundWeights) {
    this.net = new SoundNet(weights);
    this.classes = [...weights.spec.classes];
    this.thresholds = Float32Array.from(weights.spec.thresholds ?? this.classes.map(() => 0.5));
    this.reset();
  }

  /** Loads model.json + weights.bin (cached per directory, so sessions share the parsed weights). */
  static async load(dir: string = DEFAULT_SOUND_MODEL_DIR): Promise<SoundClassifier> {
    let w = weightCache.get(dir);
    if (!w) weightCache.set(dir, (w = loadSoundWeights(dir)));
    return new SoundClassifier(w);
  }

  static fromWeights(w: SoundWeights): SoundClassifier {
    return new SoundClassifier(w);
  }

  /** `mel`: the chunk's 40 × 64 log-mel frames (row-major). Returns one probability per class. */
  classify(mel: Float32Array): Float32Array {
    this.fill(mel);
    const probs = this.net.forward(this.input);
    this.advance();
    return probs;
  }

  /**
   * The network's input for this chunk (left context + `mel`, a copy), for running the network elsewhere
   * (ChunkModels.sounds); the context moves on as with classify().
   */
  window(mel: Float32Array): Float32Array {
    this.fill(mel);
    const w = this.input.slice();
    this.advance();
    return w;
  }

  private fill(mel: Float32Array): void {
    if (!(mel instanceof Float32Array) || mel.length !== CHUNK_FRAMES * N_MELS) {
      throw new SoundFlowError('invalid_features', `classify expects ${CHUNK_FRAMES}×${N_MELS} log-mel values, got ${mel?.length}`, { recoverable: true });
    }
    const ctx = CONTEXT_FRAMES * N_MELS;
    const input = this.input;
    input.set(mel, ctx);
    // Non-finite features would poison the context; treat them as silence.
    for (let i = ctx; i < input.length; i++) if (!Number.isFinite(input[i])) input[i] = SILENCE_LOGMEL;
  }

  /** This chunk's last frames become the next context. */
  private advance(): void {
    this.input.copyWithin(0, CHUNK_FRAMES * N_MELS);
  }

  /** Back to the stream start: the context is digital silence, as for the LogMel extractor. */
  reset(): void {
    this.input.fill(SILENCE_LOGMEL);
  }

  /** The k most probable classes of a probability vector. */
  top(probs: Float32Array, k = 3): { label: string; p: number }[] {
    return Array.from(probs, (p, i) => ({ label: this.classes[i], p }))
      .sort((a, b) => b.p - a.p)
      .slice(0, k);
  }
}
