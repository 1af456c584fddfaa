// Binds one connection to one engine session. The session is created lazily (a client may first send
// its options), every client action goes through one promise chain so audio, instructions and cancels
// keep their order, and inbound audio waiting for the engine is bounded: past the limit the socket is
// paused, so a client streaming faster than real time is slowed by TCP rather than growing our memory.
import type { Engine, ReplyRequest, Session } from '../../engine/types.ts';
import type { SessionOptions } from '../../engine/options.ts';
import type { SessionEvent } from '../../events.ts';
import { SoundFlowError, errorMessage, type ErrorCode } from '../../util/errors.ts';
import { SAMPLE_RATE } from '../../audio/chunk.ts';

export interface LinkHooks {
  onEvent(ev: SessionEvent): void;
  /** The engine's event stream finished (after end(), close(), or a fatal engine error). */
  onStreamEnd(): void;
  /** Something went wrong that the client should hear about. */
  onError(err: SoundFlowError): void;
  /** `total` samples have been queued for the engine so far (client audio and filler). */
  onQueued?(total: number): void;
}

/** The part of a socket the link needs: pausing reading while the engine catches up. */
export interface PausableInput {
  pause(): void;
  resume(): void;
  readonly isPaused: boolean;
}

export class SessionLink {
  private session?: Session;
  private starting?: Promise<Session | undefined>;
  private chain: Promise<unknown> = Promise.resolve();
  private pendingBytes = 0;
  private pumpDone?: Promise<void>;
  private closed = false;
  private ending = false;
  /** Samples (16 kHz) handed to the engine so far. */
  samplesIn = 0;
  /** Samples queued for the engine (client audio and filler), and the count at the last client audio. */
  private queuedSamples = 0;
  private samplesAtLastAudio = 0;
  private lastAudioAt = 0;
  private fillTimer?: NodeJS.Timeout;
  private lastFillTick = 0;
  private inputHeld = false;
  /** What the session has told so far, for the session.ended a cut-off session still owes its client. */
  private chunksSeen = 0;
  private lastChunkT = 0;
  private endedSent = false;

  constructor(
    private readonly engine: Engine,
    private readonly ws: PausableInput,
    private readonly maxPendingBytes: number,
    private readonly hooks: LinkHooks,
    /** After this long without client audio, silence is fed in real time (Infinity: never). */
    private readonly fillSilenceAfterMs = 1000,
  ) {}

  get started(): boolean {
    return this.starting !== undefined;
  }

  get sessionId(): string | undefined {
    return this.session?.id;
  }

  get isEnding(): boolean {
    return this.ending || this.closed;
  }

  /** Creates the engine session once; later calls return the same one. */
  start(options: Partial<SessionOptions>): Promise<Session | undefined> {
    this.starting ??= this.engine.createSession(options).then(
      (s) => {
        if (this.closed) {
          s.close();
          return undefined;
        }
        this.session = s;
        this.pumpDone = this.pump(s);
        this.lastAudioAt = performance.now();
        if (Number.isFinite(this.fillSilenceAfterMs)) {
          this.lastFillTick = performance.now();
          this.fillTimer = setInterval(() => this.fillSilence(), 100);
          this.fillTimer.unref();
        }
        return s;
      },
      (err) => {
        this.hooks.onError(toSfError(err, 'session_create_failed', false));
        this.hooks.onStreamEnd();
        return undefined;
      },
    );
    return this.starting;
  }

  private async pump(s: Session): Promise<void> {
    try {
      for await (const ev of s) {
        if (this.endedSent) continue; // cut off at the grace: the client already has its session.ended
        if (ev.type === 'chunk') {
          this.chunksSeen++;
          this.lastChunkT = ev.t;
        } else if (ev.type === 'session.ended') this.endedSent = true;
        this.hooks.onEvent(ev);
      }
    } catch (err) {
      if (!this.closed) this.hooks.onError(toSfError(err, 'engine_error', false));
    }
    this.hooks.onStreamEnd();
  }

  /** Runs `fn` with the session after everything queued before it (starting it with `defaults` if needed). */
  private enqueue(defaults: Partial<SessionOptions>, fn: (s: Session) => unknown): Promise<void> {
    const starting = this.start(defaults);
    const next = this.chain.then(async () => {
      const s = await starting;
      if (!s || this.closed) return;
      try {
        await fn(s);
      } catch (err) {
        if (!this.closed) this.hooks.onError(toSfError(err, 'engine_error', true));
      }
    });
    this.chain = next;
    return next;
  }

  pushAudio(pcm: Int16Array | Float32Array, defaults: Partial<SessionOptions>): void {
    if (this.isEnding || pcm.length === 0) return;
    this.queue(pcm, defaults);
    this.lastAudioAt = performance.now();
    this.samplesAtLastAudio = this.queuedSamples;
  }

  /**
   * The engine lives in stream time: replies end, timers fire and tasks expire as audio flows. A client
   * that stops sending (text-only Realtime clients, a muted mic) would freeze that clock, so after a
   * short grace the session hears silence, in real time, until client audio resumes.
   */
  private fillSilence(): void {
    // A late tick means the event loop was blocked: client audio that arrived meanwhile is still
    // waiting behind this timer, so filling now would splice silence into the middle of it.
    const now = performance.now();
    const late = now - this.lastFillTick > 300;
    this.lastFillTick = now;
    if (late || this.inputHeld) return;
    if (!this.session || this.isEnding || this.pendingBytes > 0) return;
    const idleMs = performance.now() - this.lastAudioAt - this.fillSilenceAfterMs;
    if (idleMs <= 0) return;
    const due = this.samplesAtLastAudio + Math.floor((idleMs / 1000) * SAMPLE_RATE) - this.queuedSamples;
    if (due >= 1600) this.queue(new Int16Array(Math.min(due, SAMPLE_RATE)), {});
  }

  private queue(pcm: Int16Array | Float32Array, defaults: Partial<SessionOptions>): void {
    this.queuedSamples += pcm.length;
    this.hooks.onQueued?.(this.queuedSamples);
    const bytes = pcm.length * 2;
    this.pendingBytes += bytes;
    if (this.pendingBytes > this.maxPendingBytes && !this.ws.isPaused) this.ws.pause();
    void this.enqueue(defaults, (s) => s.push(pcm)).finally(() => {
      this.pendingBytes -= bytes;
      this.samplesIn += pcm.length;
      if (this.pendingBytes <= this.maxPendingBytes / 2 && this.ws.isPaused) this.ws.resume();
    });
  }

  /**
   * The server stopped reading this client (over its budget): it is not idle, so no filler while held,
   * and the idle clock restarts when reading resumes.
   */
  holdInput(held: boolean): void {
    this.inputHeld = held;
    if (!held) {
      this.lastAudioAt = performance.now();
      this.samplesAtLastAudio = this.queuedSamples;
    }
  }

  instruct(text: string, defaults: Partial<SessionOptions>): void {
    if (this.isEnding) return;
    void this.enqueue(defaults, (s) => s.instruct(text));
  }

  /** Asks for one reply now (in order with audio and instructions); resolves false when the engine cannot. */
  async respond(request: ReplyRequest, defaults: Partial<SessionOptions>): Promise<boolean> {
    if (this.isEnding) return false;
    let ok = false;
    await this.enqueue(defaults, (s) => {
      if (!s.respond) return;
      s.respond(request);
      ok = true;
    });
    return ok;
  }

  /** Cancels at once when the session exists (a barge-in must not wait behind queued audio). */
  cancel(reason: string): void {
    if (this.session && !this.closed) this.session.cancelResponse(reason);
  }

  truncate(id: string, playedMs: number): void {
    if (this.session && !this.closed) this.session.truncateResponse?.(id, playedMs);
  }

  /**
   * Graceful end: queued input is processed, pending replies finish, the event stream ends.
   * Resolves once the stream has ended or `graceMs` elapsed (then the session is closed hard).
   */
  async finish(graceMs: number): Promise<void> {
    if (this.ending || this.closed) return this.pumpDone;
    this.ending = true;
    clearInterval(this.fillTimer);
    if (this.ws.isPaused) this.ws.resume();
    if (!this.starting) {
      this.hooks.onStreamEnd();
      return;
    }
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<'timeout'>((r) => (timer = setTimeout(() => r('timeout'), graceMs)));
    const done = (async () => {
      await this.chain;
      const s = await this.starting;
      if (!s) return;
      await s.end();
      await this.pumpDone;
    })().catch((err) => this.hooks.onError(toSfError(err, 'engine_error', false)));
    const r = await Promise.race([done, timeout]);
    clearTimeout(timer);
    if (r === 'timeout') {
      // Out of time (a loaded server, a long utterance still decoding): the rest is dropped, but the
      // client still gets the session.ended the protocol promises, with what was decided so far.
      this.close();
      if (!this.endedSent) {
        this.endedSent = true;
        this.hooks.onEvent({ type: 'session.ended', t: this.lastChunkT, chunks: this.chunksSeen });
      }
    }
    await Promise.race([this.pumpDone, new Promise((res) => setTimeout(res, 500))]);
  }

  /** Stops at once (client gone): pending work is dropped. */
  close(): void {
    clearInterval(this.fillTimer);
    if (this.closed) return;
    this.closed = true;
    this.session?.close();
  }
}

export function toSfError(err: unknown, code: ErrorCode, recoverable: boolean): SoundFlowError {
  if (err instanceof SoundFlowError) return err;
  return new SoundFlowError(code, errorMessage(err), { recoverable, cause: err });
}
