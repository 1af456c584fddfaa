// Leave-one-package-out evaluation of a sound-model training recipe: the corpus's source packages are
// split into K folds; for each fold a model is trained without any file of the fold's packages and
// scored on every file of them (all splits). Scored classes are those with ≥ 2 source packages, so a
// held-out package always leaves another package of the class to learn from. The pooled held-out
// predictions give per-class precision/recall/F1 at each fold's validation-tuned thresholds, the
// operating point "best recall at precision ≥ 0.8", and a confusion matrix.
import { join } from 'node:path';
import { readManifest, type CorpusEntry } from '../corpus/manifest.ts';
import { DEFAULT_CORPUS_DIR } from '../corpus/build.ts';
import { SOUND_CLASSES } from '../../perception/sounds/classes.ts';
import { makeRng } from '../../util/rng.ts';
import { SoundFlowError } from '../../util/errors.ts';
import { loadClips, type Clip } from './sounds-data.ts';
import { buildEvalSet, countsAt, evaluate, scoreSet, type EvalReport } from './sounds-eval.ts';
import { fitSoundModel, type TrainSoundsOptions } from './sounds.ts';

/** The training options of a normal run (no model or docs are written), plus the folds. */
export interface LopoOptions extends Omit<TrainSoundsOptions, 'outDir' | 'docsDir'> {
  folds: number;
  /** Run only this fold (1-based; a quick look at one fold's held-out packages). */
  onlyFold?: number;
  log: (s: string) => void;
  /** Called after each fold with the pooled report so far (long runs can be read while they go). */
  onFold?: (partial: LopoReport) => void;
}

export const DEFAULT_LOPO_OPTIONS: LopoOptions = {
  corpusDir: DEFAULT_CORPUS_DIR,
  folds: 4,
  epochs: 4,
  examplesPerEpoch: 8000,
  batch: 64,
  hidden: 96,
  lr: 2e-3,
  seed: 1,
  augment: 'base',
  log: (s) => process.stderr.write(s + '\n'),
};

export interface OperatingPoint {
  label: string;
  /** Highest recall with precision ≥ minPrecision over thresholds 0.05..0.95 on the pooled held-out chunks. */
  recall: number;
  precision: number;
  threshold: number;
}

export interface LopoReport {
  options: Omit<LopoOptions, 'log'>;
  folds: { packages: string[]; testChunks: number; seconds: number; bestEpoch: number; valMacroF1: number; thresholds: number[] }[];
  scoredClasses: string[];
  /** Pooled held-out report; macroF1 is over the scored classes only. */
  report: EvalReport;
  macroF1: number;
  operating: OperatingPoint[];
  /** Every held-out chunk (fold, true class index, recentred probabilities): for calibration and open-set analysis. */
  heldOut: { fold: number[]; label: number[]; probs: number[][] };
}

/** Source packages per class. */
export function packagesByClass(entries: CorpusEntry[]): Map<string, Set<string>> {
  const m = new Map<string, Set<string>>();
  for (const e of entries) {
    const s = m.get(e.cls) ?? new Set<string>();
    s.add(e.package);
    m.set(e.cls, s);
  }
  return m;
}

/**
 * Assigns packages to K folds: no class with ≥ 2 packages may have all of them in one fold (it would
 * have nothing left to train on), and folds are balanced by file count. Deterministic (seeded search).
 */
export function assignFolds(entries: CorpusEntry[], k: number, seed = 1): string[][] {
  const byClass = packagesByClass(entries);
  const files = new Map<string, number>();
  for (const e of entries) files.set(e.package, (files.get(e.package) ?? 0) + 1);
  const pkgs = [...files.keys()].sort();
  const rng = makeRng(seed);
  let best: { folds: string[][]; cost: number } | null = null;
  for (let attempt = 0; attempt < 2000; attempt++) {
    const order = [...pkgs].sort((a, b) => files.get(b)! - files.get(a)! + (rng() - 0.5) * 40);
    const folds: string[][] = Array.from({ length: k }, () => []);
    const size = new Array<number>(k).fill(0);
    for (const p of order) {
      const ranked = [...folds.keys()].sort((a, b) => size[a] - size[b] + (rng() - 0.5) * 10);
      folds[ranked[0]].push(p);
      size[ranked[0]] += files.get(p)!;
    }
    const ok = [...byClass.values()].every((s) => s.size < 2 || folds.every((f) => [...s].some((p) => !f.includes(p))));
    if (!ok) continue;
    const cost = Math.max(...size) - Math.min(...size);
    if (!best || cost < best.cost) best = { folds: folds.map((f) => f.sort()), cost };
  }
  if (!best) throw new SoundFlowError('corpus_incomplete', `no assignment of packages to ${k} folds keeps every class trainable`);
  return best.folds;
}

function group(entries: CorpusEntry[], corpusDir: string): Map<string, Clip[]> {
  // loadClips filters by split; load every split and merge.
  const out = new Map<string, Clip[]>();
  for (const split of ['train', 'val', 'test'] as const) {
    for (const [cls, list] of loadClips(corpusDir, entries, split)) out.set(cls, [...(out.get(cls) ?? []), ...list]);
  }
  return out;
}

/** logit(p) − logit(t) back through the sigmoid: 0.5 at the fold's own threshold, order kept per class. */
function recentre(p: Float32Array, th: number[]): Float32Array {
  const lg = (v: number) => Math.log(Math.max(1e-7, v) / Math.max(1e-7, 1 - v));
  return Float32Array.from(p, (v, c) => 1 / (1 + Math.exp(-(lg(v) - lg(th[c])))));
}

export async function runLopo(partial: Partial<LopoOptions> = {}): Promise<LopoReport> {
  const o = { ...DEFAULT_LOPO_OPTIONS, ...partial };
  const manifest = readManifest(join(o.corpusDir, 'manifest.json'));
  const classes: string[] = [...SOUND_CLASSES];
  const byClass = packagesByClass(manifest.entries);
  const scored: string[] = classes.filter((c) => (byClass.get(c)?.size ?? 0) >= 2);
  const folds = assignFolds(manifest.entries, o.folds, o.seed);
  const probs: Float32Array[] = [];
  const labels: number[] = [];
  const foldOf: number[] = [];
  const foldInfo: LopoReport['folds'] = [];
  for (const [fi, held] of folds.entries()) {
    if (o.onlyFold !== undefined && fi + 1 !== o.onlyFold) continue;
    const t0 = Date.now();
    o.log(`fold ${fi + 1}/${folds.length}: holding out ${held.join(', ')}`);
    // A class whose every package is held out (single-source classes) keeps its files in training:
    // it is not scored, and removing it would leave the model without that class.
    const trainable = (e: CorpusEntry) => !held.includes(e.package) || [...byClass.get(e.cls)!].every((p) => held.includes(p));
    const inTrain = manifest.entries.filter(trainable);
    const heldOut = manifest.entries.filter((e) => !trainable(e) && scored.includes(e.cls));
    const train = group(inTrain.filter((e) => e.split !== 'val'), o.corpusDir);
    const val = loadClips(o.corpusDir, inTrain, 'val');
    if (!val.get('ambient')) val.set('ambient', train.get('ambient') ?? []);
    const test = group(heldOut, o.corpusDir);
    // Held-out chunks are mixed into held-out ambience when the fold has some, else validation ambience.
    const testBg = test.get('ambient') ?? val.get('ambient') ?? [];
    const fit = await fitSoundModel({ ...o, log: (s) => o.log(`  ${s}`) }, classes, train, val);
    const evalClips = new Map(test);
    if (!evalClips.get('ambient')) evalClips.set('ambient', testBg);
    const set = buildEvalSet(classes, evalClips, { seed: 13 + fi });
    // Ambience borrowed from validation is background only: drop its chunks from the scores.
    const keep = set.label.map((l) => test.has(classes[l]));
    const p = scoreSet(fit.net, set);
    for (const v of Object.values(fit.params)) v.dispose(); // the next fold registers the same names
    let n = 0;
    p.forEach((v, i) => {
      if (!keep[i]) return;
      probs.push(recentre(v, fit.thresholds));
      labels.push(set.label[i]);
      foldOf.push(fi + 1);
      n++;
    });
    foldInfo.push({ packages: held, testChunks: n, seconds: Math.round((Date.now() - t0) / 1000), bestEpoch: fit.bestEpoch, valMacroF1: +fit.valReport.macroF1.toFixed(4), thresholds: fit.thresholds });
    o.log(`fold ${fi + 1}: ${n} held-out chunks, ${foldInfo.at(-1)!.seconds} s`);
    if (fi + 1 < folds.length) o.onFold?.(pooled(o, classes, scored, foldInfo, probs, labels, foldOf));
  }
  return pooled(o, classes, scored, foldInfo, probs, labels, foldOf);
}

/** The pooled report over held-out chunks (also used by experiments that score other models per fold). */
export function pooled(o: LopoOptions, classes: string[], scored: string[], folds: LopoReport['folds'], probs: Float32Array[], labels: number[], foldOf: number[]): LopoReport {
  const report = evaluate(classes, probs, labels, classes.map(() => 0.5));
  const scoredMetrics = report.perClass.filter((m) => scored.includes(m.label) && m.support > 0);
  const macroF1 = scoredMetrics.reduce((s, m) => s + m.f1, 0) / Math.max(1, scoredMetrics.length);
  const operating = scored.map((label) => operatingPoint(label, classes.indexOf(label), probs, labels, 0.8));
  const { log: _log, onFold: _onFold, ...options } = o;
  void _log; void _onFold;
  const heldOut = { fold: [...foldOf], label: [...labels], probs: probs.map((p) => Array.from(p, (v) => +v.toFixed(4))) };
  return { options, folds: [...folds], scoredClasses: scored, report, macroF1, operating, heldOut };
}

function operatingPoint(label: string, c: number, probs: Float32Array[], labels: number[], minPrecision: number): OperatingPoint {
  let best: OperatingPoint = { label, recall: 0, precision: 0, threshold: 1 };
  for (let t = 0.05; t <= 0.951; t += 0.025) {
    const { tp, fp, fn } = countsAt(probs, labels, c, t);
    const precision = tp + fp ? tp / (tp + fp) : 0;
    const recall = tp + fn ? tp / (tp + fn) : 0;
    if (precision >= minPrecision && recall > best.recall) best = { label, recall, precision, threshold: +t.toFixed(3) };
  }
  return best;
}

/** Markdown table: per scored class, held-out chunks, P/R/F1 at the tuned thresholds, recall at P ≥ 0.8. */
export function lopoTable(r: LopoReport): string {
  const lines = ['| class | held-out chunks | precision | recall | F1 | recall @ P≥0.8 (oracle threshold) |', '|---|---:|---:|---:|---:|---:|'];
  for (const label of r.scoredClasses) {
    const m = r.report.perClass.find((x) => x.label === label)!;
    const op = r.operating.find((x) => x.label === label)!;
    lines.push(`| ${label} | ${m.support} | ${m.precision.toFixed(2)} | ${m.recall.toFixed(2)} | ${m.f1.toFixed(2)} | ${op.recall.toFixed(2)} |`);
  }
  lines.push(`| **macro (${r.scoredClasses.length} classes)** | ${r.report.chunks} | | | **${r.macroF1.toFixed(2)}** | |`);
  return lines.join('\n');
}

/**
 * Pools reports of single folds run as separate processes (`--fold I`): same corpus, recipe and budget,
 * different folds. The result is what one run over all the folds reports.
 */
export function mergeLopo(parts: LopoReport[]): LopoReport {
  if (!parts.length) throw new SoundFlowError('invalid_argument', 'no LOPO reports to merge');
  const [first] = parts;
  const key = (r: LopoReport) => JSON.stringify({ ...r.options, onlyFold: undefined });
  for (const r of parts) {
    if (key(r) !== key(first)) throw new SoundFlowError('invalid_argument', 'LOPO reports differ in corpus, recipe or budget: cannot pool them');
    if (!r.heldOut) throw new SoundFlowError('invalid_argument', 'a LOPO report has no held-out chunks (written by an older version)');
  }
  const probs: Float32Array[] = [];
  const labels: number[] = [];
  const foldOf: number[] = [];
  const folds: LopoReport['folds'] = [];
  for (const r of [...parts].sort((a, b) => (a.options.onlyFold ?? 0) - (b.options.onlyFold ?? 0))) {
    folds.push(...r.folds);
    r.heldOut.probs.forEach((p, i) => {
      probs.push(Float32Array.from(p));
      labels.push(r.heldOut.label[i]);
      foldOf.push(r.heldOut.fold[i]);
    });
  }
  const o: LopoOptions = { ...first.options, onlyFold: undefined, log: () => {} };
  return pooled(o, first.report.classes, first.scoredClasses, folds, probs, labels, foldOf);
}
