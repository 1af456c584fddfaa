// Open-set behaviour of the sound model on packages it never trained on (leave-one-package-out chunks):
// how often a chunk gets the right label, a wrong one ("a bark called a cough"), or none ("unknown"),
// and a reject rule calibrated on held-out packages. Probabilities are the LOPO report's recentred ones
// (0.5 = the fold's own validation threshold), so logit(p) is the margin over the class threshold.

export interface HeldOutChunks {
  fold: number[];
  label: number[];
  probs: number[][];
}

export interface OpenSetOutcome {
  chunks: number;
  correct: number;
  wrong: number;
  unknown: number;
  /** correct / (correct + wrong): how often a label that is given is right. */
  labelPrecision: number;
  /** Most frequent wrong labels, "true → given: n". */
  topConfusions: string[];
}

/** Platt scaling of the top class's margin: P(top class is right) = σ(a·margin + b). */
export interface Calibration {
  a: number;
  b: number;
}

const logit = (p: number) => Math.log(Math.max(1e-6, p) / Math.max(1e-6, 1 - p));
const sigmoid = (z: number) => 1 / (1 + Math.exp(-z));

/** The class with the widest margin over its threshold, and that margin (logit units). */
export function topMargin(p: number[]): { cls: number; margin: number } {
  let cls = 0;
  for (let c = 1; c < p.length; c++) if (p[c] > p[cls]) cls = c;
  return { cls, margin: logit(p[cls]) };
}

/**
 * Labels every chunk as the event layer does (best class over its threshold, else unknown), with an
 * extra acceptance rule: `accept(margin)` (default: margin ≥ 0, i.e. the fold's thresholds).
 */
export function openSetOutcome(h: HeldOutChunks, classes: string[], accept: (margin: number, i: number) => boolean = (m) => m >= 0, only?: (i: number) => boolean): OpenSetOutcome {
  let correct = 0, wrong = 0, unknown = 0, n = 0;
  const pairs = new Map<string, number>();
  h.probs.forEach((p, i) => {
    if (only && !only(i)) return;
    n++;
    const { cls, margin } = topMargin(p);
    if (!accept(margin, i)) unknown++;
    else if (cls === h.label[i]) correct++;
    else {
      wrong++;
      const k = `${classes[h.label[i]]} → ${classes[cls]}`;
      pairs.set(k, (pairs.get(k) ?? 0) + 1);
    }
  });
  const topConfusions = [...pairs].sort((a, b) => b[1] - a[1]).slice(0, 6).map(([k, v]) => `${k}: ${v}`);
  return { chunks: n, correct, wrong, unknown, labelPrecision: correct + wrong ? correct / (correct + wrong) : 0, topConfusions };
}

/** Fits σ(a·margin + b) to "top class is right" by Newton's method on the log-loss (2 parameters). */
export function fitCalibration(h: HeldOutChunks, only?: (i: number) => boolean): Calibration {
  const xs: number[] = [];
  const ys: number[] = [];
  h.probs.forEach((p, i) => {
    if (only && !only(i)) return;
    const { cls, margin } = topMargin(p);
    xs.push(margin);
    ys.push(cls === h.label[i] ? 1 : 0);
  });
  let a = 1, b = 0;
  for (let it = 0; it < 50; it++) {
    // Gradient and Hessian of the mean log-loss, with a tiny ridge so a separable set stays finite.
    let ga = 1e-3 * a, gb = 0, haa = 1e-3, hab = 0, hbb = 1e-6;
    for (let i = 0; i < xs.length; i++) {
      const q = sigmoid(a * xs[i] + b);
      const r = q - ys[i];
      const w = q * (1 - q);
      ga += r * xs[i]; gb += r;
      haa += w * xs[i] * xs[i]; hab += w * xs[i]; hbb += w;
    }
    const det = haa * hbb - hab * hab;
    if (!(det > 0)) break;
    const da = (hbb * ga - hab * gb) / det;
    const db = (haa * gb - hab * ga) / det;
    a -= da; b -= db;
    if (Math.abs(da) + Math.abs(db) < 1e-8) break;
  }
  return { a: +a.toFixed(4), b: +b.toFixed(4) };
}

export function calibratedConfidence(c: Calibration, margin: number): number {
  return sigmoid(c.a * margin + c.b);
}

/** Expected calibration error of "top class is right" over 10 confidence bins. */
export function calibrationError(h: HeldOutChunks, conf: (margin: number) => number, only?: (i: number) => boolean): number {
  const bins = Array.from({ length: 10 }, () => ({ n: 0, conf: 0, right: 0 }));
  let n = 0;
  h.probs.forEach((p, i) => {
    if (only && !only(i)) return;
    const { cls, margin } = topMargin(p);
    const q = conf(margin);
    const b = bins[Math.min(9, Math.floor(q * 10))];
    b.n++; b.conf += q; b.right += cls === h.label[i] ? 1 : 0;
    n++;
  });
  // Σ over bins of (bin size / n) · |mean confidence − accuracy| = Σ |Σconf − Σright| / n.
  return n ? bins.reduce((s, b) => s + Math.abs(b.conf - b.right), 0) / n : 0;
}

export interface RejectRow {
  rule: string;
  outcome: OpenSetOutcome;
}

/**
 * Cross-fold evaluation of calibrated rejects: for each fold, the calibration is fitted on the other
 * folds' chunks and applied to this fold's (never on the chunks it is scored on); rows are pooled.
 */
export function crossFoldRejects(h: HeldOutChunks, classes: string[], minConfidences: number[]): { rows: RejectRow[]; ece: { uncalibrated: number; calibrated: number } } {
  const folds = [...new Set(h.fold)].sort((x, y) => x - y);
  const rows: RejectRow[] = [{ rule: 'fold thresholds (as shipped: best class over its threshold, else unknown)', outcome: openSetOutcome(h, classes) }];
  const cal = new Map<number, Calibration>();
  for (const f of folds) cal.set(f, folds.length > 1 ? fitCalibration(h, (i) => h.fold[i] !== f) : fitCalibration(h));
  for (const pmin of minConfidences) {
    const accept = (m: number, i: number) => m >= 0 && calibratedConfidence(cal.get(h.fold[i])!, m) >= pmin;
    rows.push({ rule: `calibrated confidence ≥ ${pmin}`, outcome: openSetOutcome(h, classes, accept) });
  }
  let eceCal = 0, nAll = 0;
  for (const f of folds) {
    const only = (i: number) => h.fold[i] === f;
    const n = h.fold.filter((x) => x === f).length;
    eceCal += calibrationError(h, (m) => calibratedConfidence(cal.get(f)!, m), only) * n;
    nAll += n;
  }
  // Uncalibrated: the recentred probability of the top class read as its chance of being right.
  return { rows, ece: { uncalibrated: calibrationError(h, (m) => sigmoid(m)), calibrated: nAll ? eceCal / nAll : 0 } };
}
