// EmbeddedEngine.warmUp plays a synthetic clip through a throwaway session (issue #12: a process's first
// sound-bearing session paid for code nothing had run yet; docs/notes/server.md, round 13). These tests
// fail if that session is dropped from warmUp or its clip stops reaching the sound handlers.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EmbeddedEngine } from '../src/engine/embedded.ts';
import { WARM_UP_SECONDS, warmUpClip } from '../src/engine/warm-up.ts';
import { CHUNK_SAMPLES, SAMPLE_RATE } from '../src/audio/chunk.ts';
import type { EmbeddedSession } from '../src/engine/session.ts';
import { rms } from '../src/testing/audio.ts';

test('the warm-up clip is deterministic, WARM_UP_SECONDS long, and holds sounds above its room noise', () => {
  const a = warmUpClip();
  const b = warmUpClip();
  assert.equal(a.length, WARM_UP_SECONDS * SAMPLE_RATE);
  assert.deepEqual(a, b);
  const at = (s: number, d: number) => rms(a.subarray(Math.round(s * SAMPLE_RATE), Math.round((s + d) * SAMPLE_RATE)));
  const room = at(8.2, 1.6);
  assert.ok(room > 0.001 && room < 0.02, `room noise rms ${room}`);
  for (const [s, d] of [[0, 0.5], [1.2, 0.3], [2.2, 0.8], [3.3, 1.4], [5, 0.5]]) assert.ok(at(s, d) > 5 * room, `no sound at ${s} s`);
});

test('warmUp runs the clip through a session: every chunk decided, the sound handlers and an utterance reached', async () => {
  const engine = new EmbeddedEngine();
  try {
    const before = engine.warmedUp;
    assert.equal(before, null);
    await engine.warmUp();
    const w = engine.warmedUp;
    assert.ok(w, 'no warm-up session ran');
    assert.equal(w.chunks, (WARM_UP_SECONDS * SAMPLE_RATE) / CHUNK_SAMPLES);
    assert.equal(w.events['session.ended'], 1);
    assert.ok((w.events.sound ?? 0) >= 1, `no sound event in the warm-up session: ${JSON.stringify(w.events)}`);
    // The voiced part opened (and closed) an utterance: segmenter, recogniser and the decision on a final ran.
    assert.equal(w.events['speech.started'], 1, JSON.stringify(w.events));
    assert.equal(w.events['speech.stopped'], 1, JSON.stringify(w.events));
    // The engine serves a real session afterwards as usual.
    const s = (await engine.createSession()) as EmbeddedSession;
    const types: string[] = [];
    const reader = (async () => {
      for await (const ev of s) types.push(ev.type);
    })();
    const clip = warmUpClip(2);
    for (let i = 0; i < clip.length; i += 1600) await s.push(clip.subarray(i, i + 1600));
    await s.end();
    await reader;
    assert.equal(types.filter((t) => t === 'chunk').length, 5);
    assert.equal(types.at(-1), 'session.ended');
  } finally {
    await engine.close();
  }
});
