// Server settings and their defaults, merged in one place (the CLI and tests pass partials).
import type { SessionOptions } from '../../engine/options.ts';

export interface ServerLimits {
  /** Largest WebSocket message accepted; bigger ones close the connection with 1009. */
  maxFrameBytes: number;
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
  /** Diagnostic log sink; silent by default. */
  log: (line: string) => void;
}

export const DEFAULT_LIMITS: Readonly<ServerLimits> = Object.freeze({
  maxFrameBytes: 4 * 1024 * 1024,
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
});

export const DEFAULT_SESSION: Readonly<Partial<SessionOptions>> = Object.freeze({ speak: true, outputSampleRate: 24000 });

export function resolveConfig(partial: Partial<Omit<ServerConfig, 'limits'>> & { limits?: Partial<ServerLimits> } = {}): ServerConfig {
  const limits = { ...DEFAULT_LIMITS, ...stripUndefined(partial.limits ?? {}) };
  for (const [k, v] of Object.entries(limits)) {
    if (!(typeof v === 'number' && v > 0)) throw new RangeError(`server limit ${k} must be a positive number, got ${v}`);
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
    log: partial.log ?? (() => {}),
  };
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
