// The SoundFlow server: one http(s) listener with routes `/` (browser page), `/healthz` (alive),
// `/readyz` (ready for new sessions), `/metrics` (Prometheus), and two WebSocket endpoints, `/ws`
// (native protocol) and `/v1/realtime` (OpenAI Realtime subset). Every connection gets its own engine
// session; all share one Engine. Every input path is total: a request or upgrade the server cannot
// make sense of is answered 400, never thrown (see request-target.ts, limits.ts).
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import type { Engine } from '../../engine/types.ts';
import { SoundFlowError, errorMessage } from '../../util/errors.ts';
import { isAuthorized, selectProtocol } from './auth.ts';
import { resolveConfig, type ServerConfig, type ServerOptions } from './config.ts';
import type { Connection, ConnectionContext, ServerStats } from './connection.ts';
import { setSecurityHeaders } from './http-headers.ts';
import { NativeConnection } from './native.ts';
import { ServerMetrics } from './ops/metrics.ts';
import { HeapTrimmer } from './ops/memory.ts';
import { fanOut } from './ops/observer.ts';
import { originPolicy } from './origin.ts';
import { RealtimeConnection } from './realtime.ts';
import { parseTarget } from './request-target.ts';
import { StaticFiles } from './static.ts';

export type ServeOptions = ServerOptions;

export interface SoundFlowServer {
  /** Base URL, e.g. http://127.0.0.1:8080 (https when TLS is on). */
  readonly url: string;
  readonly port: number;
  readonly stats: Readonly<ServerStats>;
  readonly config: ServerConfig;
  /** The underlying node server (to add routes, or to watch sockets in tests). */
  readonly http: Server;
  /** Prometheus metrics (undefined with `metrics: false`). */
  readonly metrics?: ServerMetrics;
  /** True from drain() or close() on: /readyz answers 503. */
  readonly draining: boolean;
  /**
   * SIGTERM behaviour: /readyz turns 503 at once; new sessions are still taken for `drain.delayMs`
   * (a load balancer needs a health check or two to notice), then refused with close 1013; live
   * sessions go on until they end or `drain.graceMs` passes, then are ended (replies finish) and
   * closed 1001; finally the listener closes.
   */
  drain(): Promise<void>;
  /** Graceful: stops accepting, ends every session (replies finish, within the grace period), closes. */
  close(): Promise<void>;
}

const WS_PATHS = new Set(['/ws', '/v1/realtime', '/realtime']);
const SUBPROTOCOLS = ['realtime', 'soundflow.v1'];
const STATUS_TEXT: Record<number, string> = { 400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found', 503: 'Service Unavailable' };

export async function startServer(engine: Engine, options: ServeOptions = {}): Promise<SoundFlowServer> {
  const config = resolveConfig(options);
  const log = config.logger;
  const stats: ServerStats = { sessionsActive: 0, sessionsTotal: 0, droppedAudioMessages: 0, droppedAudioBytes: 0, protocolErrors: 0, rateLimited: 0, throttled: 0, refusedMessages: 0 };
  const connections = new Set<Connection>();
  let closing = false; // close(): everything ends now
  let draining = false; // drain(): not ready, live sessions may finish
  let refusing = false; // new sessions get 1013
  const metrics = config.metrics ? new ServerMetrics({ sessionsActive: () => stats.sessionsActive, draining: () => draining || closing }) : undefined;
  // Native memory freed by closed sessions goes back to the OS (docs/notes/server.md: +400 MB otherwise).
  const trimmer = new HeapTrimmer();
  const ctx: ConnectionContext = { engine, config, stats, connections, observer: fanOut(...(metrics ? [metrics] : []), { sessionClosed: () => trimmer.sessionClosed() }) };
  const files = new StaticFiles(config.webRoot);
  const allowOrigin = originPolicy(config.allowOrigins);
  const startedAt = Date.now();
  const isReady = () => !draining && !closing && safeReady(config.ready);

  const json = (res: ServerResponse, status: number, body: object) => {
    res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' }).end(JSON.stringify(body));
  };

  const route = (req: IncomingMessage, res: ServerResponse) => {
    setSecurityHeaders(res);
    const url = parseTarget(req.url);
    if (!url) return void res.writeHead(400, { 'content-type': 'text/plain' }).end('bad request target\n');
    switch (url.pathname) {
      case '/healthz':
        return json(res, 200, { ok: true, engine: engine.name, uptimeS: Math.round((Date.now() - startedAt) / 1000), ready: isReady(), draining: draining || closing, ...stats });
      case '/readyz': {
        const ready = isReady();
        return json(res, ready ? 200 : 503, { ready, draining: draining || closing, sessionsActive: stats.sessionsActive });
      }
      case '/metrics':
        if (!metrics) break;
        void metrics.text().then(
          (body) => res.writeHead(200, { 'content-type': metrics.registry.contentType, 'cache-control': 'no-store' }).end(body),
          (err) => res.writeHead(500, { 'content-type': 'text/plain' }).end(`metrics failed: ${errorMessage(err)}\n`),
        );
        return;
    }
    if (files.serve(req, res, url.pathname)) return;
    if (WS_PATHS.has(url.pathname)) {
      res.writeHead(426, { 'content-type': 'text/plain', upgrade: 'websocket' }).end('WebSocket upgrade required\n');
      return;
    }
    res.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
  };

  const onRequest = (req: IncomingMessage, res: ServerResponse) => {
    try {
      route(req, res);
    } catch (err) {
      log.error({ err, url: String(req.url).slice(0, 200) }, 'request handler failed');
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
      res.end();
    }
  };

  const http: Server = config.tls ? createHttpsServer({ cert: config.tls.cert, key: config.tls.key }, onRequest) : createHttpServer(onRequest);
  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: config.limits.maxFrameBytes,
    perMessageDeflate: false, // CPU goes to audio, not to compressing PCM
    handleProtocols: (offered) => selectProtocol(offered, SUBPROTOCOLS),
  });

  const onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => {}); // a reset during the handshake must not crash the process
    const reject = (status: number) => {
      const text = STATUS_TEXT[status] ?? 'Error';
      socket.end(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Type: text/plain\r\nContent-Length: ${text.length + 1}\r\n\r\n${text}\n`);
    };
    const url = parseTarget(req.url);
    if (!url) return reject(400);
    if (!WS_PATHS.has(url.pathname)) return reject(404);
    if (closing) return reject(503);
    if (!allowOrigin(req)) {
      log.warn({ origin: String(req.headers.origin).slice(0, 200) }, 'upgrade refused: origin not allowed');
      return reject(403);
    }
    if (!isAuthorized(config.token, req, url.searchParams)) return reject(401);
    wss.handleUpgrade(req, socket, head, (ws: WebSocket) => {
      const realtime = url.pathname !== '/ws';
      if (refusing) return refuse(ws, realtime, 'server_draining', 'server is restarting; connect again');
      if (connections.size >= config.limits.maxSessions) return refuse(ws, realtime, 'server_full', 'server full, try again later');
      try {
        if (realtime) new RealtimeConnection(ctx, ws, req, url);
        else new NativeConnection(ctx, ws, req, url);
      } catch (err) {
        log.error({ err }, 'connection setup failed');
        ws.close(1011, 'internal error');
      }
    });
  };

  http.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    try {
      onUpgrade(req, socket, head);
    } catch (err) {
      log.error({ err, url: String(req.url).slice(0, 200) }, 'upgrade handler failed');
      socket.destroy();
    }
  });
  // Unparseable requests: a plain 400 when the socket can still take it (what node does by default).
  http.on('clientError', (err: NodeJS.ErrnoException, socket: Duplex) => {
    if (socket.writable && err.code !== 'ECONNRESET') socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n');
    else socket.destroy();
  });

  await new Promise<void>((resolve, reject) => {
    http.once('error', (err: NodeJS.ErrnoException) =>
      reject(new SoundFlowError('listen_failed', `cannot listen on ${config.host}:${config.port}: ${err.code ?? err.message}`, { cause: err })),
    );
    http.listen(config.port, config.host, () => resolve());
  });
  const addr = http.address();
  const port = typeof addr === 'object' && addr ? addr.port : config.port;
  const host = config.host.includes(':') ? `[${config.host}]` : config.host;
  const url = `${config.tls ? 'https' : 'http'}://${host}:${port}`;
  log.info({ url, engine: engine.name }, 'listening');
  config.log(`listening on ${url} (engine ${engine.name})`);

  const closeAll = async (code: number, reason: string) => {
    await Promise.all([...connections].map((c) => c.shutdown(code, reason)));
    trimmer.stop();
    for (const ws of wss.clients) ws.terminate();
    wss.close();
    http.closeAllConnections?.();
    await new Promise<void>((resolve) => http.close(() => resolve()));
  };

  let drained: Promise<void> | undefined;
  return {
    url,
    port,
    stats,
    config,
    http,
    metrics,
    get draining() {
      return draining || closing;
    },
    drain() {
      drained ??= (async () => {
        draining = true;
        const { delayMs, graceMs } = config.drain;
        log.info({ sessionsActive: stats.sessionsActive, delayMs, graceMs }, 'draining');
        await sleep(delayMs);
        refusing = true;
        const deadline = Date.now() + graceMs;
        while (connections.size > 0 && Date.now() < deadline) await sleep(Math.min(200, deadline - Date.now()));
        if (connections.size > 0) log.warn({ sessionsActive: connections.size }, 'drain grace over: ending live sessions');
        closing = true;
        await closeAll(1001, 'server restarting; connect again');
        log.info('drained');
      })();
      return drained;
    },
    async close() {
      if (closing) return drained;
      closing = true;
      refusing = true;
      await closeAll(1001, 'server shutting down');
    },
  };
}

/** Tells a client why it is turned away, in its protocol's error shape, then closes 1013 (try again later). */
function refuse(ws: WebSocket, realtime: boolean, code: string, message: string): void {
  const ev = realtime
    ? { type: 'error', event_id: `event_refused_${Date.now().toString(36)}`, error: { type: 'server_error', code, message, param: null, event_id: null } }
    : { type: 'error', code, message, recoverable: false };
  ws.send(JSON.stringify(ev));
  ws.close(1013, message);
  setTimeout(() => ws.terminate(), 2000).unref();
}

function safeReady(ready: () => boolean): boolean {
  try {
    return ready();
  } catch {
    return false;
  }
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, Math.max(0, ms)));
