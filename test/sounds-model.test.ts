// The sound model: plain-TS forward pass equals tfjs, the streaming classifier's context is exact,
// the shipped weights load and run within the per-chunk budget, bad input is rejected cleanly.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { concat, mix, noise, speech, tone } from '../src/testing/audio.ts';
import { logMelOfSignal } from '../src/perception/features.ts';
import { INPUT_FRAMES, N_MELS, POOL, SoundNet, CONTEXT_FRAMES, TENSOR_NAMES, tensorShapes, type SoundWeights } from '../src/perception/sounds/model.ts';
import { SoundClassifier } from '../src/perception/sounds/classifier.ts';
import { analyseSignal } from '../src/perception/sounds/stream.ts';
import { SOUND_CLASSES } from '../src/perception/sounds/classes.ts';
import { exportWeights, initParams, initTf, predict } from '../src/soundflow/train/sounds-model.ts';
import { SoundFlowError } from '../src/util/errors.ts';

const audio = mix(concat(speech('Hello there, the kettle is on.'), tone(1000, 0.5, 0.2)), noise(3, { amplitude: 0.02 }), 15);

test('plain-TS forward pass matches tfjs on real features', async () => {
  await initTf();
  const C = 7;
  const p = initParams(16, C, 3);
  const { data, frames } = logMelOfSignal(audio);
  const n = Math.floor((frames - INPUT_FRAMES) / 20);
  const x = new Float32Array(n * INPUT_FRAMES * N_MELS);
  for (let i = 0; i < n; i++) x.set(data.subarray(i * 20 * N_MELS, (i * 20 + INPUT_FRAMES) * N_MELS), i * INPUT_FRAMES * N_MELS);
  const mean = Array.from({ length: N_MELS }, (_, i) => -8 + i * 0.05);
  const std = Array.from({ length: N_MELS }, (_, i) => 2 + (i % 5) * 0.1);
  const probs = predict(p, x, n, tf.tensor1d(mean), tf.tensor1d(std));
  const { weights } = exportWeights(p, { version: 1, classes: Array.from({ length: C }, (_, i) => `c${i}`), hidden: 16, norm: { mean, std }, thresholds: [], tensors: [] });
  const net = new SoundNet(weights);
  let maxDiff = 0;
  let spread = 0;
  for (let i = 0; i < n; i++) {
    const q = net.forward(x.subarray(i * INPUT_FRAMES * N_MELS, (i + 1) * INPUT_FRAMES * N_MELS));
    for (let c = 0; c < C; c++) {
      maxDiff = Math.max(maxDiff, Math.abs(q[c] - probs[i * C + c]));
      spread = Math.max(spread, Math.abs(q[c] - 0.5));
    }
  }
  assert.ok(n >= 5);
  assert.ok(spread > 0.01, 'outputs vary (the comparison is not trivial)');
  assert.ok(maxDiff < 1e-5, `max |Δp| ${maxDiff}`);
});

test('shipped model: classes, streaming context equals whole-signal framing', async () => {
  const clf = await SoundClassifier.load();
  assert.deepEqual(clf.classes, [...SOUND_CLASSES]);
  const chunks = analyseSignal(audio, clf);
  const padded = new Float32Array(chunks.length * 6400);
  padded.set(audio);
  const { data } = logMelOfSignal(padded);
  const net = new SoundNet((clf as unknown as { net: SoundNet }).net.w);
  for (const k of [1, 3, chunks.length - 1]) {
    const win = data.slice((40 * k - CONTEXT_FRAMES) * N_MELS, (40 * k + 40) * N_MELS);
    const ref = net.forward(win);
    for (let c = 0; c < ref.length; c++) assert.ok(Math.abs(ref[c] - chunks[k].probs[c]) < 1e-6);
  }
});

/** The network written out one output at a time, float32 between layers: what SoundNet.forward must equal. */
function naiveForward(w: SoundWeights, x: Float32Array): Float32Array {
  const H = w.spec.hidden;
  const C = w.spec.classes.length;
  const steps = INPUT_FRAMES / POOL;
  const P = new Float32Array(steps * N_MELS);
  for (let s = 0; s < steps; s++) {
    for (let m = 0; m < N_MELS; m++) P[s * N_MELS + m] = ((x[2 * s * N_MELS + m] + x[(2 * s + 1) * N_MELS + m]) / 2 - w.spec.norm.mean[m]) / w.spec.norm.std[m];
  }
  const layer = (input: (i: number) => number, n: number, W: Float32Array, b: Float32Array, m: number, out: Float32Array, off: number, relu: boolean) => {
    for (let o = 0; o < m; o++) {
      let acc = b[o];
      for (let i = 0; i < n; i++) acc += input(i) * W[i * m + o];
      out[off + o] = relu ? Math.max(0, acc) : acc;
    }
  };
  const h1 = new Float32Array((steps - 2) * H);
  for (let t = 0; t < steps - 2; t++) layer((i) => P[t * N_MELS + i], 3 * N_MELS, w.w1, w.b1, H, h1, t * H, true);
  const T2 = steps - 6;
  const h2 = new Float32Array(T2 * H);
  for (let t = 0; t < T2; t++) layer((i) => h1[(t + 2 * Math.floor(i / H)) * H + (i % H)], 3 * H, w.w2, w.b2, H, h2, t * H, true);
  const st = new Float32Array(2 * H);
  for (let o = 0; o < H; o++) {
    let sum = 0;
    let mx = -Infinity;
    for (let t = 0; t < T2; t++) {
      sum += h2[t * H + o];
      mx = Math.max(mx, h2[t * H + o]);
    }
    st[o] = sum / T2;
    st[H + o] = mx;
  }
  const h3 = new Float32Array(H);
  layer((i) => st[i], 2 * H, w.w3, w.b3, H, h3, 0, true);
  const out = new Float32Array(C);
  layer((i) => h3[i], H, w.w4, w.b4, C, out, 0, false);
  return out.map((v) => 1 / (1 + Math.exp(-v)));
}

test('forward pass (four outputs and two steps per weight load) equals the plain one bit for bit', async () => {
  const { data } = logMelOfSignal(audio);
  const windows = Array.from({ length: 6 }, (_, k) => data.slice(k * 20 * N_MELS, (k * 20 + INPUT_FRAMES) * N_MELS));
  // The shipped model, and random weights with a hidden size and class count that are not multiples of 4.
  let seed = 7;
  const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648 - 0.5) * 0.4;
  const hidden = 13;
  const classes = 7;
  const shapes = tensorShapes(hidden, classes);
  const odd = Object.fromEntries(TENSOR_NAMES.map((n) => [n, Float32Array.from({ length: shapes[n].reduce((a, b) => a * b, 1) }, rnd)])) as Record<(typeof TENSOR_NAMES)[number], Float32Array>;
  const spec: SoundWeights['spec'] = { version: 1, classes: Array.from({ length: classes }, (_, i) => `c${i}`), hidden, norm: { mean: Array<number>(N_MELS).fill(-8), std: Array<number>(N_MELS).fill(2.5) }, thresholds: [], tensors: [] };
  const shipped = ((await SoundClassifier.load()) as unknown as { net: SoundNet }).net.w;
  for (const w of [shipped, { ...odd, spec }]) {
    const net = new SoundNet(w);
    let spread = 0;
    for (const x of windows) {
      const got = net.forward(x);
      const want = naiveForward(w, x);
      assert.deepEqual(Array.from(got), Array.from(want));
      spread = Math.max(spread, ...want.map((v) => Math.abs(v - want[0])));
    }
    assert.ok(spread > 1e-3, 'outputs differ between classes (the comparison is not trivial)');
  }
});

test('bad input: wrong size is a clear error, non-finite values do not poison the stream', async () => {
  const clf = await SoundClassifier.load();
  assert.throws(() => clf.classify(new Float32Array(100)), (e: unknown) => e instanceof SoundFlowError && e.code === 'invalid_features');
  const bad = new Float32Array(40 * 64).fill(NaN);
  const p = clf.classify(bad);
  assert.ok(p.every((v) => Number.isFinite(v) && v >= 0 && v <= 1));
  clf.reset();
  const again = clf.classify(new Float32Array(40 * 64).fill(Math.log(1e-6)));
  assert.ok(again.every((v) => Number.isFinite(v)));
});
