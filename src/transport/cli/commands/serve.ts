// `soundflow serve`: the multi-session WebSocket server and browser page.
import { aimUrlFromEnv, chunkTraceFileFromEnv, endpoint, endpointsFromEnv, serverTokenFromEnv } from '../../env.ts';
import { readFileSync } from 'node:fs';
import { parseFlags, type FlagDocs } from '../args.ts';
import { SoundFlowError } from '../../../util/errors.ts';
import { startServer } from '../../server/server.ts';
import { stderrLogger } from '../../server/ops/logger.ts';
import { installLastResort } from '../../server/ops/last-resort.ts';

const USAGE = `usage: soundflow serve [options]
  Routes: /  browser page   /healthz  alive (status JSON)   /readyz  ready for sessions   /metrics  Prometheus
          /ws  native protocol   /v1/realtime  OpenAI Realtime (PCM16 24 kHz)
  Logs are JSON lines on stderr. SIGTERM drains: /readyz 503, new sessions taken for --drain-delay,
  then refused (1013); live ones get --drain-grace to finish. SIGINT ends sessions at once; a second signal exits.
  The official openai client (always wss://): serve --tls, then run it with NODE_EXTRA_CA_CERTS=<the printed path>.`;

const OPTIONS = {
  port: { type: 'string', default: '8080' },
  host: { type: 'string', default: '127.0.0.1' },
  token: { type: 'string' },
  tls: { type: 'boolean', default: false },
  'dev-tls': { type: 'boolean', default: false },
  'tls-dir': { type: 'string' },
  cert: { type: 'string' },
  key: { type: 'string' },
  engine: { type: 'string', default: 'embedded' },
  'engine-url': { type: 'string' },
  asr: { type: 'string' },
  grammar: { type: 'string' },
  'perception-workers': { type: 'string', default: 'cores' },
  'llm-url': { type: 'string' },
  'llm-model': { type: 'string' },
  'asr-url': { type: 'string' },
  'asr-model': { type: 'string' },
  'max-sessions': { type: 'string' },
  'idle-timeout': { type: 'string' },
  'max-duration': { type: 'string' },
  quiet: { type: 'boolean', default: false },
  'allow-origin': { type: 'string', multiple: true },
  'drain-delay': { type: 'string' },
  'drain-grace': { type: 'string' },
} as const;

const DOCS: FlagDocs = {
  port: 'listen port (0 picks a free one)',
  host: 'listen address',
  token: 'clients must present it (also SOUNDFLOW_TOKEN)',
  tls: 'https/wss with a local development certificate, made on first use',
  'dev-tls': 'same as --tls',
  'tls-dir': 'where that certificate lives (default ~/.config/soundflow/tls)',
  cert: 'https/wss with your own PEM certificate (with --key)',
  key: 'its PEM private key',
  engine: 'embedded or aim-served',
  'engine-url': 'the served Audio-Interaction model (aim-served; also SOUNDFLOW_AIM_URL)',
  asr: 'embedded engine recogniser: two-pass or one-pass (decoders lent per utterance)',
  grammar: 'command-grammar reading with the one-pass recogniser: batch (default for a server: at pauses, less CPU per session) or streamed (as the audio arrives: lowest utterance-end latency for a few sessions)',
  'perception-workers': 'threads running VAD and the sound model, batched across sessions: N, or cores (default; 0 = main thread)',
  'llm-url': 'OpenAI-compatible chat endpoint (answers, Realtime instructions and tools; also SOUNDFLOW_LLM_BASE_URL)',
  'llm-model': 'its model',
  'asr-url': 'OpenAI-compatible /v1/audio/transcriptions endpoint (also SOUNDFLOW_ASR_BASE_URL)',
  'asr-model': 'its model (a Realtime session may pick another one)',
  'max-sessions': 'concurrent sessions (default 64)',
  'idle-timeout': 'seconds without a client message before a session ends (default 300)',
  'max-duration': 'longest session in minutes (default 180)',
  quiet: 'only warnings and errors on stderr',
  'allow-origin': 'a web origin allowed to open sessions besides the page itself (repeatable; * = any)',
  'drain-delay': 'seconds new sessions are still taken after SIGTERM, for a load balancer to notice (default 0)',
  'drain-grace': 'seconds live sessions may go on after SIGTERM (default 30)',
};

function num(v: string | undefined, name: string): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isFinite(n) || n <= 0) throw new SoundFlowError('invalid_argument', `--${name} must be a positive number, got ${JSON.stringify(v)}`);
  return n;
}

export async function run(args: string[]): Promise<number> {
  const { values } = parseFlags(args, OPTIONS, USAGE, DOCS);
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new SoundFlowError('invalid_argument', `--port must be 0..65535, got ${values.port}`);
  if (!!values.cert !== !!values.key) throw new SoundFlowError('invalid_argument', '--cert and --key go together');
  const devTls = values.tls || values['dev-tls'];
  if (devTls && values.cert) throw new SoundFlowError('invalid_argument', '--tls makes its own certificate: give either --tls or --cert/--key');
  let tls: { cert: Buffer; key: Buffer } | undefined = values.cert && values.key ? { cert: readFileSync(values.cert), key: readFileSync(values.key) } : undefined;
  if (devTls) {
    const { ensureDevCert, defaultCertDir } = await import('../../server/dev-cert.ts');
    const dev = ensureDevCert(values['tls-dir'] ?? defaultCertDir(), values.host === '127.0.0.1' || values.host === 'localhost' ? [] : [values.host]);
    tls = { cert: dev.cert, key: dev.key };
    process.stderr.write(
      `soundflow serve: ${dev.created ? 'created' : 'using'} the development certificate in ${dev.dir}\n` +
        `  node clients (the openai package) trust it with:\n  export NODE_EXTRA_CA_CERTS=${dev.caPath}\n`,
    );
  }
  const fromEnv = endpointsFromEnv();
  const llm = endpoint('LLM', values['llm-url'], values['llm-model']);
  const asrEndpoint = endpoint('ASR', values['asr-url'], values['asr-model']);
  if (!!values['llm-url'] !== !!values['llm-model']) throw new SoundFlowError('invalid_argument', '--llm-url and --llm-model go together');
  if (!!values['asr-url'] !== !!values['asr-model']) throw new SoundFlowError('invalid_argument', '--asr-url and --asr-model go together');
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
  const asr = values.asr;
  if (asr !== undefined && asr !== 'one-pass' && asr !== 'two-pass') throw new SoundFlowError('invalid_argument', `--asr must be one-pass or two-pass, got ${JSON.stringify(asr)}`);
  // A server's default is the batch reading: the knee bench serves more sessions with it (README).
  const grammar = values.grammar ?? 'batch';
  if (grammar !== 'streamed' && grammar !== 'batch') throw new SoundFlowError('invalid_argument', `--grammar must be streamed or batch, got ${JSON.stringify(grammar)}`);
  const pw = values['perception-workers'];
  const perceptionWorkers = pw === 'cores' ? 'cores' : Number(pw);
  if (perceptionWorkers !== 'cores' && !(Number.isInteger(perceptionWorkers) && perceptionWorkers >= 0 && perceptionWorkers <= 64)) {
    throw new SoundFlowError('invalid_argument', `--perception-workers must be an integer 0..64 or cores, got ${JSON.stringify(pw)}`);
  }
  // Diagnostics: per-chunk timing spans, event-loop stalls and GC to a file (bench/knee.ts reads them).
  const traceFile = chunkTraceFileFromEnv();
  if (traceFile) (await import('../../../util/chunk-trace.ts')).traceChunksTo(traceFile);
  // Before the models make this process large: the helper that starts espeak-ng for replies (a spawn
  // from a 1 GB process held the event loop 60–360 ms, src/util/spawner.ts), and the voice lists a
  // client's session.update is checked against (read with a synchronous spawn, once).
  (await import('../../../util/spawner.ts')).startSpawnHelper();
  (await import('../../server/voice-check.ts')).warmVoiceCheck();
  const engine = await createEngine(values.engine, { url: values['engine-url'] ?? aimUrlFromEnv(), embedded: { asr, grammar, perceptionWorkers } });
  await engine.warmUp?.();
  const server = await startServer(engine, {
    host: values.host,
    port,
    token: values.token ?? serverTokenFromEnv(),
    tls,
    logger,
    allowOrigins: [...(values['allow-origin'] ?? [])],
    drain,
    // Flags win over the environment.
    sessionDefaults: { ...fromEnv, ...(llm ? { llm } : {}), ...(asrEndpoint ? { asrEndpoint } : {}) },
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
