// `soundflow train decision`: the learned per-chunk decision policy, end to end in one command:
//   1. training streams: synthetic scenes from the TRAIN split, built by the data builder (cached);
//   2. per-chunk features + rule candidates from the real perception + rule policy (cached dumps);
//   3. a tiny MLP on a window of chunks, class-weighted BCE, tfjs wasm backend;
//   4. export to models/decision/model.json, check the plain-TS forward pass against tfjs;
//   5. tune the gate (threshold, hold) on held-out training streams by replaying the policy;
//   6. optionally score rules vs learned on the held-out eval set with the eval harness;
// writing models/decision/report.json and models/decision/loss.svg.
import { makeRng } from '../../util/rng.ts';
import * as tf from '@tensorflow/tfjs';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { SoundFlowError } from '../../util/errors.ts';
import { FEATURE_VERSION, FeatureWindow, featureNames } from '../../decision/features.ts';
import { DEFAULT_DECISION_MODEL, DecisionNet, type DecisionModelSpec } from '../../decision/learned.ts';
import { SOUND_CLASSES } from '../../perception/sounds/classes.ts';
import { build } from '../data/build.ts';
import { Progress } from '../../util/progress.ts';
import { renderScenes } from '../data/render.ts';
import { generateScenes } from '../data/scenes.ts';
import { soundSource } from '../data/eval-set.ts';
import { loadStreams, type EvalStream } from '../eval/dataset.ts';
import { evaluate } from '../eval/evaluate.ts';
import type { Summary } from '../eval/score.ts';
import { dumpStreams, type StreamDump } from './decision-data.ts';
import { initMlp, paramCount, predictTf, restore, snapshot, toSpec, weightedBce } from './decision-model.ts';
import { lossSvg } from './decision-plot.ts';
import { scoreReplay, tuneGate } from './decision-sim.ts';
import { initTf } from './sounds-model.ts';

export interface TrainDecisionOptions {
  /** Built training streams (a dir holding streams.jsonl, or a .jsonl); generated from train-split scenes when absent. */
  data: string;
  /** Scenes generated when `data` does not exist yet. */
  scenes: number;
  sceneSeed: number;
  /** Feature dumps cache. */
  cache: string;
  /** Ignore cached dumps (after a change to perception or the rules, which the dumps record). */
  redump: boolean;
  out: string;
  window: number;
  hidden: number[];
  epochs: number;
  batch: number;
  lr: number;
  dropout: number;
  /** L2 penalty on the weights. */
  l2: number;
  /** Cross-validation folds (over streams). */
  folds: number;
  seed: number;
  /** Labels: a chunk within `tolerance` chunks after a labelled reply is a positive (as the eval scores it). */
  tolerance: number;
  /** Concurrent sessions while dumping. */
  jobs: number;
  /** Held-out eval set to compare rules vs learned on (null: skip). */
  evalData: string | null;
  log: (s: string) => void;
}

export const DEFAULT_DECISION_OPTIONS: TrainDecisionOptions = {
  // v2: the train split with its own phrasings and the music, noise and greeting-translation scenes.
  data: '.cache/decision/train-v2',
  scenes: 300,
  sceneSeed: 7,
  cache: '.cache/decision/dump-v2',
  redump: false,
  out: 'models/decision',
  window: 3,
  hidden: [24],
  epochs: 40,
  batch: 128,
  lr: 1e-3,
  dropout: 0.3,
  l2: 1e-3,
  folds: 5,
  seed: 1,
  tolerance: 2,
  jobs: 2,
  evalData: '.cache/eval/v1',
  log: (s) => process.stderr.write(s + '\n'),
};

/** Candidates emphasised in the loss: these chunks are where the model's output actually matters. */
const CANDIDATE_WEIGHT = 3;
/** How far back a candidate still counts as pending for that weighting (the largest hold we tune). */
const PENDING_CHUNKS = 5;

async function ensureTrainData(o: TrainDecisionOptions): Promise<string> {
  const data = resolve(o.data);
  if (existsSync(data) && (data.endsWith('.jsonl') || existsSync(join(data, 'streams.jsonl')))) return data;
  o.log(`no training streams in ${o.data}: generating ${o.scenes} train-split scenes (seed ${o.sceneSeed})`);
  const specs = generateScenes({ n: o.scenes, seed: o.sceneSeed, split: 'train' });
  const progress = new Progress(specs.length, 'render');
  const r = await renderScenes(specs, `${data}-scenes`, soundSource('auto', 'train'), () => progress.tick());
  await build({ input: r.input, noise: r.noiseDir, out: data, seed: o.sceneSeed, jobs: o.jobs });
  return data;
}

interface Matrix {
  x: Float32Array;
  y: Float32Array;
  w: Float32Array;
  n: number;
}

/** Windows of features per chunk (exactly as the policy builds them), labels and loss weights. */
function toMatrix(streams: EvalStream[], dumps: StreamDump[], window: number, tolerance: number): Matrix {
  const size = dumps[0].features[0].length;
  const n = dumps.reduce((a, d) => a + d.features.length, 0);
  const x = new Float32Array(n * size * window);
  const y = new Float32Array(n);
  const w = new Float32Array(n);
  let r = 0;
  streams.forEach((s, k) => {
    const d = dumps[k];
    const win = new FeatureWindow(size, window);
    const labels = s.row.chunks.filter((c) => c.label === 'respond').map((c) => c.index);
    let lastCand = -Infinity;
    d.features.forEach((f, i) => {
      x.set(win.push(Float32Array.from(f)), r * size * window);
      y[r] = labels.some((L) => i >= L && i <= L + tolerance) ? 1 : 0;
      if (d.candidates[i].length) lastCand = i;
      w[r] = i - lastCand <= PENDING_CHUNKS ? CANDIDATE_WEIGHT : 1;
      r++;
    });
  });
  return { x, y, w, n };
}

function columnStats(m: Matrix, d: number): { mean: number[]; std: number[] } {
  const mean = new Float64Array(d);
  const sq = new Float64Array(d);
  for (let r = 0; r < m.n; r++) for (let c = 0; c < d; c++) mean[c] += m.x[r * d + c];
  for (let c = 0; c < d; c++) mean[c] /= m.n;
  for (let r = 0; r < m.n; r++) for (let c = 0; c < d; c++) sq[c] += (m.x[r * d + c] - mean[c]) ** 2;
  // Rare binary inputs have a tiny spread: a floor keeps one unusual chunk from exploding its input.
  return { mean: Array.from(mean, (v) => +v.toFixed(6)), std: Array.from(sq, (v) => +Math.max(0.05, Math.sqrt(v / m.n)).toFixed(6)) };
}

interface Subset extends Matrix {
  /** Row numbers in the full matrix. */
  rows: number[];
}

function subset(m: Matrix, d: number, keep: (r: number) => boolean): Subset {
  const rows: number[] = [];
  for (let r = 0; r < m.n; r++) if (keep(r)) rows.push(r);
  const x = new Float32Array(rows.length * d), y = new Float32Array(rows.length), w = new Float32Array(rows.length);
  rows.forEach((r, i) => {
    x.set(m.x.subarray(r * d, (r + 1) * d), i * d);
    y[i] = m.y[r];
    w[i] = m.w[r];
  });
  return { x, y, w, n: rows.length, rows };
}

/** Trains one MLP; with a validation matrix, records its loss and probabilities after every epoch. */
function fitMlp(train: Matrix, val: Matrix | null, d: number, o: TrainDecisionOptions, onEpoch: () => void) {
  const norm = columnStats(train, d);
  const mean = tf.tensor1d(norm.mean), std = tf.tensor1d(norm.std);
  const mlp = initMlp([d, ...o.hidden, 1], o.seed);
  const opt = tf.train.adam(o.lr);
  const rng = makeRng(o.seed);
  const order = Array.from({ length: train.n }, (_, i) => i);
  const vx = val ? tf.tensor2d(val.x, [val.n, d]) : null, vy = val ? tf.tensor1d(val.y) : null, vw = val ? tf.tensor1d(val.w) : null;
  const history = { train: [] as number[], val: [] as number[] };
  const valProbs: Float32Array[] = [];
  const batch = Math.min(o.batch, train.n);
  const bx = new Float32Array(batch * d), by = new Float32Array(batch), bw = new Float32Array(batch);
  for (let epoch = 1; epoch <= o.epochs; epoch++) {
    for (let i = order.length - 1; i > 0; i--) {
      const j = Math.floor(rng() * (i + 1));
      [order[i], order[j]] = [order[j], order[i]];
    }
    let sum = 0, steps = 0;
    for (let s = 0; s + batch <= order.length; s += batch) {
      for (let k = 0; k < batch; k++) {
        const r = order[s + k];
        bx.set(train.x.subarray(r * d, (r + 1) * d), k * d);
        by[k] = train.y[r];
        bw[k] = train.w[r];
      }
      const xt = tf.tensor2d(bx, [batch, d]), yt = tf.tensor1d(by), wt = tf.tensor1d(bw);
      const loss = opt.minimize(() => {
        const bce = weightedBce(mlp, xt, yt, wt, mean, std, o.dropout);
        return o.l2 > 0 ? (bce.add(tf.addN(mlp.ws.map((w) => tf.sum(tf.square(w)))).mul(o.l2)) as tf.Scalar) : bce;
      }, true)!;
      sum += (loss.dataSync() as Float32Array)[0];
      steps++;
      tf.dispose([xt, yt, wt, loss]);
    }
    history.train.push(+(sum / steps).toFixed(5));
    if (val) {
      const vl = tf.tidy(() => weightedBce(mlp, vx!, vy!, vw!, mean, std));
      history.val.push(+(vl.dataSync() as Float32Array)[0].toFixed(5));
      vl.dispose();
      valProbs.push(predictTf(mlp, val.x, val.n, d, mean, std));
    }
    onEpoch();
  }
  const dispose = () => tf.dispose([mean, std, ...(vx ? [vx, vy!, vw!] : []), ...mlp.ws, ...mlp.bs]);
  return { mlp, norm, mean, std, history, valProbs, dispose };
}

const pick = (s: Summary) => ({
  f1: s.f1, precision: s.precision, recall: s.recall, balancedAccuracy: s.balancedAccuracy, respondRecall: s.respondRecall, ignoreRecall: s.ignoreRecall,
  meanDelayChunks: s.meanDelayChunks, falseRepliesPerHour: s.falseRepliesPerHour, ambientFalseRepliesPerHour: s.ambientFalseRepliesPerHour, turnOverRate: s.turnOverRate,
  tp: s.tp, fp: s.fp, fn: s.fn,
});

export async function trainDecision(partial: Partial<TrainDecisionOptions> = {}): Promise<Record<string, unknown>> {
  const o = { ...DEFAULT_DECISION_OPTIONS, ...partial };
  const t0 = Date.now();
  const data = await ensureTrainData(o);
  const streams = loadStreams(data);
  if (streams.length < 10) throw new SoundFlowError('train_data_small', `${data} has ${streams.length} streams; the decision trainer needs at least 10`);

  o.log(`dumping features of ${streams.length} streams (perception + rules; cached in ${o.cache})`);
  const dumpProgress = new Progress(streams.length, 'dump');
  const dumps = await dumpStreams(streams, o.cache, { jobs: o.jobs, fresh: o.redump, onStream: () => dumpProgress.tick() });
  const tDump = (Date.now() - t0) / 1000;

  // K-fold cross-validation over streams (scene types rotate, so every fold holds each type): the
  // out-of-fold predictions pick the epoch count and tune the gate on every stream's candidates — there
  // are few candidates per stream, far too few to tune on a single 20% split.
  await initTf();
  o.log(`tfjs backend: ${tf.getBackend()}`);
  const all = toMatrix(streams, dumps, o.window, o.tolerance);
  const d = all.x.length / all.n;
  const pos = all.y.reduce((a, v) => a + v, 0);
  // Class weighting: positives weigh neg/pos so both classes count equally in the loss.
  const posWeight = (all.n - pos) / Math.max(1, pos);
  for (let r = 0; r < all.n; r++) if (all.y[r]) all.w[r] *= posWeight;
  const cands = dumps.reduce((a, dd) => a + dd.candidates.filter((c) => c.length).length, 0);
  o.log(`${all.n} chunks (${pos} positive, pos weight ${posWeight.toFixed(1)}, ${cands} with rule candidates); input ${d} = ${d / o.window} features × ${o.window} chunks`);
  const streamOf = new Int32Array(all.n);
  const starts: number[] = [];
  let r0 = 0;
  dumps.forEach((dd, k) => {
    starts.push(r0);
    streamOf.fill(k, r0, r0 + dd.features.length);
    r0 += dd.features.length;
  });
  const folds = Math.min(o.folds, streams.length);
  const progress = new Progress(folds * o.epochs + o.epochs, 'train');
  const cv: { train: number[][]; val: number[][] } = { train: [], val: [] };
  const foldProbs: Float32Array[][] = []; // [fold][epoch] → probabilities of that fold's rows
  const foldRows: number[][] = [];
  for (let f = 0; f < folds; f++) {
    const inVal = (r: number) => streamOf[r] % folds === f;
    const tr = subset(all, d, (r) => !inVal(r)), va = subset(all, d, inVal);
    foldRows.push(va.rows);
    const fit = fitMlp(tr, va, d, o, () => progress.tick(`fold ${f + 1}/${folds}`));
    cv.train.push(fit.history.train);
    cv.val.push(fit.history.val);
    foldProbs.push(fit.valProbs);
    fit.dispose();
  }
  const meanCurve = (c: number[][]) => c[0].map((_, e) => +(c.reduce((a, x) => a + x[e], 0) / c.length).toFixed(5));
  const cvTrain = meanCurve(cv.train), cvVal = meanCurve(cv.val);
  const bestEpoch = cvVal.indexOf(Math.min(...cvVal)) + 1;
  o.log(`cross-validation: best mean val loss ${Math.min(...cvVal).toFixed(4)} at epoch ${bestEpoch}`);

  // Out-of-fold p(respond) per stream at the chosen epoch, then the gate grid search on all streams.
  const oof = new Float32Array(all.n);
  foldRows.forEach((rows, f) => rows.forEach((r, i) => (oof[r] = foldProbs[f][bestEpoch - 1][i])));
  const probsPerStream = dumps.map((dd, k) => oof.subarray(starts[k], starts[k] + dd.features.length));
  const rows = streams.map((s) => s.row);
  const rulesCv = scoreReplay(rows, dumps, probsPerStream, 0, 0, o.tolerance);
  const { best: gate } = tuneGate(rows, dumps, probsPerStream, o.tolerance);
  o.log(`out-of-fold replay on ${rows.length} training streams: rules F1 ${rulesCv.f1} BA ${rulesCv.balancedAccuracy}; learned F1 ${gate.summary.f1} BA ${gate.summary.balancedAccuracy} at threshold ${gate.threshold}, hold ${gate.maxHold}`);

  // The committed model: every stream, the cross-validated number of epochs.
  const final = fitMlp(all, null, d, { ...o, epochs: bestEpoch }, () => progress.tick('final'));
  for (let e = bestEpoch; e < o.epochs; e++) progress.tick('final');
  const mlp = final.mlp;
  const params = paramCount(mlp);
  const meta: Omit<DecisionModelSpec, 'version' | 'layers'> = {
    featureVersion: FEATURE_VERSION, soundClasses: [...SOUND_CLASSES], window: o.window, norm: final.norm, threshold: gate.threshold, maxHold: gate.maxHold,
  };
  // The plain-TS forward pass must match tfjs (checked on the training inputs).
  const check = Math.min(all.n, 2000);
  const tfProbs = predictTf(mlp, all.x, check, d, final.mean, final.std);
  const probe = new DecisionNet(toSpec(mlp, meta));
  let maxDiff = 0;
  for (let r = 0; r < check; r++) maxDiff = Math.max(maxDiff, Math.abs(probe.predict(all.x.subarray(r * d, (r + 1) * d)) - tfProbs[r]));
  o.log(`final model: ${params} parameters; plain-TS vs tfjs max |Δp| = ${maxDiff.toExponential(2)} over ${check} chunks`);
  if (maxDiff > 1e-4) throw new SoundFlowError('export_mismatch', `plain-TS forward pass differs from tfjs by ${maxDiff}`);

  const trainStats = {
    command: 'node bin/soundflow.js train decision',
    data: o.data, streams: streams.length, chunks: all.n, positives: pos, candidateChunks: cands, posWeight: +posWeight.toFixed(3),
    candidateWeight: CANDIDATE_WEIGHT, window: o.window, hidden: o.hidden, params, folds, maxEpochs: o.epochs, epochs: bestEpoch, batch: o.batch, lr: o.lr,
    dropout: o.dropout, l2: o.l2, seed: o.seed, tolerance: o.tolerance, maxAbsDiffTfjs: maxDiff, dumpSeconds: Math.round(tDump), seconds: Math.round((Date.now() - t0) / 1000),
  };
  const spec = toSpec(mlp, { ...meta, training: trainStats });
  final.dispose();
  mkdirSync(o.out, { recursive: true });
  const modelPath = join(o.out, 'model.json');
  writeFileSync(modelPath, JSON.stringify(spec) + '\n');
  writeFileSync(join(o.out, 'loss.svg'), lossSvg(`Decision MLP (${params} params): weighted BCE, ${folds}-fold CV mean`, [
    { name: 'train (CV mean)', color: '#1f77b4', values: cvTrain },
    { name: 'validation (CV mean)', color: '#d62728', values: cvVal },
    { name: 'final model, train', color: '#2ca02c', values: final.history.train },
  ], { marker: bestEpoch - 1 }));

  const report: Record<string, unknown> = {
    model: { path: modelPath, featureVersion: FEATURE_VERSION, features: featureNames(SOUND_CLASSES).length, threshold: gate.threshold, maxHold: gate.maxHold },
    training: trainStats,
    lossHistory: { cvTrain, cvVal, finalTrain: final.history.train },
    outOfFoldTrainStreams: { streams: rows.length, rules: pick(rulesCv), learned: pick(gate.summary) },
  };

  if (o.evalData && existsSync(o.evalData)) {
    if (resolve(modelPath) !== DEFAULT_DECISION_MODEL) {
      o.log(`skipping the eval-set comparison: the engine loads ${DEFAULT_DECISION_MODEL}, not ${modelPath}`);
    } else {
      o.log(`scoring rules vs learned on ${o.evalData} (held-out eval set)`);
      const ev = new Progress(2 * loadStreams(o.evalData).length, 'eval');
      const r = await evaluate({ data: o.evalData, policies: ['rules', 'learned'], tolerance: o.tolerance, onStream: () => ev.tick() });
      const rules = r.results.rules.summary, learned = r.results.learned.summary;
      const beats = learned.f1 > rules.f1 && (learned.balancedAccuracy ?? 0) > (rules.balancedAccuracy ?? 0);
      report.evalSet = { data: o.evalData, rules: { ...pick(rules), rtf: rules.rtf }, learned: { ...pick(learned), rtf: learned.rtf } };
      report.defaultPolicy = beats ? 'learned' : 'rules';
      report.verdict = beats
        ? 'learned beats rules on the held-out eval set (F1 and balanced accuracy): make it the default'
        : 'learned does not beat rules on both F1 and balanced accuracy on the held-out eval set: rules stay the default';
      o.log(`eval set: rules F1 ${rules.f1} BA ${rules.balancedAccuracy}; learned F1 ${learned.f1} BA ${learned.balancedAccuracy} → default: ${report.defaultPolicy}`);
    }
  } else if (o.evalData) {
    o.log(`no eval set at ${o.evalData} (build it with: node bin/soundflow.js data eval-set --name v1); skipping the comparison`);
  }
  writeFileSync(join(o.out, 'report.json'), JSON.stringify(report, null, 1) + '\n');
  o.log(`wrote ${modelPath}, report.json, loss.svg in ${((Date.now() - t0) / 1000).toFixed(0)} s`);
  return report;
}
