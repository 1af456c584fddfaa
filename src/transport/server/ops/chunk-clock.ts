// Per-session timing seen from the server: when the audio completing each chunk arrived, so a `chunk`
// event's latency is "audio in -> decision out", whatever runs the engine (main thread or a worker).
// Bounded: only chunks not yet reported are remembered.
import type { SessionEvent } from '../../../events.ts';
import type { SessionObserver } from './observer.ts';

export class ChunkClock {
  private chunkSamples = 6400;
  /** Arrival times of chunk boundaries not yet reported, by chunk index. */
  private readonly arrivals = new Map<number, number>();
  private nextBoundary = 0;
  private respondAt?: number;
  private readonly awaitingAudio = new Set<string>();

  constructor(
    private readonly observer: SessionObserver,
    private readonly now: () => number = () => performance.now(),
  ) {}

  /** `total` samples (16 kHz) have been queued for the engine so far. */
  queued(total: number): void {
    const t = this.now();
    while ((this.nextBoundary + 1) * this.chunkSamples <= total) {
      this.arrivals.set(this.nextBoundary++, t);
      if (this.arrivals.size > 4096) this.arrivals.delete(this.arrivals.keys().next().value as number);
    }
  }

  event(ev: SessionEvent): void {
    switch (ev.type) {
      case 'session.started':
        this.chunkSamples = Math.max(1, Math.round((ev.sampleRate * ev.chunkMs) / 1000));
        return;
      case 'chunk': {
        const at = this.arrivals.get(ev.index);
        this.arrivals.delete(ev.index);
        if (at === undefined) return;
        const ms = this.now() - at;
        this.observer.chunk(ms, ms > (this.chunkSamples / 16000) * 1000);
        if (ev.decision === 'respond') {
          this.observer.decision(ms);
          this.respondAt = this.now();
        }
        return;
      }
      case 'response.start':
        this.awaitingAudio.add(ev.id);
        return;
      case 'response.audio':
        if (this.awaitingAudio.delete(ev.id) && this.respondAt !== undefined) {
          this.observer.replyStart(this.now() - this.respondAt);
          this.respondAt = undefined;
        }
        return;
      case 'response.end':
        this.awaitingAudio.delete(ev.id);
        return;
      default:
        return;
    }
  }
}
