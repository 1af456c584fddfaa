// The recogniser's threads (libuv's pool, where koffi runs pocketsphinx) run below the event loop
// (src/util/thread-priority.ts, engine option recognitionNice): every pool thread that takes a job
// afterwards has the higher nice value, the event loop's thread keeps its own, the engine does it for
// its first session, and a session's speech is still recognised on the lowered threads.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import koffi from 'koffi';
import { lowerPoolPriority, loweredPoolThreads, threadNice } from '../src/util/thread-priority.ts';
import { EmbeddedEngine } from '../src/engine/embedded.ts';
import { resolveEngineOptions } from '../src/engine/options.ts';
import { concat, silence, speech } from '../src/testing/audio.ts';
import { collect } from '../src/testing/session.ts';

const gettid = koffi.load('libc.so.6').func('int gettid(void)') as ((...a: unknown[]) => number) & { async: (...a: unknown[]) => void };

/** The ids of the pool threads that ran `n` jobs queued at once. */
async function poolThreadsRunning(n: number): Promise<Set<number>> {
  const tids = await Promise.all(Array.from({ length: n }, () => new Promise<number>((res, rej) => gettid.async((e: unknown, t: number) => (e ? rej(e) : res(t))))));
  return new Set(tids);
}

test('recognitionNice: 0..19 integers only', () => {
  assert.equal(resolveEngineOptions({}).recognitionNice, 10);
  assert.equal(resolveEngineOptions({ recognitionNice: 0 }).recognitionNice, 0);
  for (const bad of [-1, 20, 2.5, Number.NaN]) assert.throws(() => resolveEngineOptions({ recognitionNice: bad }), RangeError);
});

test('the engine lowers every pool thread for its first session; the event loop keeps its priority; speech is still recognised', { skip: process.platform !== 'linux' }, async () => {
  const mainNice = threadNice(process.pid);
  assert.notEqual(mainNice, null);
  const before = await poolThreadsRunning(64);
  const base = new Map([...before].map((t) => [t, threadNice(t)!]));
  assert.equal(loweredPoolThreads().length, 0);

  const engine = new EmbeddedEngine();
  try {
    const events = await collect(await engine.createSession({}), concat(silence(0.6), speech('what time is it'), silence(1.6)));
    const lowered = new Set(loweredPoolThreads());
    assert.ok(lowered.size >= 1, 'no pool thread lowered');
    // Any pool thread that takes a job now is one of the lowered ones, 10 below where it was.
    for (let round = 0; round < 4; round++) {
      for (const t of await poolThreadsRunning(64)) {
        assert.ok(lowered.has(t), `pool thread ${t} ran a job but was not lowered`);
        assert.equal(threadNice(t), Math.min(19, (base.get(t) ?? mainNice!) + 10), `thread ${t}`);
      }
    }
    assert.equal(threadNice(process.pid), mainNice, 'the event loop thread must keep its priority');
    // Calling it again leaves the lowered threads alone (no second step down).
    assert.deepEqual(await lowerPoolPriority(10), []);
    const final = events.filter((e) => e.type === 'transcript' && e.final).map((e) => (e as { text: string }).text.toLowerCase()).join(' ');
    assert.match(final, /time/, `transcripts: ${final}`);
  } finally {
    await engine.close();
  }
});
