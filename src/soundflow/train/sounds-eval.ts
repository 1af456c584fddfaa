// Evaluation of the sound model on a held-out split: every active 0.4 s chunk of every file of the
// split, mixed into that split's ambience at a fixed SNR, scored with the plain-TS forward pass.
// Per-class precision/recall/F1 (multi-label, per-class thresholds), top-1 confusion matrix, SVG plot.
import { SoundNet } from '../../perception/sounds/model.ts';
import type { Clip } from './sounds-data.ts';
import { CHUNK_START, WINDOW_SAMPLES, rmsDb, windowFeatures } from './sounds-data.ts';
import { makeRng, randInt } from '../../util/rng.ts';

export interface EvalSet {
  features: Float32Array[];
  label: number[];
}

export interface ClassMetrics {
  label: string;
  support: number;
  precision: number;
  recall: number;
  f1: number;
}

export interface EvalReport {
  chunks: number;
  top1Accuracy: number;
  macroF1: number;
  perClass: ClassMetrics[];
  /** confusion[true][predicted] counts, top-1. */
  confusion: number[][];
  classes: string[];
}

/** Chunks of every file of `clips` (max `perFile`), mixed into ambience at `snrDb`. Deterministic. */
export function buildEvalSet(
  classes: string[],
  clips: Map<string, Clip[]>,
  opts: { snrDb?: number; perFile?: number; seed?: number; featurize?: (window: Float32Array) => Float32Array } = {},
): EvalSet {
  const featurize = opts.featurize ?? ((w: Float32Array) => Float32Array.from(windowFeatures(w)));
  const snr = opts.snrDb ?? 20;
  const perFile = opts.perFile ?? 8;
  const rng = makeRng(opts.seed ?? 7);
  const bg = clips.get('ambient') ?? [];
  const out: EvalSet = { features: [], label: [] };
  const chunk = WINDOW_SAMPLES - CHUNK_START;
  classes.forEach((cls, ci) => {
    for (const clip of clips.get(cls) ?? []) {
      const x = clip.x;
      let taken = 0;
      // Short files are centred in one chunk; longer ones are cut at chunk boundaries.
      const starts: number[] = [];
      if (x.length <= chunk) starts.push(-CHUNK_START - Math.floor((chunk - x.length) / 2));
      else for (let s = -CHUNK_START; s + CHUNK_START + chunk <= x.length; s += chunk) starts.push(s);
      for (const s of starts) {
        if (taken >= perFile) break;
        const w = new Float32Array(WINDOW_SAMPLES);
        for (let i = 0; i < WINDOW_SAMPLES; i++) {
          const j = s + i;
          if (j >= 0 && j < x.length) w[i] = x[j];
        }
        const cur = rmsDb(w, CHUNK_START);
        if (cls !== 'ambient' && cur < clip.activeDb - 15) continue; // a pause inside the recording
        if (cur < -110) continue;
        const g = cls === 'ambient' ? 1 : Math.pow(10, (-20 - cur) / 20);
        for (let i = 0; i < w.length; i++) w[i] *= g;
        if (cls !== 'ambient' && bg.length) {
          const b = bg[randInt(rng, 0, bg.length - 1)].x;
          const off = randInt(rng, 0, Math.max(0, b.length - WINDOW_SAMPLES));
          const seg = b.subarray(off, off + WINDOW_SAMPLES);
          const bDb = rmsDb(seg);
          if (bDb > -110) {
            const gb = Math.pow(10, (-20 - snr - bDb) / 20);
            for (let i = 0; i < seg.length; i++) w[i] += gb * seg[i];
          }
        }
        for (let i = 0; i < w.length; i++) w[i] = Math.max(-1, Math.min(1, w[i]));
        out.features.push(featurize(w));
        out.label.push(ci);
        taken++;
      }
    }
  });
  return out;
}

export function scoreSet(net: SoundNet, set: EvalSet): Float32Array[] {
  return set.features.map((f) => net.forward(f));
}

/** Per class, the threshold in 0.1..0.9 that maximises F1 on (validation) predictions. */
/** One-vs-rest counts for class c when a chunk is called c at p ≥ t. */
export function countsAt(probs: Float32Array[], labels: number[], c: number, t: number): { tp: number; fp: number; fn: number } {
  let tp = 0, fp = 0, fn = 0;
  probs.forEach((p, i) => {
    const pos = p[c] >= t;
    if (labels[i] === c) pos ? tp++ : fn++;
    else if (pos) fp++;
  });
  return { tp, fp, fn };
}

export function tuneThresholds(probs: Float32Array[], labels: number[], nClasses: number): number[] {
  const th: number[] = [];
  for (let c = 0; c < nClasses; c++) {
    let best = 0.5;
    let bestF = -1;
    for (let t = 0.1; t <= 0.901; t += 0.05) {
      const { tp, fp, fn } = countsAt(probs, labels, c, t);
      if (tp + fn === 0) continue;
      const f = (2 * tp) / Math.max(1, 2 * tp + fp + fn);
      if (f > bestF + 1e-9) {
        bestF = f;
        best = +t.toFixed(2);
      }
    }
    // Never accept a class below 0.3: the policy acts on these, and false alarms cost more than misses.
    th.push(Math.max(0.3, best));
  }
  return th;
}

export function evaluate(classes: string[], probs: Float32Array[], labels: number[], thresholds: number[]): EvalReport {
  const C = classes.length;
  const confusion = Array.from({ length: C }, () => new Array<number>(C).fill(0));
  const tp = new Array<number>(C).fill(0);
  const fp = new Array<number>(C).fill(0);
  const fn = new Array<number>(C).fill(0);
  let correct = 0;
  probs.forEach((p, i) => {
    let arg = 0;
    for (let c = 1; c < C; c++) if (p[c] > p[arg]) arg = c;
    confusion[labels[i]][arg]++;
    if (arg === labels[i]) correct++;
    for (let c = 0; c < C; c++) {
      const pos = p[c] >= thresholds[c];
      if (labels[i] === c) pos ? tp[c]++ : fn[c]++;
      else if (pos) fp[c]++;
    }
  });
  const perClass = classes.map((label, c) => {
    const precision = tp[c] + fp[c] ? tp[c] / (tp[c] + fp[c]) : 0;
    const recall = tp[c] + fn[c] ? tp[c] / (tp[c] + fn[c]) : 0;
    const f1 = precision + recall ? (2 * precision * recall) / (precision + recall) : 0;
    return { label, support: tp[c] + fn[c], precision, recall, f1 };
  });
  const withSupport = perClass.filter((m) => m.support > 0);
  return {
    chunks: labels.length,
    top1Accuracy: labels.length ? correct / labels.length : 0,
    macroF1: withSupport.reduce((s, m) => s + m.f1, 0) / Math.max(1, withSupport.length),
    perClass,
    confusion,
    classes,
  };
}

/** Markdown table of per-class metrics. */
export function metricsTable(r: EvalReport): string {
  const lines = ['| class | test chunks | precision | recall | F1 |', '|---|---:|---:|---:|---:|'];
  for (const m of r.perClass) {
    lines.push(m.support ? `| ${m.label} | ${m.support} | ${m.precision.toFixed(2)} | ${m.recall.toFixed(2)} | ${m.f1.toFixed(2)} |` : `| ${m.label} | 0 | – | – | – (no test file) |`);
  }
  lines.push(`| **macro / top-1 acc.** | ${r.chunks} | | | **${r.macroF1.toFixed(2)}** (top-1 accuracy ${r.top1Accuracy.toFixed(2)}) |`);
  return lines.join('\n');
}

function esc(s: string): string {
  return s.replace(/[<>&]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;' })[c]!);
}

/** Row-normalised confusion matrix as a standalone SVG (no plotting dependency). */
export function confusionSvg(r: EvalReport, title: string): string {
  const C = r.classes.length;
  const cell = 18;
  const left = 110;
  const top = 120;
  const size = C * cell;
  const w = left + size + 20;
  const h = top + size + 40;
  const parts: string[] = [];
  parts.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}" font-family="sans-serif" font-size="10">`);
  parts.push(`<rect width="${w}" height="${h}" fill="white"/>`);
  parts.push(`<text x="${left}" y="14" font-size="13">${esc(title)}</text>`);
  parts.push(`<text x="${left + size / 2}" y="${h - 8}" text-anchor="middle">predicted (top-1)</text>`);
  parts.push(`<text x="12" y="${top + size / 2}" transform="rotate(-90 12 ${top + size / 2})" text-anchor="middle">true class</text>`);
  for (let i = 0; i < C; i++) {
    const rowSum = r.confusion[i].reduce((a, b) => a + b, 0);
    parts.push(`<text x="${left - 4}" y="${top + i * cell + cell * 0.7}" text-anchor="end">${esc(r.classes[i])}</text>`);
    parts.push(`<text x="${left + i * cell + cell * 0.7}" y="${top - 4}" transform="rotate(-60 ${left + i * cell + cell * 0.7} ${top - 4})">${esc(r.classes[i])}</text>`);
    for (let j = 0; j < C; j++) {
      const v = rowSum ? r.confusion[i][j] / rowSum : 0;
      const shade = Math.round(255 * (1 - v));
      const fill = i === j ? `rgb(${shade},${Math.round(255 - 0.45 * (255 - shade))},${shade})` : `rgb(255,${shade},${shade})`;
      parts.push(`<rect x="${left + j * cell}" y="${top + i * cell}" width="${cell}" height="${cell}" fill="${rowSum ? fill : '#eee'}" stroke="#ddd"><title>${esc(r.classes[i])} → ${esc(r.classes[j])}: ${r.confusion[i][j]}</title></rect>`);
      if (r.confusion[i][j] > 0 && v >= 0.1) parts.push(`<text x="${left + j * cell + cell / 2}" y="${top + i * cell + cell * 0.68}" text-anchor="middle" font-size="8" fill="${v > 0.6 ? 'white' : 'black'}">${Math.round(v * 100)}</text>`);
    }
  }
  parts.push('</svg>');
  return parts.join('\n') + '\n';
}
