// The policies an evaluation can run. never/always are analytic baselines (no audio processing);
// rules/learned/server_vad run a real embedded-engine session over the stream's audio.
import type { Emotion, SessionEvent, TaskKind } from '../../events.ts';
import type { Engine } from '../../engine/types.ts';
import { SoundFlowError, errorMessage } from '../../util/errors.ts';
import { type EvalStream, loadAudio } from './dataset.ts';
import { CHUNK_SAMPLES, SAMPLE_RATE } from '../../audio/chunk.ts';

export const POLICIES = ['rules', 'learned', 'server_vad', 'never', 'always'] as const;
export type PolicyName = (typeof POLICIES)[number];

export interface PolicyResponse {
  /** The chunk whose decision started the reply. */
  chunk: number;
  t: number;
  task?: TaskKind;
  emotion?: Emotion;
  text: string;
}

export interface PolicyRun {
  /**
   * Per chunk: did the policy decide to respond here. May be longer than the stream when the session
   * replied while flushing at end() (a reply after the audio ended still counts, at its real chunk).
   */
  decisions: boolean[];
  responses: PolicyResponse[];
  /** Wall time spent on the stream (ms), null for analytic baselines. */
  wallMs: number | null;
  /** Per chunk: ms from pushing the chunk's audio to its chunk event. */
  chunkLatencyMs: number[];
  /** Per reply: ms from pushing its chunk's audio to response.start. */
  replyLatencyMs: number[];
  errors: string[];
  /** What the session heard and why it decided (final transcripts; chunk reasons other than routine listening), for per-stream analysis. */
  heard?: { chunk: number; text?: string; reason?: string }[];
}

/** Chunk reasons that say nothing about a decision (listening, speech going on). */
const ROUTINE_REASONS = new Set(['quiet', 'speech', 'speech-tail', 'silence', 'listening', 'no-speech']);

export function parsePolicies(spec: string): PolicyName[] {
  const names = spec === 'all' ? [...POLICIES] : spec.split(',').map((s) => s.trim()).filter(Boolean);
  for (const n of names) if (!(POLICIES as readonly string[]).includes(n)) throw new SoundFlowError('invalid_argument', `unknown policy "${n}" (known: ${POLICIES.join(', ')}, all)`);
  if (!names.length) throw new SoundFlowError('invalid_argument', 'no policy given');
  return [...new Set(names)] as PolicyName[];
}

function trivial(s: EvalStream, respond: boolean): PolicyRun {
  const n = s.row.chunks.length;
  return {
    decisions: new Array(n).fill(respond),
    responses: respond ? Array.from({ length: n }, (_, i) => ({ chunk: i, t: ((i + 1) * CHUNK_SAMPLES) / SAMPLE_RATE, text: '' })) : [],
    wallMs: null,
    chunkLatencyMs: [],
    replyLatencyMs: [],
    errors: [],
  };
}

const chunkOfTime = (t: number) => Math.max(0, Math.round((t * SAMPLE_RATE) / CHUNK_SAMPLES) - 1);

/** Runs one stream through a fresh session of `engine`, chunk by chunk, as fast as the session accepts. */
async function runSession(engine: Engine, policy: PolicyName, s: EvalStream): Promise<PolicyRun> {
  const audio = loadAudio(s);
  const n = s.row.chunks.length;
  const session = await engine.createSession({
    policy: policy === 'learned' ? 'learned' : 'rules',
    turnDetection: policy === 'server_vad' ? 'server_vad' : 'soundflow',
    speak: false,
  });
  const decisions = new Array<boolean>(n).fill(false);
  const pushedAt: number[] = [];
  const chunkLatencyMs: number[] = [];
  const replyLatencyMs: number[] = [];
  const byId = new Map<string, PolicyResponse>();
  const responses: PolicyResponse[] = [];
  const errors: string[] = [];
  const heard: { chunk: number; text?: string; reason?: string }[] = [];
  const started = performance.now();
  const reader = (async () => {
    for await (const e of session as AsyncIterable<SessionEvent>) {
      const now = performance.now();
      if (e.type === 'chunk') {
        if (e.decision === 'respond') decisions[e.index] = true;
        if (e.reason && !ROUTINE_REASONS.has(e.reason)) heard.push({ chunk: e.index, reason: e.reason });
        if (pushedAt[e.index] !== undefined) chunkLatencyMs.push(now - pushedAt[e.index]);
      } else if (e.type === 'response.start') {
        const r: PolicyResponse = { chunk: chunkOfTime(e.t), t: e.t, task: e.task, emotion: e.emotion, text: '' };
        byId.set(e.id, r);
        responses.push(r);
        if (pushedAt[r.chunk] !== undefined) replyLatencyMs.push(now - pushedAt[r.chunk]);
      } else if (e.type === 'response.end') {
        const r = byId.get(e.id);
        if (r) r.text = e.text;
      } else if (e.type === 'transcript' && e.final) {
        heard.push({ chunk: chunkOfTime(e.t), text: e.text });
      } else if (e.type === 'error') {
        errors.push(`${e.code}: ${e.message}`);
      }
    }
  })();
  try {
    for (let i = 0; i < n; i++) {
      pushedAt[i] = performance.now();
      await session.push(audio.subarray(i * CHUNK_SAMPLES, Math.min(audio.length, (i + 1) * CHUNK_SAMPLES)));
    }
    await session.end();
    await reader;
  } catch (err) {
    session.close();
    await reader.catch(() => undefined);
    throw new SoundFlowError('eval_session_failed', `stream "${s.row.id}" with policy ${policy}: ${errorMessage(err)}`, { cause: err });
  }
  for (let i = 0; i < decisions.length; i++) decisions[i] ??= false;
  return { decisions, responses, wallMs: performance.now() - started, chunkLatencyMs, replyLatencyMs, errors, heard };
}

/** Creates the shared engine lazily: the analytic baselines never load it. */
export class PolicyRunner {
  private engine: Promise<Engine> | null = null;

  async run(policy: PolicyName, s: EvalStream): Promise<PolicyRun> {
    if (policy === 'never') return trivial(s, false);
    if (policy === 'always') return trivial(s, true);
    this.engine ??= import('../../engine/registry.ts').then((m) => m.createEngine('embedded'));
    return runSession(await this.engine, policy, s);
  }

  async close(): Promise<void> {
    if (this.engine) await (await this.engine).close?.();
  }
}
