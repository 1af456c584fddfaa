// A decision that waits (for a final transcript, say) holds up the chunks queued behind it; once it is
// done, those decisions run in a burst. The burst must run between two chunks' perception, not inside
// one: in the loop bench up to 9 of them landed in one chunk's VAD (docs/notes/perception.md).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { resolveOptions } from '../src/engine/options.ts';
import { EmbeddedSession } from '../src/engine/session.ts';
import { Perceiver } from '../src/perception/perceiver.ts';
import type { ChunkDecision, Policy } from '../src/decision/types.ts';
import { collect } from '../src/testing/session.ts';
import { concat, noise, tone } from '../src/testing/audio.ts';

const SILENT: ChunkDecision = { decision: 'silent', reason: 'test', responses: [], events: [] };

/**
 * 12 chunks of real audio (tones, then quiet noise) as fast as the session takes them; chunk 1's
 * decision is held until `releaseAt` is perceived: `blocked` releases it once that chunk's percept waits
 * on a full decision queue, `during` while the chunk is still being perceived. Returns the order of
 * perception starts/ends and decisions.
 */
async function run(queueCapacity: number, releaseAt: number, when: 'blocked' | 'during'): Promise<string[]> {
  const log: string[] = [];
  let release!: () => void;
  const held = new Promise<void>((r) => (release = r));
  const policy: Policy = {
    async decide(p) {
      if (p.chunk.index === 1) await held;
      log.push(`decide ${p.chunk.index}`);
      return SILENT;
    },
    instruct: () => SILENT,
  };
  const perceiver = await Perceiver.create({ sounds: false, quietGate: false });
  const perceive = perceiver.perceive.bind(perceiver);
  perceiver.perceive = async (chunk) => {
    log.push(`perceive ${chunk.index}`);
    if (chunk.index === releaseAt && when === 'during') setImmediate(release); // fires between VAD frames
    const p = await perceive(chunk);
    log.push(`perceived ${chunk.index}`);
    if (chunk.index === releaseAt && when === 'blocked') setTimeout(release, 10); // once the put is waiting
    return p;
  };
  const session = new EmbeddedSession(resolveOptions({ speak: false, queueCapacity }), perceiver, policy, null);
  const audio = concat(...Array.from({ length: 6 }, (_, i) => tone(500 + 200 * i, 0.4, 0.2)), noise(2.4, { amplitude: 0.01 }));
  await collect(session, audio, 1600);
  return log;
}

function check(log: string[]): void {
  const decided = log.filter((l) => l.startsWith('decide')).map((l) => Number(l.split(' ')[1]));
  assert.deepEqual(decided, Array.from({ length: 12 }, (_, i) => i), 'every chunk decided once, in order');
  // Inside one chunk's perception at most the previous chunk's decision runs (the pipeline's overlap),
  // plus the held one finishing; the backlog behind it (3-4 decisions) must not.
  for (let i = 0; i < log.length; i++) {
    if (!log[i].startsWith('perceive ')) continue;
    const end = log.indexOf(log[i].replace('perceive', 'perceived'), i);
    const inside = log.slice(i, end).filter((l) => l.startsWith('decide'));
    assert.ok(inside.length <= 2, `${inside.join(', ')} ran inside ${log[i]}: ${log.join(', ')}`);
  }
  const at1 = log.indexOf('decide 1');
  const backlog = log.slice(at1).findIndex((l) => l.startsWith('perceive '));
  assert.ok(backlog >= 4, `the decisions queued behind the held one ran together: ${log.join(', ')}`);
}

test('a backlog of decisions released while perception waits on the full queue runs before the next chunk', async () => {
  check(await run(3, 5, 'blocked'));
});

test('a backlog of decisions released in the middle of a chunk waits for that chunk', async () => {
  check(await run(8, 6, 'during'));
});
