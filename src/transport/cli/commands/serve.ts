// `soundflow serve`: the multi-session WebSocket server and browser page.
import { endpointsFromEnv, serverTokenFromEnv } from '../../env.ts';
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { SoundFlowError } from '../../../util/errors.ts';
import { startServer } from '../../server/server.ts';

const HELP = `usage: soundflow serve [--port 8080] [--host 127.0.0.1] [--token T] [--cert cert.pem --key key.pem]
                       [--engine embedded] [--max-sessions N] [--idle-timeout S] [--max-duration MIN] [--quiet]
  /            browser page        /healthz      status JSON
  /ws          native protocol     /v1/realtime  OpenAI Realtime-compatible (PCM16 24 kHz)
  The token may also come from SOUNDFLOW_TOKEN.`;

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
  const log = values.quiet ? () => {} : (line: string) => process.stderr.write(`soundflow serve: ${line}\n`);

  const { createEngine } = await import('../../../engine/registry.ts');
  const engine = await createEngine(values.engine);
  await engine.warmUp?.();
  const server = await startServer(engine, {
    host: values.host,
    port,
    token: values.token ?? serverTokenFromEnv(),
    sessionDefaults: endpointsFromEnv(),
    tls,
    log,
    limits: {
      maxSessions: num(values['max-sessions'], 'max-sessions'),
      idleTimeoutMs: idle === undefined ? undefined : idle * 1000,
      maxDurationMs: maxMin === undefined ? undefined : maxMin * 60_000,
    },
  });
  // Tests and scripts wait for this exact line (it carries the real port when --port 0).
  process.stdout.write(`listening ${server.url}\n`);

  await new Promise<void>((resolve) => {
    let stopping = false;
    const stop = (sig: string) => {
      if (stopping) process.exit(130); // a second signal means "now"
      stopping = true;
      log(`${sig}: ending ${server.stats.sessionsActive} session(s)`);
      void server
        .close()
        .then(() => engine.close?.())
        .finally(resolve);
    };
    process.on('SIGINT', () => stop('SIGINT'));
    process.on('SIGTERM', () => stop('SIGTERM'));
  });
  return 0;
}
