// The sound side of the decision: live counting for "count ..." tasks, proactive replies to sounds
// (the per-class policy in sound-policy.ts, changed per session by "tell me when ..."/"don't comment on
// ..." tasks), and `sound` events when a class rises above its threshold.
import type { Emotion, SessionEvent } from '../events.ts';
import type { TaskManager } from './task-manager.ts';
import type { Task } from '../instructions/types.ts';
import { EventCounter, THIS_SOUND, countWord } from '../perception/sounds/counter.ts';
import { SoundEventTracker, type SoundEventRecord } from '../perception/sounds/events.ts';
import { SoundEventLog, type LoggedSound } from '../perception/sounds/event-log.ts';
import { InputGuard } from '../perception/sounds/input-guard.ts';
import { SOUND_POLICY, SoundResponder } from './sound-policy.ts';
import { AlarmDetector } from '../perception/sounds/alarm.ts';
import { gateAlarmProbs, gatedClasses } from './alarm-gate.ts';
import { DEFAULT_SOUND_MODEL_DIR } from '../perception/sounds/classifier.ts';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { HandlerResult, SoundHandler } from './rules.ts';
import type { Percept } from '../perception/types.ts';
import type { ResponsePlan } from './types.ts';

/**
 * Human sounds the model confuses with speech itself: while the chunk is mostly speech they are not
 * trusted (a cough while talking goes unremarked; a conversation is not "coughing").
 */
const SPEECH_LIKE = new Set(['cough', 'sneeze', 'laughter', 'baby_cry']);
/** VAD speech fraction above which a chunk counts as speech for that purpose. */
const SPEECH_CHUNK = 0.25;

/**
 * Proactive comments need confidence: a class the model is unreliable on (validation F1 < 0.5, or no
 * validation data) must reach this probability before it is commented on. Urgent classes too: a false
 * "someone is screaming" from birdsong every few minutes (measured on held-out ambience with the shipped
 * model, whose scream class has validation F1 0) teaches people to ignore the real one.
 */
const WEAK_CLASS_F1 = 0.5;
const WEAK_CLASS_MIN_P = 0.9;

let validationF1: Map<string, number> | null = null;
function classReliability(): Map<string, number> {
  if (!validationF1) {
    validationF1 = new Map();
    try {
      const m = JSON.parse(readFileSync(join(DEFAULT_SOUND_MODEL_DIR, 'metrics.json'), 'utf8')) as { val?: { perClass?: { label: string; f1: number; support: number }[] } };
      for (const c of m.val?.perClass ?? []) validationF1.set(c.label, c.support > 0 ? c.f1 : 0);
    } catch {
      // No metrics next to the model: trust the thresholds as they are.
    }
  }
  return validationF1;
}

/** Classes that describe the scene rather than an event worth a `sound` event. */
const BACKGROUND = new Set(['speech', 'silence', 'ambient', 'silence_ambient', 'music']);

/** A counting task's counter and the counts it still has to say (one per reply, in order). */
interface CountState {
  counter: EventCounter;
  pending: number[];
}

/** Mean music probability over MUSIC_WINDOW chunks (4.8 s) that marks a music scene. */
const MUSIC_WINDOW = 12;
const MUSIC_SCENE_P = 0.06;
/**
 * Music heard in MUSIC_SUSTAIN_SHARE of the last MUSIC_SUSTAIN_CHUNKS (10 s) is a scene that outlasts a
 * dip of MUSIC_HOLD_SEC (s) after its last music window.
 */
const MUSIC_SUSTAIN_CHUNKS = 25;
const MUSIC_SUSTAIN_SHARE = 0.6;
const MUSIC_HOLD_SEC = 6;

/** Longest wait (s) for plain beeping to stop before commenting on it. */
const BEEP_HOLD_SEC = 6;

/** Recent events kept for a count task that starts after its first event already ended (seconds). */
const REPLAY_SEC = 4;

export class SoundWatcher implements SoundHandler {
  private responder: SoundResponder | null = null;
  private tracker: SoundEventTracker | null = null;
  private readonly counters = new Map<string, CountState>();
  private readonly overrides = new Map<string, 'respond' | 'ignore'>();
  private prevOn: boolean[] = [];
  /** Standard T3/T4 alarm patterns, heard on the raw PCM (the model cannot see a 4 s pattern in 0.4 s). */
  private readonly alarm = new AlarmDetector();
  /** Labelled sounds of this session, newest last: see recentSounds(). */
  readonly log = new SoundEventLog();
  private readonly recent: SoundEventRecord[] = [];
  /** The latest chunks' log-mel frames, for a "count this sound" task that starts after its example began. */
  private readonly recentMel: { mel: Float32Array; t: number; countable: boolean }[] = [];
  /** Silence, DC, clipping, test tones, full-scale noise: nothing is labelled there. */
  private readonly guard = new InputGuard();
  private readonly badSpans: { start: number; end: number }[] = [];
  /** End (stream time) of the last speech segment: the instruction that starts a count ends here. */
  private lastSpeechEnd = 0;
  private reliable: Float32Array | null = null;
  private readonly musicP: number[] = [];
  private readonly musicRecent: boolean[] = [];
  private music = false;
  private musicHoldUntil = -Infinity;
  /** Since when plain beeping has been sounding (null: not now). */
  private beepSince: number | null = null;

  constructor(
    private readonly tasks: TaskManager,
    /** Comment on sounds nobody asked about (the policy table's RESPOND classes). */
    private readonly proactive = true,
  ) {}

  /** Music is playing (the scene as of the last chunk). */
  inMusic(): boolean {
    return this.music;
  }

  /** The n most recent sounds heard (events, episodes, alarm patterns), newest last. */
  recentSounds(n = 10): LoggedSound[] {
    return this.log.latest(n);
  }

  onChunk(p: Percept, userSpeaking: boolean): HandlerResult | null {
    if (!p.sounds) return null;
    const { classes, thresholds } = p.sounds;
    const t = p.chunk.t;
    const bad = this.guard.check(p.chunk.pcm, p.mel) !== 'ok';
    if (bad) this.badSpans.push({ start: t - 0.4, end: t });
    while (this.badSpans.length && t - this.badSpans[0].end > 8) this.badSpans.shift();
    const raw = bad ? new Float32Array(classes.length) : p.sounds.probs;
    const reliable = this.reliableThresholds(classes, thresholds);
    const speechy = p.speech >= SPEECH_CHUNK || p.inSpeech;
    if (p.speechEnded) this.lastSpeechEnd = t - p.silenceMs / 1000;
    else if (p.inSpeech) this.lastSpeechEnd = t;

    // Events: frame-level segments labelled by the chunks they overlap.
    // Labels need the same confidence as comments: weak classes only at p ≥ 0.9.
    this.tracker ??= new SoundEventTracker({ classes, thresholds: reliable });
    const evs = this.tracker
      .update({ t, mel: p.mel, probs: raw, speech: speechy ? Math.max(p.speech, SPEECH_CHUNK) : p.speech })
      .filter((ev) => !this.badSpans.some((b) => b.start < ev.offset && ev.onset < b.end));
    this.recentMel.push({ mel: p.mel, t, countable: !bad && !speechy });
    while (this.recentMel.length && t - this.recentMel[0].t > REPLAY_SEC) this.recentMel.shift();
    for (const ev of evs) {
      this.recent.push(ev);
      while (this.recent.length && t - this.recent[0].t > REPLAY_SEC) this.recent.shift();
    }

    // Music is full of thud-, cough- and glass-like attacks; the model's music probability is low but
    // distinctive over seconds (corpus medians: music 0.11, coughs/glass/thuds ≤ 0.02), so while it holds,
    // short sounds get no label and no comment (urgent ones aside).
    this.musicP.push(raw[classes.indexOf('music')] ?? 0);
    if (this.musicP.length > MUSIC_WINDOW) this.musicP.shift();
    // The 4.8 s mean dips under the line now and then inside a piece (10 % of windows of real orchestral
    // music and of rendered songs), and those dips let a baby-cry or cough label through: once music has
    // held for most of 10 s, the scene lasts MUSIC_HOLD_SEC past the last music window.
    const musicNow = this.musicP.reduce((a, b) => a + b, 0) / MUSIC_WINDOW >= MUSIC_SCENE_P;
    this.musicRecent.push(musicNow);
    if (this.musicRecent.length > MUSIC_SUSTAIN_CHUNKS) this.musicRecent.shift();
    if (musicNow && this.musicRecent.filter(Boolean).length >= MUSIC_SUSTAIN_SHARE * MUSIC_SUSTAIN_CHUNKS) this.musicHoldUntil = t + MUSIC_HOLD_SEC;
    const musicScene = musicNow || t <= this.musicHoldUntil;
    this.music = musicScene;

    // Per-chunk probabilities for the reply policy. Short sounds (the policy's single-chunk classes)
    // count only through an event that ended in this chunk, so one cough is one episode and a chunk-level
    // spike without an onset is nothing; sustained sounds keep their chunk probabilities.
    // An event heard inside speech that the model itself calls speech is a word's plosive, not a thud:
    // it gets neither a `sound` event nor a comment (v1's false "fall" alerts after people talking).
    const speechIdx = classes.indexOf('speech');
    const heardAsSpeech = (ev: SoundEventRecord) => ev.duringSpeech && (SPEECH_LIKE.has(ev.label) || ev.probs[speechIdx] >= 0.5);
    const probs = Float32Array.from(raw, (v, i) => (isTransient(classes[i]) ? 0 : v));
    for (const ev of evs) {
      if (heardAsSpeech(ev)) continue;
      for (let i = 0; i < classes.length; i++) {
        if (!isTransient(classes[i]) || (ev.duringSpeech && SPEECH_LIKE.has(classes[i])) || (musicScene && !SOUND_POLICY[classes[i]]?.urgent)) continue;
        probs[i] = Math.max(probs[i], ev.probs[i]);
      }
    }
    if (speechy) for (let i = 0; i < classes.length; i++) if (SPEECH_LIKE.has(classes[i])) probs[i] = 0;

    const alarms = this.alarm.process(p.chunk.pcm, t);
    const gated = gatedClasses(classes, thresholds);
    const alarmState = this.alarm.state();
    const beeping = alarmState === 'inconsistent' ? this.alarm.beeping() : null;
    const gatedProbs = gateAlarmProbs(classes, probs, alarmState, this.alarm.last, true, beeping !== null);
    // Non-urgent comments wait while plain beeping goes on (said when it stops, like a reply waits for the
    // user to finish), but not past BEEP_HOLD_SEC of it: an alarm clock may beep for minutes.
    if (beeping?.sounding) this.beepSince ??= t;
    else this.beepSince = null;
    const beepHold = this.beepSince !== null && t - this.beepSince < BEEP_HOLD_SEC;
    if (!this.responder) this.responder = new SoundResponder({ classes: gated.classes, thresholds: Float32Array.from(gated.thresholds, (th, i) => (i < classes.length ? reliable[i] : th)) });
    this.syncOverrides(classes);
    const events: SessionEvent[] = [];
    const responses: ResponsePlan[] = [];

    // `sound` events: segmented events for short sounds (with onset/offset), rising edges for sustained
    // ones and for alarm patterns.
    for (const ev of evs) {
      if (ev.label === 'unknown' || BACKGROUND.has(ev.label) || !isTransient(ev.label) || (musicScene && !SOUND_POLICY[ev.label]?.urgent)) continue;
      if (heardAsSpeech(ev)) continue;
      const p3 = Math.round(ev.p * 1000) / 1000;
      events.push({ type: 'sound', t, label: ev.label, p: p3, onset: ev.onset, offset: ev.offset });
      this.log.push({ label: ev.label, p: p3, onset: ev.onset, offset: ev.offset, t, source: 'event', top: topOf(classes, ev.probs) });
    }
    gated.classes.forEach((label, i) => {
      const on = gatedProbs[i] >= gated.thresholds[i];
      if (on && !this.prevOn[i] && !BACKGROUND.has(label) && !isTransient(label)) {
        const a = alarms.find((x) => (x.pattern === 'T3' ? 'smoke_alarm' : 'co_alarm') === label);
        const p3 = Math.round(gatedProbs[i] * 1000) / 1000;
        const onset = a ? +a.onset.toFixed(2) : +(t - 0.4).toFixed(2);
        events.push({ type: 'sound', t, label, p: p3, onset, ...(a ? { pattern: a.pattern } : {}) });
        this.log.push({ label, p: p3, onset, t, source: a ? 'alarm' : 'episode', top: topOf(gated.classes, gatedProbs), ...(a ? { pattern: a.pattern } : {}) });
      }
      this.prevOn[i] = on;
    });

    // Counting: events in, one count per reply, in order (a second count in the same chunk waits one chunk).
    const counting = this.tasks.active().filter((x): x is Extract<Task, { kind: 'count' }> => x.kind === 'count' && (classes.includes(x.label) || x.label === THIS_SOUND));
    for (const task of counting) {
      let st = this.counters.get(task.id);
      let fresh = evs;
      const isNew = !st;
      if (!st) {
        // A new task: events since the instruction ended count, the ones before do not.
        const since = (e: SoundEventRecord) => e.onset >= this.lastSpeechEnd - 0.05 || e.onset >= task.startedAt;
        this.counters.set(task.id, (st = { counter: new EventCounter({ label: task.label }), pending: [] }));
        fresh = this.recent.filter(since);
      }
      const before = st.counter.count;
      for (const ev of fresh) st.counter.consume(ev, classes);
      // Repeats are also matched frame by frame ("this sound" only so): a new task hears the chunks before
      // it too (background up to the end of the instruction, then possibly the example already).
      const countFrom = Math.min(this.lastSpeechEnd - 0.05, task.startedAt);
      for (const c of isNew ? this.recentMel : this.recentMel.slice(-1)) st.counter.frames({ ...c, countFrom });
      for (let k = before + 1; k <= st.counter.count; k++) st.pending.push(k);
      const n = st.pending.shift();
      if (n !== undefined) responses.push({ task: 'count', emotion: 'happy', text: `${capitalize(countWord(n))}!` });
    }
    for (const id of this.counters.keys()) if (!counting.some((x) => x.id === id)) this.counters.delete(id);

    const reply = this.responder.update(gatedProbs, { t, userSpeaking: userSpeaking || beepHold });
    const quiet = this.tasks.isQuiet(t);
    if (reply && (reply.urgent || !quiet) && (this.proactive || this.overrides.get(reply.label) === 'respond')) {
      // A counted class is answered by the counter, not commented on as well.
      if (!counting.some((x) => x.label === reply.label)) {
        responses.push({ task: 'alert', emotion: reply.emotion as Emotion, text: reply.text, urgent: reply.urgent });
      }
    }
    if (!events.length && !responses.length) return null;
    const reason = responses.length ? (responses[0].task === 'count' ? 'count' : `sound:${reply?.label ?? ''}`) : 'sound';
    return { responses, events, reason };
  }

  /** The classifier's thresholds, with classes it is unreliable on held to WEAK_CLASS_MIN_P. */
  private reliableThresholds(classes: readonly string[], thresholds: ArrayLike<number>): Float32Array {
    if (this.reliable) return this.reliable;
    const f1 = classReliability();
    return (this.reliable = Float32Array.from(classes, (c, i) => {
      const weak = f1.size > 0 && (f1.get(c) ?? 0) < WEAK_CLASS_F1;
      return weak ? Math.max(thresholds[i], WEAK_CLASS_MIN_P) : thresholds[i];
    }));
  }

  /** Mirrors the session's alert tasks ("tell me when the doorbell rings") into the responder. */
  private syncOverrides(classes: string[]): void {
    const wanted = new Map<string, 'respond' | 'ignore'>();
    for (const task of this.tasks.active()) if (task.kind === 'alert' && classes.includes(task.label)) wanted.set(task.label, task.mode);
    for (const label of this.overrides.keys()) if (!wanted.has(label)) this.responder!.clearOverride(label);
    for (const [label, mode] of wanted) this.responder!.setOverride(label, mode);
    this.overrides.clear();
    for (const [k, v] of wanted) this.overrides.set(k, v);
  }
}

function capitalize(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

/** Short sounds (the policy's single-chunk classes): heard as segmented events, not chunk by chunk. */
function isTransient(label: string): boolean {
  const p = SOUND_POLICY[label];
  return !!p && p.minChunks === 1 && label !== 'co_alarm';
}

function topOf(classes: readonly string[], probs: ArrayLike<number>, k = 3): { label: string; p: number }[] {
  return Array.from(classes, (label, i) => ({ label, p: Math.round(Number(probs[i]) * 1000) / 1000 }))
    .sort((a, b) => b.p - a.p)
    .slice(0, k);
}
