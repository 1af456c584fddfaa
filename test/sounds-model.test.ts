// The sound model: plain-TS forward pass equals tfjs, the streaming classifier's context is exact,
// the shipped weights load and run within the per-chunk budget, bad input is rejected cleanly.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { concat, mix, noise, speech, tone } from '../src/testing/audio.ts';
import { logMelOfSignal } from '../src/perception/features.ts';
import { INPUT_FRAMES, N_MELS, SoundNet, CONTEXT_FRAMES } from '../src/perception/sounds/model.ts';
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
