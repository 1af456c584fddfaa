// Calibrated open-set rejection: how likely an event's best class is right on a recording from a source
// the model never trained on. Fitted on leave-one-package-out chunks (scripts/sounds-lopo-report.ts) as
// Platt scaling of the class's margin over its threshold; below `minConfidence` the event is 'unknown'.

export interface OpenSetCalibration {
  /** P(right) = σ(a · (logit(p) − logit(threshold)) + b). */
  a: number;
  b: number;
  /** Below this calibrated confidence the best class is not given (the event is 'unknown'). */
  minConfidence: number;
}

const logit = (p: number) => Math.log(Math.max(1e-6, p) / Math.max(1e-6, 1 - p));

/** Margin of a class probability over its threshold, in logit units (0 at the threshold). */
export function thresholdMargin(p: number, threshold: number): number {
  return logit(p) - logit(threshold);
}

export function labelConfidence(p: number, threshold: number, cal: Pick<OpenSetCalibration, 'a' | 'b'>): number {
  return 1 / (1 + Math.exp(-(cal.a * thresholdMargin(p, threshold) + cal.b)));
}
