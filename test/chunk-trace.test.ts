// The chunk trace the knee bench reads: records written by the process's sink come back, and a missed
// chunk that only queued is blamed on the chunk whose own wait started the backlog.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chunkTraceSink, traceChunksTo, type ChunkTraceRecord } from '../src/util/chunk-trace.ts';
import { explainMisses, readTrace, stallSummary } from '../src/testing/chunk-trace-report.ts';

function rec(index: number, queuedAt: number, perceiveAt: number, turnCheckMs: number, emittedAt: number, extra: Partial<ChunkTraceRecord['p']> = {}): ChunkTraceRecord {
  const perceivedAt = perceiveAt + 3 + turnCheckMs;
  return {
    kind: 'chunk', session: 's1', index, queuedAt, perceiveAt, perceivedAt, decideAt: perceivedAt, policyMs: emittedAt - perceivedAt, emittedAt, audioWaitMs: 0,
    p: { mainMs: 1, melMs: 0.5, modelsWaitMs: 2, turnCheckMs, ...extra },
  };
}

test('a backlog is blamed on the chunk that started it; the sink writes what it is given', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sf-trace-'));
  const file = join(dir, 't.jsonl');
  const stop = traceChunksTo(file);
  try {
    const sink = chunkTraceSink()!;
    // Chunk 5 waits 700 ms for the early end-of-turn check; chunk 6 arrives 400 ms later and queues behind it.
    sink.write(rec(4, 0, 0, 0, 10));
    sink.write(rec(5, 400, 400, 700, 1110, { pause: true, batchReadSeconds: 4 }));
    sink.write(rec(6, 800, 1103, 0, 1115));
    sink.write({ kind: 'gc', at: 1000, ms: 60, type: 1 });
  } finally {
    stop();
  }
  await new Promise((r) => setTimeout(r, 100)); // the write stream flushes on end
  const t = readTrace(file);
  rmSync(dir, { recursive: true, force: true });
  assert.equal(t.chunks.size, 3);
  const m = explainMisses(t, [{ sessionId: 's1', latencyAt: new Map([[4, 12], [5, 712], [6, 317], [7, 900]]) }]);
  assert.equal(m.found, 1, 'chunk 5 missed and is traced (6 was in time, 7 is not in the trace)');
  assert.equal(m.missing, 1);
  assert.deepEqual([...m.rootCauses.keys()], ['pause: early end-of-turn check, batch grammar read of 4.0 s']);
  const m2 = explainMisses(t, [{ sessionId: 's1', latencyAt: new Map([[6, 420]]) }]);
  assert.deepEqual([...m2.rootCauses.keys()], ["backlog from a chunk's pause: early end-of-turn check, batch grammar read of 4.0 s"]);
  assert.equal(m2.withGc, 1, 'the GC inside its window is counted');
});

test('an event-loop stall is split into running on a CPU and being blocked (Linux), and stallSummary counts it', async (t) => {
  if (process.platform !== 'linux') return t.skip('schedstat is Linux only');
  const dir = mkdtempSync(join(tmpdir(), 'sf-trace-'));
  const file = join(dir, 't.jsonl');
  const stop = traceChunksTo(file);
  let t0 = 0, t1 = 0, t2 = 0;
  try {
    await new Promise((r) => setTimeout(r, 50));
    // A synchronous busy loop until this process has used 150 ms more CPU (however slowly the machine gives it).
    t0 = performance.now();
    const c0 = process.cpuUsage();
    for (;;) {
      const c = process.cpuUsage(c0);
      if (c.user + c.system >= 150_000) break;
    }
    await new Promise((r) => setTimeout(r, 50));
    // Then a blocking wait that uses no CPU (like waiting for a forked child's exec).
    t1 = performance.now();
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 200);
    t2 = performance.now();
    await new Promise((r) => setTimeout(r, 50));
  } finally {
    stop();
  }
  await new Promise((r) => setTimeout(r, 100));
  const tr = readTrace(file);
  rmSync(dir, { recursive: true, force: true });
  const busy = tr.lags.find((l) => l.at > t0 && l.at <= t1 && l.ms >= 100);
  const asleep = tr.lags.find((l) => l.at > t1 && l.at <= t2 + 50 && l.ms >= 100);
  assert.ok(busy && asleep, JSON.stringify(tr.lags));
  assert.ok(busy.cpuMs! >= 100, `busy loop: ${JSON.stringify(busy)}`);
  assert.ok(asleep.cpuMs! < 50 && asleep.blockedMs! + asleep.runqMs! >= 150, `blocked wait: ${JSON.stringify(asleep)}`);
  const s = stallSummary(tr, 100, t0, t2 + 50);
  assert.ok(s.count >= 2);
  assert.ok(s.cpuMs >= 50);
});
