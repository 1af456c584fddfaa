// Reads a server's chunk trace (src/util/chunk-trace.ts) and says where each late chunk's time went:
// its own spans (queueing behind the session's earlier chunks, main-thread perception, VAD/sound model
// wait, the early end-of-turn check, the policy's wait for the final transcript), the event-loop stalls
// and GC pauses inside its window, and the root cause of a backlog (the earlier chunk that held it up).
import { existsSync, readFileSync } from 'node:fs';
import type { ChunkTraceRecord, TraceRecord } from '../util/chunk-trace.ts';

export interface TraceFile {
  chunks: Map<string, ChunkTraceRecord>;
  lags: { at: number; ms: number; cpuMs?: number; runqMs?: number; blockedMs?: number }[];
  gcs: { at: number; ms: number }[];
  /** C-heap trims (start, duration); absent from older traces. */
  trims?: { at: number; ms: number }[];
}

const key = (session: string, index: number) => `${session}#${index}`;

/** Parses the JSON-lines trace (a partly written last line is skipped; no file: an empty trace, e.g. an older server). */
export function readTrace(file: string): TraceFile {
  const out: TraceFile = { chunks: new Map(), lags: [], gcs: [], trims: [] };
  if (!existsSync(file)) return out;
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    if (!line) continue;
    let r: TraceRecord;
    try {
      r = JSON.parse(line) as TraceRecord;
    } catch {
      continue;
    }
    if (r.kind === 'chunk') out.chunks.set(key(r.session, r.index), r);
    else if (r.kind === 'lag') out.lags.push(r);
    else if (r.kind === 'gc') out.gcs.push(r);
    else if (r.kind === 'trim') out.trims!.push(r);
  }
  return out;
}

/** One chunk's time, split into parts that add up to its server-side latency (ms). */
export interface ChunkSpans {
  /** Waiting for perception to take it (behind this session's earlier chunks). */
  queue: number;
  mel: number;
  /** Other synchronous main-thread work in perceive(). */
  main: number;
  models: number;
  turnCheck: number;
  /** Perceived, waiting for the decision stage (behind an earlier chunk's decision). */
  decideWait: number;
  /** Decision waiting for reply audio (echo guard). */
  audioWait: number;
  /** The policy, incl. waiting for the final transcript on an utterance end. */
  policy: number;
  /** Event-loop stalls (timer late by > 20 ms) and GC inside the chunk's window. */
  loopLag: number;
  gc: number;
}

export function spansOf(r: ChunkTraceRecord, t: TraceFile): ChunkSpans {
  const overlap = (xs: { at: number; ms: number }[], lagEnds: boolean) =>
    xs.reduce((s, x) => {
      const a = lagEnds ? x.at - x.ms : x.at;
      const b = lagEnds ? x.at : x.at + x.ms;
      return s + Math.max(0, Math.min(b, r.emittedAt) - Math.max(a, r.queuedAt));
    }, 0);
  return {
    queue: r.perceiveAt - r.queuedAt,
    mel: r.p.melMs,
    main: r.p.mainMs - r.p.melMs,
    models: r.p.modelsWaitMs,
    turnCheck: r.p.turnCheckMs,
    decideWait: r.decideAt - r.perceivedAt,
    audioWait: r.audioWaitMs,
    policy: r.policyMs,
    loopLag: overlap(t.lags, true),
    gc: overlap(t.gcs, false),
  };
}

/** What held a chunk up, as one label. */
export function causeOf(r: ChunkTraceRecord, s: ChunkSpans): string {
  const first = r.p.firstUtterance ? ', first utterance' : '';
  const read = r.p.batchReadSeconds !== undefined ? `, batch grammar read of ${r.p.batchReadSeconds.toFixed(1)} s${r.p.onsetRead ? ' started at the silence onset' : ''}` : '';
  const parts: [string, number][] = [
    ['queued behind earlier chunk', s.queue + s.decideWait],
    ['main-thread perception', s.mel + s.main],
    ['VAD/sound model wait', s.models],
    [`pause: early end-of-turn check${first}${read}`, s.turnCheck],
    ['reply audio wait', s.audioWait],
  ];
  if (r.p.final) {
    const asr = r.p.final.asrDoneAt ?? -Infinity;
    const gram = r.p.final.grammarDoneAt ?? -Infinity;
    const what = gram > asr ? `grammar reading${read}` : `transcript${first}`;
    parts.push([`${r.p.end ? 'utterance end' : 'chunk after a long first utterance'}: waiting for ${what}`, s.policy]);
  } else parts.push([r.deferredFinal ? 'decision budget spent waiting for a final (then deferred)' : r.lateFinal ? 'deciding a late final (waited within its budget)' : 'policy', s.policy]);
  parts.sort((a, b) => b[1] - a[1]);
  return parts[0][0];
}

export interface MissReport {
  /** Missed chunks found in the trace / not found. */
  found: number;
  missing: number;
  /** Mean ms per missed chunk of each span. */
  meanSpans: ChunkSpans;
  /** Root cause (the earliest chunk of the backlog the miss sits in) → count. */
  rootCauses: Map<string, number>;
  /** Misses whose window held ≥ 50 ms of event-loop stalls / GC. */
  withLoopLag: number;
  withGc: number;
  /** Client latency minus server latency (sockets, framing, the chunker), mean over missed chunks. */
  transportMs: number;
}

/** Explains the missed chunks (session id → client latency per chunk index) with the trace. */
export function explainMisses(t: TraceFile, sessions: { sessionId?: string; latencyAt: Map<number, number> }[], deadlineMs = 400): MissReport {
  const sum: ChunkSpans = { queue: 0, mel: 0, main: 0, models: 0, turnCheck: 0, decideWait: 0, audioWait: 0, policy: 0, loopLag: 0, gc: 0 };
  const rootCauses = new Map<string, number>();
  let found = 0, missing = 0, withLoopLag = 0, withGc = 0, transport = 0;
  for (const s of sessions) {
    for (const [index, lat] of s.latencyAt) {
      if (lat <= deadlineMs) continue;
      const r = s.sessionId ? t.chunks.get(key(s.sessionId, index)) : undefined;
      if (!r) {
        missing++;
        continue;
      }
      found++;
      const sp = spansOf(r, t);
      for (const k of Object.keys(sum) as (keyof ChunkSpans)[]) sum[k] += sp[k];
      if (sp.loopLag >= 50) withLoopLag++;
      if (sp.gc >= 50) withGc++;
      transport += lat - (r.emittedAt - r.queuedAt);
      // Walk back through the backlog to the chunk that started it.
      let root = r;
      let rootSpans = sp;
      for (let k = 1; k <= 10; k++) {
        if (rootSpans.queue + rootSpans.decideWait < 0.5 * (root.emittedAt - root.queuedAt)) break;
        const prev = t.chunks.get(key(s.sessionId!, index - k));
        if (!prev) break;
        root = prev;
        rootSpans = spansOf(prev, t);
      }
      const serverMs = r.emittedAt - r.queuedAt;
      let cause = causeOf(root, rootSpans);
      if (serverMs < 0.5 * lat) cause = 'before the session (the connection held its audio: input queue full, or no CPU)';
      else if (root !== r) cause = `backlog from a chunk's ${cause}`;
      rootCauses.set(cause, (rootCauses.get(cause) ?? 0) + 1);
    }
  }
  const meanSpans = Object.fromEntries(Object.entries(sum).map(([k, v]) => [k, found ? Math.round((v / found) * 10) / 10 : 0])) as unknown as ChunkSpans;
  return { found, missing, meanSpans, rootCauses, withLoopLag, withGc, transportMs: found ? Math.round(transport / found) : 0 };
}

/** Per-chunk server work of every traced chunk: main-thread ms (mel + other sync perception + policy when it did not wait). */
export function mainThreadPerChunk(t: TraceFile): number[] {
  return [...t.chunks.values()].map((r) => r.p.mainMs);
}

/** Event-loop stalls of at least `minMs` in [from, to] (performance.now() of the traced process), and how many overlap a C-heap trim or a GC. */
export function stallSummary(t: TraceFile, minMs = 100, from = -Infinity, to = Infinity): { count: number; maxMs: number; meanMs: number; duringTrim: number; duringGc: number; trims: number; trimMsMax: number; cpuMs: number; runqMs: number; blockedMs: number } {
  const lags = t.lags.filter((l) => l.ms >= minMs && l.at >= from && l.at <= to);
  const trims = (t.trims ?? []).filter((x) => x.at >= from && x.at <= to);
  const overlaps = (a: number, b: number, xs: { at: number; ms: number }[]) => xs.some((x) => x.at < b && x.at + x.ms > a);
  return {
    count: lags.length,
    maxMs: lags.length ? Math.max(...lags.map((l) => l.ms)) : 0,
    meanMs: lags.length ? Math.round(lags.reduce((s, l) => s + l.ms, 0) / lags.length) : 0,
    duringTrim: lags.filter((l) => overlaps(l.at - l.ms, l.at, trims)).length,
    duringGc: lags.filter((l) => overlaps(l.at - l.ms, l.at, t.gcs)).length,
    trims: trims.length,
    trimMsMax: trims.length ? Math.max(...trims.map((x) => x.ms)) : 0,
    // Mean split of a stall's interval: on a CPU / waiting for one / asleep or blocked (main thread, Linux).
    cpuMs: mean(lags.map((l) => l.cpuMs ?? NaN)),
    runqMs: mean(lags.map((l) => l.runqMs ?? NaN)),
    blockedMs: mean(lags.map((l) => l.blockedMs ?? NaN)),
  };
}

function mean(xs: number[]): number {
  const ok = xs.filter((x) => !Number.isNaN(x));
  return ok.length ? Math.round(ok.reduce((s, x) => s + x, 0) / ok.length) : NaN;
}
