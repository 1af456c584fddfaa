// Training data for the learned decision policy: runs builder streams through the embedded engine's
// real perception + rule policy (no TTS, faster than real time) and records, per chunk, the decision
// features (src/decision/features.ts), what the rules proposed, and the label. One cached JSON file per
// stream (keyed by the feature version), so a rerun only processes new streams.
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { SessionEvent, TaskKind } from '../../events.ts';
import { EmbeddedEngine } from '../../engine/embedded.ts';
import { FEATURE_VERSION, FeatureTracker } from '../../decision/features.ts';
import type { Percept } from '../../perception/types.ts';
import type { ChunkDecision, DecisionContext, Policy } from '../../decision/types.ts';
import { SOUND_CLASSES } from '../../perception/sounds/classes.ts';
import { loadAudio, type EvalStream } from '../eval/dataset.ts';
import { CHUNK_SAMPLES } from '../../audio/chunk.ts';
import { errorMessage, SoundFlowError } from '../../util/errors.ts';

export interface StreamDump {
  id: string;
  featureVersion: number;
  /** Feature vectors, one per chunk (chunk count = labels length). */
  features: number[][];
  /** Per chunk: the rule policy's candidate replies (task + text when ready-made). */
  candidates: { task: TaskKind; text: string; urgent: boolean; owed?: boolean }[][];
}

/** Passes the rule policy's decisions through unchanged and records the features it would give the model. */
class RecordingPolicy implements Policy {
  readonly rows: { index: number; f: Float32Array; cands: StreamDump['candidates'][number] }[] = [];
  private readonly tracker = new FeatureTracker(SOUND_CLASSES);

  constructor(private readonly rules: Policy) {}

  instruct(text: string, t: number): ChunkDecision {
    return this.rules.instruct(text, t);
  }

  async decide(p: Percept, ctx: DecisionContext): Promise<ChunkDecision> {
    const d = await this.rules.decide(p, ctx);
    const cands = d.responses.map((r) => ({ task: r.task, text: r.text ?? '', urgent: r.urgent === true, ...(r.owed ? { owed: true } : {}) }));
    this.rows.push({ index: p.chunk.index, f: this.tracker.next(p, ctx, d), cands });
    return d;
  }
}

/**
 * One stream through the engine's own session wiring with the rule policy (sequential mode: replies
 * never race the next chunk, so dumps are reproducible); only the clock is pinned.
 */
export async function dumpStream(engine: EmbeddedEngine, s: EvalStream): Promise<StreamDump> {
  let recorder: RecordingPolicy | null = null;
  const session = await engine.createSession(
    { speak: false, mode: 'sequential', policy: 'rules' },
    { now: () => new Date('2024-01-01T12:00:00Z'), wrapPolicy: (p) => (recorder = new RecordingPolicy(p)) },
  );
  const rows = () => recorder!.rows;
  const errors: string[] = [];
  const reader = (async () => {
    for await (const e of session as AsyncIterable<SessionEvent>) if (e.type === 'error') errors.push(`${e.code}: ${e.message}`);
  })();
  const audio = loadAudio(s);
  const n = s.row.chunks.length;
  try {
    for (let i = 0; i < n; i++) await session.push(audio.subarray(i * CHUNK_SAMPLES, Math.min(audio.length, (i + 1) * CHUNK_SAMPLES)));
    await session.end();
    await reader;
  } catch (err) {
    session.close();
    throw new SoundFlowError('dump_failed', `stream "${s.row.id}": ${errorMessage(err)}`, { cause: err });
  }
  if (errors.some((e) => !e.startsWith('llm'))) process.stderr.write(`\n  ${s.row.id}: ${errors.join('; ')}\n`);
  const features: number[][] = [];
  const candidates: StreamDump['candidates'] = [];
  for (const r of rows()) {
    if (r.index >= n) continue; // a flush chunk past the labels (cannot happen for chunk-aligned streams)
    features[r.index] = Array.from(r.f, (v) => Math.round(v * 1e5) / 1e5);
    candidates[r.index] = r.cands;
  }
  const size = new FeatureTracker(SOUND_CLASSES).size;
  for (let i = 0; i < n; i++) {
    features[i] ??= new Array(size).fill(0);
    candidates[i] ??= [];
  }
  return { id: s.row.id, featureVersion: FEATURE_VERSION, features, candidates };
}

/** Dumps every stream (`jobs` sessions at a time), reusing cached dumps under `cacheDir`. Output is in input order. */
export async function dumpStreams(
  streams: EvalStream[],
  cacheDir: string,
  opts: { jobs?: number; fresh?: boolean; onStream?: (id: string, cached: boolean) => void } = {},
): Promise<StreamDump[]> {
  const dir = join(cacheDir, `v${FEATURE_VERSION}`);
  mkdirSync(dir, { recursive: true });
  const out: StreamDump[] = new Array(streams.length);
  let next = 0;
  const engine = new EmbeddedEngine();
  const worker = async () => {
    while (next < streams.length) {
      const k = next++;
      const s = streams[k];
      const file = join(dir, `${s.row.id.replace(/[^A-Za-z0-9._-]/g, '_')}.json`);
      if (!opts.fresh && existsSync(file)) {
        const d = JSON.parse(readFileSync(file, 'utf8')) as StreamDump;
        if (d.featureVersion === FEATURE_VERSION && d.features.length === s.row.chunks.length) {
          out[k] = d;
          opts.onStream?.(s.row.id, true);
          continue;
        }
      }
      const d = await dumpStream(engine, s);
      writeFileSync(file + '.tmp', JSON.stringify(d));
      renameSync(file + '.tmp', file);
      out[k] = d;
      opts.onStream?.(s.row.id, false);
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.max(1, opts.jobs ?? 1) }, worker));
  } finally {
    await engine.close();
  }
  return out;
}
