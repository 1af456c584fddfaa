// The sound side of the decision: live counting for "count ..." tasks, proactive replies to sounds
// (the per-class policy in sound-policy.ts, changed per session by "tell me when ..."/"don't comment on
// ..." tasks), and `sound` events when a class rises above its threshold.
import type { Emotion, SessionEvent } from '../events.ts';
import type { TaskManager } from './task-manager.ts';
import { EventCounter, countWord } from '../perception/sounds/counter.ts';
import { SoundResponder } from './sound-policy.ts';
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

export class SoundWatcher implements SoundHandler {
  private responder: SoundResponder | null = null;
  private readonly counters = new Map<string, EventCounter>();
  private readonly overrides = new Map<string, 'respond' | 'ignore'>();
  private prevOn: boolean[] = [];

  constructor(
    private readonly tasks: TaskManager,
    /** Comment on sounds nobody asked about (the policy table's RESPOND classes). */
    private readonly proactive = true,
  ) {}

  onChunk(p: Percept, userSpeaking: boolean): HandlerResult | null {
    if (!p.sounds) return null;
    const { classes, thresholds } = p.sounds;
    let probs = p.sounds.probs;
    if (p.speech >= SPEECH_CHUNK || p.inSpeech) {
      probs = Float32Array.from(probs, (v, i) => (SPEECH_LIKE.has(classes[i]) ? 0 : v));
    }
    const t = p.chunk.t;
    if (!this.responder) {
      const f1 = classReliability();
      const floored = Float32Array.from(thresholds, (th, i) => {
        const weak = f1.size > 0 && (f1.get(classes[i]) ?? 0) < WEAK_CLASS_F1;
        return weak ? Math.max(th, WEAK_CLASS_MIN_P) : th;
      });
      this.responder = new SoundResponder({ classes, thresholds: floored });
    }
    this.syncOverrides(classes);
    const events: SessionEvent[] = [];
    const responses: ResponsePlan[] = [];

    classes.forEach((label, i) => {
      const on = probs[i] >= thresholds[i];
      if (on && !this.prevOn[i] && !BACKGROUND.has(label)) events.push({ type: 'sound', t, label, p: Math.round(probs[i] * 1000) / 1000 });
      this.prevOn[i] = on;
    });

    // Counting: one reply per chunk that completes events, saying the running count.
    for (const task of this.tasks.active()) {
      if (task.kind !== 'count' || !classes.includes(task.label)) continue;
      let c = this.counters.get(task.id);
      if (!c) this.counters.set(task.id, (c = new EventCounter({ label: task.label })));
      const r = c.update({ pcm: p.chunk.pcm, mel: p.mel, probs, classes, t });
      if (r.newEvents > 0) {
        const words = [];
        for (let n = r.count - r.newEvents + 1; n <= r.count; n++) words.push(capitalize(countWord(n)) + '!');
        responses.push({ task: 'count', emotion: 'happy', text: words.join(' ') });
      }
    }
    for (const id of this.counters.keys()) if (!this.tasks.active().some((x) => x.id === id)) this.counters.delete(id);

    const reply = this.responder.update(probs, { t, userSpeaking });
    const quiet = this.tasks.isQuiet(t);
    if (reply && (reply.urgent || !quiet) && (this.proactive || this.overrides.get(reply.label) === 'respond')) {
      // A counted class is answered by the counter, not commented on as well.
      if (!this.tasks.active().some((x) => x.kind === 'count' && x.label === reply.label)) {
        responses.push({ task: 'alert', emotion: reply.emotion as Emotion, text: reply.text, urgent: reply.urgent });
      }
    }
    if (!events.length && !responses.length) return null;
    const reason = responses.length ? (responses[0].task === 'count' ? 'count' : `sound:${reply?.label ?? ''}`) : 'sound';
    return { responses, events, reason };
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

