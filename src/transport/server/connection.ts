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
}

export interface ConnectionContext {
  engine: Engine;
  config: ServerConfig;
  stats: ServerStats;
  connections: Set<Connection>;
}

let nextConn = 1;

export abstract class Connection {
  readonly connId = `c${nextConn++}`;
  protected readonly link: SessionLink;
  protected readonly out: Outbound;
  protected readonly options: Partial<SessionOptions>;
  private readonly rate: RateLimiter;
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
    const { limits } = ctx.config;
    this.options = { ...ctx.config.sessionDefaults };
    this.out = new Outbound(ws, limits.maxBufferedBytes, limits.maxBufferedBytesHard, (s) => {
      ctx.stats.droppedAudioMessages++;
      ctx.stats.droppedAudioBytes += s.droppedAudioBytes - this.lastDropReport;
      this.lastDropReport = s.droppedAudioBytes;
    });
    this.rate = new RateLimiter(limits.maxMessagesPerSecond, limits.messageBurst);
    this.link = new SessionLink(ctx.engine, ws, limits.maxPendingInputBytes, {
      onEvent: (ev) => this.handleEvent(ev),
      onStreamEnd: () => this.onStreamEnd(),
      onError: (err) => this.sendError(err.code, err.message, { recoverable: err.recoverable }),
    }, limits.fillSilenceAfterMs);
    ctx.connections.add(this);
    ctx.stats.sessionsActive++;
    ctx.stats.sessionsTotal++;

    ws.on('message', (data, isBinary) => this.onMessage(data, isBinary));
    ws.on('close', () => this.onClientGone());
    ws.on('error', (err) => ctx.config.log(`[${this.connId}] socket error: ${err.message}`));
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

  private onMessage(data: RawData, isBinary: boolean): void {
    if (this.closing) return;
    this.touch();
    if (!this.rate.take()) {
      this.ctx.stats.rateLimited++;
      if (this.rate.violations > this.ctx.config.limits.maxViolations) {
        this.sendError('rate_limited', 'too many messages; closing', { recoverable: false });
        void this.shutdown(1008, 'rate limit');
      } else if (this.rate.violations === 1 || this.rate.violations % 10 === 0) {
        this.sendError('rate_limited', `message dropped: more than ${this.ctx.config.limits.maxMessagesPerSecond} messages/s`, { recoverable: true });
      }
      return;
    }
    const buf = Array.isArray(data) ? Buffer.concat(data) : Buffer.isBuffer(data) ? data : Buffer.from(data);
    try {
      if (isBinary) this.handleBinary(buf);
      else this.handleText(buf.toString('utf8'));
    } catch (err) {
      // A protocol handler must never take the server down: report and carry on.
      this.protocolError(err instanceof SoundFlowError ? err : new SoundFlowError('server_error', String(err), { recoverable: true }));
    }
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

  private onClientGone(): void {
    this.closing = true;
    this.cleanup();
    this.link.close();
  }

  private cleanup(): void {
    clearTimeout(this.idleTimer);
    clearTimeout(this.maxTimer);
    if (this.ctx.connections.delete(this)) this.ctx.stats.sessionsActive--;
  }

  /** Ends the engine session gracefully (replies finish, events flush), then closes the socket. */
  async shutdown(code: number, reason: string): Promise<void> {
    if (this.closing) return;
    this.closing = true;
    await this.link.finish(this.ctx.config.limits.shutdownGraceMs);
    this.cleanup();
    this.closeSocket(code, reason);
  }
}
