// `soundflow train sounds`: trains the sound-event model from the corpus on the tfjs wasm backend,
// tunes per-class thresholds on the validation split, exports weights for the plain-TS forward pass,
// checks that both agree, evaluates on the test split and writes the report (docs/sounds.md + SVG).
import { Progress } from '../../util/progress.ts';
import * as tf from '@tensorflow/tfjs';
import { mkdirSync, writeFileSync, existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SoundFlowError } from '../../util/errors.ts';
import { INPUT_FRAMES, N_MELS, SoundNet, type SoundModelSpec, type SoundWeights } from '../../perception/sounds/model.ts';
import { SOUND_CLASSES } from '../../perception/sounds/classes.ts';
import { DEFAULT_CORPUS_DIR } from '../corpus/build.ts';
import { readManifest } from '../corpus/manifest.ts';
import { makeRng } from '../../util/rng.ts';
import { loadClips, makeExampleSet, withVariants, type AugmentRecipe, type Clip } from './sounds-data.ts';
import { buildEvalSet, confusionSvg, evaluate, metricsTable, scoreSet, tuneThresholds, type EvalReport } from './sounds-eval.ts';
import { exportWeights, forwardLogits, initParams, initTf, predict, type Params } from './sounds-model.ts';

/** Marker in docs/sounds.md: what follows is kept when training rewrites the report above it. */
export const HAND_WRITTEN = '<!-- hand-written below: kept by `train sounds` -->';

export interface TrainSoundsOptions {
  corpusDir: string;
  outDir: string;
  epochs: number;
  examplesPerEpoch: number;
  batch: number;
  hidden: number;
  lr: number;
  seed: number;
  /** Augmentation recipe: 'base' (speed, reverb, gain, ambience, mixing) or 'strong' (adds sox pitch/tempo
   * variants, random EQ and band limits, recorded backgrounds from other classes, more mixing). */
  augment: AugmentRecipe;
  /** Where the README section and plot go (null: skip). */
  docsDir: string | null;
  log: (s: string) => void;
}

export const DEFAULT_TRAIN_OPTIONS: TrainSoundsOptions = {
  corpusDir: DEFAULT_CORPUS_DIR,
  outDir: 'models/sounds',
  epochs: 8,
  examplesPerEpoch: 16000,
  batch: 64,
  hidden: 96,
  lr: 2e-3,
  seed: 1,
  augment: 'base',
  docsDir: 'docs',
  log: (s) => process.stderr.write(s + '\n'),
};

function snapshot(p: Params): Map<string, Float32Array> {
  return new Map(Object.entries(p).map(([k, v]) => [k, Float32Array.from(v.dataSync() as Float32Array)]));
}

function restore(p: Params, snap: Map<string, Float32Array>): void {
  for (const [k, v] of Object.entries(p)) v.assign(tf.tensor(snap.get(k)!, v.shape));
}

export interface FitResult {
  net: SoundNet;
  weights: SoundWeights;
  params: Params;
  thresholds: number[];
  valReport: EvalReport;
  bestEpoch: number;
  maxDiff: number;
  normMean: number[];
  normStd: number[];
}

/**
 * Trains one model on `train`, keeps the epoch with the best validation macro-F1, checks the plain-TS
 * export against tfjs and tunes per-class thresholds on `val`. Shared by `train sounds` and the
 * leave-one-package-out evaluation.
 */
export async function fitSoundModel(
  o: Pick<TrainSoundsOptions, 'epochs' | 'examplesPerEpoch' | 'batch' | 'hidden' | 'lr' | 'seed' | 'augment' | 'log'>,
  classes: string[],
  train: Map<string, Clip[]>,
  val: Map<string, Clip[]>,
): Promise<FitResult> {
  const t0 = Date.now();
  await initTf();
  const rng = makeRng(o.seed);
  const C = classes.length;
  const p = initParams(o.hidden, C, o.seed);
  const opt = tf.train.adam(o.lr);
  let mean: tf.Tensor1D | null = null;
  let std: tf.Tensor1D | null = null;
  let normMean: number[] = [];
  let normStd: number[] = [];
  const strong = o.augment === 'strong' || o.augment === 'source';
  const genClips = strong ? withVariants(train, rng, o.log) : train;

  o.log('building validation chunks');
  const valSet = buildEvalSet(classes, val, { seed: 11 });
  const valX = new Float32Array(valSet.features.length * INPUT_FRAMES * N_MELS);
  valSet.features.forEach((f, i) => valX.set(f, i * INPUT_FRAMES * N_MELS));
  let best = { f1: -1, epoch: 0, snap: snapshot(p) };

  for (let epoch = 1; epoch <= o.epochs; epoch++) {
    o.log(`epoch ${epoch}/${o.epochs}: rendering ${o.examplesPerEpoch} augmented examples (${o.augment})`);
    const examples = new Progress(o.examplesPerEpoch, '  examples');
    const set = makeExampleSet({ classes, clips: genClips, rng, augment: true, strong, bySource: o.augment === 'source', specMask: o.augment === 'source' }, o.examplesPerEpoch, (i) => examples.update(i, 'examples'));
    if (!mean) {
      // Per-bin standardisation from the first epoch's examples.
      const m = new Float64Array(N_MELS);
      const s = new Float64Array(N_MELS);
      const rows = set.n * INPUT_FRAMES;
      for (let r = 0; r < rows; r++) for (let b = 0; b < N_MELS; b++) m[b] += set.x[r * N_MELS + b];
      for (let b = 0; b < N_MELS; b++) m[b] /= rows;
      for (let r = 0; r < rows; r++) for (let b = 0; b < N_MELS; b++) s[b] += (set.x[r * N_MELS + b] - m[b]) ** 2;
      normMean = Array.from(m, (v) => +v.toFixed(5));
      normStd = Array.from(s, (v) => +Math.max(1e-3, Math.sqrt(v / rows)).toFixed(5));
      mean = tf.tensor1d(normMean);
      std = tf.tensor1d(normStd);
    }
    const order = Array.from({ length: set.n }, (_, i) => i);
    for (let i = order.length - 1; i > 0; i--) {
      const j = Math.floor(rng() * (i + 1));
      [order[i], order[j]] = [order[j], order[i]];
    }
    const steps = Math.floor(set.n / o.batch);
    const lr = o.lr * Math.pow(0.7, epoch - 1);
    (opt as unknown as { learningRate: number }).learningRate = lr;
    let lossSum = 0;
    const bx = new Float32Array(o.batch * INPUT_FRAMES * N_MELS);
    const by = new Float32Array(o.batch * C);
    const tEpoch = Date.now();
    const stepBar = new Progress(steps, '  steps');
    for (let s = 0; s < steps; s++) {
      for (let k = 0; k < o.batch; k++) {
        const idx = order[s * o.batch + k];
        bx.set(set.x.subarray(idx * INPUT_FRAMES * N_MELS, (idx + 1) * INPUT_FRAMES * N_MELS), k * INPUT_FRAMES * N_MELS);
        by.set(set.y.subarray(idx * C, (idx + 1) * C), k * C);
      }
      const xt = tf.tensor3d(bx, [o.batch, INPUT_FRAMES, N_MELS]);
      const yt = tf.tensor2d(by, [o.batch, C]);
      const loss = opt.minimize(() => tf.losses.sigmoidCrossEntropy(yt, forwardLogits(p, xt, mean!, std!, 0.2)) as tf.Scalar, true)!;
      lossSum += (loss.dataSync() as Float32Array)[0];
      tf.dispose([xt, yt, loss]);
      if ((s + 1) % 10 === 0 || s + 1 === steps) stepBar.update(s + 1, `loss ${(lossSum / (s + 1)).toFixed(4)} ${((Date.now() - tEpoch) / (s + 1)).toFixed(0)} ms/step`);
    }
    const vp = predict(p, valX, valSet.features.length, mean!, std!);
    const vprobs = valSet.features.map((_, i) => vp.subarray(i * C, (i + 1) * C));
    const vr = evaluate(classes, vprobs, valSet.label, classes.map(() => 0.5));
    o.log(`epoch ${epoch}: train loss ${(lossSum / steps).toFixed(4)}, val top-1 ${vr.top1Accuracy.toFixed(3)}, val macro-F1@0.5 ${vr.macroF1.toFixed(3)} (${((Date.now() - t0) / 1000).toFixed(0)} s)`);
    if (vr.macroF1 > best.f1) best = { f1: vr.macroF1, epoch, snap: snapshot(p) };
  }
  restore(p, best.snap);
  o.log(`best epoch ${best.epoch} (val macro-F1 ${best.f1.toFixed(3)})`);

  const spec: SoundModelSpec = {
    version: 1,
    classes,
    hidden: o.hidden,
    norm: { mean: normMean, std: normStd },
    thresholds: classes.map(() => 0.5),
    tensors: [],
  };
  const { weights } = exportWeights(p, spec);
  const net = new SoundNet(weights);

  // The plain-TS forward pass must match tfjs.
  const tfProbs = predict(p, valX, Math.min(64, valSet.features.length), mean!, std!);
  let maxDiff = 0;
  for (let i = 0; i < Math.min(64, valSet.features.length); i++) {
    const q = net.forward(valSet.features[i]);
    for (let c = 0; c < C; c++) maxDiff = Math.max(maxDiff, Math.abs(q[c] - tfProbs[i * C + c]));
  }
  o.log(`plain-TS vs tfjs max |Δp| = ${maxDiff.toExponential(2)}`);
  if (maxDiff > 1e-3) throw new SoundFlowError('export_mismatch', `plain-TS forward differs from tfjs by ${maxDiff}`);

  const valProbs = scoreSet(net, valSet);
  const thresholds = tuneThresholds(valProbs, valSet.label, C);
  weights.spec.thresholds = thresholds;
  const valReport = evaluate(classes, valProbs, valSet.label, thresholds);
  opt.dispose();
  o.log(`fitted in ${((Date.now() - t0) / 1000).toFixed(0)} s`);
  return { net, weights, params: p, thresholds, valReport, bestEpoch: best.epoch, maxDiff, normMean, normStd };
}

export async function trainSounds(partial: Partial<TrainSoundsOptions> = {}): Promise<{ test: EvalReport; val: EvalReport; maxDiff: number; msPerChunk: number }> {
  const o = { ...DEFAULT_TRAIN_OPTIONS, ...partial };
  const t0 = Date.now();
  const manifest = readManifest(join(o.corpusDir, 'manifest.json'));
  const classes = [...SOUND_CLASSES];
  o.log(`loading corpus (${manifest.entries.length} files) from ${o.corpusDir}`);
  const train = loadClips(o.corpusDir, manifest.entries, 'train');
  const val = loadClips(o.corpusDir, manifest.entries, 'val');
  const test = loadClips(o.corpusDir, manifest.entries, 'test');
  // Validation ambience doubles as the test ambience when a split lacks it.
  if (!val.get('ambient')) val.set('ambient', train.get('ambient') ?? []);
  const missing = classes.filter((c) => !train.get(c)?.length);
  if (missing.length) throw new SoundFlowError('corpus_incomplete', `no training files for: ${missing.join(', ')} (run "soundflow corpus build")`);
  const { net, weights, params: p, thresholds, valReport, bestEpoch, maxDiff } = await fitSoundModel(o, classes, train, val);
  const best = { epoch: bestEpoch };

  o.log('evaluating on the test split');
  if (!test.get('ambient')) test.set('ambient', val.get('ambient') ?? []);
  const testSet = buildEvalSet(classes, test, { seed: 13 });
  const t1 = performance.now();
  const testProbs = scoreSet(net, testSet);
  const msPerChunk = (performance.now() - t1) / Math.max(1, testSet.features.length);
  const testReport = evaluate(classes, testProbs, testSet.label, thresholds);

  const elapsed = (Date.now() - t0) / 1000;
  const final = exportWeights(p, {
    ...weights.spec,
    training: {
      command: 'soundflow train sounds',
      epochs: o.epochs, examplesPerEpoch: o.examplesPerEpoch, batch: o.batch, lr: o.lr, seed: o.seed, augment: o.augment, bestEpoch: best.epoch,
      seconds: Math.round(elapsed), corpusFiles: manifest.entries.length,
      valMacroF1: +valReport.macroF1.toFixed(4), testMacroF1: +testReport.macroF1.toFixed(4), testTop1: +testReport.top1Accuracy.toFixed(4),
    },
  });
  mkdirSync(o.outDir, { recursive: true });
  writeFileSync(join(o.outDir, 'model.json'), JSON.stringify(final.weights.spec) + '\n');
  writeFileSync(join(o.outDir, 'weights.bin'), final.bin);
  writeFileSync(join(o.outDir, 'metrics.json'), JSON.stringify({ test: testReport, val: valReport, msPerChunk, maxDiff }, null, 1) + '\n');
  if (o.docsDir) {
    mkdirSync(o.docsDir, { recursive: true });
    writeFileSync(join(o.docsDir, 'sounds-confusion.svg'), confusionSvg(testReport, `Sound model, test split: ${testReport.chunks} chunks, top-1 ${(100 * testReport.top1Accuracy).toFixed(1)} %`));
    // The hand-written part after HAND_WRITTEN (events, alarms, counting) survives a retrain.
    const doc = join(o.docsDir, 'sounds.md');
    const old = existsSync(doc) ? readFileSync(doc, 'utf8') : '';
    const at = old.indexOf(HAND_WRITTEN);
    writeFileSync(doc, reportMarkdown(testReport, valReport, manifest.entries.length, elapsed, msPerChunk) + (at >= 0 ? `\n${old.slice(at)}` : ''));
  }
  o.log(`\n${metricsTable(testReport)}\n`);
  o.log(`wrote ${o.outDir}/model.json, weights.bin (${(final.bin.length / 1024).toFixed(0)} KiB), metrics.json in ${elapsed.toFixed(0)} s`);
  return { test: testReport, val: valReport, maxDiff, msPerChunk };
}

function reportMarkdown(test: EvalReport, val: EvalReport, files: number, seconds: number, ms: number): string {
  return `## Sound events: corpus, model, results

SoundFlow trains its own sound-event model on real recordings shipped by Debian packages (plus
synthesised smoke alarms, appliance beeps, kettle whistles, sirens, phone rings, doorbells, knocks and
room tone, and espeak-ng speech for what Debian lacks). Reproduce:

\`\`\`sh
node bin/soundflow.js corpus build      # ~50 s with a warm apt cache; writes .cache/corpus + models/sounds/manifest.json
node bin/soundflow.js train sounds      # writes models/sounds/{model.json,weights.bin,metrics.json}, this section and the plot
\`\`\`

- Corpus: ${files} files in ${SOUND_CLASSES.length} classes (every file, its package, licence and split in
  \`models/sounds/manifest.json\`); train/val/test split **by source file**.
- Model: per 0.4 s chunk, 40 log-mel frames (+12 frames of left context) → two time convolutions →
  mean/max pooling → multi-label sigmoid over ${SOUND_CLASSES.length} classes; runs in plain TypeScript at
  ${ms.toFixed(2)} ms per chunk. Training took ${(seconds / 60).toFixed(1)} min on this machine's 2 cores.
- Test protocol: every active chunk of every test-split file, level −20 dBFS, mixed into test-split
  ambience at 20 dB SNR. Precision/recall use the per-class thresholds tuned on the validation split
  (val macro-F1 ${val.macroF1.toFixed(2)}). Classes with a single recording in Debian have no test file.

${metricsTable(test)}

![confusion matrix](sounds-confusion.svg)

The confusion matrix (\`docs/sounds-confusion.svg\`) is row-normalised (% of each true class's chunks by top-1 prediction).
`;
}
