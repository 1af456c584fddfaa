// The sound-event network's forward pass in plain TypeScript (Float32Array loops, no tfjs at run time).
// Architecture (same maths as the tfjs trainer in src/soundflow/train/sounds-model.ts):
//   input  CONTEXT_FRAMES + 40 log-mel frames × 64 bins (12 frames of the previous chunk as left context)
//   → average adjacent frame pairs (20 ms steps) → per-bin standardisation (mean/std from training)
//   → conv1: kernel 3 over time, 64·3 → H, ReLU            (expressed as unfold + dense)
//   → conv2: kernel 3, dilation 2, H·3 → H, ReLU           (receptive field 0.3 s)
//   → mean and max over the chunk's 20 steps → 2H → dense H, ReLU → dense C → sigmoid.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SoundFlowError } from '../../util/errors.ts';

export const CONTEXT_FRAMES = 12;
export const CHUNK_FRAMES = 40;
export const N_MELS = 64;
export const INPUT_FRAMES = CONTEXT_FRAMES + CHUNK_FRAMES;
export const POOL = 2;
/** Log-mel value of digital silence (ln 1e-6): the context before a stream starts. */
export const SILENCE_LOGMEL = Math.log(1e-6);

export interface SoundModelSpec {
  version: 1;
  classes: string[];
  hidden: number;
  norm: { mean: number[]; std: number[] };
  /** Per-class decision thresholds on the probability, tuned on the validation split. */
  thresholds: number[];
  tensors: { name: string; shape: number[]; offset: number }[];
  training?: Record<string, unknown>;
}

export interface SoundWeights {
  spec: SoundModelSpec;
  w1: Float32Array; b1: Float32Array;
  w2: Float32Array; b2: Float32Array;
  w3: Float32Array; b3: Float32Array;
  w4: Float32Array; b4: Float32Array;
}

export const TENSOR_NAMES = ['w1', 'b1', 'w2', 'b2', 'w3', 'b3', 'w4', 'b4'] as const;

/** Shapes of every tensor for a given hidden size and class count ([in, out] for dense kernels). */
export function tensorShapes(hidden: number, classes: number): Record<(typeof TENSOR_NAMES)[number], number[]> {
  return {
    w1: [N_MELS * 3, hidden], b1: [hidden],
    w2: [hidden * 3, hidden], b2: [hidden],
    w3: [hidden * 2, hidden], b3: [hidden],
    w4: [hidden, classes], b4: [classes],
  };
}

export function loadSoundWeights(dir: string): SoundWeights {
  let spec: SoundModelSpec;
  let bin: Buffer;
  try {
    spec = JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8')) as SoundModelSpec;
    bin = readFileSync(join(dir, 'weights.bin'));
  } catch (err) {
    throw new SoundFlowError('model_missing', `sound model not found in ${dir} (model.json + weights.bin): run "soundflow train sounds"`, { cause: err });
  }
  const all = new Float32Array(bin.buffer.slice(bin.byteOffset, bin.byteOffset + bin.byteLength));
  const shapes = tensorShapes(spec.hidden, spec.classes.length);
  const out: Partial<SoundWeights> = { spec };
  for (const name of TENSOR_NAMES) {
    const t = spec.tensors.find((x) => x.name === name);
    const size = shapes[name].reduce((a, b) => a * b, 1);
    if (!t || t.shape.join(',') !== shapes[name].join(',') || t.offset + size > all.length) {
      throw new SoundFlowError('model_invalid', `sound model in ${dir}: tensor ${name} missing or of the wrong shape`);
    }
    out[name] = all.subarray(t.offset, t.offset + size);
  }
  return out as SoundWeights;
}

/**
 * y[o] = b[o] + Σ_i x[i]·W[i,o], with W given transposed (wT row-major [m, n]). Four outputs share each
 * load of x[i]; every output still sums its terms in the same order (i ascending, in a double), so the
 * result is the same, bit for bit, as one output at a time.
 */
function dense(x: Float32Array, xOff: number, n: number, wT: Float32Array, b: Float32Array, m: number, y: Float32Array, yOff: number, relu: boolean): void {
  let o = 0;
  for (; o + 4 <= m; o += 4) {
    let a0 = b[o];
    let a1 = b[o + 1];
    let a2 = b[o + 2];
    let a3 = b[o + 3];
    const r0 = o * n;
    const r1 = r0 + n;
    const r2 = r1 + n;
    const r3 = r2 + n;
    for (let i = 0; i < n; i++) {
      const v = x[xOff + i];
      a0 += v * wT[r0 + i];
      a1 += v * wT[r1 + i];
      a2 += v * wT[r2 + i];
      a3 += v * wT[r3 + i];
    }
    y[yOff + o] = relu && a0 < 0 ? 0 : a0;
    y[yOff + o + 1] = relu && a1 < 0 ? 0 : a1;
    y[yOff + o + 2] = relu && a2 < 0 ? 0 : a2;
    y[yOff + o + 3] = relu && a3 < 0 ? 0 : a3;
  }
  for (; o < m; o++) {
    let acc = b[o];
    const row = o * n;
    for (let i = 0; i < n; i++) acc += x[xOff + i] * wT[row + i];
    y[yOff + o] = relu && acc < 0 ? 0 : acc;
  }
}

/**
 * dense() with ReLU for two inputs at once (x at xOff and xOff2 → y at yOff and yOff2), so each weight
 * load serves two time steps; the summation order per output is still dense()'s.
 */
function dense2(x: Float32Array, xOff: number, xOff2: number, n: number, wT: Float32Array, b: Float32Array, m: number, y: Float32Array, yOff: number, yOff2: number): void {
  let o = 0;
  for (; o + 4 <= m; o += 4) {
    let a0 = b[o];
    let a1 = b[o + 1];
    let a2 = b[o + 2];
    let a3 = b[o + 3];
    let c0 = a0;
    let c1 = a1;
    let c2 = a2;
    let c3 = a3;
    const r0 = o * n;
    const r1 = r0 + n;
    const r2 = r1 + n;
    const r3 = r2 + n;
    for (let i = 0; i < n; i++) {
      const v = x[xOff + i];
      const u = x[xOff2 + i];
      const w0 = wT[r0 + i];
      const w1 = wT[r1 + i];
      const w2 = wT[r2 + i];
      const w3 = wT[r3 + i];
      a0 += v * w0;
      a1 += v * w1;
      a2 += v * w2;
      a3 += v * w3;
      c0 += u * w0;
      c1 += u * w1;
      c2 += u * w2;
      c3 += u * w3;
    }
    y[yOff + o] = a0 < 0 ? 0 : a0;
    y[yOff + o + 1] = a1 < 0 ? 0 : a1;
    y[yOff + o + 2] = a2 < 0 ? 0 : a2;
    y[yOff + o + 3] = a3 < 0 ? 0 : a3;
    y[yOff2 + o] = c0 < 0 ? 0 : c0;
    y[yOff2 + o + 1] = c1 < 0 ? 0 : c1;
    y[yOff2 + o + 2] = c2 < 0 ? 0 : c2;
    y[yOff2 + o + 3] = c3 < 0 ? 0 : c3;
  }
  if (o < m) {
    dense(x, xOff, n, wT.subarray(o * n), b.subarray(o), m - o, y, yOff + o, true);
    dense(x, xOff2, n, wT.subarray(o * n), b.subarray(o), m - o, y, yOff2 + o, true);
  }
}

function transpose(w: Float32Array, n: number, m: number): Float32Array {
  const t = new Float32Array(n * m);
  for (let i = 0; i < n; i++) for (let o = 0; o < m; o++) t[o * n + i] = w[i * m + o];
  return t;
}

/** Scratch buffers, allocated once per classifier. */
export class SoundNet {
  readonly hidden: number;
  readonly nClasses: number;
  private readonly pooled: Float32Array;
  private readonly h1: Float32Array;
  private readonly unfold2: Float32Array;
  private readonly h2: Float32Array;
  private readonly stats: Float32Array;
  private readonly h3: Float32Array;
  private readonly steps = INPUT_FRAMES / POOL;
  private readonly w1T: Float32Array;
  private readonly w2T: Float32Array;
  private readonly w3T: Float32Array;
  private readonly w4T: Float32Array;

  constructor(readonly w: SoundWeights) {
    this.hidden = w.spec.hidden;
    this.nClasses = w.spec.classes.length;
    const H = this.hidden;
    this.w1T = transpose(w.w1, N_MELS * 3, H);
    this.w2T = transpose(w.w2, H * 3, H);
    this.w3T = transpose(w.w3, H * 2, H);
    this.w4T = transpose(w.w4, H, this.nClasses);
    this.pooled = new Float32Array(this.steps * N_MELS);
    this.h1 = new Float32Array((this.steps - 2) * H);
    this.unfold2 = new Float32Array((this.steps - 6) * H * 3);
    this.h2 = new Float32Array((this.steps - 6) * H);
    this.stats = new Float32Array(2 * H);
    this.h3 = new Float32Array(H);
  }

  /** `frames`: INPUT_FRAMES × N_MELS log-mel, row-major. Returns per-class probabilities. */
  forward(frames: Float32Array): Float32Array {
    const { w, hidden: H, steps } = this;
    const { mean, std } = w.spec.norm;
    const P = this.pooled;
    for (let s = 0; s < steps; s++) {
      for (let m = 0; m < N_MELS; m++) {
        const v = (frames[(2 * s) * N_MELS + m] + frames[(2 * s + 1) * N_MELS + m]) / 2;
        P[s * N_MELS + m] = (v - mean[m]) / std[m];
      }
    }
    const T1 = steps - 2;
    // Steps t..t+2 of P are contiguous: conv1 reads them in place.
    let t = 0;
    for (; t + 2 <= T1; t += 2) dense2(P, t * N_MELS, (t + 1) * N_MELS, N_MELS * 3, this.w1T, w.b1, H, this.h1, t * H, (t + 1) * H);
    for (; t < T1; t++) dense(P, t * N_MELS, N_MELS * 3, this.w1T, w.b1, H, this.h1, t * H, true);
    const T2 = steps - 6;
    // Row t of unfold2 = h1 at steps t, t+2, t+4 (kernel 3, dilation 2).
    const U = this.unfold2;
    for (let u = 0; u < T2; u++) {
      U.set(this.h1.subarray(u * H, u * H + H), u * 3 * H);
      U.set(this.h1.subarray((u + 2) * H, (u + 2) * H + H), u * 3 * H + H);
      U.set(this.h1.subarray((u + 4) * H, (u + 4) * H + H), u * 3 * H + 2 * H);
    }
    for (t = 0; t + 2 <= T2; t += 2) dense2(U, t * 3 * H, (t + 1) * 3 * H, H * 3, this.w2T, w.b2, H, this.h2, t * H, (t + 1) * H);
    for (; t < T2; t++) dense(U, t * 3 * H, H * 3, this.w2T, w.b2, H, this.h2, t * H, true);
    const st = this.stats;
    for (let o = 0; o < H; o++) {
      let sum = 0;
      let mx = -Infinity;
      for (let u = 0; u < T2; u++) {
        const v = this.h2[u * H + o];
        sum += v;
        if (v > mx) mx = v;
      }
      st[o] = sum / T2;
      st[H + o] = mx;
    }
    dense(st, 0, 2 * H, this.w3T, w.b3, H, this.h3, 0, true);
    const out = new Float32Array(this.nClasses);
    dense(this.h3, 0, H, this.w4T, w.b4, this.nClasses, out, 0, false);
    for (let c = 0; c < out.length; c++) out[c] = 1 / (1 + Math.exp(-out[c]));
    return out;
  }
}
