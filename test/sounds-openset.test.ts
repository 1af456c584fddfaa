// Open-set analysis of held-out (leave-one-package-out) chunks, and pooling of per-fold LOPO reports.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { calibratedConfidence, crossFoldRejects, fitCalibration, openSetOutcome, type HeldOutChunks } from '../src/soundflow/train/sounds-openset.ts';
import { mergeLopo, type LopoReport } from '../src/soundflow/train/sounds-lopo.ts';
import { evaluate } from '../src/soundflow/train/sounds-eval.ts';
import { makeRng } from '../src/util/rng.ts';
import { SoundEventTracker } from '../src/perception/sounds/events.ts';
import { labelConfidence } from '../src/perception/sounds/open-set.ts';
import { LogMel } from '../src/perception/features.ts';
import { noise, SR } from '../src/testing/audio.ts';

const CLASSES = ['cough', 'dog_bark', 'ambient'];

/** Chunks whose top class is right with probability rising with its margin: confident ones are mostly right. */
function chunks(n: number, seed: number): HeldOutChunks {
  const rng = makeRng(seed);
  const h: HeldOutChunks = { fold: [], label: [], probs: [] };
  for (let i = 0; i < n; i++) {
    const label = Math.floor(rng() * 3);
    const margin = rng() * 8 - 3; // logit units over the threshold
    const right = rng() < 1 / (1 + Math.exp(-(margin - 1)));
    const top = right ? label : (label + 1 + Math.floor(rng() * 2)) % 3;
    const p = [0.05, 0.05, 0.05];
    p[top] = 1 / (1 + Math.exp(-margin));
    h.fold.push(1 + (i % 3));
    h.label.push(label);
    h.probs.push(p.map((v, c) => (c === top ? v : Math.min(v, p[top] * 0.5))));
  }
  return h;
}

test('outcomes: a chunk is right, wrong or unknown, and the counts add up', () => {
  const h: HeldOutChunks = { fold: [1, 1, 1], label: [0, 1, 2], probs: [[0.9, 0.1, 0.1], [0.8, 0.2, 0.1], [0.2, 0.1, 0.3]] };
  const o = openSetOutcome(h, CLASSES);
  assert.deepEqual([o.correct, o.wrong, o.unknown], [1, 1, 1]);
  assert.equal(o.labelPrecision, 0.5);
  assert.deepEqual(o.topConfusions, ['dog_bark → cough: 1']);
});

test('calibration recovers the link between margin and being right, and a reject trades wrong labels for unknowns', () => {
  const h = chunks(3000, 5);
  const c = fitCalibration(h);
  // Generated with P(right) = σ(margin − 1).
  assert.ok(Math.abs(c.a - 1) < 0.25, `slope ${c.a}`);
  assert.ok(Math.abs(c.b + 1) < 0.35, `offset ${c.b}`);
  assert.ok(Math.abs(calibratedConfidence(c, 1) - 0.5) < 0.08);
  const { rows, ece } = crossFoldRejects(h, CLASSES, [0.5, 0.7]);
  const [plain, half, strict] = rows.map((r) => r.outcome);
  assert.ok(half.wrong < plain.wrong && strict.wrong < half.wrong, 'stricter rules give fewer wrong labels');
  assert.ok(half.unknown > plain.unknown && strict.unknown > half.unknown);
  assert.ok(strict.labelPrecision > plain.labelPrecision + 0.1, `${strict.labelPrecision} vs ${plain.labelPrecision}`);
  assert.ok(ece.calibrated < ece.uncalibrated, `ECE ${ece.calibrated} vs ${ece.uncalibrated}`);
});

function foldReport(fold: number, h: HeldOutChunks): LopoReport {
  const probs = h.probs.map((p) => Float32Array.from(p));
  return {
    options: { corpusDir: 'c', folds: 3, onlyFold: fold, epochs: 1, examplesPerEpoch: 256, batch: 64, hidden: 8, lr: 1e-3, seed: 1, augment: 'base' },
    folds: [{ packages: [`pkg${fold}`], testChunks: h.label.length, seconds: 1, bestEpoch: 1, valMacroF1: 0.5, thresholds: [0.5, 0.5, 0.5] }],
    scoredClasses: CLASSES,
    report: evaluate(CLASSES, probs, h.label, [0.5, 0.5, 0.5]),
    macroF1: 0,
    operating: [],
    heldOut: h,
  };
}

test('per-fold reports pool into one report over every held-out chunk; other budgets are refused', () => {
  const all = chunks(300, 9);
  const parts = [1, 2, 3].map((f) => {
    const idx = all.fold.map((x, i) => (x === f ? i : -1)).filter((i) => i >= 0);
    return foldReport(f, { fold: idx.map((i) => all.fold[i]), label: idx.map((i) => all.label[i]), probs: idx.map((i) => all.probs[i]) });
  });
  const m = mergeLopo([parts[2], parts[0], parts[1]]);
  assert.equal(m.report.chunks, 300);
  assert.deepEqual(m.folds.map((f) => f.packages[0]), ['pkg1', 'pkg2', 'pkg3']);
  assert.equal(m.heldOut.label.length, 300);
  const direct = evaluate(CLASSES, m.heldOut.probs.map((p) => Float32Array.from(p)), m.heldOut.label, [0.5, 0.5, 0.5]);
  assert.ok(Math.abs(m.macroF1 - direct.macroF1) < 1e-9);
  const other = { ...parts[1], options: { ...parts[1].options, epochs: 2 } };
  assert.throws(() => mergeLopo([parts[0], other]), /differ in corpus, recipe or budget/);
});

/** Labels of the events a tracker reports for one noise burst at 1.0–1.4 s, every chunk with the same probabilities. */
function trackBurst(probs: number[], openSet?: { a: number; b: number; minConfidence: number }): string[] {
  const x = noise(4, { color: 'pink', amplitude: 0.003 }).slice();
  const burst = noise(0.4, { color: 'white', amplitude: 0.3 });
  for (let i = 0; i < burst.length; i++) x[SR + i] += burst[i];
  const lm = new LogMel();
  const tr = new SoundEventTracker({ classes: CLASSES, thresholds: [0.5, 0.5, 0.5], openSet });
  const labels: string[] = [];
  for (let i = 0, k = 1; i < x.length; i += 6400, k++) {
    const c = new Float32Array(6400);
    c.set(x.subarray(i, i + 6400));
    labels.push(...tr.update({ t: 0.4 * k, mel: lm.process(c), probs }).map((e) => e.label));
  }
  return labels;
}

test('event layer: a calibrated reject turns a barely-over-threshold label into unknown, and keeps a clear one', () => {
  const cal = { a: 1, b: -1, minConfidence: 0.5 };
  // p 0.6 over threshold 0.5: margin 0.41 logit, calibrated confidence σ(0.41 − 1) = 0.36.
  assert.ok(Math.abs(labelConfidence(0.6, 0.5, cal) - 0.356) < 0.01);
  assert.deepEqual(trackBurst([0.6, 0.1, 0.1]), ['cough'], 'without the reject the event is a cough');
  assert.deepEqual(trackBurst([0.6, 0.1, 0.1], cal), ['unknown']);
  assert.deepEqual(trackBurst([0.95, 0.1, 0.1], cal), ['cough'], 'σ(2.94 − 1) = 0.87 stays a cough');
});
