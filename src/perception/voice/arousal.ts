// Arousal of one utterance against its speaker's own baseline. Each cue (level, median F0, speaking
// rate) is a z-score: its distance from the baseline's median over the speaker's spread between
// utterances. That spread is learnt per speaker but shrunk toward a population prior (a few utterances
// say little about how much a voice varies), and widened by the uncertainty of the baseline's own median.
// Raised when one cue's z-score, or the cues' sum over its own spread (√3 for three independent
// z-scores), reaches the threshold: each cue counts in its own units, none is weighted up.
import type { Arousal } from './types.ts';

export interface ArousalCues {
  levelDb: number;
  /** Median F0, semitones re 100 Hz (null: unvoiced). */
  f0St: number | null;
  /** log of the speaking rate: the spectral velocity or tempo index (prosody.ts, `rateCue`), or a transcript's syllables per second. */
  logRate: number | null;
  /** Whether logRate came from a transcript (the two measures are kept apart). */
  rateFromText: boolean;
  f0RangeSt: number;
  /**
   * log of the tempo ratio against an earlier calm saying of the same words by this voice (repeat.ts),
   * null or absent when the utterance repeats none: then the rate is judged against the baseline.
   */
  repeatLogRatio?: number | null;
  /**
   * log of the content-normalised rate blended with the acoustic one (analyzer.ts: the transcript's
   * expected calm speaking time over the measured one, when the transcript is plausible); null or absent
   * without a plausible transcript: then the acoustic rate alone is judged.
   */
  contentLogRate?: number | null;
}

export interface ArousalOptions {
  /**
   * Raised when the largest weighted cue z (× singleCue) or the weighted z-sum over its spread
   * (√(2 + rateWeight²)) reaches this; low when that normalised sum is at or below −lowFactor× it.
   */
  threshold: number;
  lowFactor: number;
  /** A single cue's weighted z counts this many times over (one clearly raised cue suffices). */
  singleCue: number;
  /** Population spreads between one speaker's calm utterances: dB, semitones, log rate. */
  priorLevelDb: number;
  priorF0St: number;
  priorLogRate: number;
  /** The same for the acoustic rate cue (logRate not from a transcript). */
  priorLogRatePeaks: number;
  /** Weight of the prior spread, in utterances. */
  priorWeight: number;
  /** Cue weights in the sum. */
  rateWeight: number;
  /**
   * Which acoustic rate feeds the rate cue: the tempo index, or the spectral velocity alone (steadier
   * across voices: docs/notes/voice.md, round 6).
   */
  rateCue: 'tempo' | 'velocity';
  /**
   * A repeat of earlier words is compared with that saying (tempo ratio from the alignment) instead
   * of the baseline's other phrasings; its spread (log) is a person's tempo between two calm sayings of
   * one sentence (~5%) plus the alignment's error (~3%, tuning voices). Not fitted: synthetic calm
   * repeats are exact.
   */
  useRepeats: boolean;
  priorRepeatLogRate: number;
  /**
   * Words not said before: with a plausible transcript, the rate cue is the spectral velocity blended
   * (geometric weight `contentWeight`) with the transcript's expected calm speaking time over the
   * measured speaking time, judged against the speaker's utterances that had one, with spread prior
   * `priorLogRateContent` (docs/notes/voice.md, round 8).
   */
  useContent: boolean;
  contentWeight: number;
  priorLogRateContent: number;
  /**
   * Geometric weight of the learned rate model's reading (perception/voice/rate-model.ts) in the
   * acoustic rate cue, blended with the spectral velocity (0: the velocity alone). Applies where the
   * velocity does: the rate against the baseline, and the acoustic part of the content blend
   * (docs/notes/voice.md, round 10).
   */
  rateModelWeight: number;
  /**
   * With the rate model on (rateModelWeight > 0): the content blend's weight (in place of
   * `contentWeight`) and the spread priors of the acoustic rate (in place of `priorLogRatePeaks`) and of
   * the content blend (in place of `priorLogRateContent`), each the held-out pooled log sd of that cue
   * between one speaker's phrasings (tuning voices and phrasings held out: docs/notes/voice.md, round 17).
   * With the model on, an utterance it cannot read (no window of unbroken speech long enough) gets no
   * rate cue: its velocity alone is on another scale than the baseline's blended readings.
   */
  rateModelContentWeight: number;
  priorLogRateModel: number;
  priorLogRateModelContent: number;
  /** The rate model's file (default: models/voice-rate/model.json). */
  rateModelPath?: string;
  /** Calm utterances kept per speaker. */
  window: number;
  /** Utterances a baseline needs before arousal is judged against it. */
  minBaseline: number;
}

// Fitted on the tuning voices and phrasings only (bench/voice.ts --tuning; docs/notes/voice.md): the
// equal-weight rule and its threshold by leave-one-speaker-out over the tuning speakers.
export const DEFAULT_AROUSAL: ArousalOptions = {
  threshold: 1.9,
  lowFactor: 1,
  singleCue: 1,
  priorLevelDb: 1.5,
  priorF0St: 1.3,
  priorLogRate: 0.1,
  priorLogRatePeaks: 0.1,
  priorWeight: 8,
  rateWeight: 1,
  rateCue: 'velocity',
  useRepeats: true,
  priorRepeatLogRate: 0.06,
  useContent: true,
  contentWeight: 0.3,
  priorLogRateContent: 0.07,
  rateModelWeight: 0,
  // Round 17: chosen on the tuning set with voices and phrasings held out (bench/voice-rate-blend.ts).
  rateModelContentWeight: 0.2,
  priorLogRateModel: 0.05,
  priorLogRateModelContent: 0.051,
  window: 16,
  minBaseline: 2,
};

const median = (v: number[]): number => {
  const s = [...v].sort((a, b) => a - b);
  return s.length % 2 ? s[s.length >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
/** Robust standard deviation (1.4826 × MAD); null for fewer than 3 values. */
const robustSd = (v: number[]): number | null => {
  if (v.length < 3) return null;
  const m = median(v);
  return 1.4826 * median(v.map((x) => Math.abs(x - m)));
};

/** One speaker's usual way of talking: recent calm utterances' cues. */
export class ProsodyBaseline {
  readonly level: number[] = [];
  readonly f0: number[] = [];
  readonly rate: number[] = [];
  readonly textRate: number[] = [];
  /** Blended content-normalised rates (contentLogRate) of the utterances that had one. */
  readonly contentRate: number[] = [];
  readonly range: number[] = [];

  constructor(private readonly window = DEFAULT_AROUSAL.window) {}

  get size(): number {
    return this.level.length;
  }

  learn(c: ArousalCues): void {
    const push = (a: number[], v: number) => {
      a.push(v);
      if (a.length > this.window) a.shift();
    };
    push(this.level, c.levelDb);
    if (c.f0St !== null) {
      push(this.f0, c.f0St);
      push(this.range, c.f0RangeSt);
    }
    if (c.logRate !== null) push(c.rateFromText ? this.textRate : this.rate, c.logRate);
    if (c.contentLogRate != null) push(this.contentRate, c.contentLogRate);
  }

  /** The usual median F0 (semitones), or null. */
  get f0Median(): number | null {
    return this.f0.length ? median(this.f0) : null;
  }

  get rateMedian(): number | null {
    return this.rate.length ? median(this.rate) : null;
  }
}

export interface ArousalResult {
  /** The rule's statistic over the threshold: ≥ 1 raised, ≤ −lowFactor low. */
  score: number;
  arousal: Arousal;
  z: { level: number; f0: number; rate: number };
  /** Each cue's distance from the baseline's median, the baseline's robust sd (null: < 3 values) and size. */
  raw?: { level: Raw; f0: Raw; rate: Raw; repeat?: number; content?: boolean };
}
interface Raw { d: number; sd: number | null; n: number }
function rawOf(x: number | null, values: number[]): Raw {
  return x === null || values.length === 0 ? { d: 0, sd: null, n: 0 } : { d: x - median(values), sd: robustSd(values), n: values.length };
}

/** z-score of x against baseline values, spread shrunk toward the prior. */
function zOf(x: number, values: number[], prior: number, k: number, minN: number): number {
  const n = values.length;
  if (n < minN) return 0;
  const sd = robustSd(values);
  const s2 = sd === null ? prior * prior : (k * prior * prior + (n - 1) * sd * sd) / (k + n - 1);
  // The median of n values is itself uncertain (≈ 1.25²/n of the spread for a median).
  return (x - median(values)) / Math.sqrt(s2 * (1 + 1.5 / n));
}

/**
 * `ignoreF0`: the baseline is another voice's (a new cluster borrowing it) and the pitch is so far
 * from it that it says "another person", not "raised".
 */
export function arousalOf(c: ArousalCues, base: ProsodyBaseline | undefined, o: ArousalOptions = DEFAULT_AROUSAL, ignoreF0 = false): ArousalResult {
  const none = { score: 0, arousal: 'calm' as Arousal, z: { level: 0, f0: 0, rate: 0 } };
  if (!base || base.size < o.minBaseline) return none;
  const k = o.priorWeight;
  const level = zOf(c.levelDb, base.level, o.priorLevelDb, k, o.minBaseline);
  const f0 = c.f0St === null || ignoreF0 ? 0 : zOf(c.f0St, base.f0, o.priorF0St, k, o.minBaseline);
  const rates = c.rateFromText ? base.textRate : base.rate;
  const repeat = o.useRepeats && c.repeatLogRatio != null ? c.repeatLogRatio : null;
  const content = o.useContent && repeat === null && c.contentLogRate != null && base.contentRate.length >= o.minBaseline ? c.contentLogRate : null;
  // With the rate model on, the acoustic rate (velocity cue) and the content blend carry its reading: their own priors.
  const model = o.rateModelWeight > 0;
  const acousticPrior = model && o.rateCue === 'velocity' ? o.priorLogRateModel : o.priorLogRatePeaks;
  const rate = repeat !== null
    ? repeat / o.priorRepeatLogRate
    : content !== null
      ? zOf(content, base.contentRate, model ? o.priorLogRateModelContent : o.priorLogRateContent, k, o.minBaseline)
      : c.logRate === null ? 0 : zOf(c.logRate, rates, c.rateFromText ? o.priorLogRate : acousticPrior, k, o.minBaseline);
  // The sum of independent z-scores spreads by √(Σ weights²): normalised, it is one more z-score.
  const sum = (level + f0 + o.rateWeight * rate) / Math.sqrt(2 + o.rateWeight * o.rateWeight);
  const up = Math.max(sum, o.singleCue * Math.max(level, f0, o.rateWeight * rate));
  const score = (up >= o.threshold ? up : sum) / o.threshold;
  const z = { level, f0, rate };
  const raw = {
    level: rawOf(c.levelDb, base.level), f0: rawOf(c.f0St === null || ignoreF0 ? null : c.f0St, base.f0),
    rate: content !== null ? rawOf(content, base.contentRate) : rawOf(c.logRate, rates),
    ...(content !== null ? { content: true } : {}),
    ...(repeat !== null ? { repeat } : {}),
  };
  if (score <= -o.lowFactor) return { score, arousal: 'low', z, raw };
  if (score < 1) return { score, arousal: 'calm', z, raw };
  // Valence is a weak guess: raised with a pitch range wider than usual reads as excited, else stressed.
  const wider = base.range.length > 0 && c.f0RangeSt > median(base.range) + 1;
  return { score, arousal: wider ? 'excited' : 'stressed', z, raw };
}
