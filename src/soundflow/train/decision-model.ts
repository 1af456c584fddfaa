// The decision MLP in tfjs (wasm backend) for training; src/decision/learned.ts (DecisionNet) runs the
// same maths in plain TypeScript at run time. Inputs are standardised per column, hidden layers ReLU,
// one logit out; the loss is class-weighted binary cross-entropy.
import * as tf from '@tensorflow/tfjs';
import type { DecisionModelSpec } from '../../decision/learned.ts';

export interface Mlp {
  ws: tf.Variable[];
  bs: tf.Variable[];
}

/** He-initialised layers of the given sizes, e.g. [inputs, 32, 16, 1]; deterministic from the seed. */
export function initMlp(sizes: number[], seed: number): Mlp {
  const ws: tf.Variable[] = [];
  const bs: tf.Variable[] = [];
  for (let k = 0; k + 1 < sizes.length; k++) {
    ws.push(tf.variable(tf.randomNormal([sizes[k], sizes[k + 1]], 0, Math.sqrt(2 / sizes[k]), 'float32', seed + k), true, `w${k}`));
    bs.push(tf.variable(tf.zeros([sizes[k + 1]]), true, `b${k}`));
  }
  return { ws, bs };
}

export function paramCount(m: Mlp): number {
  return [...m.ws, ...m.bs].reduce((n, v) => n + v.size, 0);
}

/** Logits [B] for raw inputs x [B, D]; mean/std [D]. */
export function forward(m: Mlp, x: tf.Tensor2D, mean: tf.Tensor1D, std: tf.Tensor1D, dropout = 0): tf.Tensor1D {
  return tf.tidy(() => {
    let h = x.sub(mean).div(std) as tf.Tensor2D;
    m.ws.forEach((w, k) => {
      h = tf.matMul(h, w).add(m.bs[k]) as tf.Tensor2D;
      if (k < m.ws.length - 1) {
        h = tf.relu(h);
        if (dropout > 0) h = tf.dropout(h, dropout) as tf.Tensor2D;
      }
    });
    return h.reshape([-1]) as tf.Tensor1D;
  });
}

/** Mean weighted BCE of a batch. */
export function weightedBce(m: Mlp, x: tf.Tensor2D, y: tf.Tensor1D, w: tf.Tensor1D, mean: tf.Tensor1D, std: tf.Tensor1D, dropout = 0): tf.Scalar {
  return tf.tidy(() => tf.losses.sigmoidCrossEntropy(y, forward(m, x, mean, std, dropout), w, 0, tf.Reduction.SUM_BY_NONZERO_WEIGHTS) as tf.Scalar);
}

/** p(respond) for n rows of x (row-major, d columns). */
export function predictTf(m: Mlp, x: Float32Array, n: number, d: number, mean: tf.Tensor1D, std: tf.Tensor1D, batch = 1024): Float32Array {
  const out = new Float32Array(n);
  for (let i = 0; i < n; i += batch) {
    const b = Math.min(batch, n - i);
    const p = tf.tidy(() => tf.sigmoid(forward(m, tf.tensor2d(x.subarray(i * d, (i + b) * d), [b, d]), mean, std)));
    out.set(p.dataSync() as Float32Array, i);
    p.dispose();
  }
  return out;
}

export function snapshot(m: Mlp): Float32Array[] {
  return [...m.ws, ...m.bs].map((v) => Float32Array.from(v.dataSync() as Float32Array));
}

export function restore(m: Mlp, snap: Float32Array[]): void {
  [...m.ws, ...m.bs].forEach((v, k) => v.assign(tf.tensor(snap[k], v.shape)));
}

/** The run-time model file: the trained weights (float32 values written exactly) plus metadata. */
export function toSpec(m: Mlp, meta: Omit<DecisionModelSpec, 'version' | 'layers'>): DecisionModelSpec {
  const layers = m.ws.map((w, k) => ({
    inputs: w.shape[0],
    outputs: w.shape[1] as number,
    w: Array.from(w.dataSync() as Float32Array),
    b: Array.from(m.bs[k].dataSync() as Float32Array),
  }));
  return { version: 1, ...meta, layers };
}

/** Rebuilds tfjs variables from a model file (tests compare the plain-TS forward pass against this). */
export function fromSpec(spec: DecisionModelSpec): { mlp: Mlp; mean: tf.Tensor1D; std: tf.Tensor1D } {
  const ws = spec.layers.map((l, k) => tf.variable(tf.tensor2d(l.w, [l.inputs, l.outputs]), false, `spec_w${k}_${Math.random()}`));
  const bs = spec.layers.map((l, k) => tf.variable(tf.tensor1d(l.b), false, `spec_b${k}_${Math.random()}`));
  return { mlp: { ws, bs }, mean: tf.tensor1d(spec.norm.mean), std: tf.tensor1d(spec.norm.std.map((s) => Math.max(1e-6, s))) };
}
