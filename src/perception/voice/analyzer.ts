// Per-session voice analysis: collects the speech frames of each utterance (fed every chunk, cheap on
// silence), and when the utterance ends says how it was said (prosody against the session's running
// speech level and the speaker's own baseline) and who said it (online speaker clustering, optional
// enrolment of the user's voice).
import { semitones } from './pitch.ts';
import { VoiceFrameExtractor, type VoiceFrame } from './frames.ts';
import { prosodyOf, type Prosody } from './prosody.ts';
import { SpeakerTracker, type SpeakerAssignment, type SpeakerOptions } from './speakers.ts';
import { loadRateModel } from './rate-model.ts';
import { arousalOf, DEFAULT_AROUSAL, ProsodyBaseline, type ArousalCues, type ArousalOptions } from './arousal.ts';
import { bestChange, bicPenaltyPerFrame } from './change.ts';
import { textSound, type WordSound } from './syllables.ts';
import { RepeatMatcher, templateOf } from './repeat.ts';
import type { VoiceInfo } from './types.ts';

export interface VoiceAnalyzerOptions {
  speakers: Partial<SpeakerOptions>;
  arousal: Partial<ArousalOptions>;
  /** Voiced share below which speech counts as whispered. */
  whisperVoicedRatio: number;
  /** The first speaker heard becomes the enrolled user (else only "this is my voice" enrols). */
  enrollFirst: boolean;
  /**
   * A second voice taking over inside one utterance: ΔBIC per frame (λ = 1) of the best split, plus
   * `changeF0Weight` per semitone of median-F0 difference beyond 3, at or above which the utterance is
   * split into speaker turns (Infinity: never split).
   */
  changeThreshold: number;
  changeF0Weight: number;
}

export const DEFAULT_VOICE_ANALYZER: VoiceAnalyzerOptions = {
  speakers: {},
  arousal: {},
  whisperVoicedRatio: 0.2,
  enrollFirst: false,
  changeThreshold: 1.5,
  changeF0Weight: 0.1,
};

/** Longest utterance analysed, frames (the perceiver finalises at 20 s anyway). */
const MAX_FRAMES = 3000;
/** GLR/frame over the speaker threshold within which a new voice may use a known voice's baseline. */
const NEIGHBOUR_MARGIN = 8;
/** Against a borrowed baseline, a median F0 this far away (semitones) is another person, not arousal. */
const OTHER_PERSON_ST = 6;
/** Extra change score a split needs when one side looks like a voice not heard before. */
const NEW_SIDE_MARGIN = 1;
/** Raised utterances in a row after which a speaker's baseline learns them too (it was not their usual). */
const STALE_AFTER = 3;
/** A transcript whose syllable count is within this factor of the energy peaks' count is believed. */
const TEXT_AGREEMENT = 1.5;
/** The same agreement, tighter, for the content-normalised rate (chosen on the tuning voices). */
const CONTENT_AGREEMENT = 1.25;
/** Tempo z-score against the speaker's baseline from which an utterance is `fast`. */
const FAST_Z = 2;
/** Voiced frames a side of a speaker change needs (and the utterance twice that). */
const CHANGE_MIN_SIDE = 60;

const median = (v: number[]): number => {
  const s = [...v].sort((a, b) => a - b);
  return s.length % 2 ? s[s.length >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

export class VoiceAnalyzer {
  private readonly opts: VoiceAnalyzerOptions;
  private readonly arousalOpts: ArousalOptions;
  private readonly extractor = new VoiceFrameExtractor();
  private readonly speakers: SpeakerTracker;
  private readonly baselines = new Map<string, ProsodyBaseline>();
  /** Recent utterances, to find one said again (its tempo against the earlier saying). */
  private readonly repeats = new RepeatMatcher();
  /** Raised utterances in a row, per speaker. */
  private readonly raisedStreak = new Map<string, number>();
  /** Levels of recent (non-whispered) utterances: the session's running speech level. */
  private readonly sessionLevels: number[] = [];
  private prev: VoiceFrame[] = [];
  private current: VoiceFrame[] = [];
  private utterance: VoiceFrame[] | null = null;
  private user: string | null = null;

  constructor(options: Partial<VoiceAnalyzerOptions> = {}) {
    this.opts = { ...DEFAULT_VOICE_ANALYZER, ...options };
    this.arousalOpts = { ...DEFAULT_AROUSAL, ...this.opts.arousal };
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
   * acoustic context's broadband floor now, gives the utterance's SNR against the room as it is now;
   * `text`, its transcript, gives the speaking rate in syllables.
   */
  end(noiseFloorDb?: number, text?: string): VoiceInfo | null {
    return this.close(noiseFloorDb)(text);
  }

  /**
   * The utterance ended, its transcript is not known yet: the returned function describes it once the
   * transcript is there (the transcript's syllables per second of speech are a steadier rate than energy
   * peaks). Call it in utterance order (baselines and speaker models learn from each call); an utterance
   * never described is simply not learnt from.
   */
  close(noiseFloorDb?: number): (text?: string) => VoiceInfo | null {
    const frames = this.utterance ?? [];
    this.utterance = null;
    let result: VoiceInfo | null | undefined;
    return (text?: string) => {
      if (result !== undefined) return result;
      if (frames.length === 0) return (result = null);
      const v = this.describe(frames, text);
      return (result = noiseFloorDb === undefined ? v : { ...v, snrDb: Math.round((v.levelDb - noiseFloorDb) * 10) / 10 });
    };
  }

  /** Marks the speaker of an utterance (e.g. the one that said "this is my voice") as the user. */
  enroll(speaker: string): void {
    this.user = speaker;
    this.speakers.preferred = speaker;
  }

  get enrolled(): string | null {
    return this.user;
  }

  private describe(frames: VoiceFrame[], text?: string): VoiceInfo {
    // Who: one speaker, or two when a second voice takes over inside the utterance.
    const split = this.splitTurns(frames);
    let turns = split.parts.map((part) => ({ part, p: prosodyOf(part), who: null as SpeakerAssignment | null }));
    // A split stands only when its sides would go to different speakers (both sides of one voice go to
    // its model, or both look new: then the whole is judged as one). A side that looks like a new voice
    // needs a clearer change: half an utterance of a known voice can look new.
    if (turns.length > 1) {
      const [a, b] = turns.map((t) => this.speakerInput(t.part, t.p));
      const la = this.speakers.peek(a.mfcc, a.f0St);
      const lb = this.speakers.peek(b.mfcc, b.f0St);
      const needed = this.opts.changeThreshold + (la === null || lb === null ? NEW_SIDE_MARGIN : 0);
      if (la === lb || split.score < needed) turns = [{ part: frames, p: prosodyOf(frames), who: null }];
    }
    for (const t of turns) t.who = this.assignSpeaker(t.part, t.p);
    // How: from the voice that spoke most of it.
    const main = turns.reduce((a, b) => (b.part.length > a.part.length ? b : a));
    const p = main.p;
    const who = main.who!;
    if (this.user === null && this.opts.enrollFirst) this.enroll(turns[0].who!.label);
    const sessionLevel = this.sessionLevels.length ? median(this.sessionLevels) : p.levelDb;
    const relLevelDb = p.levelDb - sessionLevel;
    const whisper = p.voicedRatio < this.opts.whisperVoicedRatio && relLevelDb < 3;

    // The transcript's syllables per second of speech are reported when the transcript is plausible
    // (within a factor TEXT_AGREEMENT of the energy peaks' count: a garbled one is not) and the
    // utterance is one voice. Syllables per second do not enter arousal (on the tuning voices they varied
    // more between phrasings than the acoustic rate); the content rate below does (docs/notes/voice.md).
    const sound = text && turns.length === 1 ? textSound(text) : { syllables: 0, seconds: 0 };
    const syllables = sound.syllables;
    const textOk = syllablesAgree(sound, p, TEXT_AGREEMENT);
    const contentRate = contentRateOf(sound, p);
    // The learned rate model's reading blended into the velocity (round 10; off at weight 0). With the
    // model on, an utterance it cannot read has no acoustic rate (round 17): the velocity alone is on
    // another scale than the blended readings the speaker's baseline holds.
    const wm = this.arousalOpts.rateModelWeight;
    const modelRate = wm > 0 && !whisper ? loadRateModel(this.arousalOpts.rateModelPath).rate(main.part) : 0;
    const acoustic = (cue: ArousalOptions['rateCue']): number | null => {
      const r = rateOf(p, cue);
      if (r === null || cue !== 'velocity' || wm <= 0) return r;
      return modelRate > 0 ? (1 - wm) * r + wm * Math.log(modelRate) : null;
    };
    const cues: ArousalCues = {
      levelDb: p.levelDb,
      f0St: p.f0Hz > 0 ? semitones(p.f0Hz) : null,
      logRate: acoustic(this.arousalOpts.rateCue),
      rateFromText: false,
      f0RangeSt: p.f0RangeSt,
    };
    const velocity = acoustic('velocity');
    const w = wm > 0 ? this.arousalOpts.rateModelContentWeight : this.arousalOpts.contentWeight;
    cues.contentLogRate = contentRate !== null && velocity !== null ? (1 - w) * velocity + w * Math.log(contentRate) : null;

    // A voice too new to have its own baseline borrows that of the closest known voice that has one (the
    // same person speaking differently can land in a new cluster: a raised pitch moves the spectrum too).
    const min = this.arousalOpts.minBaseline;
    let base = this.baselines.get(who.label);
    let borrowed = false;
    const voices = new Set([who.label]);
    if (!base || base.size < min) {
      const established = [...this.baselines.entries()].filter(([, b]) => b.size >= min);
      const near = who.others.find((o) => (this.baselines.get(o.label)?.size ?? 0) >= min);
      // With a single established voice (the usual case for a personal assistant) it is borrowed anyway.
      if (near && (near.score < NEIGHBOUR_MARGIN || established.length === 1)) {
        base = this.baselines.get(near.label);
        borrowed = true;
        voices.add(near.label);
      }
    }
    // The same words said again by this voice: the tempo against that saying, free of the phrasing.
    const template = whisper || !this.arousalOpts.useRepeats ? null : templateOf(main.part, who.label);
    const repeat = template ? this.repeats.match(template, voices) : null;
    cues.repeatLogRatio = repeat ? Math.log(repeat.ratio) : null;
    const otherPerson = borrowed && cues.f0St !== null && base!.f0Median !== null && Math.abs(cues.f0St - base!.f0Median) > OTHER_PERSON_ST;
    const a = whisper ? { score: 0, arousal: 'calm' as const } : arousalOf(cues, base, this.arousalOpts, otherPerson);
    // Fast: the rate cue clearly above this speaker's usual (z ≥ FAST_Z), or a high syllable rate without a baseline.
    const fast = base !== undefined && base.rate.length >= min ? 'z' in a && a.z.rate >= FAST_Z : p.rateSyllPerSec > 7;

    if (template) this.repeats.remember(template, a.score < 1);
    if (!whisper) {
      this.sessionLevels.push(p.levelDb);
      if (this.sessionLevels.length > SESSION_LEVELS) this.sessionLevels.shift();
      // The baseline learns from how this speaker usually talks: raised utterances stay out of it,
      // unless they keep coming (STALE_AFTER in a row) against the speaker's own baseline: then its first
      // utterances were not this speaker's usual, and the baseline follows rather than calling everything
      // raised. Against a borrowed baseline they do not count: a voice heard only raised (a pitched-up
      // voice lands in a cluster of its own) would otherwise learn its raised voice as its usual one.
      const streak = a.score >= 1 && !borrowed ? (this.raisedStreak.get(who.label) ?? 0) + 1 : 0;
      this.raisedStreak.set(who.label, streak);
      if (a.score < 1 || streak >= STALE_AFTER) {
        const own = this.baselines.get(who.label) ?? new ProsodyBaseline(this.arousalOpts.window);
        own.learn(cues);
        this.baselines.set(who.label, own);
      }
    }
    if ('raw' in a && a.raw) AROUSAL_DEBUG?.(a.raw, borrowed, a.z);
    const speakerTurns = turns.length > 1
      ? turns.map((t) => ({ speaker: t.who!.label, startS: round2(t.part[0].t - 0.01), endS: round2(t.part[t.part.length - 1].t) }))
      : undefined;
    return {
      speaker: who.label,
      ...(this.user !== null ? { user: turns.some((t) => t.who!.label === this.user) } : {}),
      whisper,
      loud: relLevelDb >= 6,
      fast,
      arousal: a.arousal,
      arousalScore: round2(a.score),
      f0Hz: Math.round(p.f0Hz * 10) / 10,
      f0RangeSt: round2(p.f0RangeSt),
      voicedRatio: round2(p.voicedRatio),
      levelDb: Math.round(p.levelDb * 10) / 10,
      relLevelDb: Math.round(relLevelDb * 10) / 10,
      rateSyllPerSec: round2(p.rateSyllPerSec),
      ...(textOk ? { syllablesPerSec: round2(syllables / p.speechS) } : {}),
      ...(contentRate !== null ? { contentRate: round2(contentRate) } : {}),
      speechS: round2(p.speechS),
      tempo: round2(p.tempo),
      ...(repeat ? { repeatTempo: round2(repeat.ratio) } : {}),
      tiltDb: Math.round(p.tiltDb * 10) / 10,
      startS: round2(frames[0].t - 0.01),
      endS: round2(frames[frames.length - 1].t),
      ...(speakerTurns ? { turns: speakerTurns } : {}),
    };
  }

  /** Speaker label of some frames (voiced frames carry the timbre best; whispers use all of them). */
  private assignSpeaker(part: VoiceFrame[], p: Prosody): SpeakerAssignment {
    const x = this.speakerInput(part, p);
    return this.speakers.assign(x.mfcc, x.f0St);
  }

  private speakerInput(part: VoiceFrame[], p: Prosody): { mfcc: Float32Array[]; f0St: number | null } {
    const voiced = part.filter((f) => f.f0 > 0);
    const forSpeaker = voiced.length >= 30 ? voiced : part;
    return { mfcc: forSpeaker.map((f) => f.mfcc), f0St: voiced.length >= 10 && p.f0Hz > 0 ? semitones(p.f0Hz) : null };
  }

  /** One part, or two where a second voice takes over (the split falls between voiced frames). */
  private splitTurns(frames: VoiceFrame[]): { parts: VoiceFrame[][]; score: number } {
    const one = { parts: [frames], score: 0 };
    if (!Number.isFinite(this.opts.changeThreshold)) return one;
    const voiced = frames.filter((f) => f.f0 > 0);
    const c = bestChange(voiced.map((f) => f.mfcc), { minSide: CHANGE_MIN_SIDE });
    if (!c) return one;
    const f0Of = (fs: VoiceFrame[]) => median(fs.map((f) => semitones(f.f0)));
    const dF0 = Math.abs(f0Of(voiced.slice(0, c.index)) - f0Of(voiced.slice(c.index)));
    const score = c.score - bicPenaltyPerFrame(voiced.length) + this.opts.changeF0Weight * Math.max(0, dF0 - 3);
    if (score < this.opts.changeThreshold) return one;
    const at = voiced[c.index].t;
    return { parts: [frames.filter((f) => f.t < at), frames.filter((f) => f.t >= at)], score };
  }
}

/** The transcript's syllables are within `factor` of the energy peaks' count over the speaking time. */
function syllablesAgree(sound: WordSound, p: Pick<Prosody, 'rateSyllPerSec' | 'speechS'>, factor: number): boolean {
  const peaks = p.rateSyllPerSec * p.speechS;
  return sound.syllables > 0 && peaks > 0 && Math.abs(Math.log(sound.syllables / peaks)) <= Math.log(factor);
}

/**
 * Content-normalised rate: the words' expected calm speaking time over the measured one (> 1: faster than
 * usual for these words). Only from a transcript whose syllables agree with the energy peaks within
 * CONTENT_AGREEMENT (pocketsphinx garbles, and says faster speech with fewer phones: a loose gate lets
 * those through); null otherwise.
 */
export function contentRateOf(sound: WordSound, p: Pick<Prosody, 'rateSyllPerSec' | 'speechS'>): number | null {
  return p.speechS > 0 && syllablesAgree(sound, p, CONTENT_AGREEMENT) ? sound.seconds / p.speechS : null;
}

/** Bench hook: each judged utterance's raw arousal ingredients (offline refits of the rule). */
export let AROUSAL_DEBUG: ((raw: NonNullable<ReturnType<typeof arousalOf>['raw']>, borrowed: boolean, z: ReturnType<typeof arousalOf>['z']) => void) | null = null;
export function setArousalDebug(f: typeof AROUSAL_DEBUG): void {
  AROUSAL_DEBUG = f;
}

/** log of the acoustic rate the arousal rule uses (null when not measurable). */
function rateOf(p: Prosody, cue: ArousalOptions['rateCue']): number | null {
  const r = cue === 'velocity' ? p.articulation : p.tempo;
  return r > 0 ? Math.log(r) : null;
}

/** Utterances whose level makes the session's running speech level. */
const SESSION_LEVELS = 8;

function round2(x: number): number {
  return Math.round(x * 100) / 100;
}
