// Per-chunk timing spans for finding where a late chunk's time went (issue #12): when a sink is set,
// every session writes one record per chunk (queueing, perception's parts, waits for ASR, the policy),
// and the process adds event-loop stalls and garbage collections, all on one performance.now() clock.
// Off by default (no sink: nothing is recorded); `soundflow serve` turns it on from
// SOUNDFLOW_CHUNK_TRACE=FILE, and bench/knee.ts reads the file back to explain each missed deadline.
import { createWriteStream, readFileSync, type WriteStream } from 'node:fs';
import { PerformanceObserver } from 'node:perf_hooks';

/** What perception knows about one chunk's time (ms, performance.now() clock unless noted). */
export interface PerceptTrace {
  /** Synchronous main-thread work inside perceive() (features, gate, segmenter, context, voice, ASR feeding). */
  mainMs: number;
  /** Log-mel of the chunk. */
  melMs: number;
  /** perceive() waiting for VAD and the sound model (worker pool or this thread). */
  modelsWaitMs: number;
  /** perceive() waiting for the early end-of-turn check at a pause (grammar reading, transcript so far). */
  turnCheckMs: number;
  /** The chunk holds a pause that closed an ASR segment / ends an utterance / was skipped by the quiet gate. */
  pause?: boolean;
  end?: boolean;
  quiet?: boolean;
  /** The utterance was started with no cepstral history of the session's own (its first, decoded from the prior). */
  firstUtterance?: boolean;
  /** The grammar reading the early check or the final waits for was a batch decode of this many seconds of audio. */
  batchReadSeconds?: number;
  /** That batch reading was started at the silence's onset (usually a chunk before its pause), not at the pause. */
  onsetRead?: boolean;
  /** The utterance that ended here hands its final to the next chunk's decision (a long first utterance). */
  deferredFinal?: boolean;
  /** The early end-of-turn check of a pause was not ready within the budget: the turn goes on, the check is looked at again next chunk. */
  deferredCheck?: boolean;
  /** This chunk's decision waits for an utterance's final transcript; when its parts settled (filled in later). */
  final?: { asrDoneAt?: number; grammarDoneAt?: number };
}

/** One chunk of one session, as written to the trace. */
export interface ChunkTraceRecord {
  kind: 'chunk';
  session: string;
  index: number;
  /** Chunk complete (its last sample pushed) → perception starts it → perception done → decision starts → policy done → `chunk` emitted. */
  queuedAt: number;
  perceiveAt: number;
  perceivedAt: number;
  decideAt: number;
  policyMs: number;
  emittedAt: number;
  /** Decision waiting for reply audio still being synthesised (echo guard). */
  audioWaitMs: number;
  /** The chunk was decided without an utterance's final, not ready within the decision budget (it goes to a later chunk). */
  deferredFinal?: boolean;
  /** This chunk decided a final that an earlier chunk had deferred. */
  lateFinal?: boolean;
  /** This chunk decided an utterance's final: ms from that utterance's end chunk complete to this chunk's event. */
  finalDecidedAfterMs?: number;
  p: PerceptTrace;
}

export type TraceRecord =
  | ChunkTraceRecord
  /**
   * The event loop was late by `ms` at `at` (a timer sampled every 10 ms). Where the kernel says
   * (Linux schedstat of the main thread), the tick's interval split into running on a CPU (`cpuMs`: a
   * long synchronous task or GC), waiting for a CPU (`runqMs`: the machine is busy) and the rest, asleep
   * or blocked (`blockedMs`: a lock, a page fault on I/O, a synchronous syscall).
   */
  | { kind: 'lag'; at: number; ms: number; cpuMs?: number; runqMs?: number; blockedMs?: number }
  /** A garbage collection of `ms` that started at `at` (major, minor, incremental…). */
  | { kind: 'gc'; at: number; ms: number; type: number }
  /** Process CPU (all threads) over the last second. */
  | { kind: 'cpu'; at: number; userMs: number; systemMs: number }
  /** A C-heap trim (malloc_trim, src/perception/asr/native-heap.ts) that started at `at` and took `ms`. */
  | { kind: 'trim'; at: number; ms: number };

export interface ChunkTraceSink {
  write(r: TraceRecord): void;
  close(): void;
}

let sink: ChunkTraceSink | null = null;

/** The calling thread's CPU time and run-queue wait so far (ms), from Linux's schedstat; null elsewhere. */
function schedstat(): { cpuMs: number; runqMs: number } | null {
  try {
    const [run, wait] = readFileSync('/proc/thread-self/schedstat', 'utf8').split(' ').map(Number);
    return { cpuMs: run / 1e6, runqMs: wait / 1e6 };
  } catch {
    return null;
  }
}

/** The sink chunk traces go to, or null (tracing off). */
export function chunkTraceSink(): ChunkTraceSink | null {
  return sink;
}

/** Installs (or with null removes) the process's trace sink. */
export function setChunkTraceSink(s: ChunkTraceSink | null): void {
  sink?.close();
  sink = s;
}

/**
 * Traces every chunk of this process into `file` (JSON lines), plus event-loop stalls over `lagMs` and
 * every garbage collection. Returns a stop function.
 */
export function traceChunksTo(file: string, lagMs = 20): () => void {
  const out: WriteStream = createWriteStream(file, { flags: 'w' });
  const timers: NodeJS.Timeout[] = [];
  let gc: PerformanceObserver | null = null;
  const s: ChunkTraceSink = {
    write: (r) => void out.write(JSON.stringify(r) + '\n'),
    close: () => {
      timers.forEach(clearInterval);
      gc?.disconnect();
      out.end();
    },
  };
  // Event-loop stalls: a 10 ms timer that fires late by more than lagMs was held up by synchronous work.
  let expected = performance.now() + 10;
  let last = performance.now();
  let sched = schedstat();
  timers.push(
    setInterval(() => {
      const now = performance.now();
      const late = now - expected;
      const sc = schedstat();
      if (late > lagMs) {
        const r = (x: number) => Math.round(x * 10) / 10;
        const split = sc && sched ? { cpuMs: r(sc.cpuMs - sched.cpuMs), runqMs: r(sc.runqMs - sched.runqMs), blockedMs: r(Math.max(0, now - last - (sc.cpuMs - sched.cpuMs) - (sc.runqMs - sched.runqMs))) } : {};
        s.write({ kind: 'lag', at: now, ms: r(late), ...split });
      }
      sched = sc;
      last = now;
      expected = now + 10;
    }, 10),
  );
  let cpu = process.cpuUsage();
  timers.push(
    setInterval(() => {
      const c = process.cpuUsage(cpu);
      cpu = process.cpuUsage();
      s.write({ kind: 'cpu', at: performance.now(), userMs: c.user / 1000, systemMs: c.system / 1000 });
    }, 1000),
  );
  timers.forEach((t) => t.unref());
  gc = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) s.write({ kind: 'gc', at: e.startTime, ms: Math.round(e.duration * 100) / 100, type: (e as unknown as { detail?: { kind?: number } }).detail?.kind ?? 0 });
  });
  gc.observe({ entryTypes: ['gc'] });
  setChunkTraceSink(s);
  return () => setChunkTraceSink(null);
}
