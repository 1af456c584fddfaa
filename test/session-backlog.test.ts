// A decision that waits (for a final transcript, say) holds up the chunks queued behind it; once it is
// done, those decisions run in a burst. They must run before the next chunk's perception starts, not
// inside it: in the loop bench up to 9 of them landed in one chunk's VAD (docs/notes/perception.md).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { resolveOptions } from '../src/engine/options.ts';
import { EmbeddedSession } from '../src/engine/session.ts';
import { Perceiver } from '../src/perception/perceiver.ts';
import type { ChunkDecision, Policy } from '../src/decision/types.ts';
import { collect } from '../src/testing/session.ts';
import { concat, noise, tone } from '../src/testing/audio.ts';

test('a backlog of decisions runs before the next chunk is perceived', async () => {
  const log: string[] = [];
  let release!: () => void;
  const held = new Promise<void>((r) => (release = r));
  const policy: Policy = {
    async decide(p) {
      if (p.chunk.index === 1) await held;
      log.push(`decide ${p.chunk.index}`);
      return { decision: 'silent', reason: 'test', responses: [], events: [] } satisfies ChunkDecision;
    },
    instruct: () => ({ decision: 'silent', reason: 'test', responses: [], events: [] }),
  };
  const perceiver = await Perceiver.create({ sounds: false, quietGate: false });
  const perceive = perceiver.perceive.bind(perceiver);
  perceiver.perceive = async (chunk) => {
    log.push(`perceive ${chunk.index}`);
    const p = await perceive(chunk);
    // Chunk 1's decision is held until the queue behind it is full (capacity 3: chunks 2-4) and chunk 5
    // waits to be put: released from a timer, i.e. once perception is blocked on the full queue.
    if (chunk.index === 5) setTimeout(release, 10);
    return p;
  };
  const session = new EmbeddedSession(resolveOptions({ speak: false, queueCapacity: 3 }), perceiver, policy, null);
  // Real audio (tones over noise), 12 chunks pushed as fast as the session takes them.
  const audio = concat(...Array.from({ length: 6 }, (_, i) => tone(500 + 200 * i, 0.4, 0.2)), noise(2.4, { amplitude: 0.01 }));
  await collect(session, audio, 1600);

  const decided = log.filter((l) => l.startsWith('decide')).map((l) => Number(l.split(' ')[1]));
  assert.deepEqual(decided, Array.from({ length: 12 }, (_, i) => i), 'every chunk decided once, in order');
  // The decisions queued behind the held one (2-4, and 5 put once 2 was taken) must all come before the
  // next chunk's perception starts.
  const at1 = log.indexOf('decide 1');
  const next = log.findIndex((l, i) => i > at1 && l.startsWith('perceive'));
  assert.ok(next > at1, 'perception went on after the held decision');
  const perceivedBefore = log.slice(0, next).filter((l) => l.startsWith('perceive')).map((l) => Number(l.split(' ')[1]));
  const lastPerceived = Math.max(...perceivedBefore);
  const lateDecisions = log.slice(next).filter((l) => l.startsWith('decide') && Number(l.split(' ')[1]) <= lastPerceived);
  assert.deepEqual(lateDecisions, [], `decisions of chunks queued before perception went on ran inside it: ${log.join(', ')}`);
  const backlog = log.slice(at1, next).filter((l) => l.startsWith('decide')).length;
  assert.ok(backlog >= 3, `the backlog was released at once (${backlog} decisions): ${log.join(', ')}`);
});
