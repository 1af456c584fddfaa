// `soundflow data build`: input JSONL + noise library -> per-stream WAVs, optional features and one
// labelled JSONL. Deterministic from the seed, resumable step by step, parallel over worker threads.
import { readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join, resolve } from 'node:path';
import { SoundFlowError } from '../../util/errors.ts';
import { writeFileAtomic } from '../../util/fs.ts';
import { readInput, type InputSequence } from './input.ts';
import { MAX_SLICE } from './layout.ts';
import { SAMPLE_RATE } from '../../audio/chunk.ts';
import { checkNoiseLength, indexNoise } from './noise.ts';
import { Progress } from '../../util/progress.ts';
import { runPool } from './pool.ts';
import { ensureDirs, type StreamResult } from './stream.ts';

/** Name of the labelled output inside OUT_DIR (the only .jsonl written there). */
export const OUTPUT_JSONL = 'streams.jsonl';

export interface BuildOptions {
  input: string;
  /** Noise library directory, or "silence". */
  noise: string;
  out: string;
  seed?: number;
  limit?: number;
  features?: boolean;
  /** Worker threads; 0 builds in this thread. Default: CPU count. */
  jobs?: number;
  /** Where progress, skips and the summary go (default stderr); null silences them. */
  log?: NodeJS.WriteStream | null;
}

export interface BuildSummary {
  input: number;
  built: number;
  cached: number;
  /** Lines skipped: bad JSON/schema or missing/corrupt audio, with reasons. */
  skipped: { line: number; id?: string; reason: string }[];
  output: string;
  /** Per-stream record of which steps ran (resume check). */
  streams: StreamResult[];
}

export async function build(opts: BuildOptions): Promise<BuildSummary> {
  const seed = opts.seed ?? 0;
  if (!Number.isInteger(seed) || seed < 0) throw new SoundFlowError('invalid_argument', `seed must be a non-negative integer, got ${opts.seed}`);
  const out = resolve(opts.out);
  const log = opts.log === undefined ? process.stderr : opts.log;
  const say = (s: string) => log?.write(s + '\n');
  ensureDirs(out);

  const noise = await indexNoise(opts.noise, join(out, 'noise-index.json'), say);
  checkNoiseLength(noise, MAX_SLICE, SAMPLE_RATE);

  const parsed = readInput(opts.input, opts.limit);
  const skipped: BuildSummary['skipped'] = [];
  const seqs: InputSequence[] = [];
  for (const p of parsed) {
    if (p.ok) seqs.push(p.seq);
    else {
      skipped.push({ line: p.line, reason: p.reason });
      say(`line ${p.line} skipped: ${p.reason}`);
    }
  }
  const progress = new Progress(seqs.length, 'build', log ?? process.stderr, Boolean(log));
  const jobs = Math.max(0, Math.min(opts.jobs ?? cpus().length, seqs.length));
  const results = await runPool(seqs, { outDir: out, seed, noise, features: Boolean(opts.features) }, jobs, (r) => {
    if (r.status === 'failed') say(`${log && log.isTTY ? '\n' : ''}line ${r.line} (${r.id}) skipped: ${r.reason}`);
    progress.tick();
  });
  for (const r of results) if (r.status === 'failed') skipped.push({ line: r.line, id: r.id, reason: r.reason ?? 'unknown' });
  skipped.sort((a, b) => a.line - b.line);

  // The JSONL is assembled from the per-stream label files in input order, so it is identical however
  // the work was split or resumed.
  const rows = results.filter((r) => r.status !== 'failed').map((r) => readFileSync(join(out, 'labels', `${r.id}.json`), 'utf8'));
  const output = join(out, OUTPUT_JSONL);
  writeFileAtomic(output, rows.join(''));
  const summary: BuildSummary = {
    input: parsed.length,
    built: results.filter((r) => r.status === 'built').length,
    cached: results.filter((r) => r.status === 'cached').length,
    skipped,
    output,
    streams: results,
  };
  writeFileAtomic(join(out, 'build-summary.json'), JSON.stringify({ ...summary, seed, noise: opts.noise, features: Boolean(opts.features) }, null, 1) + '\n');
  say(`build: ${rows.length} streams in ${output} (${summary.built} built, ${summary.cached} already complete, ${skipped.length} skipped)`);
  return summary;
}
