// The sound-event network in tfjs (wasm backend) for training; the same maths as the plain-TS
// forward pass in src/perception/sounds/model.ts, which is what runs in production. The convolutions
// are written as slices + concat + matMul (the wasm backend has no conv backprop kernel).
import * as tf from '@tensorflow/tfjs';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { INPUT_FRAMES, N_MELS, POOL, TENSOR_NAMES, tensorShapes, type SoundWeights } from '../../perception/sounds/model.ts';

let ready: Promise<void> | null = null;

/** Selects the wasm backend (SIMD); never the cpu backend, which is 25–50× slower for training. */
export function initTf(): Promise<void> {
  if (!ready) {
    ready = (async () => {
      const req = createRequire(import.meta.url);
      setWasmPaths(dirname(req.resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm')) + '/');
      await tf.setBackend('wasm');
      await tf.ready();
    })();
  }
  return ready;
}

export type Params = Record<(typeof TENSOR_NAMES)[number], tf.Variable>;

export function initParams(hidden: number, classes: number, seed: number): Params {
  const shapes = tensorShapes(hidden, classes);
  const p: Partial<Params> = {};
  let s = seed;
  for (const name of TENSOR_NAMES) {
    const shape = shapes[name];
    if (name.startsWith('b')) p[name] = tf.variable(tf.zeros(shape), true, name);
    else {
      const fanIn = shape[0];
      p[name] = tf.variable(tf.randomNormal(shape, 0, Math.sqrt(2 / fanIn), 'float32', s++), true, name);
    }
  }
  return p as Params;
}

/** Logits for a batch x: [B, INPUT_FRAMES, N_MELS] raw log-mel; mean/std: [N_MELS]. */
export function forwardLogits(p: Params, x: tf.Tensor3D, mean: tf.Tensor1D, std: tf.Tensor1D, dropout = 0): tf.Tensor2D {
  return tf.tidy(() => {
    const B = x.shape[0];
    const S = INPUT_FRAMES / POOL;
    const H = p.b1.shape[0];
    const pooled = x.reshape([B, S, POOL, N_MELS]).mean(2).sub(mean).div(std) as tf.Tensor3D;
    const T1 = S - 2;
    const u1 = tf.concat([0, 1, 2].map((k) => pooled.slice([0, k, 0], [B, T1, N_MELS])), 2).reshape([B * T1, 3 * N_MELS]);
    const h1 = tf.relu(tf.matMul(u1, p.w1).add(p.b1)).reshape([B, T1, H]);
    const T2 = S - 6;
    const u2 = tf.concat([0, 2, 4].map((k) => h1.slice([0, k, 0], [B, T2, H])), 2).reshape([B * T2, 3 * H]);
    const h2 = tf.relu(tf.matMul(u2, p.w2).add(p.b2)).reshape([B, T2, H]);
    let st = tf.concat([h2.mean(1), h2.max(1)], 1);
    if (dropout > 0) st = tf.dropout(st, dropout);
    let h3 = tf.relu(tf.matMul(st, p.w3).add(p.b3));
    if (dropout > 0) h3 = tf.dropout(h3, dropout);
    return tf.matMul(h3, p.w4).add(p.b4) as tf.Tensor2D;
  });
}

/** Probabilities for many examples, in batches. */
export function predict(p: Params, x: Float32Array, n: number, mean: tf.Tensor1D, std: tf.Tensor1D, batch = 256): Float32Array {
  const C = p.b4.shape[0];
  const out = new Float32Array(n * C);
  for (let i = 0; i < n; i += batch) {
    const b = Math.min(batch, n - i);
    const probs = tf.tidy(() => {
      const xt = tf.tensor3d(x.subarray(i * INPUT_FRAMES * N_MELS, (i + b) * INPUT_FRAMES * N_MELS), [b, INPUT_FRAMES, N_MELS]);
      return tf.sigmoid(forwardLogits(p, xt, mean, std));
    });
    out.set(probs.dataSync() as Float32Array, i * C);
    probs.dispose();
  }
  return out;
}

/** Copies trained variables into the plain-TS weight layout. */
export function exportWeights(p: Params, spec: SoundWeights['spec']): { weights: SoundWeights; bin: Buffer } {
  const parts: Float32Array[] = [];
  let offset = 0;
  const tensors: SoundWeights['spec']['tensors'] = [];
  const w: Partial<SoundWeights> = {};
  for (const name of TENSOR_NAMES) {
    const data = Float32Array.from(p[name].dataSync() as Float32Array);
    tensors.push({ name, shape: p[name].shape, offset });
    parts.push(data);
    w[name] = data;
    offset += data.length;
  }
  const full: SoundWeights['spec'] = { ...spec, tensors };
  const all = new Float32Array(offset);
  let o = 0;
  for (const d of parts) {
    all.set(d, o);
    o += d.length;
  }
  return { weights: { ...(w as SoundWeights), spec: full }, bin: Buffer.from(all.buffer) };
}
