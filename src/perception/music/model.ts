// The music-style network in plain TypeScript: standardised summary features (features.ts) → dense H,
// ReLU → dense S → softmax. Trained by src/soundflow/train/music.ts (tfjs, same maths); the weights
// are small enough to live in one JSON file (models/music/model.json).
import { readFileSync } from 'node:fs';
import { SoundFlowError } from '../../util/errors.ts';
import { MUSIC_FEATURE_NAMES } from './features.ts';

export interface MusicModelSpec {
  version: 1;
  styles: string[];
  features: string[];
  hidden: number;
  norm: { mean: number[]; std: number[] };
  /** Below this top probability the answer is "not sure" (tuned on validation songs). */
  minConfidence: number;
  /** Dense kernels as [in][out] row-major flat arrays. */
  w1: number[]; b1: number[];
  w2: number[]; b2: number[];
  training?: Record<string, unknown>;
}

export class MusicNet {
  private readonly w1: Float32Array;
  private readonly w2: Float32Array;
  private readonly h: Float32Array;

  constructor(readonly spec: MusicModelSpec) {
    const F = spec.features.length;
    const H = spec.hidden;
    const S = spec.styles.length;
    if (spec.w1.length !== F * H || spec.b1.length !== H || spec.w2.length !== H * S || spec.b2.length !== S || spec.norm.mean.length !== F) {
      throw new SoundFlowError('model_invalid', 'music model: tensor shapes do not match its feature/style lists');
    }
    this.w1 = Float32Array.from(spec.w1);
    this.w2 = Float32Array.from(spec.w2);
    this.h = new Float32Array(H);
  }

  /** Style probabilities (softmax) for one raw feature vector. */
  forward(features: Float32Array): Float32Array {
    const { spec, w1, w2, h } = this;
    const F = spec.features.length;
    const H = spec.hidden;
    const S = spec.styles.length;
    const { mean, std } = spec.norm;
    h.set(spec.b1);
    for (let i = 0; i < F; i++) {
      const x = (features[i] - mean[i]) / std[i];
      if (x === 0) continue;
      const row = i * H;
      for (let o = 0; o < H; o++) h[o] += x * w1[row + o];
    }
    const out = Float32Array.from(spec.b2);
    for (let i = 0; i < H; i++) {
      const v = h[i] > 0 ? h[i] : 0;
      if (v === 0) continue;
      for (let o = 0; o < S; o++) out[o] += v * w2[i * S + o];
    }
    let mx = -Infinity;
    for (const v of out) mx = Math.max(mx, v);
    let sum = 0;
    for (let o = 0; o < S; o++) sum += out[o] = Math.exp(out[o] - mx);
    for (let o = 0; o < S; o++) out[o] /= sum;
    return out;
  }
}

export function loadMusicModel(path: string): MusicNet {
  let spec: MusicModelSpec;
  try {
    spec = JSON.parse(readFileSync(path, 'utf8')) as MusicModelSpec;
  } catch (err) {
    throw new SoundFlowError('model_missing', `music model not found at ${path}: run "soundflow train music"`, { cause: err });
  }
  if (spec.features.join(',') !== MUSIC_FEATURE_NAMES.join(',')) {
    throw new SoundFlowError('model_invalid', `music model at ${path} was trained on other features: retrain with "soundflow train music"`);
  }
  return new MusicNet(spec);
}
