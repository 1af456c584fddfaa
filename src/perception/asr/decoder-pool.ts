// Decoders lent per utterance. A pocketsphinx decoder with the en-us LM costs tens of MB and ~0.5 s to
// open, but a session only needs one while someone is speaking: at a conversational duty cycle a
// server with 16 sessions needs a handful, not 16. The pool is bounded (borrowers wait in FIFO order
// when all are out), keeps `spare` idle decoders warm, and frees the rest after `idleMs` unused.
import { SoundFlowError } from '../../util/errors.ts';
import type { PocketSphinxDecoder } from './pocketsphinx.ts';

export interface DecoderPoolOptions {
  /** Most decoders open at once (borrowers beyond it wait). */
  max: number;
  /** Idle decoders kept warm, never trimmed. */
  spare: number;
  /** Idle decoders beyond `spare` are freed after this long unused (ms). */
  idleMs: number;
}

export const DEFAULT_DECODER_POOL: DecoderPoolOptions = { max: 8, spare: 1, idleMs: 30_000 };

export interface DecoderPoolStats {
  open: number;
  lent: number;
  idle: number;
  waiting: number;
  /** Most decoders ever open at once. */
  peak: number;
  opened: number;
  trimmed: number;
}

/** What the pool lends: a decoder (or a set of them) that can be freed. */
export interface Closable {
  close(): void;
}

export class DecoderPool<D extends Closable = PocketSphinxDecoder> {
  /** `spare` may be raised later (a server warms one decoder up at start). */
  readonly options: DecoderPoolOptions;
  private readonly idle: { decoder: D; since: number }[] = [];
  private readonly waiters: { resolve: (d: D) => void; reject: (e: unknown) => void }[] = [];
  private opening = 0;
  private lent = 0;
  private peak = 0;
  private opened = 0;
  private trimmed = 0;
  private closed = false;
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly open: () => Promise<D>,
    options: Partial<DecoderPoolOptions> = {},
  ) {
    const o = { ...DEFAULT_DECODER_POOL, ...Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined)) };
    if (!(Number.isInteger(o.max) && o.max >= 1)) throw new SoundFlowError('invalid_argument', `decoder pool max must be >= 1, got ${o.max}`);
    if (!(Number.isInteger(o.spare) && o.spare >= 0 && o.spare <= o.max)) throw new SoundFlowError('invalid_argument', `decoder pool spare must be 0..max, got ${o.spare}`);
    if (!(o.idleMs >= 0)) throw new SoundFlowError('invalid_argument', `decoder pool idleMs must be >= 0, got ${o.idleMs}`);
    this.options = o;
  }

  get stats(): DecoderPoolStats {
    return { open: this.lent + this.idle.length + this.opening, lent: this.lent, idle: this.idle.length, waiting: this.waiters.length, peak: this.peak, opened: this.opened, trimmed: this.trimmed };
  }

  /** A decoder for one utterance: an idle one, a newly opened one, or the next one given back. */
  acquire(): Promise<D> {
    if (this.closed) return Promise.reject(new SoundFlowError('asr_closed', 'decoder pool closed', { recoverable: true }));
    const ready = this.idle.pop();
    if (ready) {
      this.lend();
      this.topUp();
      return Promise.resolve(ready.decoder);
    }
    const wait = new Promise<D>((resolve, reject) => this.waiters.push({ resolve, reject }));
    this.grow();
    return wait;
  }

  /**
   * An idle decoder now, or null: never waits and never opens one, so a borrower that has another way
   * to do its work (a first utterance's re-decode can run on its own live decoder) cannot hold up, or be
   * held up by, the borrowers waiting for a decoder of their own.
   */
  tryAcquire(): D | null {
    if (this.closed) return null;
    const ready = this.idle.pop();
    if (ready) this.lend();
    this.topUp();
    return ready?.decoder ?? null;
  }

  /**
   * Resolves once a decoder is ready to lend (opening one if none is idle), so a new session does not
   * pay the model load at its first utterance.
   */
  async ready(): Promise<void> {
    if (this.idle.length) return;
    this.release(await this.acquire());
  }

  /** Gives a decoder back (its utterance must be ended). */
  release(decoder: D): void {
    this.lent--;
    if (this.closed) {
      decoder.close();
      return;
    }
    const next = this.waiters.shift();
    if (next) {
      this.lend();
      next.resolve(decoder);
      return;
    }
    this.idle.push({ decoder, since: performance.now() });
    this.scheduleTrim();
  }

  /** Opens idle decoders up to `spare` in the background (errors surface on the next acquire). */
  topUp(): void {
    if (this.idle.length + this.opening < this.options.spare) this.grow(true);
  }

  /** Frees idle decoders beyond `spare` that have been unused for idleMs. */
  trim(now = performance.now()): void {
    // The oldest idle decoders are at the front (acquire pops the most recently used).
    while (this.idle.length > this.options.spare && now - this.idle[0].since >= this.options.idleMs) {
      this.idle.shift()!.decoder.close();
      this.trimmed++;
    }
  }

  close(): void {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    for (const { decoder } of this.idle.splice(0)) decoder.close();
    for (const w of this.waiters.splice(0)) w.reject(new SoundFlowError('asr_closed', 'decoder pool closed', { recoverable: true }));
  }

  private lend(): void {
    this.lent++;
    this.peak = Math.max(this.peak, this.lent + this.idle.length + this.opening);
  }

  private grow(spare = false): void {
    if (this.lent + this.idle.length + this.opening >= this.options.max) return; // wait for a release
    if (!spare && this.opening >= this.waiters.length) return; // enough on the way
    this.opening++;
    this.peak = Math.max(this.peak, this.lent + this.idle.length + this.opening);
    this.open().then(
      (decoder) => {
        this.opening--;
        this.opened++;
        if (this.closed) return decoder.close();
        // Hand to the longest waiter; otherwise it joins the idle set.
        this.lent++;
        this.release(decoder);
      },
      (err: unknown) => {
        this.opening--;
        // Nothing opened: the longest waiter learns why; the rest keep waiting for a release, unless
        // nothing is out that could ever be released.
        this.waiters.shift()?.reject(err);
        if (this.lent + this.idle.length + this.opening === 0) for (const w of this.waiters.splice(0)) w.reject(err);
      },
    );
  }

  private scheduleTrim(): void {
    if (this.timer || this.idle.length <= this.options.spare) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      this.trim();
      this.scheduleTrim();
    }, Math.max(50, this.options.idleMs / 2));
    this.timer.unref?.();
  }
}
