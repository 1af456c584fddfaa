// The SoundFlow server: one http(s) listener with routes `/` (browser page), `/healthz`, and two
// WebSocket endpoints, `/ws` (native protocol) and `/v1/realtime` (OpenAI Realtime subset).
// Every connection gets its own engine session; all share one Engine.
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import type { Engine } from '../../engine/types.ts';
import { SoundFlowError } from '../../util/errors.ts';
import { isAuthorized } from './auth.ts';
import { resolveConfig, type ServerConfig, type ServerLimits } from './config.ts';
import type { Connection, ConnectionContext, ServerStats } from './connection.ts';
import { NativeConnection } from './native.ts';
import { RealtimeConnection } from './realtime.ts';
import { StaticFiles } from './static.ts';

export type ServeOptions = Partial<Omit<ServerConfig, 'limits'>> & { limits?: Partial<ServerLimits> };

export interface SoundFlowServer {
  /** Base URL, e.g. http://127.0.0.1:8080 (https when TLS is on). */
  readonly url: string;
  readonly port: number;
  readonly stats: Readonly<ServerStats>;
  readonly config: ServerConfig;
  /** The underlying node server (to add routes, or to watch sockets in tests). */
  readonly http: Server;
  /** Graceful: stops accepting, ends every session (replies finish, within the grace period), closes. */
  close(): Promise<void>;
}

const WS_PATHS = new Set(['/ws', '/v1/realtime', '/realtime']);
const SUBPROTOCOLS = ['realtime', 'soundflow.v1'];

export async function startServer(engine: Engine, options: ServeOptions = {}): Promise<SoundFlowServer> {
  const config = resolveConfig(options);
  const stats: ServerStats = { sessionsActive: 0, sessionsTotal: 0, droppedAudioMessages: 0, droppedAudioBytes: 0, protocolErrors: 0, rateLimited: 0 };
  const connections = new Set<Connection>();
  const ctx: ConnectionContext = { engine, config, stats, connections };
  const files = new StaticFiles(config.webRoot);
  const startedAt = Date.now();
  let closing = false;

  const onRequest = (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (url.pathname === '/healthz') {
      res.writeHead(closing ? 503 : 200, { 'content-type': 'application/json', 'cache-control': 'no-store' });
      res.end(JSON.stringify({ ok: !closing, engine: engine.name, uptimeS: Math.round((Date.now() - startedAt) / 1000), ...stats }));
      return;
    }
    if (files.serve(req, res, url.pathname)) return;
    if (WS_PATHS.has(url.pathname)) {
      res.writeHead(426, { 'content-type': 'text/plain', upgrade: 'websocket' }).end('WebSocket upgrade required\n');
      return;
    }
    res.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
  };

  const http: Server = config.tls ? createHttpsServer({ cert: config.tls.cert, key: config.tls.key }, onRequest) : createHttpServer(onRequest);
  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: config.limits.maxFrameBytes,
    perMessageDeflate: false, // CPU goes to audio, not to compressing PCM
    handleProtocols: (offered) => SUBPROTOCOLS.find((p) => offered.has(p)) ?? false,
  });

  http.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const reject = (status: number, text: string) => {
      socket.end(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Type: text/plain\r\nContent-Length: ${text.length + 1}\r\n\r\n${text}\n`);
    };
    if (!WS_PATHS.has(url.pathname)) return reject(404, 'Not Found');
    if (closing) return reject(503, 'Service Unavailable');
    if (!isAuthorized(config.token, req, url)) return reject(401, 'Unauthorized');
    socket.on('error', () => {}); // a reset during the handshake must not crash the process
    wss.handleUpgrade(req, socket, head, (ws: WebSocket) => {
      if (connections.size >= config.limits.maxSessions) {
        ws.close(1013, 'server full, try again later');
        return;
      }
      try {
        if (url.pathname === '/ws') new NativeConnection(ctx, ws, req, url);
        else new RealtimeConnection(ctx, ws, req, url);
      } catch (err) {
        config.log(`connection setup failed: ${String(err)}`);
        ws.close(1011, 'internal error');
      }
    });
  });
  http.on('clientError', (_err, socket) => socket.destroy());

  await new Promise<void>((resolve, reject) => {
    http.once('error', (err: NodeJS.ErrnoException) =>
      reject(new SoundFlowError('listen_failed', `cannot listen on ${config.host}:${config.port}: ${err.code ?? err.message}`, { cause: err })),
    );
    http.listen(config.port, config.host, () => resolve());
  });
  const addr = http.address();
  const port = typeof addr === 'object' && addr ? addr.port : config.port;
  const host = config.host.includes(':') ? `[${config.host}]` : config.host;
  config.log(`listening on ${config.tls ? 'https' : 'http'}://${host}:${port} (engine ${engine.name})`);

  return {
    url: `${config.tls ? 'https' : 'http'}://${host}:${port}`,
    port,
    stats,
    config,
    http,
    async close() {
      if (closing) return;
      closing = true;
      await Promise.all([...connections].map((c) => c.shutdown(1001, 'server shutting down')));
      for (const ws of wss.clients) ws.terminate();
      wss.close();
      http.closeAllConnections?.();
      await new Promise<void>((resolve) => http.close(() => resolve()));
    },
  };
}
