// `soundflow serve`: the multi-session WebSocket server and browser page.
import { endpointsFromEnv, serverTokenFromEnv } from '../../env.ts';
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { SoundFlowError } from '../../../util/errors.ts';
import { startServer } from '../../server/server.ts';
import { stderrLogger } from '../../server/ops/logger.ts';
import { installLastResort } from '../../server/ops/last-resort.ts';

const HELP = `usage: soundflow serve [--port 8080] [--host 127.0.0.1] [--token T] [--cert cert.pem --key key.pem]
                       [--engine embedded] [--max-sessions N] [--idle-timeout S] [--max-duration MIN] [--quiet]
                       [--allow-origin URL]... [--drain-delay S] [--drain-grace S]
  /            browser page        /healthz      alive (status JSON)    /readyz  ready for sessions
  /ws          native protocol     /v1/realtime  OpenAI Realtime-compatible (PCM16 24 kHz)
  /metrics     Prometheus metrics
  The token may also come from SOUNDFLOW_TOKEN. Logs are JSON lines on stderr.
  SIGTERM drains: /readyz 503, new sessions taken for --drain-delay (0 s), then refused (1013);
  live sessions get --drain-grace (30 s) to finish. SIGINT ends sessions at once; a second signal exits.`;

function num(v: string | undefined, name: string): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isFinite(n) || n <= 0) throw new SoundFlowError('invalid_argument', `--${name} must be a positive number, got ${JSON.stringify(v)}`);
  return n;
}

export async function run(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      port: { type: 'string', default: '8080' },
      host: { type: 'string', default: '127.0.0.1' },
      token: { type: 'string' },
      cert: { type: 'string' },
      key: { type: 'string' },
      engine: { type: 'string', default: 'embedded' },
      'max-sessions': { type: 'string' },
      'idle-timeout': { type: 'string' },
      'max-duration': { type: 'string' },
      quiet: { type: 'boolean', default: false },
      'allow-origin': { type: 'string', multiple: true, default: [] },
      'drain-delay': { type: 'string' },
      'drain-grace': { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
    strict: true,
  });
  if (values.help) {
    process.stdout.write(HELP + '\n');
    return 0;
  }
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new SoundFlowError('invalid_argument', `--port must be 0..65535, got ${values.port}`);
  if (!!values.cert !== !!values.key) throw new SoundFlowError('invalid_argument', '--cert and --key go together');
  const tls = values.cert && values.key ? { cert: readFileSync(values.cert), key: readFileSync(values.key) } : undefined;
  const idle = num(values['idle-timeout'], 'idle-timeout');
  const maxMin = num(values['max-duration'], 'max-duration');
  const logger = stderrLogger(values.quiet);
  const seconds = (v: string | undefined, name: string) => {
    if (v === undefined) return undefined;
    const n = Number(v);
    if (!Number.isFinite(n) || n < 0) throw new SoundFlowError('invalid_argument', `--${name} must be seconds >= 0, got ${JSON.stringify(v)}`);
    return n * 1000;
  };
  const drain = { delayMs: seconds(values['drain-delay'], 'drain-delay'), graceMs: seconds(values['drain-grace'], 'drain-grace') };

  const { createEngine } = await import('../../../engine/registry.ts');
  const engine = await createEngine(values.engine);
  await engine.warmUp?.();
  const server = await startServer(engine, {
    host: values.host,
    port,
    token: values.token ?? serverTokenFromEnv(),
    sessionDefaults: endpointsFromEnv(),
    tls,
    logger,
    allowOrigins: values['allow-origin'] as string[],
    drain,
    limits: {
      maxSessions: num(values['max-sessions'], 'max-sessions'),
      idleTimeoutMs: idle === undefined ? undefined : idle * 1000,
      maxDurationMs: maxMin === undefined ? undefined : maxMin * 60_000,
    },
  });
  // Tests and scripts wait for this exact line (it carries the real port when --port 0).
  process.stdout.write(`listening ${server.url}\n`);

  // From here on, nothing a client sends may end the process: escaped errors are logged, serving goes on.
  installLastResort(logger, () => server.metrics?.uncaught.inc());
  await new Promise<void>((resolve) => {
    let stopping = false;
    const stop = (sig: string) => {
      if (stopping) process.exit(130); // a second signal means "now"
      stopping = true;
      logger.info({ signal: sig, sessionsActive: server.stats.sessionsActive }, sig === 'SIGTERM' ? 'draining' : 'ending sessions');
      void (sig === 'SIGTERM' ? server.drain() : server.close())
        .then(() => engine.close?.())
        .finally(resolve);
    };
    process.on('SIGINT', () => stop('SIGINT'));
    process.on('SIGTERM', () => stop('SIGTERM'));
  });
  return 0;
}
