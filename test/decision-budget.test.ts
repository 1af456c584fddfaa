// The decision budget (issue #12): a chunk's decision never waits for recognition past its budget. A
// recogniser made slow on purpose (each final held back 1.5 s) on a live-paced stream: every chunk event
// still comes, on time and in order; the utterance's end is held ("wait:transcript"), never answered on a
// guess; its transcript, reply and task come on a later chunk, the same as without the delay. Real
// espeak-ng speech through the embedded engine.
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { EmbeddedEngine } from '../src/engine/embedded.ts';
import type { SessionWiring } from '../src/engine/embedded.ts';
import type { SessionOptions } from '../src/engine/options.ts';
import type { SessionEvent } from '../src/events.ts';
import { concat, mix, noise, silence, speech, SR } from '../src/testing/audio.ts';
import { eventsOf } from '../src/testing/session.ts';

const CHUNK = 6400;
const DELAY_MS = 1500;

describe('decision budget', () => {
  const engine = new EmbeddedEngine();
  after(() => engine.close());
  // A long quiet tail: the held-back final is decided well before the stream ends, even on a loaded machine.
  const clip = concat(silence(1.2), speech('What is your name?'), silence(7));
  const audio = mix(clip, noise(clip.length / SR, { amplitude: 0.01, seed: 7 }), 30).subarray(0, Math.floor(clip.length / CHUNK) * CHUNK);

  /** Streams the audio in 0.4 s pieces, live-paced or as fast as accepted; each event with its arrival time. */
  async function run(opts: Partial<SessionOptions>, wiring: SessionWiring, paced: boolean) {
    const session = await engine.createSession(opts, wiring);
    const events: { ev: SessionEvent; at: number }[] = [];
    const reader = (async () => {
      for await (const ev of session) events.push({ ev, at: performance.now() });
    })();
    const t0 = performance.now();
    for (let i = 0; i < audio.length; i += CHUNK) {
      if (paced) {
        const ahead = ((i + CHUNK) / SR) * 1000 - (performance.now() - t0);
        if (ahead > 0) await new Promise((r) => setTimeout(r, ahead));
      }
      await session.push(audio.subarray(i, i + CHUNK));
    }
    await session.end();
    await reader;
    return events;
  }

  it('decides every chunk without waiting for a slow final; the turn is answered on a later chunk, unchanged', async () => {
    const base = (await run({}, {}, false)).map((e) => e.ev);
    let releasedAt = Infinity;
    const slow: SessionWiring = {
      wrapFinal: (final) =>
        final.then((f) => new Promise((r) => setTimeout(() => {
          releasedAt = Math.min(releasedAt, performance.now());
          r(f);
        }, DELAY_MS))),
    };
    const timed = await run({}, slow, true);
    const evs = timed.map((e) => e.ev);

    // Every chunk decided once, in order.
    const chunks = eventsOf(evs, 'chunk');
    assert.deepEqual(chunks.map((c) => c.index), eventsOf(base, 'chunk').map((c) => c.index));
    assert.deepEqual(chunks.map((c) => c.index), [...Array(audio.length / CHUNK).keys()]);

    // The same transcript, reply and task as without the delay.
    const finalText = (xs: SessionEvent[]) => eventsOf(xs, 'transcript').filter((e) => e.final).map((e) => e.text);
    assert.deepEqual(finalText(evs), finalText(base));
    assert.ok(finalText(base).length === 1, `one final transcript: ${JSON.stringify(finalText(base))}`);
    const reply = (xs: SessionEvent[]) => eventsOf(xs, 'response.end').map((e) => e.text);
    assert.deepEqual(reply(evs), reply(base));
    assert.match(reply(base)[0] ?? '', /soundflow/i);
    assert.deepEqual(eventsOf(evs, 'response.start').map((e) => e.task), eventsOf(base, 'response.start').map((e) => e.task));

    // Without the delay the end chunk answers; with it, the end chunk (at the pause, or after the closing
    // silence when the early end-of-turn check was not ready in time) and the next ones hold, then one answers.
    const respond = (xs: SessionEvent[]) => eventsOf(xs, 'chunk').find((c) => c.decision === 'respond')!.index;
    const baseEnd = respond(base);
    const held = chunks.filter((c) => c.reason === 'wait:transcript').map((c) => c.index);
    const end = held[0];
    assert.ok(held.length >= 1 && (end === baseEnd || end === baseEnd + 1), `held chunks ${JSON.stringify(held)}, end chunk without the delay ${baseEnd}`);
    assert.deepEqual(held, held.map((_, i) => end + i), 'held until the final is there');
    assert.ok(held.every((i) => chunks[i].decision === 'silent'));
    assert.equal(respond(evs), held.at(-1)! + 1);
    // Speech stopped on the end chunk (once), even though its transcript came later.
    assert.deepEqual(eventsOf(evs, 'speech.stopped').map((e) => e.t), [chunks[end].t]);

    // The end chunk and the one after it were decided before the held-back final even existed.
    const at = (index: number) => timed.find((e) => e.ev.type === 'chunk' && e.ev.index === index)!.at;
    assert.ok(at(end) < releasedAt && at(end + 1) < releasedAt, `end chunk at ${at(end)}, next at ${at(end + 1)}, final released at ${releasedAt}`);
  });

  it('sequential mode waits: no chunk is decided without its final', async () => {
    const evs = (await run({ mode: 'sequential', decisionBudgetMs: 0 }, {}, false)).map((e) => e.ev);
    assert.equal(eventsOf(evs, 'chunk').filter((c) => c.reason === 'wait:transcript').length, 0);
    assert.match(eventsOf(evs, 'response.end')[0]?.text ?? '', /soundflow/i);
  });

  it('refuses a negative budget', async () => {
    await assert.rejects(engine.createSession({ decisionBudgetMs: -1 }), /decisionBudgetMs/);
  });
});
