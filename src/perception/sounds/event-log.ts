// The session's recent sound events, for anything that asks about them later ("what was that noise?",
// "how many times did it beep?"): a bounded log of labelled events and confirmed alarm patterns.
export interface LoggedSound {
  label: string;
  p: number;
  onset: number;
  /** Absent while a sustained sound (an episode rather than a segmented event) goes on. */
  offset?: number;
  /** Stream time (s) the session learned of it. */
  t: number;
  /** Where it came from: a segmented event, a sustained-sound episode, or a standard alarm pattern. */
  source: 'event' | 'episode' | 'alarm';
  /** Top classes of the event (label, p), best first. */
  top: { label: string; p: number }[];
  pattern?: 'T3' | 'T4';
}

export class SoundEventLog {
  private readonly items: LoggedSound[] = [];

  constructor(private readonly capacity = 200) {}

  push(s: LoggedSound): void {
    this.items.push(s);
    if (this.items.length > this.capacity) this.items.splice(0, this.items.length - this.capacity);
  }

  /** The n most recent sounds, newest last. */
  latest(n = 10): LoggedSound[] {
    return this.items.slice(-n);
  }

  /** Sounds that ended (or were heard) at or after stream time t, oldest first. */
  since(t: number): LoggedSound[] {
    return this.items.filter((s) => (s.offset ?? s.t) >= t);
  }

  clear(): void {
    this.items.length = 0;
  }
}
