// Repeats of one sound, found frame by frame against the background's per-band statistics ("count this
// sound", "count the claps"). The generic segmenter cuts events by overall level, so over birdsong a
// sound and the chirps around it become one long event whose length and shape match nothing. Here:
// - the background is tracked per band (16 bands of the shared log-mel, 4 s of frames outside any run):
//   its 25th percentile is the floor, its 97th what the bed itself reaches now and then;
// - the example is the first run of frames standing out of the bed's own range (sum over bands of dB
//   over the 97th percentile), so a chirp that the bed makes all the time is not an example; or whose
//   sustained band levels (held for 13 of 15 frames) stand out of what the bed sustains, so a steady
//   sound quieter than the chirps in its own bands is found too;
// - once the example is found, earlier repeats that stayed under the bar of their time are looked for
//   among the last 10 s of frames (optional; counted late);
// - its template is the per-band level over the floor averaged over the run; a frame matches when the
//   template's bands are raised by as much as the template (clipped per band, so a chirp filling one
//   band cannot stand in for the others);
// - the example ends where its own bands fall back (frames scored against its profile so far), not where
//   novelty does: chirps after it keep the novelty up and would stretch it and its count;
// - a repeat is a run of matching frames (hysteresis, hangover), of a length comparable to the example's
//   and of a like shape; it is reported when it ends, so a count comes right after its sound, or, when
//   chirps in its bands hold it on, once it has run the example's length + 0.2 s (its end then only
//   widens the counted span).
import { PROFILE_BANDS, FRAME_SEC, profileSimilarity } from './segmenter.ts';

export interface RepeatRun {
  /** Stream times (s, 10 ms resolution) of the run's first frame and the end of its last one. */
  onset: number;
  offset: number;
  /** True for the example itself (the first run), false for its repeats. */
  example: boolean;
  /** A repeat heard before the example, found when the example was (counted late). */
  retro?: boolean;
  /**
   * The end of a repeat already reported while it still ran (chirps held it on past the example's
   * length): not a new count, only the span the reported one really took.
   */
  tail?: boolean;
  /** Mean per-band level over the floor during the run (dB). */
  profile: Float32Array;
  /** Mean template score (0..1) over the run; for the example, its peak novelty (dB summed over bands). */
  score: number;
}

export interface RepeatDetectorOptions {
  /** Smoothed template score that starts / keeps a repeat (defaults 0.5 / 0.3). */
  onScore?: number;
  offScore?: number;
  /** Novelty (dB summed over bands above the bed's 97th percentile) that starts / keeps the example (defaults 30 / 12). */
  noveltyOn?: number;
  noveltyOff?: number;
  /**
   * A run must also start this far over the highest score the background itself reached in the last
   * BG_FRAMES frames (defaults 20 dB of novelty, 0.2 of template score): a bed of loud chirps sets its own bar.
   */
  noveltyMargin?: number;
  scoreMargin?: number;
  /**
   * Look for the example by novelty (default true, "count this sound"). False: the template comes from
   * seed() (a class counter's first confident event), and nothing counts before it.
   */
  seek?: boolean;
  /**
   * Once the example is found, look back over the kept frames for earlier repeats of it that did not
   * stand out enough to be the example (default false; "count this sound" sets it).
   */
  retro?: boolean;
  /** Frames under the keep line that end a run (default 8: 80 ms bridges a sound's own dips). */
  hangFrames?: number;
  /** A repeat's length relative to the example's (default 0.3–3.5: the background adds to or masks either end). */
  minLengthRatio?: number;
  maxLengthRatio?: number;
  /**
   * Profile correlation with the template a repeat needs (default 0.2: a weak guard against another sound
   * raising the same bands; chirps inside a true repeat pull its correlation down to 0.3, and 0.4 lost them).
   */
  minSimilarity?: number;
  /**
   * A repeat still running this long (s) past the example's length is reported then, judged on its frames
   * so far (default 0.2; Infinity: only when it ends). Chirps in the example's bands hold a run on for
   * 0.5–1.5 s past its sound, and a count that waits for the run's end comes chunks late.
   */
  reportAfterSec?: number;
}

export interface RepeatFrameInput {
  /** The chunk's log-mel frames (frames × bins, natural log). */
  mel: Float32Array;
  /** Stream time (s) at the end of the chunk. */
  t: number;
  /** Runs starting before this time are background (heard while the instruction was given). */
  countFrom?: number;
  /** Whether runs overlapping this chunk may count (false while someone talks or the input is bad). */
  countable?: boolean;
}

const BG_FRAMES = 400;
const LOW_Q = 0.25;
const HIGH_Q = 0.97;
/** Quantiles are refreshed every this many background frames (a 4 s background moves slowly). */
const REFRESH = 10;
/** Band levels are binned for the quantiles: 0.5 dB steps over −80…+80 dB (log-mel power in dB, before the dBFS offset: −60 dB is the log floor, full scale ≈ +45 dB). */
const HIST_MIN_DB = -80;
const HIST_STEP_DB = 0.5;
const HIST_BINS = 320;
const histBin = (db: number) => Math.max(0, Math.min(HIST_BINS - 1, Math.floor((db - HIST_MIN_DB) / HIST_STEP_DB)));
/** Bands of the template below this (dB over the floor) take no part in the score. */
const TEMPLATE_MIN_DB = 3;
/** Per-band cap of the novelty sum (dB): one very loud band is one band. */
const NOVELTY_CAP_DB = 30;
/** No run starts before this many background frames (the bed's range is unknown). */
const WARMUP = 30;
const SMOOTH = 3;
/** Novelty is averaged over more frames: a chirp lasts 40–90 ms, a sound made to be counted longer. */
const NOVELTY_SMOOTH = 3;
/**
 * Sustained level of a band: the SUSTAIN_RANK-th lowest of its last SUSTAIN_FRAMES frames (150 ms), so
 * only a sound that holds for 13 of 15 frames raises it; a chirp (40–90 ms) does not.
 */
const SUSTAIN_FRAMES = 15;
const SUSTAIN_RANK = 3;
/** Highest start bars (novelty dB, template score) the bed's own highs can set. */
const NOVELTY_CAP = 50;
const SCORE_CAP = 0.7;
/** Fraction of a run's peak under which its frames count as low (novelty, template score). */
const NOVELTY_KEEP_FRAC = 0.25;
const SCORE_KEEP_FRAC = 0.4;
/**
 * Mean template score a repeat needs over its frames: bed fluctuations that brush the start bar average
 * 0.4–0.6, true repeats at 10 dB SNR 0.65–0.95 (tuning set of bench/counting.ts: 0.55 → 0.65 took
 * "this sound" at 10 dB from 0.875 to 0.92).
 */
const MIN_MEAN_SCORE = 0.65;
/**
 * Mean template score a run needs to be counted before it ends (a count cannot be taken back, so this is
 * stricter than MIN_MEAN_SCORE; a run that misses it is judged when it ends). Long runs of birdsong in a
 * bark's bands scored 0.65–0.67 when 0.2 s past the bark's length and were rejected at their end as too
 * long; tuning set: 0.65–0.75 equal, 0.8 made a repeat late.
 */
const EARLY_MEAN_SCORE = 0.75;
/**
 * No early count for a short example: a run past half the longest a repeat may be (maxLengthRatio × the
 * example) is as likely something else going on (a knock of 0.09 s whose run the user's next words carried
 * on to 0.3 s was counted early, where at its end it was too long and overlapped speech).
 */
const EARLY_MAX_FRAC = 0.5;
/** Frames kept for seed() (s × 100): an event is labelled at most a few chunks after it ends. */
const PAST_FRAMES = 1000;
/** Frames (10 ms) a background score waits before it can raise the start bar. */
const BAR_LAG = 30;
/** The example's own-band score (against its profile so far) under which its frames count as low. */
const OWN_KEEP = 0.6;
/** Frames an example runs before its own profile is trusted to end it. */
const OWN_MIN_FRAMES = 15;
/** Longest run (s) before it is taken for a change of the bed (longer for a long example). */
const MAX_RUN_SEC = 6;

interface Run {
  start: number;
  last: number;
  low: number;
  sum: Float64Array;
  n: number;
  scoreSum: number;
  /** Highest smoothed score (novelty while seeking the example). */
  peak: number;
  /** Highest sustained novelty (while seeking). */
  peakS: number;
  /** Started by the sustained novelty alone (kept by it too). */
  bySus: boolean;
  countable: boolean;
  /** Already reported as a repeat while running (its end only widens that count's span). */
  reported?: RepeatRun;
  /** The example's latest scores against its own profile so far. */
  own?: number[];
}

export class RepeatDetector {
  private readonly o: Required<RepeatDetectorOptions>;
  private readonly ring = new Float32Array(BG_FRAMES * PROFILE_BANDS);
  private filled = 0;
  private pos = 0;
  private sinceRefresh = REFRESH;
  private readonly lo = new Float32Array(PROFILE_BANDS);
  private readonly hi = new Float32Array(PROFILE_BANDS);
  private readonly hist = new Uint16Array(PROFILE_BANDS * HIST_BINS);
  /** The same for the sustained band levels (what the bed holds for SUSTAIN_FRAMES, not what it reaches in a chirp). */
  private readonly histS = new Uint16Array(PROFILE_BANDS * HIST_BINS);
  private readonly ringS = new Float32Array(BG_FRAMES * PROFILE_BANDS);
  private readonly hiS = new Float32Array(PROFILE_BANDS);
  /** The latest SUSTAIN_FRAMES frames' band levels. */
  private readonly recent = new Float32Array(SUSTAIN_FRAMES * PROFILE_BANDS);
  private readonly sustained = new Float32Array(PROFILE_BANDS);
  private readonly sortBuf = new Float32Array(SUSTAIN_FRAMES);
  /** The latest frames' band levels and start times, for a template seeded from an event already heard. */
  private readonly past = new Float32Array(PAST_FRAMES * PROFILE_BANDS);
  private readonly pastT = new Float64Array(PAST_FRAMES).fill(NaN);
  /** Whether each kept frame could count (after countFrom, no speech or bad input). */
  private readonly pastOk = new Uint8Array(PAST_FRAMES);
  private readonly recentScores: number[] = [];
  /** Smoothed scores of the latest background frames (the bed's own highs). */
  private readonly bgScores = new Float32Array(BG_FRAMES);
  private bgScorePos = 0;
  private readonly lagScores: number[] = [];
  private readonly bgScoresS = new Float32Array(BG_FRAMES);
  private bgScorePosS = 0;
  private readonly lagScoresS: number[] = [];
  private run: Run | null = null;
  private frame = 0;
  /** Per-band level of the example over the floor (dB), once heard. */
  template: Float32Array | null = null;
  /** The example's length (s). */
  templateSec = 0;

  constructor(opts: RepeatDetectorOptions = {}, private readonly bins = 64) {
    this.o = { onScore: 0.5, offScore: 0.3, noveltyOn: 30, noveltyOff: 12, noveltyMargin: 20, scoreMargin: 0.2, hangFrames: 8, minLengthRatio: 0.3, maxLengthRatio: 3.5, minSimilarity: 0.2, seek: true, retro: false, reportAfterSec: 0.2, ...opts };
  }

  /** Feeds one chunk; returns the runs (example or repeats) that ended in it. */
  process(c: RepeatFrameInput): RepeatRun[] {
    const B = this.bins;
    const per = B / PROFILE_BANDS;
    const n = Math.floor(c.mel.length / B);
    const out: RepeatRun[] = [];
    const band = new Float32Array(PROFILE_BANDS);
    const countable = c.countable ?? true;
    // The bed's own highs, once per chunk (the scores that set them are lagged by BAR_LAG frames anyway).
    let bedHigh = 0;
    for (const v of this.bgScores) if (v > bedHigh) bedHigh = v;
    let bedHighS = 0;
    for (const v of this.bgScoresS) if (v > bedHighS) bedHighS = v;
    for (let f = 0; f < n; f++, this.frame++) {
      const t0 = c.t - (n - f) * FRAME_SEC;
      for (let k = 0; k < PROFILE_BANDS; k++) {
        let e = 0;
        for (let b = k * per; b < (k + 1) * per; b++) e += Math.exp(c.mel[f * B + b]);
        band[k] = 10 * Math.log10(e / per + 1e-12);
      }
      this.past.set(band, (this.frame % PAST_FRAMES) * PROFILE_BANDS);
      const seeking = this.seeking; // until the example ends (mid-chunk)
      if (seeking) this.sustain(band);
      this.pastT[this.frame % PAST_FRAMES] = t0;
      this.pastOk[this.frame % PAST_FRAMES] = countable && (c.countFrom === undefined || t0 >= c.countFrom) ? 1 : 0;
      const ready = this.filled >= WARMUP;
      const v = ready ? this.frameScore(band) : 0;
      this.recentScores.push(v);
      const smooth = this.template ? SMOOTH : NOVELTY_SMOOTH;
      while (this.recentScores.length > smooth) this.recentScores.shift();
      const s = this.recentScores.reduce((a, b) => a + b, 0) / this.recentScores.length;
      const ss = seeking && ready ? this.sustainedNovelty() : 0;
      const sBar = Math.max(this.o.noveltyOn, Math.min(bedHighS + this.o.noveltyMargin, NOVELTY_CAP));
      const [base, keep, margin, cap, keepFrac] = this.template
        ? [this.o.onScore, this.o.offScore, this.o.scoreMargin, SCORE_CAP, SCORE_KEEP_FRAC]
        : [this.o.noveltyOn, this.o.noveltyOff, this.o.noveltyMargin, NOVELTY_CAP, NOVELTY_KEEP_FRAC];
      const r = this.run;
      if (!r) {
        // Capped: frames under the bar become background and raise it, so an uncapped bar would ratchet.
        const byRaw = s >= base && s >= Math.min(bedHigh + margin, cap);
        const bySus = seeking && ss >= sBar;
        if (ready && (byRaw || bySus) && (c.countFrom === undefined || t0 >= c.countFrom)) {
          const back = byRaw ? smooth - 1 : SUSTAIN_FRAMES - 1;
          this.run = { start: this.frame - Math.min(back, this.frame), last: this.frame, low: 0, sum: new Float64Array(PROFILE_BANDS), n: 0, scoreSum: 0, peak: s, peakS: ss, bySus: !byRaw, countable };
          this.add(this.run, band, v);
        } else {
          this.pushBackground(band);
          // Lagged: the rising edge of the sound itself must not set the bar it has to clear.
          if (ready) this.lagScores.push(s);
          if (this.lagScores.length > BAR_LAG) this.bgScores[this.bgScorePos++ % BG_FRAMES] = this.lagScores.shift()!;
          if (seeking) {
            if (ready) this.lagScoresS.push(ss);
            if (this.lagScoresS.length > BAR_LAG) this.bgScoresS[this.bgScorePosS++ % BG_FRAMES] = this.lagScoresS.shift()!;
          }
        }
        continue;
      }
      if (!countable) r.countable = false;
      // A run far longer than any example is the bed changing, not a sound: drop it and learn the new bed.
      if ((this.frame - r.start) * FRAME_SEC > Math.max(MAX_RUN_SEC, 4 * this.templateSec)) {
        this.run = null;
        this.pushBackground(band);
        continue;
      }
      // The keep line follows the run's peak: over birdsong a loud example would otherwise run on
      // through the chirps after it, and a repeat into the next one.
      // The example ends where its own bands fall back, not where novelty does: chirps after a sound keep
      // the novelty up (in other bands) for up to a second, which would stretch the example and its count.
      const own = seeking ? this.ownScore(r, band) : 1;
      if (own < OWN_KEEP || (s < Math.max(keep, keepFrac * r.peak) && !(seeking && r.bySus && ss >= Math.max(keep, keepFrac * r.peakS)))) {
        if (++r.low >= this.o.hangFrames) {
          this.run = null;
          const done = this.finish(r, c.t - (n - f) * FRAME_SEC - (this.frame - r.start) * FRAME_SEC);
          if (done?.example && this.o.retro) out.push(...this.lookBack(done.onset));
          if (done) out.push(done);
        }
        continue;
      }
      r.low = 0;
      r.last = this.frame;
      r.peak = Math.max(r.peak, s);
      r.peakS = Math.max(r.peakS, ss);
      this.add(r, band, v);
      // Held on past the example's length (chirps in its bands): judged and reported now, on its frames so
      // far, so the count comes when the sound ends rather than when the chirps do.
      if (this.template && r.countable && !r.reported && this.earlyAt <= EARLY_MAX_FRAC * this.o.maxLengthRatio * this.templateSec && (r.last - r.start + 1) * FRAME_SEC >= this.earlyAt) {
        const early = r.scoreSum / Math.max(1, r.n) >= EARLY_MEAN_SCORE ? this.repeatOf(r, c.t - (n - f) * FRAME_SEC - (this.frame - r.start) * FRAME_SEC) : null;
        if (early) {
          r.reported = early;
          out.push(early);
        }
      }
    }
    return out;
  }

  /**
   * Sets the template from the frames of [onset, offset) (stream times, s), when none is set yet: a class
   * counter's first confident event, so that its repeats are found even where the model is unsure.
   */
  seed(onset: number, offset: number): void {
    if (this.template) return;
    const sum = new Float64Array(PROFILE_BANDS);
    let n = 0;
    for (let i = 0; i < PAST_FRAMES; i++) {
      const t = this.pastT[i];
      if (!(t >= onset - 1e-6 && t < offset)) continue;
      for (let k = 0; k < PROFILE_BANDS; k++) sum[k] += Math.max(0, this.past[i * PROFILE_BANDS + k] - this.lo[k]);
      n++;
    }
    if (!n) return;
    this.template = Float32Array.from(sum, (v) => v / n);
    this.templateSec = offset - onset;
    this.recentScores.length = 0;
    this.bgScores.fill(0);
    this.lagScores.length = 0;
    this.bgScoresS.fill(0);
    this.lagScoresS.length = 0;
  }

  reset(): void {
    this.hist.fill(0);
    this.histS.fill(0);
    this.pastT.fill(NaN);
    this.pastOk.fill(0);
    this.filled = 0;
    this.pos = 0;
    this.sinceRefresh = REFRESH;
    this.recentScores.length = 0;
    this.bgScores.fill(0);
    this.bgScorePos = 0;
    this.lagScores.length = 0;
    this.bgScoresS.fill(0);
    this.lagScoresS.length = 0;
    this.run = null;
    this.frame = 0;
    this.template = null;
    this.templateSec = 0;
  }

  /**
   * Repeats of the example among the kept frames before `before` (s): the same hysteresis and checks as
   * a live repeat, with the strictest start bar (the bed's highs of that time were measured as novelty).
   */
  private lookBack(before: number): RepeatRun[] {
    const out: RepeatRun[] = [];
    const band = new Float32Array(PROFILE_BANDS);
    const scores: number[] = [];
    let r: (Run & { t0: number }) | null = null;
    const close = (rr: Run & { t0: number }) => {
      const rep = rr.countable ? this.repeatOf(rr, rr.t0) : null;
      if (rep) out.push({ ...rep, retro: true });
    };
    for (let i = 1; i <= PAST_FRAMES; i++) {
      const j = (this.frame + i) % PAST_FRAMES;
      const t = this.pastT[j];
      if (!(t + FRAME_SEC <= before - 0.05)) continue;
      band.set(this.past.subarray(j * PROFILE_BANDS, (j + 1) * PROFILE_BANDS));
      const v = this.frameScore(band);
      scores.push(v);
      if (scores.length > SMOOTH) scores.shift();
      const sm = scores.reduce((a, b) => a + b, 0) / scores.length;
      if (!r) {
        if (this.pastOk[j] && sm >= Math.max(this.o.onScore, SCORE_CAP)) {
          r = { start: i, last: i, low: 0, sum: new Float64Array(PROFILE_BANDS), n: 0, scoreSum: 0, peak: sm, peakS: 0, bySus: false, countable: true, t0: t - (scores.length - 1) * FRAME_SEC };
          this.add(r, band, v);
        }
        continue;
      }
      if (!this.pastOk[j]) r.countable = false;
      if (sm < Math.max(this.o.offScore, SCORE_KEEP_FRAC * r.peak)) {
        if (++r.low >= this.o.hangFrames) {
          close(r);
          r = null;
        }
        continue;
      }
      r.low = 0;
      r.last = i;
      r.peak = Math.max(r.peak, sm);
      this.add(r, band, v);
    }
    if (r) close(r);
    return out;
  }

  /** Run length (s) at which a repeat still running is judged and reported. */
  private get earlyAt(): number {
    return this.templateSec + this.o.reportAfterSec;
  }

  /** Still looking for the example (sustained levels are tracked only then). */
  private get seeking(): boolean {
    return !this.template && this.o.seek;
  }

  /** Per band, the SUSTAIN_RANK-th lowest level of the latest SUSTAIN_FRAMES frames (a chirp is too short to raise it). */
  private sustain(band: Float32Array): void {
    const W = SUSTAIN_FRAMES;
    this.recent.set(band, (this.frame % W) * PROFILE_BANDS);
    const have = Math.min(W, this.frame + 1);
    const rank = Math.min(SUSTAIN_RANK, have) - 1;
    for (let k = 0; k < PROFILE_BANDS; k++) {
      const buf = this.sortBuf.subarray(0, have);
      for (let i = 0; i < have; i++) buf[i] = this.recent[i * PROFILE_BANDS + k];
      buf.sort();
      this.sustained[k] = buf[rank];
    }
  }

  /** Novelty of the sustained band levels over what the bed sustains (dB summed over bands). */
  private sustainedNovelty(): number {
    let nov = 0;
    for (let k = 0; k < PROFILE_BANDS; k++) nov += Math.min(NOVELTY_CAP_DB, Math.max(0, this.sustained[k] - this.hiS[k]));
    return nov;
  }

  /**
   * While the example runs: the frame's score against the run's own mean profile so far, smoothed over
   * SMOOTH frames (1 until OWN_MIN_FRAMES frames have set that profile).
   */
  private ownScore(r: Run, band: Float32Array): number {
    if (r.n < OWN_MIN_FRAMES) return 1;
    const T = Float32Array.from(r.sum, (v) => v / r.n);
    (r.own ??= []).push(this.scoreAgainst(T, band));
    if (r.own.length > SMOOTH) r.own.shift();
    return r.own.reduce((a, b) => a + b, 0) / r.own.length;
  }

  /** Novelty while seeking the example; template score once it is known. */
  private frameScore(band: Float32Array): number {
    const T = this.template;
    if (!T && !this.o.seek) return 0;
    if (!T) {
      let nov = 0;
      for (let k = 0; k < PROFILE_BANDS; k++) nov += Math.min(NOVELTY_CAP_DB, Math.max(0, band[k] - this.hi[k]));
      return nov;
    }
    return this.scoreAgainst(T, band);
  }

  /** How far the template's bands are raised in this frame, as a share of the template (0..1). */
  private scoreAgainst(T: Float32Array, band: Float32Array): number {
    let num = 0;
    let den = 0;
    for (let k = 0; k < PROFILE_BANDS; k++) {
      if (T[k] < TEMPLATE_MIN_DB) continue;
      const e = Math.max(0, band[k] - this.lo[k]);
      num += T[k] * Math.min(e, T[k]);
      den += T[k] * T[k];
    }
    return den > 0 ? num / den : 0;
  }

  private add(r: Run, band: Float32Array, score: number): void {
    for (let k = 0; k < PROFILE_BANDS; k++) r.sum[k] += Math.max(0, band[k] - this.lo[k]);
    r.n++;
    r.scoreSum += score;
  }

  /** `t0` is the stream time of the run's first frame. */
  private finish(r: Run, t0: number): RepeatRun | null {
    const len = (r.last - r.start + 1) * FRAME_SEC;
    if (r.reported) return { ...r.reported, offset: +(t0 + len).toFixed(2), tail: true };
    if (!r.countable || len < 0.03) return null;
    if (!this.template) {
      const profile = Float32Array.from(r.sum, (v) => v / Math.max(1, r.n));
      this.template = profile;
      this.templateSec = len;
      this.recentScores.length = 0; // novelty and template scores are on different scales
      this.bgScores.fill(0);
      this.lagScores.length = 0;
      this.bgScoresS.fill(0);
      this.lagScoresS.length = 0;
      return { onset: +t0.toFixed(2), offset: +(t0 + len).toFixed(2), example: true, profile, score: r.peak };
    }
    return this.repeatOf(r, t0);
  }

  /** A run as a repeat of the example (live, or found by lookBack): its length, shape and score checked. */
  private repeatOf(r: Run, t0: number): RepeatRun | null {
    const len = (r.last - r.start + 1) * FRAME_SEC;
    const profile = Float32Array.from(r.sum, (v) => v / Math.max(1, r.n));
    const ratio = len / Math.max(0.03, this.templateSec);
    if (ratio < this.o.minLengthRatio || ratio > this.o.maxLengthRatio) return null;
    if (profileSimilarity(profile, this.template!) < this.o.minSimilarity) return null;
    const score = r.scoreSum / Math.max(1, r.n);
    if (score < MIN_MEAN_SCORE) return null;
    return { onset: +t0.toFixed(2), offset: +(t0 + len).toFixed(2), example: false, profile, score };
  }

  private pushBackground(band: Float32Array): void {
    // Per-band histograms of the ring (0.5 dB bins), kept incrementally: quantiles without sorting.
    const full = this.filled === BG_FRAMES;
    for (let k = 0; k < PROFILE_BANDS; k++) {
      if (full) this.hist[k * HIST_BINS + histBin(this.ring[this.pos * PROFILE_BANDS + k])]--;
      this.hist[k * HIST_BINS + histBin(band[k])]++;
      if (this.seeking) {
        if (full) this.histS[k * HIST_BINS + histBin(this.ringS[this.pos * PROFILE_BANDS + k])]--;
        this.histS[k * HIST_BINS + histBin(this.sustained[k])]++;
      }
    }
    this.ring.set(band, this.pos * PROFILE_BANDS);
    if (this.seeking) this.ringS.set(this.sustained, this.pos * PROFILE_BANDS);
    this.pos = (this.pos + 1) % BG_FRAMES;
    this.filled = Math.min(BG_FRAMES, this.filled + 1);
    if (++this.sinceRefresh < REFRESH && this.filled > WARMUP) return;
    this.sinceRefresh = 0;
    const m = this.filled;
    for (let k = 0; k < PROFILE_BANDS; k++) {
      this.lo[k] = this.quantile(k, Math.floor(LOW_Q * (m - 1)));
      this.hi[k] = this.quantile(k, Math.floor(HIGH_Q * (m - 1)));
      if (this.seeking) this.hiS[k] = this.quantile(k, Math.floor(HIGH_Q * (m - 1)), this.histS);
    }
  }

  /** Level (dB, bin centre) of the `rank`-th smallest background frame of band k. */
  private quantile(k: number, rank: number, hist = this.hist): number {
    let seen = 0;
    for (let b = 0; b < HIST_BINS; b++) {
      seen += hist[k * HIST_BINS + b];
      if (seen > rank) return HIST_MIN_DB + (b + 0.5) * HIST_STEP_DB;
    }
    return HIST_MIN_DB + HIST_BINS * HIST_STEP_DB;
  }

}
