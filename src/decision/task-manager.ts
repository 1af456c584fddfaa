// The active tasks of one session. Pure bookkeeping on stream time: the session feeds it parsed
// instructions and the current time, and emits the task.started/task.ended payloads it returns.
import type { TaskEndedEvent, TaskStartedEvent } from '../events.ts';
import { findLanguage } from '../instructions/languages.ts';
import { numberToWords } from '../instructions/numbers.ts';
import { findWorldLanguage } from '../instructions/world-languages.ts';
import { nameableSound } from '../instructions/sounds.ts';
import { eventTaskKind, type ParsedInstruction, type StopTarget, type Task, type TaskSpec } from '../instructions/types.ts';

export interface TaskUpdate {
  started: TaskStartedEvent[];
  ended: TaskEndedEvent[];
  /** What to say back ("Okay, translating into Spanish."), or null when told not to / nothing to say. */
  ack: string | null;
  /** True when the instruction was refused (unknown language, unknown sound); `ack` holds the refusal. */
  refused: boolean;
}

type StartSpec = Exclude<TaskSpec, { kind: 'stop' }>;

function describeDuration(seconds: number): string {
  const unit = (n: number, w: string) => `${n === 1 ? (w === 'hour' ? 'an' : 'a') : numberToWords(n)} ${w}${n === 1 ? '' : 's'}`;
  if (seconds % 3600 === 0) return unit(seconds / 3600, 'hour');
  if (seconds % 60 === 0) return unit(seconds / 60, 'minute');
  return unit(seconds, 'second');
}

const soundName = (label: string) => nameableSound(label)?.plural ?? label.replace(/_/g, ' ');
const soundHeard = (label: string) => nameableSound(label)?.heard ?? label.replace(/_/g, ' ');

function startAck(spec: StartSpec): string {
  switch (spec.kind) {
    case 'transcribe':
      return 'Okay, transcribing.';
    case 'translate':
      return `Okay, translating into ${findLanguage(spec.targetLang)?.name ?? findWorldLanguage(spec.targetLang)?.name ?? spec.targetLang}.`;
    case 'count':
      return `Okay, counting ${soundName(spec.label)}.`;
    case 'alert':
      return spec.mode === 'respond' ? `Okay, I'll tell you when I hear ${soundHeard(spec.label)}.` : `Okay, I won't comment on ${soundName(spec.label)}.`;
    case 'quiet':
      return spec.seconds === null ? 'Okay.' : `Okay, quiet for ${describeDuration(spec.seconds)}.`;
    case 'chat':
      return "Okay, I'm listening.";
  }
}

const STOP_ACK: Record<StopTarget, string> = {
  all: 'Okay, stopped.',
  transcribe: 'Okay, stopped transcribing.',
  translate: 'Okay, stopped translating.',
  count: 'Okay, stopped counting.',
  alert: "Okay, I'll stop listening for that.",
  quiet: "Okay, I'm back.",
  chat: 'Okay.',
};

function params(spec: StartSpec): Record<string, string | number | boolean> {
  switch (spec.kind) {
    case 'translate':
      return { targetLang: spec.targetLang };
    case 'count':
      return { label: spec.label };
    case 'alert':
      return { label: spec.label, mode: spec.mode };
    case 'quiet':
      return spec.seconds === null ? { quiet: true } : { quiet: true, seconds: spec.seconds };
    default:
      return {};
  }
}

/** Same slot → the new task replaces the old one (a new language, a new quiet period, ...). */
function sameSlot(a: Task, b: StartSpec): boolean {
  if (a.kind !== b.kind) return false;
  if ((a.kind === 'count' || a.kind === 'alert') && (b.kind === 'count' || b.kind === 'alert')) return a.label === b.label;
  return true;
}

export class TaskManager {
  private tasks: Task[] = [];
  private seq = 0;

  constructor(private readonly idPrefix = 'task') {}

  /** Active tasks, oldest first. */
  active(): readonly Task[] {
    return this.tasks;
  }

  find<K extends Task['kind']>(kind: K): Extract<Task, { kind: K }>[] {
    return this.tasks.filter((x): x is Extract<Task, { kind: K }> => x.kind === kind);
  }

  has(kind: Task['kind']): boolean {
    return this.tasks.some((x) => x.kind === kind);
  }

  /** True while a quiet task holds at stream time t: the session should not speak (alerts aside). */
  isQuiet(t: number): boolean {
    return this.tasks.some((x) => x.kind === 'quiet' && (x.endsAt === null || t < x.endsAt));
  }

  /** The watch mode set for a sound label, if any ("ignore" mutes proactive comments on it). */
  watchMode(label: string): 'respond' | 'ignore' | undefined {
    return this.find('alert').find((x) => x.label === label)?.mode;
  }

  /** Applies a parsed instruction at stream time t. */
  apply(parsed: ParsedInstruction, t: number): TaskUpdate {
    const update: TaskUpdate = { started: [], ended: this.expire(t), ack: null, refused: false };
    if (parsed.type === 'refusal') {
      update.ack = parsed.message;
      update.refused = true;
      return update;
    }
    const spec = parsed.task;
    if (spec.kind === 'stop') {
      const victims = this.tasks.filter((x) => spec.target === 'all' || (x.kind === spec.target && (!spec.label || !('label' in x) || x.label === spec.label)));
      for (const v of victims) update.ended.push(this.end(v, t, 'stopped'));
      update.ack = parsed.ack ? (victims.length ? STOP_ACK[spec.target] : spec.target === 'all' ? 'Okay.' : 'That was not running.') : null;
      return update;
    }
    for (const old of this.tasks.filter((x) => sameSlot(x, spec))) update.ended.push(this.end(old, t, 'replaced'));
    const task: Task = {
      ...spec,
      id: `${this.idPrefix}_${++this.seq}`,
      startedAt: t,
      endsAt: spec.kind === 'quiet' && spec.seconds !== null ? t + spec.seconds : null,
      instruction: parsed.text,
    };
    this.tasks.push(task);
    update.started.push({ type: 'task.started', t, taskId: task.id, task: eventTaskKind(spec.kind), params: params(spec), instruction: parsed.text });
    update.ack = parsed.ack ? startAck(spec) : null;
    return update;
  }

  /** Ends tasks whose time ran out (quiet for N seconds); call it once per chunk. */
  tick(t: number): TaskEndedEvent[] {
    return this.expire(t);
  }

  /** Ends everything (session end). */
  endAll(t: number, reason = 'session ended'): TaskEndedEvent[] {
    return [...this.tasks].map((x) => this.end(x, t, reason));
  }

  private expire(t: number): TaskEndedEvent[] {
    return this.tasks.filter((x) => x.endsAt !== null && t >= x.endsAt).map((x) => this.end(x, x.endsAt!, 'expired'));
  }

  private end(task: Task, t: number, reason: string): TaskEndedEvent {
    this.tasks = this.tasks.filter((x) => x !== task);
    return { type: 'task.ended', t, taskId: task.id, task: eventTaskKind(task.kind), reason };
  }
}
