// A counting semaphore with abortable waits: caps concurrent synthesiser processes across all sessions.
import { SoundFlowError } from '../../util/errors.ts';

export class Semaphore {
  private used = 0;
  private waiters: { grant: () => void }[] = [];

  constructor(readonly limit: number) {
    if (!Number.isInteger(limit) || limit < 1) throw new RangeError('semaphore limit must be a positive integer');
  }

  /** Slots currently held. */
  get active(): number {
    return this.used;
  }

  /** Callers waiting for a slot. */
  get waiting(): number {
    return this.waiters.length;
  }

  /** Waits for a slot; resolves to a release function (idempotent). Rejects with `aborted` if the signal fires first. */
  acquire(signal?: AbortSignal): Promise<() => void> {
    if (signal?.aborted) return Promise.reject(abortError(signal));
    const release = this.releaser();
    if (this.used < this.limit) {
      this.used++;
      return Promise.resolve(release);
    }
    return new Promise((resolve, reject) => {
      const waiter = {
        grant: () => {
          signal?.removeEventListener('abort', onAbort);
          this.used++;
          resolve(release);
        },
      };
      const onAbort = () => {
        const i = this.waiters.indexOf(waiter);
        if (i >= 0) this.waiters.splice(i, 1);
        reject(abortError(signal!));
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.waiters.push(waiter);
    });
  }

  private releaser(): () => void {
    let done = false;
    return () => {
      if (done) return;
      done = true;
      this.used--;
      this.waiters.shift()?.grant();
    };
  }
}

function abortError(signal: AbortSignal): SoundFlowError {
  return new SoundFlowError('aborted', 'speech synthesis aborted', { recoverable: true, cause: signal.reason });
}
