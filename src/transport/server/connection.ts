// What every WebSocket connection shares, whichever protocol it speaks: the engine session link,
// the outbound sender, message-rate and frame checks, idle and max-duration timers, and a clean close
// (graceful on timeouts and server shutdown, immediate when the client vanishes).
import type { IncomingMessage } from 'node:http';
import type { RawData, WebSocket } from 'ws';
import type { Engine } from '../../engine/types.ts';
import type { SessionOptions } from '../../engine/options.ts';
import type { SessionEvent } from '../../events.ts';
import { SoundFlowError, type ErrorCode } from '../../util/errors.ts';
import type { ServerConfig } from './config.ts';
import { ConnectionBudget, PauseGate, checkJsonShape } from './limits.ts';
import { ChunkClock } from './ops/chunk-clock.ts';
import type { Logger } from './ops/logger.ts';
import type { SessionObserver } from './ops/observer.ts';
import { Outbound } from './outbound.ts';
import { RateLimiter } from './rate.ts';
import { SessionLink } from './session-link.ts';

export interface ServerStats {
  sessionsActive: number;
  sessionsTotal: number;
  droppedAudioMessages: number;
  droppedAudioBytes: number;
  protocolErrors: number;
  rateLimited: number;
  /** Times a connection's reading was paused for going over its byte/CPU budget. */
  throttled: number;
  /** Messages refused before parsing (too large, too deep, too many values). */
  refusedMessages: number;
}

export interface ConnectionContext {
  engine: Engine;
  config: ServerConfig;
  stats: ServerStats;
  connections: Set<Connection>;
  observer: SessionObserver;
}

let nextConn = 1;

export abstract class Connection {
  readonly connId = `c${nextConn++}`;
  protected readonly link: SessionLink;
  protected readonly out: Outbound;
  protected readonly options: Partial<SessionOptions>;
  private readonly rate: RateLimiter;
  private readonly budget: ConnectionBudget;
  private readonly gate: PauseGate;
  private readonly clock: ChunkClock;
  protected readonly log: Logger;
  private budgetTimer?: NodeJS.Timeout;
  private idleTimer?: NodeJS.Timeout;
  private maxTimer?: NodeJS.Timeout;
  private closing = false;
  private lastDropReport = 0;
  readonly openedAt = Date.now();

  constructor(
    protected readonly ctx: ConnectionContext,
    protected readonly ws: WebSocket,
    protected readonly req: IncomingMessage,
    protected readonly url: URL,
  ) {
    const protocol = url.pathname === '/ws' ? 'native' : 'realtime';
    const { limits } = ctx.config;
    this.options = { ...ctx.config.sessionDefaults };
    this.log = ctx.config.logger.child({ conn: this.connId });
    this.out = new Outbound(
      ws,
      limits.maxBufferedBytes,
      limits.maxBufferedBytesHard,
      (s) => {
        ctx.stats.droppedAudioMessages++;
        ctx.stats.droppedAudioBytes += s.droppedAudioBytes - this.lastDropReport;
        ctx.observer.droppedAudio(s.droppedAudioBytes - this.lastDropReport);
        this.lastDropReport = s.droppedAudioBytes;
      },
      (ev) => countError(ctx.observer, ev),
    );
    this.rate = new RateLimiter(limits.maxMessagesPerSecond, limits.messageBurst);
    this.budget = new ConnectionBudget(limits);
    this.gate = new PauseGate(ws);
    this.clock = new ChunkClock(ctx.observer);
    this.link = new SessionLink(ctx.engine, this.gate.for('backlog'), limits.maxPendingInputBytes, {
      onEvent: (ev) => {
        this.clock.event(ev);
        if (ev.type === 'session.started') this.log.setBindings({ session: ev.sessionId });
        this.handleEvent(ev);
      },
      onStreamEnd: () => this.onStreamEnd(),
      onError: (err) => this.sendError(err.code, err.message, { recoverable: err.recoverable }),
      onQueued: (total) => this.clock.queued(total),
    }, limits.fillSilenceAfterMs);
    ctx.connections.add(this);
    ctx.stats.sessionsActive++;
    ctx.stats.sessionsTotal++;
    ctx.observer.sessionOpened(protocol);
    this.reportOversize();
    this.log.info({ protocol, remote: req.socket.remoteAddress, origin: req.headers.origin }, 'connection opened');

    ws.on('message', (data, isBinary) => this.onMessage(data, isBinary));
    ws.on('close', (code, reason) => this.onClientGone(code, reason.toString()));
    ws.on('error', (err) => this.log.info({ err: err.message }, 'socket error'));
    this.touch();
    this.maxTimer = setTimeout(() => {
      this.sendError('max_duration', `session reached its maximum duration (${limits.maxDurationMs / 60000} min)`, { recoverable: false });
      void this.shutdown(1000, 'max duration');
    }, limits.maxDurationMs);
    this.maxTimer.unref();
  }

  /** Protocol hooks. */
  protected abstract handleText(text: string): void;
  protected abstract handleBinary(buf: Buffer): void;
  protected abstract handleEvent(ev: SessionEvent): void;
  abstract sendError(code: ErrorCode, message: string, extra?: { recoverable?: boolean; param?: string | null; eventId?: string | null }): void;

  get droppedAudio(): number {
    return this.out.stats.droppedAudioMessages;
  }

  private touch(): void {
    clearTimeout(this.idleTimer);
    const ms = this.ctx.config.limits.idleTimeoutMs;
    this.idleTimer = setTimeout(() => {
      this.sendError('idle_timeout', `no client message for ${Math.round(ms / 1000)} s`, { recoverable: false });
      void this.shutdown(1000, 'idle timeout');
    }, ms);
    this.idleTimer.unref();
  }

  /**
   * `ws` refuses a message over maxPayload as soon as its header arrives, by calling close(1009) with no
   * reason while the socket is still open: that is the one moment an `error` event can still go out
   * first, so this connection's close is wrapped to say why.
   */
  private reportOversize(): void {
    const close = this.ws.close.bind(this.ws);
    this.ws.close = (code?: number, reason?: string | Buffer) => {
      if (code === 1009 && !reason && this.ws.readyState === this.ws.OPEN) {
        this.ctx.stats.refusedMessages++;
        const max = this.ctx.config.limits.maxFrameBytes;
        this.sendError('message_too_large', `message larger than ${max} bytes; closing`, { recoverable: false });
        this.log.warn({ maxFrameBytes: max }, 'oversize message: closing 1009');
        return close(1009, 'message too large');
      }
      return close(code, reason);
    };
  }

  private onMessage(data: RawData, isBinary: boolean): void {
    if (this.closing) return;
    const t0 = performance.now();
    this.touch();
    if (!this.rate.take()) {
      this.ctx.stats.rateLimited++;
      if (this.rate.violations > this.ctx.config.limits.maxViolations) {
        this.sendError('rate_limited', 'too many messages; closing', { recoverable: false });
        void this.shutdown(1008, 'rate limit');
      } else if (this.rate.violations === 1 || this.rate.violations % 10 === 0) {
        this.sendError('rate_limited', `message dropped: more than ${this.ctx.config.limits.maxMessagesPerSecond} messages/s`, { recoverable: true });
      }
      this.charge(rawLength(data), performance.now() - t0);
      return;
    }
    const { limits } = this.ctx.config;
    if (!isBinary && rawLength(data) > limits.maxTextBytes) {
      // Parsing megabytes of JSON text is the costly part; real clients send audio in small pieces.
      this.ctx.stats.refusedMessages++;
      this.protocolError(new SoundFlowError('message_too_large', `JSON message larger than ${limits.maxTextBytes} bytes (send audio in smaller pieces or as binary frames)`, { recoverable: true }));
      this.charge(rawLength(data), performance.now() - t0);
      return;
    }
    const buf = Array.isArray(data) ? Buffer.concat(data) : Buffer.isBuffer(data) ? data : Buffer.from(data);
    try {
      if (isBinary) this.handleBinary(buf);
      else {
        // Shape first (a cheap byte scan), so JSON.parse only ever sees bounded input.
        checkJsonShape(buf, { maxDepth: limits.maxJsonDepth, maxValues: limits.maxJsonValues });
        this.handleText(buf.toString('utf8'));
      }
    } catch (err) {
      // A protocol handler must never take the server down: report and carry on.
      const sfErr = err instanceof SoundFlowError ? err : new SoundFlowError('server_error', String(err), { recoverable: true });
      if (sfErr.code === 'message_too_deep' || sfErr.code === 'message_too_complex') this.ctx.stats.refusedMessages++;
      if (!(err instanceof SoundFlowError)) this.log.error({ err }, 'protocol handler failed');
      this.protocolError(sfErr);
    }
    this.charge(buf.length, performance.now() - t0);
  }

  /** Bills the message to the connection's budget; in debt, reading pauses until it is paid back. */
  private charge(bytes: number, ms: number): void {
    const wait = this.budget.charge(bytes, ms);
    if (wait <= 0 || this.budgetTimer || this.closing) return;
    this.ctx.stats.throttled++;
    this.ctx.observer.throttled();
    if (this.budget.throttled === 1) this.log.info({ waitMs: Math.round(wait) }, 'over budget: reading paused');
    this.gate.pause('budget');
    this.link.holdInput(true);
    this.budgetTimer = setTimeout(() => {
      this.budgetTimer = undefined;
      this.link.holdInput(false);
      this.gate.resume('budget');
    }, Math.min(wait, 10_000));
    this.budgetTimer.unref();
  }

  protected protocolError(err: SoundFlowError, param: string | null = null, eventId: string | null = null): void {
    this.ctx.stats.protocolErrors++;
    this.sendError(err.code, err.message, { recoverable: err.recoverable, param, eventId });
  }

  /** The engine stream finished: say goodbye and close. */
  protected onStreamEnd(): void {
    if (this.closing) return; // a shutdown in progress closes the socket itself
    this.closing = true;
    this.cleanup();
    this.closeSocket(1000, 'session ended');
  }

  private closeSocket(code: number, reason: string): void {
    if (this.ws.readyState !== this.ws.OPEN) return;
    this.ws.close(code, reason);
    setTimeout(() => this.ws.terminate(), 2000).unref();
  }

  private onClientGone(code: number, reason: string): void {
    this.closing = true;
    this.cleanup();
    this.link.close();
    this.log.info({ code, reason, durationS: Math.round((Date.now() - this.openedAt) / 100) / 10 }, 'connection closed');
  }

  private cleanup(): void {
    clearTimeout(this.idleTimer);
    clearTimeout(this.maxTimer);
    clearTimeout(this.budgetTimer);
    this.budgetTimer = undefined;
    if (this.ctx.connections.delete(this)) {
      this.ctx.stats.sessionsActive--;
      this.ctx.observer.sessionClosed((Date.now() - this.openedAt) / 1000);
    }
  }

  /** True once the session is ending or gone (drain waits for these to leave). */
  get ending(): boolean {
    return this.closing;
  }

  /** Ends the engine session gracefully (replies finish, events flush), then closes the socket. */
  async shutdown(code: number, reason: string, graceMs = this.ctx.config.limits.shutdownGraceMs): Promise<void> {
    if (this.closing) return;
    this.closing = true;
    await this.link.finish(graceMs);
    this.cleanup();
    this.closeSocket(code, reason);
  }
}

function countError(observer: SessionObserver, ev: object): void {
  const e = ev as { type?: unknown; code?: unknown; error?: { code?: unknown } };
  if (e.type !== 'error') return;
  const code = typeof e.code === 'string' ? e.code : e.error?.code;
  if (typeof code === 'string') observer.error(code);
}

function rawLength(data: RawData): number {
  if (Array.isArray(data)) return data.reduce((n, b) => n + b.length, 0);
  return data.byteLength;
}
