// The served Audio-Interaction model engine against a local server speaking the reference demo
// protocol: frames in, SSE text and <|busy|>/<|end|>/<|cache_cleared|> markers out, with failures.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { AimServedEngine } from '../src/engine/aim-served.ts';
import { EngineError } from '../src/clients/errors.ts';
import type { Session } from '../src/engine/types.ts';
import type { EventOf, SessionEvent } from '../src/events.ts';
import { SoundFlowError } from '../src/util/errors.ts';
import { concat, silence, speech } from '../src/testing/audio.ts';
import { startFakeAim, type FakeAim } from './helpers/fake-servers.ts';

function drain(session: Session): Promise<SessionEvent[]> {
  return (async () => {
    const out: SessionEvent[] = [];
    for await (const ev of session) out.push(ev);
    return out;
  })();
}

const of = <T extends SessionEvent['type']>(evs: SessionEvent[], type: T) => evs.filter((e): e is EventOf<T> => e.type === type);

let utterance: Float32Array;
before(() => {
  utterance = concat(silence(0.8), speech('hello there, how are you today', { voice: 'en-us' }), silence(2.4));
});

describe('served Audio-Interaction engine', () => {
  let server: FakeAim;
  before(async () => {
    server = await startFakeAim({ emotionTag: '<|happy|>', clearAfterReplies: 2 });
  });
  after(() => server.close());

  test('a spoken utterance gets a streamed reply; the chunk where it began says respond', async () => {
    const engine = new AimServedEngine({ baseUrl: server.url });
    const session = await engine.createSession();
    const done = drain(session);
    await session.push(utterance);
    await session.end();
    const evs = await done;
    assert.equal(evs[0].type, 'session.started');
    assert.equal(evs.at(-1)!.type, 'session.ended');
    const chunks = of(evs, 'chunk');
    assert.equal(chunks.length, Math.ceil(utterance.length / 6400));
    assert.deepEqual(chunks.map((c) => c.index), chunks.map((_, i) => i));
    const responding = chunks.filter((c) => c.decision === 'respond');
    assert.equal(responding.length, 1);
    assert.equal(server.triggers.length, 1);
    assert.equal(responding[0].index, server.triggers[0]);
    assert.ok(chunks.filter((c) => c.levelDb > -40).length >= 3);
    assert.equal(chunks.filter((c) => c.reason === 'busy:frame-dropped').length, server.refused);
    const [start] = of(evs, 'response.start');
    const [end] = of(evs, 'response.end');
    assert.equal(start.emotion, 'happy');
    assert.equal(start.task, 'chat');
    assert.equal(end.id, start.id);
    assert.equal(end.interrupted, false);
    assert.equal(end.text, server.replies[0]);
    assert.match(end.text, /\n/); // "\\n" on the wire is a newline again
    assert.equal(of(evs, 'response.text').map((e) => e.delta).join(''), end.text);
    assert.equal(server.audioEnds, 1);
    // The reply reports the length of the sound it heard: the audio made it through intact.
    const heard = Number(end.text.match(/heard ([\d.]+)/)![1]);
    assert.ok(heard >= 1 && heard <= 3.5, `heard ${heard}`);
  });

  test('one session at a time; <|cache_cleared|> is absorbed; the next session works', async () => {
    const engine = new AimServedEngine({ baseUrl: server.url });
    const session = await engine.createSession();
    await assert.rejects(engine.createSession(), (e: unknown) => e instanceof SoundFlowError && e.code === 'engine_busy');
    const done = drain(session);
    await session.push(utterance);
    await session.end();
    const evs = await done;
    assert.equal(of(evs, 'response.end').length, 1);
    assert.equal(of(evs, 'error').length, 0);
    await assert.rejects(session.push(utterance), (e: unknown) => e instanceof SoundFlowError && e.code === 'session_closed');
    const again = await engine.createSession();
    again.close();
    await engine.close();
  });

  test('cancelResponse ends the reply for the client and drops the rest of it', async () => {
    const slow = await startFakeAim({ pieceDelayMs: 40 });
    try {
      const session = await new AimServedEngine({ baseUrl: slow.url }).createSession();
      const evs: SessionEvent[] = [];
      const done = (async () => {
        for await (const ev of session) {
          evs.push(ev);
          if (ev.type === 'response.text' && of(evs, 'response.text').length === 2) session.cancelResponse();
        }
      })();
      await session.push(utterance);
      await session.end();
      await done;
      const ends = of(evs, 'response.end');
      assert.equal(ends.length, 1);
      assert.equal(ends[0].interrupted, true);
      assert.equal(of(evs, 'response.text').length, 2);
      assert.ok(ends[0].text.length < slow.replies[0].length);
    } finally {
      await slow.close();
    }
  });

  test('a 500 on a frame is a recoverable error event and the session goes on', async () => {
    const session = await new AimServedEngine({ baseUrl: server.url }).createSession();
    const done = drain(session);
    server.script.push({ kind: 'status', status: 500 });
    await session.push(utterance);
    await session.end();
    const evs = await done;
    const errors = of(evs, 'error');
    assert.equal(errors.length, 1);
    assert.equal(errors[0].code, 'aim_server_error');
    assert.equal(errors[0].recoverable, true);
    assert.equal(of(evs, 'chunk')[0].reason, 'server-error');
    assert.equal(of(evs, 'response.end').length, 1);
  });

  test('a dropped /stream is reconnected and later replies still arrive', async () => {
    const s2 = await startFakeAim();
    try {
      const session = await new AimServedEngine({ baseUrl: s2.url, reconnectDelayMs: 50 }).createSession();
      const done = drain(session);
      await session.push(silence(0.8));
      s2.dropStreams();
      await new Promise((r) => setTimeout(r, 200));
      await session.push(utterance);
      await session.end();
      const evs = await done;
      assert.equal(s2.streamConnections, 2);
      assert.deepEqual(of(evs, 'error').map((e) => [e.code, e.recoverable]), [['aim_stream_dropped', true]]);
      assert.equal(of(evs, 'response.end').length, 1);
      assert.equal(of(evs, 'response.end')[0].text, s2.replies[0]);
    } finally {
      await s2.close();
    }
  });

  test('a slow frame times out as an error event; an unreachable server fails createSession', async () => {
    // 2 s against a 20 s delay (ended when the client leaves): a 150 ms timeout also bound createSession's
    // own requests, which a loaded machine did not answer in time (1 of 3 loaded runs).
    const session = await new AimServedEngine({ baseUrl: server.url, timeoutMs: 2000 }).createSession();
    const done = drain(session);
    server.script.push({ kind: 'delay', ms: 20_000 });
    await session.push(silence(0.4));
    await session.end();
    const evs = await done;
    assert.equal(of(evs, 'error')[0]?.code, 'aim_timeout');
    const gone = await startFakeAim();
    const url = gone.url;
    await gone.close();
    await assert.rejects(new AimServedEngine({ baseUrl: url, timeoutMs: 5000 }).createSession(), (e: unknown) => e instanceof EngineError && e.code === 'aim_connection');
    assert.throws(() => new AimServedEngine({ baseUrl: 'nope' }), (e: unknown) => e instanceof SoundFlowError && e.code === 'invalid_argument');
  });

  test('a text instruction is spoken into the stream (the model only hears audio)', async () => {
    const s3 = await startFakeAim();
    try {
      const session = await new AimServedEngine({ baseUrl: s3.url }).createSession();
      const done = drain(session);
      session.instruct('what is the time');
      await session.push(silence(2));
      await session.end();
      const evs = await done;
      assert.equal(s3.triggers.length, 1);
      assert.equal(of(evs, 'response.end').length, 1);
      await assert.rejects(session.push('x' as unknown as Float32Array), SoundFlowError);
    } finally {
      await s3.close();
    }
  });
});
