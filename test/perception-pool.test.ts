// The perception worker pool (src/perception/workers/pool.ts): VAD and sound-model results equal the
// in-thread ones while batching streams together; a worker that dies is replaced without any stream
// losing or changing a result; a full queue refuses with a clear error; an engine session on the pool
// hears and answers a spoken question.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SileroVad } from '../src/perception/vad.ts';
import { PerceptionPool } from '../src/perception/workers/pool.ts';
import { InThreadModels } from '../src/perception/chunk-models.ts';
import { SoundClassifier } from '../src/perception/sounds/classifier.ts';
import { LogMel } from '../src/perception/features.ts';
import { SoundFlowError } from '../src/util/errors.ts';
import { EmbeddedEngine } from '../src/engine/embedded.ts';
import { concat, mix, noise, silence, speech, tone } from '../src/testing/audio.ts';
import { collect } from '../src/testing/session.ts';

const CHUNK = 6400;

/** Four different streams: speech in two voices, a beep over noise, a quiet room. */
function streams(): Float32Array[] {
  return [
    concat(silence(0.5), speech('the museum opens at nine'), silence(0.8)),
    concat(speech('how are you', { voice: 'en+m3' }), silence(1.2)),
    mix(concat(silence(0.6), tone(1000, 0.5, 0.3), silence(1.5)), noise(2.6, { amplitude: 0.02 }), 20),
    noise(2.4, { amplitude: 0.003 }),
  ];
}

async function vadAll(vads: SileroVad[], xs: Float32Array[], during?: (chunk: number) => void): Promise<number[][]> {
  const out: number[][] = xs.map(() => []);
  const chunks = Math.max(...xs.map((x) => Math.ceil(x.length / CHUNK)));
  for (let k = 0; k < chunks; k++) {
    // Every stream's chunk k in the same turn: they travel together.
    const runs = xs.map((x, i) => (k * CHUNK < x.length ? vads[i].process(x.subarray(k * CHUNK, (k + 1) * CHUNK)) : null));
    during?.(k);
    const rs = await Promise.all(runs);
    rs.forEach((r, i) => r && out[i].push(...r.probs));
  }
  return out;
}

function assertClose(a: number[][], b: number[][]): void {
  assert.equal(a.length, b.length);
  a.forEach((xs, i) => {
    assert.equal(xs.length, b[i].length, `stream ${i}: frame count`);
    const worst = Math.max(...xs.map((x, j) => Math.abs(x - b[i][j])));
    assert.ok(worst < 1e-3, `stream ${i}: worst difference ${worst}`);
  });
}

test('pooled VAD equals in-thread VAD, streams batched together; a crashed worker is replaced and nobody loses a frame', async () => {
  const xs = streams();
  const local = new InThreadModels();
  const pool = new PerceptionPool({ workers: 2 });
  try {
    const ref = await vadAll(await Promise.all(xs.map(() => SileroVad.create(local))), xs);
    // The reference itself is right: speech streams have speech frames, the quiet room has none.
    assert.ok(ref[0].filter((p) => p >= 0.5).length >= 10 && ref[1].filter((p) => p >= 0.5).length >= 10);
    assert.ok(Math.max(...ref[3]) < 0.5);

    const got = await vadAll(await Promise.all(xs.map(() => SileroVad.create(pool))), xs);
    assertClose(got, ref);
    assert.ok(pool.stats.maxBatchSeen >= 2, `batches of several streams (largest ${pool.stats.maxBatchSeen})`);

    const before = pool.threadIds;
    const again = await vadAll(await Promise.all(xs.map(() => SileroVad.create(pool))), xs, (k) => k === 2 && pool.crashWorker(0));
    assertClose(again, ref);
    assert.equal(pool.stats.restarts, 1);
    assert.equal(pool.stats.failed, 0);
    assert.ok(pool.stats.retried >= 1, 'the dead worker had a batch in flight, re-run elsewhere');
    const after = pool.threadIds;
    assert.notEqual(after[0], before[0], 'worker 0 was replaced');
    assert.equal(after[1], before[1], 'worker 1 kept running');
    // The replacement works.
    assertClose(await vadAll(await Promise.all(xs.map(() => SileroVad.create(pool))), xs), ref);
  } finally {
    await pool.close();
    await local.close();
  }
});

test('pooled sound model equals the in-thread classifier', async () => {
  const xs = streams();
  const pool = new PerceptionPool({ workers: 2 });
  try {
    for (const x of xs) {
      const a = await SoundClassifier.load();
      const b = await SoundClassifier.load();
      const mel = new LogMel();
      for (let o = 0; o + CHUNK <= x.length; o += CHUNK) {
        const m = mel.process(x.subarray(o, o + CHUNK));
        const want = a.classify(m);
        const got = await pool.sounds(b.window(m));
        assert.equal(got.length, want.length);
        assert.ok(Math.max(...Array.from(got, (p, i) => Math.abs(p - want[i]))) < 1e-5);
      }
    }
  } finally {
    await pool.close();
  }
});

test('a full pool queue refuses new chunks with engine_busy; queued ones still finish', async () => {
  const pool = new PerceptionPool({ workers: 1, maxQueued: 3 });
  try {
    const x = speech('how are you');
    const vads = await Promise.all(Array.from({ length: 5 }, () => SileroVad.create(pool)));
    const runs = vads.map((v) => v.process(x.subarray(0, CHUNK)).then((r) => r.probs.length, (e: unknown) => e));
    const rs = await Promise.all(runs);
    const refused = rs.filter((r) => r instanceof SoundFlowError && r.code === 'engine_busy' && r.recoverable);
    assert.equal(refused.length, 2, String(rs));
    assert.deepEqual(rs.filter((r) => typeof r === 'number'), [12, 12, 12]);
    assert.equal(pool.stats.refused, 2);
    // The queue drained: the refused streams go on with their next chunk.
    assert.equal((await vads[4].process(x.subarray(CHUNK, 2 * CHUNK))).probs.length, 12);
  } finally {
    await pool.close();
  }
});

test('an engine session on the worker pool hears and answers a spoken question', async () => {
  const engine = new EmbeddedEngine({ perceptionWorkers: 2 });
  try {
    const audio = mix(concat(silence(1), speech('how are you'), silence(2.5)), noise(5, { amplitude: 0.01 }), 30);
    const events = await collect(await engine.createSession(), audio);
    assert.ok(events.some((e) => e.type === 'speech.started'));
    const fin = events.find((e) => e.type === 'transcript' && e.final);
    assert.ok(fin && fin.type === 'transcript' && /how are you/.test(fin.text), JSON.stringify(fin));
    assert.ok(events.some((e) => e.type === 'chunk' && e.decision === 'respond'));
    assert.ok((engine.models as PerceptionPool).stats.jobs > 0, 'the pool did the work');
  } finally {
    await engine.close();
  }
});

test('closing the pool with batches in flight rejects their jobs clearly and the workers end after their runs', async () => {
  const pool = new PerceptionPool({ workers: 2 });
  const x = speech('how are you');
  const vads = await Promise.all(Array.from({ length: 6 }, () => SileroVad.create(pool)));
  await pool.warm();
  const runs = vads.map((v) => v.process(x.subarray(0, CHUNK)).then(() => 'done', (e: unknown) => e));
  await new Promise((r) => setImmediate(r)); // the batches are handed to the workers
  await pool.close();
  const rs = await Promise.all(runs);
  assert.ok(rs.every((r) => r instanceof SoundFlowError && /pool closed/.test(r.message)), String(rs));
  assert.ok(pool.threadIds.length === 2);
  // The process is still here and the in-thread models still work after the workers ended.
  const local = new InThreadModels();
  try {
    assert.equal((await (await SileroVad.create(local)).process(x.subarray(0, CHUNK))).probs.length, 12);
  } finally {
    await local.close();
  }
});

test('closing a pool while its workers still load waits for them to end by themselves (never terminated mid-load)', async () => {
  // A worker terminated inside onnxruntime-node's model load or run aborts the whole process; close()
  // used to terminate workers that had not ended within 5 s, which a worker still loading on a loaded
  // machine can take (2.5-4.4 s measured at load 13). Closing right after construction hits the load.
  const pool = new PerceptionPool({ workers: 2 });
  const job = pool.vad({ frames: new Float32Array(512), h: new Float32Array(128), c: new Float32Array(128) }).then(() => 'done', (e: unknown) => e);
  await pool.close();
  const r = await job;
  assert.ok(r instanceof SoundFlowError && /pool closed/.test(r.message), String(r));
  await assert.rejects(pool.vad({ frames: new Float32Array(512), h: new Float32Array(128), c: new Float32Array(128) }), /pool closed/);
  await pool.close(); // twice is harmless
});
