// Joins the standards-based alarm detector with the sound model before the reply policy sees the
// probabilities. The pattern is the authority on smoke and CO alarms:
// - a confirmed T3 cycle is a smoke alarm (p 0.99) whatever the model says; a confirmed T4 is a CO alarm;
// - while a tone is sounding but no pulse is complete, the model's smoke_alarm is held back;
// - when the pulses contradict both patterns (microwave, timer, a held tone), the model's smoke_alarm
//   becomes plain beeping (a normal notice at most, never an urgent alert); and when they are a steady
//   beep repeating at one pitch (AlarmDetector.beeping: an alarm clock, a microwave), beeping is heard
//   whatever the model says (it sees 0.4 s, less than one beep-and-gap of many appliances).
// Only when the detector hears no tone at all in its band does the model's smoke_alarm pass unchanged.
import type { AlarmAlert, AlarmState } from '../perception/sounds/alarm.ts';

export const CO_ALARM = 'co_alarm';
export const CONFIRMED_P = 0.99;

export interface GatedProbs {
  /** The model's classes plus co_alarm at the end. */
  classes: string[];
  probs: Float32Array;
  thresholds: Float32Array;
}

/** Model classes + co_alarm (threshold 0.5: the detector's output is 0 or 0.99). */
export function gatedClasses(classes: readonly string[], thresholds: ArrayLike<number>): { classes: string[]; thresholds: Float32Array } {
  const out = Float32Array.from({ length: classes.length + 1 }, (_, i) => (i < classes.length ? thresholds[i] : 0.5));
  return { classes: [...classes, CO_ALARM], thresholds: out };
}

export function gateAlarmProbs(classes: readonly string[], probs: ArrayLike<number>, state: AlarmState, last: AlarmAlert | null, strict: boolean, beeping = false): Float32Array {
  const out = new Float32Array(classes.length + 1);
  for (let i = 0; i < classes.length; i++) out[i] = probs[i];
  const smoke = classes.indexOf('smoke_alarm');
  const beep = classes.indexOf('beeping_alarm');
  if (state === 'confirmed' && last) {
    if (last.pattern === 'T3' && smoke >= 0) out[smoke] = Math.max(out[smoke], CONFIRMED_P);
    if (last.pattern === 'T4') {
      out[classes.length] = CONFIRMED_P;
      if (smoke >= 0) out[smoke] = 0;
    }
    return out;
  }
  if (smoke < 0) return out;
  // strict: only a complete pattern makes a smoke alarm; otherwise a plausible T3 start may let the model alert early.
  const hold = state === 'pending' || state === 'inconsistent' || (strict && state === 'plausible');
  if (hold) {
    if (state === 'inconsistent' && beep >= 0) out[beep] = Math.max(out[beep], out[smoke], beeping ? CONFIRMED_P : 0);
    out[smoke] = 0;
  }
  return out;
}
