// Server settings and their defaults, merged in one place (the CLI and tests pass partials).
import type { SessionOptions } from '../../engine/options.ts';
import { makeLogger, type Logger } from './ops/logger.ts';

export interface ServerLimits {
  /** Largest WebSocket message accepted; bigger ones get a `message_too_large` error and close 1009. */
  maxFrameBytes: number;
  /** Largest JSON text message parsed; bigger ones are dropped with a recoverable `message_too_large` (1 MiB = 22 s of 24 kHz base64 audio). */
  maxTextBytes: number;
  /** JSON shape limits checked by a byte scan before JSON.parse (src/transport/server/limits.ts). */
  maxJsonDepth: number;
  maxJsonValues: number;
  /** Per-connection budget: inbound bytes/s and main-thread handler ms/s (with bursts); over it, reading pauses. */
  inboundBytesPerSecond: number;
  inboundBurstBytes: number;
  handlerMsPerSecond: number;
  handlerBurstMs: number;
  /** Client messages per second (token bucket refill rate) and the burst allowed above it. */
  maxMessagesPerSecond: number;
  messageBurst: number;
  /** Rate-limit violations tolerated before the connection is closed (1008). */
  maxViolations: number;
  /** No client message for this long ends the session. */
  idleTimeoutMs: number;
  /** Hard cap on one session's wall-clock duration. */
  maxDurationMs: number;
  /** Above this many bytes waiting in the socket, reply audio is dropped (counted), not queued. */
  maxBufferedBytes: number;
  /** Above this, even control events cannot be delivered: the client is closed as too slow. */
  maxBufferedBytesHard: number;
  /** Inbound audio (bytes) waiting for the engine before the socket is paused. */
  maxPendingInputBytes: number;
  /** Without client audio for this long, the session is fed silence in real time (keeps its clock running). */
  fillSilenceAfterMs: number;
  /** Concurrent sessions; more are refused with 1013 (try again later). */
  maxSessions: number;
  /** How long graceful shutdown waits for sessions to finish their replies. */
  shutdownGraceMs: number;
  /** After a client's own `end`, how long its queued input and replies may take to finish (it waits for session.ended). */
  endGraceMs: number;
}

/** SIGTERM behaviour (see docs/deploy.md). */
export interface DrainConfig {
  /** After /readyz turns 503, new sessions are still accepted this long (a load balancer's health check needs time to notice). */
  delayMs: number;
  /** Live sessions may go on this long before they are ended (replies finish) and closed 1001. */
  graceMs: number;
}

export interface ServerConfig {
  host: string;
  /** 0 picks a free port. */
  port: number;
  /** When set, clients must present it (Authorization: Bearer, ?token=, or the openai-insecure-api-key subprotocol). */
  token?: string;
  /** PEM cert/key: serve https/wss. */
  tls?: { cert: string | Buffer; key: string | Buffer };
  limits: ServerLimits;
  /** Engine options every session starts from (clients may override some per session). */
  sessionDefaults: Partial<SessionOptions>;
  /** Directory of the browser page's static files. */
  webRoot: string;
  /** Extra origins allowed to open sessions (`*` = any); the server's own page and clients without Origin always are. */
  allowOrigins: string[];
  drain: DrainConfig;
  /** False until the engine's models are loaded (answers /readyz); default: always ready. */
  ready: () => boolean;
  /** Serve Prometheus metrics on /metrics (default true). */
  metrics: boolean;
  /** Structured logger (pino); built from `log` when only that is given; silent by default. */
  logger: Logger;
  /** Diagnostic log sink for plain lines (kept for embedders); prefer `logger`. */
  log: (line: string) => void;
}

export type ServerOptions = Partial<Omit<ServerConfig, 'limits' | 'drain'>> & { limits?: Partial<ServerLimits>; drain?: Partial<DrainConfig> };

export const DEFAULT_LIMITS: Readonly<ServerLimits> = Object.freeze({
  maxFrameBytes: 4 * 1024 * 1024,
  maxTextBytes: 1024 * 1024,
  maxJsonDepth: 32,
  maxJsonValues: 10_000,
  // Real-time audio is 32 KB/s (PCM16 16 kHz) or 64 KB/s (base64 24 kHz): 1 MiB/s lets a client
  // stream a file 16x faster than real time; the burst covers a 4 MiB message plus slack.
  inboundBytesPerSecond: 1024 * 1024,
  inboundBurstBytes: 8 * 1024 * 1024,
  // A tenth of a core per connection sustained; real-time audio costs well under 1 ms/s here.
  handlerMsPerSecond: 100,
  handlerBurstMs: 500,
  maxMessagesPerSecond: 200,
  messageBurst: 400,
  maxViolations: 50,
  idleTimeoutMs: 5 * 60_000,
  maxDurationMs: 180 * 60_000,
  maxBufferedBytes: 1024 * 1024,
  maxBufferedBytesHard: 16 * 1024 * 1024,
  maxPendingInputBytes: 512 * 1024,
  fillSilenceAfterMs: 1000,
  maxSessions: 64,
  shutdownGraceMs: 5_000,
  endGraceMs: 30_000,
});

export const DEFAULT_SESSION: Readonly<Partial<SessionOptions>> = Object.freeze({ speak: true, outputSampleRate: 24000 });

export const DEFAULT_DRAIN: Readonly<DrainConfig> = Object.freeze({ delayMs: 0, graceMs: 30_000 });

export function resolveConfig(partial: ServerOptions = {}): ServerConfig {
  const limits = { ...DEFAULT_LIMITS, ...stripUndefined(partial.limits ?? {}) };
  for (const [k, v] of Object.entries(limits)) {
    if (!(typeof v === 'number' && v > 0)) throw new RangeError(`server limit ${k} must be a positive number, got ${v}`);
  }
  const drain = { ...DEFAULT_DRAIN, ...stripUndefined(partial.drain ?? {}) };
  for (const [k, v] of Object.entries(drain)) {
    if (!(typeof v === 'number' && v >= 0)) throw new RangeError(`drain ${k} must be a number >= 0, got ${v}`);
  }
  const port = partial.port ?? 8080;
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new RangeError(`port must be 0..65535, got ${port}`);
  return {
    host: partial.host ?? '127.0.0.1',
    port,
    token: partial.token || undefined,
    tls: partial.tls,
    limits,
    sessionDefaults: { ...DEFAULT_SESSION, ...stripUndefined(partial.sessionDefaults ?? {}) },
    webRoot: partial.webRoot ?? new URL('../web/', import.meta.url).pathname,
    allowOrigins: partial.allowOrigins ?? [],
    drain,
    ready: partial.ready ?? (() => true),
    metrics: partial.metrics ?? true,
    logger: makeLogger(partial),
    log: partial.log ?? (() => {}),
  };
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
