// Proactive replies to sounds. The rule (from the paradigm): respond to danger, to a person who may
// need help or comfort, and to equipment that signals something; stay silent otherwise. The table below
// is the documented default; users change it per session ("tell me when the doorbell rings" →
// setOverride('doorbell', 'respond'); "don't comment on the dog" → setOverride('dog_bark', 'ignore')).
// Phrases are mapped to class labels by the one synonym table, src/instructions/sounds.ts.
// SoundResponder turns per-chunk probabilities into at most one reply per event episode.
import type { Emotion } from '../events.ts';
import { SoundFlowError } from '../util/errors.ts';

export type SoundAction = 'respond' | 'ignore';

export interface SoundPolicyEntry {
  action: SoundAction;
  /** Urgent replies are spoken even while the user talks and get reminders while the sound goes on. */
  urgent: boolean;
  emotion: Emotion;
  /** Chunks (within the last 3) above threshold before replying; 1 for short sounds like a cough. */
  minChunks: number;
  /** How the sound is named in generic replies. */
  name: string;
  templates: string[];
}

const P = (action: SoundAction, emotion: Emotion, minChunks: number, name: string, templates: string[], urgent = false): SoundPolicyEntry => ({ action, urgent, emotion, minChunks, name, templates });

export const SOUND_POLICY: Record<string, SoundPolicyEntry> = {
  smoke_alarm: P('respond', 'urgent', 2, 'a smoke alarm', [
    'I hear a smoke alarm! Please check for fire and get to safety.',
    'That is a smoke alarm going off! Check for smoke or fire right away and leave if you need to.',
    'Warning: a smoke alarm is sounding. Please make sure everyone is safe.',
  ], true),
  beeping_alarm: P('respond', 'normal', 2, 'beeping', [
    'I hear beeping. A timer or an appliance may need your attention.',
    'Something is beeping, maybe an alarm or the microwave.',
    'There is a beeping alarm going off.',
  ]),
  kettle_whistle: P('respond', 'normal', 2, 'the kettle', [
    'The kettle is whistling. Your water is boiling.',
    'I hear the kettle whistle; the water is ready.',
  ]),
  baby_cry: P('respond', 'sad', 2, 'a baby crying', [
    'I hear a baby crying. Maybe the little one needs you.',
    'It sounds like the baby is crying.',
  ]),
  cough: P('respond', 'sad', 1, 'coughing', [
    'It sounds like you are coughing. Please take care of yourself.',
    'That was quite a cough. Would a glass of water help?',
    'I hear coughing. I hope you are feeling all right.',
  ]),
  sneeze: P('respond', 'happy', 1, 'a sneeze', ['Bless you!', 'Bless you! I hope you are not catching a cold.']),
  scream: P('respond', 'urgent', 1, 'a scream', [
    'I heard a scream. Is everyone all right?',
    'That sounded like someone screaming. Do you need help?',
  ], true),
  glass_break: P('respond', 'surprise', 1, 'breaking glass', [
    'I heard glass breaking. Please be careful with the shards.',
    'Something made of glass just broke. Watch your step.',
  ]),
  thud_fall: P('respond', 'surprise', 1, 'a heavy thud', [
    'That sounded like a fall. Is everyone okay?',
    'I heard a loud thud. Did someone fall?',
  ]),
  doorbell: P('ignore', 'normal', 1, 'the doorbell', ['The doorbell just rang.', 'Someone is at the door: the bell rang.']),
  door_knock: P('ignore', 'normal', 1, 'knocking', ['Someone is knocking at the door.', 'I hear a knock at the door.']),
  phone_ring: P('ignore', 'normal', 2, 'a phone', ['Your phone is ringing.', 'I hear a phone ringing.']),
  siren: P('ignore', 'normal', 2, 'a siren', ['I hear a siren outside.', 'An emergency vehicle siren is going by.']),
  dog_bark: P('ignore', 'normal', 1, 'the dog', ['The dog is barking.', 'I hear a dog barking.']),
  cat_meow: P('ignore', 'normal', 1, 'the cat', ['The cat is meowing.', 'I hear the cat.']),
  laughter: P('ignore', 'happy', 1, 'laughter', ['Someone is laughing.']),
  applause: P('ignore', 'happy', 2, 'applause', ['I hear applause.']),
  footsteps: P('ignore', 'normal', 2, 'footsteps', ['I hear footsteps.']),
  door: P('ignore', 'normal', 1, 'a door', ['I heard a door.']),
  water: P('ignore', 'normal', 2, 'running water', ['I hear running water. Is a tap still open?']),
  car_horn: P('ignore', 'normal', 1, 'a car horn', ['I heard a car horn.']),
  traffic: P('ignore', 'normal', 2, 'traffic', ['I hear traffic.']),
  thunder: P('ignore', 'surprise', 1, 'thunder', ['That was thunder.']),
  rain: P('ignore', 'normal', 2, 'rain', ['It sounds like rain.']),
  wind: P('ignore', 'normal', 2, 'wind', ['It sounds windy.']),
  birds: P('ignore', 'happy', 2, 'birds', ['I hear birds singing.']),
  typing: P('ignore', 'normal', 2, 'typing', ['I hear typing.']),
  clock_tick: P('ignore', 'normal', 2, 'a clock', ['I hear a clock ticking.']),
  speech: P('ignore', 'normal', 2, 'speech', ['I hear someone talking.']),
  music: P('ignore', 'happy', 2, 'music', ['I hear music.']),
  ambient: P('ignore', 'normal', 3, 'background noise', ['It is quiet.']),
};

export interface SoundReply {
  label: string;
  text: string;
  emotion: Emotion;
  urgent: boolean;
  /** True for a reminder within an ongoing episode. */
  reminder: boolean;
}

export interface SoundResponderOptions {
  classes: string[];
  /** Per-class probability thresholds (the classifier's tuned ones); default 0.5 each. */
  thresholds?: ArrayLike<number>;
  /** Seconds after the first reply before a reminder while the sound continues (urgent classes). Default 30. */
  reminderSec?: number;
  /** Seconds without detection that end an episode. Default 3. */
  episodeGapSec?: number;
  /** Replies deferred because the user was talking are dropped if the sound ended longer ago than this. Default 4 s. */
  deferSec?: number;
  /** Extra margin above the threshold for single-chunk triggers (false alarms cost more than misses). Default 0.2. */
  singleChunkMargin?: number;
  /** Lowest probability that counts as a detection for replies, whatever the class threshold. Default 0.5. */
  minProb?: number;
  /** One chunk this probable starts an urgent episode at once (alarms must be answered fast). Default 0.75. */
  urgentProb?: number;
}

interface Episode {
  start: number;
  lastSeen: number;
  replied: number | null;
  lastReply: number | null;
  peak: number;
}

export class SoundResponder {
  private readonly classes: string[];
  private readonly thresholds: number[];
  private readonly overrides = new Map<string, SoundAction>();
  private readonly episodes = new Map<string, Episode>();
  private readonly history = new Map<string, boolean[]>();
  private readonly templateTurn = new Map<string, number>();
  private readonly o: Required<Omit<SoundResponderOptions, 'classes' | 'thresholds'>>;

  constructor(opts: SoundResponderOptions) {
    if (!opts || !Array.isArray(opts.classes) || !opts.classes.length) throw new SoundFlowError('invalid_argument', 'SoundResponder needs the model classes');
    this.classes = [...opts.classes];
    this.o = { reminderSec: 30, episodeGapSec: 3, deferSec: 4, singleChunkMargin: 0.2, minProb: 0.5, urgentProb: 0.75, ...stripUndefined(opts) };
    // The classifier's thresholds maximise F1; a reply needs more confidence than a tag (false alarms cost more).
    this.thresholds = this.classes.map((_, i) => Math.max(this.o.minProb, opts.thresholds ? Number(opts.thresholds[i]) : 0.5));
  }

  /** Per-session change: "tell me when…" → respond; "don't comment on…" → ignore. */
  setOverride(label: string, action: SoundAction): void {
    if (!this.classes.includes(label)) throw new SoundFlowError('unknown_sound', `no sound class "${label}" (known: ${this.classes.join(', ')})`, { recoverable: true });
    if (action !== 'respond' && action !== 'ignore') throw new SoundFlowError('invalid_argument', `action must be respond|ignore, got ${action}`);
    this.overrides.set(label, action);
  }

  clearOverride(label: string): void {
    this.overrides.delete(label);
  }

  actionFor(label: string): SoundAction {
    return this.overrides.get(label) ?? SOUND_POLICY[label]?.action ?? 'ignore';
  }

  /**
   * One chunk's probabilities (stream time `t` at the chunk end). Returns the reply to speak now, or
   * null. At most one reply per chunk: urgent first, then the most probable.
   */
  update(probs: ArrayLike<number>, opts: { t: number; userSpeaking?: boolean }): SoundReply | null {
    if (probs.length !== this.classes.length) throw new SoundFlowError('invalid_argument', `expected ${this.classes.length} probabilities, got ${probs.length}`, { recoverable: true });
    const { t } = opts;
    const candidates: { label: string; p: number; urgent: boolean; reminder: boolean }[] = [];
    this.classes.forEach((label, i) => {
      const policy = SOUND_POLICY[label];
      const p = Number(probs[i]);
      const on = Number.isFinite(p) && p >= this.thresholds[i];
      const h = this.history.get(label) ?? [];
      h.push(on);
      if (h.length > 3) h.shift();
      this.history.set(label, h);
      let ep = this.episodes.get(label);
      if (ep && t - ep.lastSeen > this.o.episodeGapSec) {
        this.episodes.delete(label);
        ep = undefined;
      }
      if (!on || !policy) return;
      const hits = h.filter(Boolean).length;
      const confirmed = policy.minChunks > 1
        ? hits >= policy.minChunks || (policy.urgent && p >= this.o.urgentProb)
        : p >= Math.min(0.97, this.thresholds[i] + this.o.singleChunkMargin) || hits >= 2; // one sure chunk, or a fit of them
      if (ep) {
        ep.lastSeen = t;
        ep.peak = Math.max(ep.peak, p);
      } else if (confirmed) {
        this.episodes.set(label, (ep = { start: t, lastSeen: t, replied: null, lastReply: null, peak: p }));
      }
      if (!ep || this.actionFor(label) !== 'respond') return;
      if (ep.replied === null) candidates.push({ label, p, urgent: policy.urgent, reminder: false });
      else if (policy.urgent && ep.lastReply !== null && t - ep.lastReply >= this.o.reminderSec) candidates.push({ label, p, urgent: true, reminder: true });
    });
    // Replies deferred while the user talked: still owed if the episode is recent.
    for (const [label, ep] of this.episodes) {
      if (ep.replied !== null || this.actionFor(label) !== 'respond' || candidates.some((c) => c.label === label)) continue;
      if (t - ep.lastSeen <= this.o.deferSec) candidates.push({ label, p: ep.peak, urgent: SOUND_POLICY[label]?.urgent ?? false, reminder: false });
    }
    const allowed = candidates.filter((c) => c.urgent || !opts.userSpeaking);
    if (!allowed.length) return null;
    allowed.sort((a, b) => Number(b.urgent) - Number(a.urgent) || b.p - a.p);
    const pick = allowed[0];
    const ep = this.episodes.get(pick.label)!;
    ep.replied ??= t;
    ep.lastReply = t;
    const policy = SOUND_POLICY[pick.label];
    return { label: pick.label, text: this.text(pick.label, pick.reminder), emotion: policy.emotion, urgent: policy.urgent, reminder: pick.reminder };
  }

  private text(label: string, reminder: boolean): string {
    const policy = SOUND_POLICY[label];
    const turn = this.templateTurn.get(label) ?? Math.floor(Math.random() * policy.templates.length);
    this.templateTurn.set(label, turn + 1);
    const base = policy.templates[turn % policy.templates.length];
    return reminder ? `${policy.name[0].toUpperCase()}${policy.name.slice(1)} is still sounding. ${base}` : base;
  }

  reset(): void {
    this.episodes.clear();
    this.history.clear();
  }
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([k, v]) => v !== undefined && k !== 'classes' && k !== 'thresholds')) as Partial<T>;
}
