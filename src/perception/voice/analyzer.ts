// Per-session voice analysis: collects the speech frames of each utterance (fed every chunk, cheap on
// silence), and when the utterance ends says how it was said (prosody against the session's running
// speech level and the speaker's own baseline) and who said it (online speaker clustering, optional
// enrolment of the user's voice).
import { semitones } from './pitch.ts';
import { VoiceFrameExtractor, type VoiceFrame } from './frames.ts';
import { prosodyOf, type Prosody } from './prosody.ts';
import { SpeakerTracker, type SpeakerOptions } from './speakers.ts';
import type { Arousal, VoiceInfo } from './types.ts';

export interface VoiceAnalyzerOptions {
  speakers: Partial<SpeakerOptions>;
  /** Voiced share below which speech counts as whispered. */
  whisperVoicedRatio: number;
  /** Arousal score at or above which an utterance is excited/stressed (≤ −1.5×this: low). */
  arousalThreshold: number;
  /** The first speaker heard becomes the enrolled user (else only "this is my voice" enrols). */
  enrollFirst: boolean;
}

export const DEFAULT_VOICE_ANALYZER: VoiceAnalyzerOptions = {
  speakers: {},
  whisperVoicedRatio: 0.2,
  arousalThreshold: 0.7,
  enrollFirst: false,
};

/** Longest utterance analysed, frames (the perceiver finalises at 20 s anyway). */
const MAX_FRAMES = 3000;
/** GLR/frame over the speaker threshold within which a new voice may use a known voice's baseline. */
const NEIGHBOUR_MARGIN = 8;
/** A single cue this far up (units of 6 dB / 3 semitones) marks a raised voice on its own. */
const CUE = 0.6;
/** Utterances a baseline needs before arousal is judged against it. */
const MIN_BASELINE = 2;
/** Utterances kept per speaker baseline. */
const BASELINE_SIZE = 8;

interface Baseline {
  level: number[];
  f0: number[];
  rate: number[];
  range: number[];
}

const median = (v: number[]): number => {
  const s = [...v].sort((a, b) => a - b);
  return s.length % 2 ? s[s.length >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
/** Median absolute deviation (0 for fewer than 3 values). */
const mad = (v: number[]): number => {
  if (v.length < 3) return 0;
  const m = median(v);
  return median(v.map((x) => Math.abs(x - m)));
};
const clip = (x: number, lo = -2, hi = 2) => Math.max(lo, Math.min(hi, x));

export class VoiceAnalyzer {
  private readonly opts: VoiceAnalyzerOptions;
  private readonly extractor = new VoiceFrameExtractor();
  private readonly speakers: SpeakerTracker;
  private readonly baselines = new Map<string, Baseline>();
  /** Levels of recent (non-whispered) utterances: the session's running speech level. */
  private readonly sessionLevels: number[] = [];
  private prev: VoiceFrame[] = [];
  private current: VoiceFrame[] = [];
  private utterance: VoiceFrame[] | null = null;
  private user: string | null = null;

  constructor(options: Partial<VoiceAnalyzerOptions> = {}) {
    this.opts = { ...DEFAULT_VOICE_ANALYZER, ...options };
    this.speakers = new SpeakerTracker(this.opts.speakers);
  }

  /** Every chunk, in order. */
  push(mel: Float32Array, vadProbs: number[], pcm: Float32Array, chunkStartSample: number): void {
    this.prev = this.current;
    this.current = this.extractor.process(mel, vadProbs, pcm, chunkStartSample);
    if (this.utterance && this.utterance.length < MAX_FRAMES) this.utterance.push(...this.current);
  }

  /** An utterance starts in the chunk just pushed (its onset may lie in the chunk before). */
  begin(): void {
    this.utterance = [...this.prev, ...this.current];
  }

  get inUtterance(): boolean {
    return this.utterance !== null;
  }

  /**
   * The utterance ended: its voice description (null when it had no speech frames). `noiseFloorDb`, the
   * acoustic context's broadband floor now, gives the utterance's SNR against the room as it is now.
   */
  end(noiseFloorDb?: number): VoiceInfo | null {
    const frames = this.utterance ?? [];
    this.utterance = null;
    if (frames.length === 0) return null;
    const v = this.describe(frames);
    return noiseFloorDb === undefined ? v : { ...v, snrDb: Math.round((v.levelDb - noiseFloorDb) * 10) / 10 };
  }

  /** Marks the speaker of an utterance (e.g. the one that said "this is my voice") as the user. */
  enroll(speaker: string): void {
    this.user = speaker;
    this.speakers.preferred = speaker;
  }

  get enrolled(): string | null {
    return this.user;
  }

  private describe(frames: VoiceFrame[]): VoiceInfo {
    const p = prosodyOf(frames);
    const voiced = frames.filter((f) => f.f0 > 0);
    // Voiced frames carry the speaker's timbre best; whispers have none, so they use every frame.
    const forSpeaker = voiced.length >= 30 ? voiced : frames;
    const f0St = p.f0Hz > 0 ? semitones(p.f0Hz) : null;
    const who = this.speakers.assign(forSpeaker.map((f) => f.mfcc), voiced.length >= 10 ? f0St : null);
    if (this.user === null && this.opts.enrollFirst) this.enroll(who.label);
    const sessionLevel = this.sessionLevels.length ? median(this.sessionLevels) : p.levelDb;
    const relLevelDb = p.levelDb - sessionLevel;
    const whisper = p.voicedRatio < this.opts.whisperVoicedRatio && relLevelDb < 3;

    // A voice too new to have its own baseline borrows that of a close known voice (the same person
    // speaking differently can land in a new cluster: a raised pitch moves the spectrum too).
    let base = this.baselines.get(who.label);
    const near = who.nearest ? this.baselines.get(who.nearest.label) : undefined;
    // With a single established voice (the usual case for a personal assistant) it is borrowed anyway.
    const established = [...this.baselines.values()].filter((b) => b.level.length >= MIN_BASELINE).length;
    const borrowed = (!base || base.level.length < MIN_BASELINE) && near !== undefined && near.level.length >= MIN_BASELINE
      && (who.nearest!.score < NEIGHBOUR_MARGIN || established === 1);
    if (borrowed) base = near;
    const { score, arousal } = this.arousal(p, base, whisper, borrowed);
    const fast = base && base.rate.length >= MIN_BASELINE ? p.rateSyllPerSec >= 1.2 * median(base.rate) : p.rateSyllPerSec > 7;

    if (!whisper) {
      this.sessionLevels.push(p.levelDb);
      if (this.sessionLevels.length > BASELINE_SIZE) this.sessionLevels.shift();
      // The baseline learns from how this speaker usually talks: clearly aroused utterances stay out of it.
      if (!base || base.level.length < MIN_BASELINE || Math.abs(score) < this.opts.arousalThreshold) this.learn(who.label, p);
      else if (!this.baselines.has(who.label) && who.isNew && base === near) this.baselines.set(who.label, { level: [], f0: [], rate: [], range: [] });
    }
    return {
      speaker: who.label,
      ...(this.user !== null ? { user: who.label === this.user } : {}),
      whisper,
      loud: relLevelDb >= 6,
      fast,
      arousal,
      arousalScore: round2(score),
      f0Hz: Math.round(p.f0Hz * 10) / 10,
      f0RangeSt: round2(p.f0RangeSt),
      voicedRatio: round2(p.voicedRatio),
      levelDb: Math.round(p.levelDb * 10) / 10,
      relLevelDb: Math.round(relLevelDb * 10) / 10,
      rateSyllPerSec: round2(p.rateSyllPerSec),
      tiltDb: Math.round(p.tiltDb * 10) / 10,
      startS: Math.round((frames[0].t - 0.01) * 100) / 100,
      endS: Math.round(frames[frames.length - 1].t * 100) / 100,
    };
  }

  /**
   * Arousal against the speaker's baseline: each cue in units of a clearly raised voice (6 dB, 3 semitones,
   * 20% faster), clipped, summed. Valence is a weaker guess: raised with a wider pitch range reads as
   * excited, raised with a range as narrow as usual (or narrower) as stressed.
   */
  private arousal(p: Prosody, base: Baseline | undefined, whisper: boolean, borrowed: boolean): { score: number; arousal: Arousal } {
    // One utterance is no baseline: wordings alone move level, pitch and rate by a good part of a cue.
    if (!base || base.level.length < MIN_BASELINE || whisper) return { score: 0, arousal: 'calm' };
    // Units: a clearly raised voice (6 dB, 3 semitones), or twice the speaker's own spread between
    // utterances when that is larger (a lively human speaker varies more than a synthesiser).
    const dL = clip((p.levelDb - median(base.level)) / Math.max(6, 2 * mad(base.level)));
    const st = p.f0Hz > 0 && base.f0.length ? semitones(p.f0Hz) - median(base.f0) : 0;
    // Against another voice's baseline, a pitch more than 6 semitones away is a different person, not arousal.
    const dF = borrowed && Math.abs(st) > 6 ? 0 : clip(st / Math.max(3, 2 * mad(base.f0)));
    const dR = p.rateSyllPerSec > 0 && base.rate.length ? clip(Math.log(p.rateSyllPerSec / median(base.rate)) / Math.log(1.2)) : 0;
    // Rate is the noisiest cue (syllable counts vary with the wording), so it weighs half and never
    // decides alone; a clearly raised level or pitch does.
    const score = dL + dF + 0.5 * dR;
    const th = this.opts.arousalThreshold;
    if (score <= -1.5 * th) return { score, arousal: 'low' };
    if (score < th && dL < CUE && dF < CUE) return { score, arousal: 'calm' };
    const wider = base.range.length > 0 && p.f0RangeSt > median(base.range) + 1;
    return { score, arousal: wider ? 'excited' : 'stressed' };
  }

  private learn(label: string, p: Prosody): void {
    const b = this.baselines.get(label) ?? { level: [], f0: [], rate: [], range: [] };
    const push = (a: number[], v: number) => {
      a.push(v);
      if (a.length > BASELINE_SIZE) a.shift();
    };
    push(b.level, p.levelDb);
    if (p.f0Hz > 0) {
      push(b.f0, semitones(p.f0Hz));
      push(b.range, p.f0RangeSt);
    }
    if (p.rateSyllPerSec > 0) push(b.rate, p.rateSyllPerSec);
    this.baselines.set(label, b);
  }
}

function round2(x: number): number {
  return Math.round(x * 100) / 100;
}
