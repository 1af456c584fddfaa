// Runs policies over a labelled set and collects per-stream scores and summaries.
import { loadStreams } from './dataset.ts';
import { PolicyRunner, type PolicyName } from './policies.ts';
import { DEFAULT_TOLERANCE, scoreStream, summarize, type StreamScore, type Summary } from './score.ts';

export interface StreamDetail {
  id: string;
  sceneType?: string;
  chunks: number;
  labelled: number[];
  predicted: number[];
  tp: number;
  fp: number;
  fn: number;
  meanDelayChunks: number | null;
  turnOvers: number;
  replies: { chunk: number; task?: string; emotion?: string; text: string }[];
  errors: string[];
  /** Final transcripts and non-routine chunk reasons, in stream order (sessions only). */
  heard?: { chunk: number; text?: string; reason?: string }[];
}

export interface PolicyResult {
  summary: Summary;
  streams: StreamDetail[];
}

export interface EvalResult {
  data: string;
  tolerance: number;
  policies: PolicyName[];
  results: Record<string, PolicyResult>;
}

export interface EvaluateOptions {
  data: string;
  policies: PolicyName[];
  tolerance?: number;
  limit?: number;
  onStream?: (policy: PolicyName, id: string) => void;
}

export async function evaluate(opts: EvaluateOptions): Promise<EvalResult> {
  const tolerance = opts.tolerance ?? DEFAULT_TOLERANCE;
  const streams = loadStreams(opts.data, opts.limit);
  const runner = new PolicyRunner();
  const results: Record<string, PolicyResult> = {};
  try {
    for (const policy of opts.policies) {
      const scores: StreamScore[] = [];
      const details: StreamDetail[] = [];
      for (const s of streams) {
        const run = await runner.run(policy, s);
        const sc = scoreStream(s.row, run, tolerance);
        scores.push(sc);
        details.push({
          id: sc.id,
          sceneType: sc.sceneType,
          chunks: sc.chunks,
          labelled: s.row.chunks.filter((c) => c.label === 'respond').map((c) => c.index),
          predicted: run.decisions.flatMap((d, i) => (d ? [i] : [])),
          tp: sc.tp,
          fp: sc.fp,
          fn: sc.fn,
          meanDelayChunks: sc.delays.length ? sc.delays.reduce((a, b) => a + b, 0) / sc.delays.length : null,
          turnOvers: sc.turnOvers,
          // The trivial baselines "reply" at every chunk with no content: not worth listing.
          replies: policy === 'always' ? [] : run.responses.map((r) => ({ chunk: r.chunk, task: r.task, emotion: r.emotion, text: r.text })),
          errors: sc.errors,
          ...(run.heard ? { heard: run.heard } : {}),
        });
        opts.onStream?.(policy, s.row.id);
      }
      results[policy] = { summary: summarize(scores, tolerance), streams: details };
    }
  } finally {
    await runner.close();
  }
  return { data: opts.data, tolerance, policies: opts.policies, results };
}

/** The contract's JSON: the first policy's numbers at top level, every policy side by side in `comparison`. */
export function toJson(r: EvalResult): Record<string, unknown> {
  const primary = r.policies[0];
  const p = r.results[primary];
  return {
    policy: primary,
    data: r.data,
    ...p.summary,
    comparison: Object.fromEntries(r.policies.map((k) => [k, r.results[k].summary])),
    streams: p.streams,
    ...(r.policies.length > 1 ? { streamsByPolicy: Object.fromEntries(r.policies.slice(1).map((k) => [k, r.results[k].streams])) } : {}),
  };
}
