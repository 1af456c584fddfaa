// `soundflow run <file|->`: stream a file (any format ffmpeg reads, or raw PCM16 16 kHz on stdin)
// through a session and print a live timeline, or the events as JSON lines.
import { parseFlags, type FlagDocs } from '../args.ts';
import { createEngine } from '../../../engine/registry.ts';
import { aimUrlFromEnv, endpoint, endpointsFromEnv } from '../../env.ts';
import type { Session } from '../../../engine/types.ts';
import type { SessionEvent } from '../../../events.ts';
import { decodeStream } from '../../../audio/decode.ts';
import { ReplyAudioFile } from '../reply-audio.ts';
import { SoundFlowError, errorMessage } from '../../../util/errors.ts';
import { TimelinePrinter } from '../timeline.ts';
import { SAMPLE_RATE } from '../../../audio/chunk.ts';


export const RUN_USAGE = 'usage: soundflow run <file|-> [options]\n  <file> is any audio ffmpeg reads; - is raw PCM16 LE mono 16 kHz on stdin.';

export const RUN_OPTIONS = {
  json: { type: 'boolean', default: false },
  instruction: { type: 'string', multiple: true, default: [] as string[] },
  speak: { type: 'string' },
  realtime: { type: 'boolean', default: false },
  tail: { type: 'string', default: '0' },
  mode: { type: 'string', default: 'concurrent' },
  policy: { type: 'string', default: 'rules' },
  'turn-detection': { type: 'string', default: 'soundflow' },
  engine: { type: 'string', default: 'embedded' },
  'engine-url': { type: 'string' },
  voice: { type: 'string' },
  'user-voice': { type: 'string', default: 'any' },
  'llm-url': { type: 'string' },
  'llm-model': { type: 'string' },
  'asr-url': { type: 'string' },
  'asr-model': { type: 'string' },
} as const;

export const RUN_DOCS: FlagDocs = {
  json: 'one JSON event per line instead of the timeline',
  instruction: 'a typed instruction or question at the start',
  speak: 'also synthesise the replies into this WAV, at their stream times',
  realtime: 'pace the input to the wall clock',
  tail: 'seconds of silence appended so a final reply can happen',
  mode: 'concurrent (FIFO pipeline) or sequential (the synchronous baseline)',
  policy: 'rules or learned',
  'turn-detection': 'soundflow (always-on) or server_vad (the classic baseline)',
  engine: 'embedded or aim-served',
  'engine-url': 'the served Audio-Interaction model (aim-served; also SOUNDFLOW_AIM_URL)',
  voice: 'espeak-ng voice for English replies',
  'user-voice': 'any, or first: only the first voice heard is answered (others when they say "SoundFlow")',
  'llm-url': 'OpenAI-compatible chat endpoint for what the offline skills cannot answer',
  'llm-model': 'its model',
  'asr-url': 'OpenAI-compatible /v1/audio/transcriptions endpoint for final transcripts',
  'asr-model': 'its model',
};

export async function run(args: string[]): Promise<number> {
  const { values, positionals } = parseFlags(args, RUN_OPTIONS, RUN_USAGE, RUN_DOCS);
  const input = positionals[0];
  if (!input) throw new SoundFlowError('invalid_argument', 'usage: soundflow run <file|-> [--json] [--instruction TEXT] [--speak out.wav] [--realtime] [--tail S]');
  const tail = Number(values.tail);
  if (!(tail >= 0 && tail <= 600)) throw new SoundFlowError('invalid_argument', '--tail takes seconds between 0 and 600');
  if (values.mode !== 'concurrent' && values.mode !== 'sequential') throw new SoundFlowError('invalid_argument', '--mode is concurrent or sequential');
  if (values.policy !== 'rules' && values.policy !== 'learned') throw new SoundFlowError('invalid_argument', '--policy is rules or learned');
  const td = values['turn-detection'];
  if (td !== 'soundflow' && td !== 'server_vad') throw new SoundFlowError('invalid_argument', '--turn-detection is soundflow or server_vad');
  const userVoice = values['user-voice'];
  if (userVoice !== 'any' && userVoice !== 'first') throw new SoundFlowError('invalid_argument', '--user-voice is any or first');

  // With --json, stdout is the event stream: a run that fails still ends it with `error` and
  // `session.ended`, so a consumer reading JSON lines always sees how the session finished.
  const out = { chunks: 0, t: 0, ended: false };
  const emitJson = (ev: SessionEvent) => {
    if (ev.type === 'chunk') {
      out.chunks = ev.index + 1;
      out.t = ev.t;
    } else if (ev.type === 'session.ended') out.ended = true;
    process.stdout.write(JSON.stringify(ev) + '\n');
  };
  const failJson = (err: unknown) => {
    if (!values.json) return;
    const sf = err instanceof SoundFlowError ? err : new SoundFlowError('session_failed', errorMessage(err));
    emitJson({ type: 'error', code: sf.code, message: sf.message, recoverable: false });
    if (!out.ended) emitJson({ type: 'session.ended', t: out.t, chunks: out.chunks });
  };

  let engine: Awaited<ReturnType<typeof createEngine>>;
  let session: Session;
  try {
    engine = await createEngine(values.engine, { url: values['engine-url'] ?? aimUrlFromEnv() });
    const fromEnv = endpointsFromEnv();
    session = await engine.createSession({
      mode: values.mode,
      policy: values.policy,
      turnDetection: td,
      userVoice,
      speak: Boolean(values.speak),
      instructions: [...(values.instruction ?? [])],
      ...(values.voice ? { voice: values.voice } : {}),
      // Flags win over the environment.
      llm: endpoint('LLM', values['llm-url'], values['llm-model']) ?? fromEnv.llm,
      asrEndpoint: endpoint('ASR', values['asr-url'], values['asr-model']) ?? fromEnv.asrEndpoint,
    });
  } catch (err) {
    failJson(err);
    throw err;
  }

  const wav = values.speak ? new ReplyAudioFile(values.speak) : null;
  const printer = values.json ? null : new TimelinePrinter(process.stdout);
  const consumer = consume(session, (ev) => {
    if (values.json) {
      if (ev.type !== 'response.audio' || values.speak) emitJson(ev);
    } else printer!.event(ev);
    if (wav) wav.event(ev);
  });

  let failed: unknown = null;
  const onWarning = (w: SoundFlowError) => {
    process.stderr.write(`soundflow: warning [${w.code}] ${w.message}\n`);
    if (values.json) emitJson({ type: 'error', code: w.code, message: w.message, recoverable: true });
  };
  try {
    await feed(session, input, tail, values.realtime, onWarning);
    await session.end();
  } catch (err) {
    failed = err;
    session.close();
  }
  const sawFatal = await consumer;
  printer?.finish();
  if (wav) await wav.close();
  await engine.close?.();
  if (failed) {
    failJson(failed);
    throw failed;
  }
  return sawFatal ? 1 : 0;
}

/** Decodes the input and pushes it into the session, paced to real time when asked. */
async function feed(session: Session, input: string, tail: number, realtime: boolean, onWarning: (w: SoundFlowError) => void): Promise<void> {
  const t0 = performance.now();
  let samples = 0;
  const pace = async (n: number) => {
    samples += n;
    if (!realtime) return;
    const ahead = (samples / SAMPLE_RATE) * 1000 - (performance.now() - t0);
    if (ahead > 0) await new Promise((r) => setTimeout(r, ahead));
  };
  for await (const pcm of decodeStream(input, { onWarning })) {
    await session.push(pcm);
    await pace(pcm.length);
  }
  if (samples === 0) throw new SoundFlowError('empty_audio', `no audio in ${input === '-' ? 'stdin' : input}`);
  // Trailing silence so that a reply to the last words can still happen.
  const step = SAMPLE_RATE / 10;
  for (let left = Math.round(tail * SAMPLE_RATE); left > 0; left -= step) {
    const n = Math.min(step, left);
    await session.push(new Int16Array(n));
    await pace(n);
  }
}

/** Reads every event; resolves true when a non-recoverable error was seen. */
async function consume(session: Session, on: (ev: SessionEvent) => void): Promise<boolean> {
  let fatal = false;
  for await (const ev of session) {
    if (ev.type === 'error') {
      if (!ev.recoverable) fatal = true;
      process.stderr.write(`soundflow: ${ev.recoverable ? 'warning' : 'error'} [${ev.code}] ${ev.message}\n`);
    }
    on(ev);
  }
  return fatal;
}

