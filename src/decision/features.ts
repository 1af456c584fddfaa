// The learned decision policy's per-chunk feature vector: what perception saw (VAD, level, sounds),
// what the ASR and the rule machinery made of it (transcripts, the rule's candidate reply and why),
// which tasks are active, and the session's own state (speaking, time since the last reply).
//
// Everything is read from the Percept, the DecisionContext and the rule policy's ChunkDecision (its
// transcript/task events included), so training (rules replying) and inference (the model gating the
// same rule output) compute features the same way. Every value is bounded to [0, 1].
import { TASK_KINDS, type SessionEvent, type TaskKind } from '../events.ts';
import { soundsUnfinished } from './rules.ts';
import type { Percept } from '../perception/types.ts';
import type { ChunkDecision, DecisionContext } from './types.ts';

/** Bump when the layout changes: a trained model records the version it was trained on. */
export const FEATURE_VERSION = 1;

/** Rule "reasons" worth their own input: they tell why the rules stayed silent or what they answer. */
const REASONS = ['not-addressed', 'echo', 'hold:unfinished', 'no-transcript', 'answer:fallback', 'instruction', 'barge-in'] as const;

/** Longest gap we still resolve, in chunks / seconds; beyond it the input saturates at 1. */
const MAX_SINCE_CANDIDATE = 8;
const MAX_SINCE_REPLY_S = 10;

/** Names of the inputs, in order (sound classes are the model's, given at construction). */
export function featureNames(soundClasses: readonly string[]): string[] {
  return [
    'vad.speech', 'vad.max', 'vad.mean', 'vad.started', 'vad.ended', 'vad.inSpeech', 'vad.silence',
    'level', 'snr',
    'sounds.present', ...soundClasses.map((c) => `sound.${c}`), 'sounds.maxOverThreshold',
    'asr.partialWords', 'asr.partialChanged', 'asr.final', 'asr.finalWords', 'asr.finalUnfinished',
    'cand.present', ...TASK_KINDS.map((k) => `cand.${k}`), 'cand.urgent', 'cand.sound', 'cand.spoken',
    ...REASONS.map((r) => `reason.${r}`),
    ...TASK_KINDS.map((k) => `task.${k}`),
    'ctx.speaking', 'ctx.sinceReply', 'ctx.sinceCandidate', 'ctx.padded',
  ];
}

const clamp01 = (x: number) => (x > 1 ? 1 : x > 0 ? x : 0);
const words = (s: string) => s.trim().split(/\s+/).filter(Boolean).length;

/**
 * Turns each chunk into a feature vector. Keeps the little state the vector needs (the current
 * partial, active tasks, when the rules last proposed a reply); call `next` once per chunk, in order.
 */
export class FeatureTracker {
  readonly names: string[];
  readonly size: number;
  private partialWords = 0;
  private readonly activeTasks = new Map<string, TaskKind>();
  private lastCandidateChunk = -Infinity;

  constructor(readonly soundClasses: readonly string[]) {
    this.names = featureNames(soundClasses);
    this.size = this.names.length;
  }

  next(p: Percept, ctx: DecisionContext, rule: ChunkDecision): Float32Array {
    const f = new Float32Array(this.size);
    let i = 0;
    const put = (x: number | boolean) => (f[i++] = clamp01(typeof x === 'boolean' ? (x ? 1 : 0) : Number.isFinite(x) ? x : 0));

    // VAD statistics.
    let max = 0, sum = 0;
    for (const v of p.vadProbs) {
      if (v > max) max = v;
      sum += v;
    }
    put(p.speech);
    put(max);
    put(p.vadProbs.length ? sum / p.vadProbs.length : 0);
    put(p.speechStarted);
    put(p.speechEnded);
    put(p.inSpeech);
    put(p.silenceMs / 3000);

    // Acoustics: dBFS mapped from [-80, 0], SNR from [0, 40] dB.
    put((p.levelDb + 80) / 80);
    put(p.snrDb / 40);

    // Sound events, by class name so a retrained sound model with more classes still lines up.
    put(Boolean(p.sounds));
    let over = 0;
    for (const c of this.soundClasses) {
      const k = p.sounds ? p.sounds.classes.indexOf(c) : -1;
      const prob = k >= 0 ? p.sounds!.probs[k] : 0;
      if (k >= 0 && c !== 'speech' && c !== 'ambient' && c !== 'music') over = Math.max(over, prob / Math.max(1e-3, p.sounds!.thresholds[k]));
      put(prob);
    }
    put(over / 2);

    // ASR state, from the transcript events the rules emitted this chunk.
    let partialChanged = false;
    let finalText: string | null = null;
    for (const e of rule.events) {
      if (e.type === 'transcript' && !e.final) {
        partialChanged = true;
        this.partialWords = words(e.text);
      } else if (e.type === 'transcript' && e.final) finalText = e.text;
    }
    const stopped = rule.events.some((e) => e.type === 'speech.stopped');
    put(this.partialWords / 10);
    put(partialChanged);
    put(stopped);
    put(finalText ? words(finalText) / 10 : 0);
    put(finalText !== null && soundsUnfinished(finalText));
    if (stopped) this.partialWords = 0;

    // The rules' candidate reply: whether there is one, for which task, and why.
    const cands = rule.responses;
    put(cands.length > 0);
    for (const k of TASK_KINDS) put(cands.some((r) => r.task === k));
    put(cands.some((r) => r.urgent === true));
    put(rule.reason.startsWith('sound:') || rule.reason === 'count');
    put(cands.some((r) => r.spoken !== false));
    for (const r of REASONS) put(rule.reason === r);

    // Active tasks, tracked from the task events (after this chunk's changes).
    this.trackTasks(rule.events);
    const kinds = new Set(this.activeTasks.values());
    for (const k of TASK_KINDS) put(kinds.has(k));

    // Session state.
    const t = p.chunk.t;
    if (cands.length) this.lastCandidateChunk = p.chunk.index;
    put(ctx.speaking);
    put(Number.isFinite(ctx.lastReplyT) ? (t - ctx.lastReplyT) / MAX_SINCE_REPLY_S : 1);
    put(Number.isFinite(this.lastCandidateChunk) ? (p.chunk.index - this.lastCandidateChunk) / MAX_SINCE_CANDIDATE : 1);
    put(p.chunk.padded);
    if (i !== this.size) throw new Error(`feature layout mismatch: wrote ${i} of ${this.size}`);
    return f;
  }

  private trackTasks(events: SessionEvent[]): void {
    for (const e of events) {
      if (e.type === 'task.started') this.activeTasks.set(e.taskId, e.task);
      else if (e.type === 'task.ended') this.activeTasks.delete(e.taskId);
    }
  }
}

/** The model's input at chunk n: the last `window` feature vectors, newest first, zeros before the stream. */
export class FeatureWindow {
  private readonly rows: Float32Array[] = [];

  constructor(readonly size: number, readonly window: number) {}

  push(f: Float32Array): Float32Array {
    if (f.length !== this.size) throw new RangeError(`feature vector has ${f.length} values, expected ${this.size}`);
    this.rows.unshift(f);
    if (this.rows.length > this.window) this.rows.pop();
    const x = new Float32Array(this.size * this.window);
    this.rows.forEach((r, k) => x.set(r, k * this.size));
    return x;
  }
}
