// Session.respond(): a reply asked for explicitly (Realtime response.create) is exactly one
// response.start … response.end under the caller's id, whatever the policy would have said:
// ready text, streamed text, or typed input handled like an instruction (commands start tasks).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createEngine } from '../src/engine/registry.ts';
import type { SessionEvent } from '../src/events.ts';
import { silence } from '../src/testing/audio.ts';
import { eventsOf } from '../src/testing/session.ts';

test('respond(): one reply per request under its id (text, streamed, typed input, a command), spoken or text-only', async () => {
  const engine = await createEngine('embedded');
  try {
    const session = await engine.createSession({ speak: true, outputSampleRate: 16000 });
    const events: SessionEvent[] = [];
    const reader = (async () => {
      for await (const ev of session) events.push(ev);
    })();
    assert.ok(session.respond, 'the embedded session implements respond()');
    session.respond!({ id: 'resp_text', text: 'Hello there.' });
    session.respond!({
      id: 'resp_stream',
      spoken: false,
      async *produce() {
        yield 'Streamed ';
        yield 'reply.';
      },
    });
    session.respond!({ id: 'resp_input', input: 'what is your name' });
    session.respond!({ id: 'resp_cmd', input: 'translate what I say into Spanish' });
    session.respond!({ id: 'resp_empty', input: 'stop counting' }); // nothing to stop: still one (possibly empty) reply
    // Stream time has to pass for spoken replies to finish.
    for (let i = 0; i < 40; i++) await session.push(silence(0.4));
    await session.end();
    await reader;

    const ids = ['resp_text', 'resp_stream', 'resp_input', 'resp_cmd', 'resp_empty'];
    for (const id of ids) {
      assert.equal(eventsOf(events, 'response.start').filter((e) => e.id === id).length, 1, `${id}: one start`);
      assert.equal(eventsOf(events, 'response.end').filter((e) => e.id === id).length, 1, `${id}: one end`);
    }
    const text = (id: string) => eventsOf(events, 'response.end').find((e) => e.id === id)!.text;
    assert.equal(text('resp_text'), 'Hello there.');
    assert.equal(text('resp_stream'), 'Streamed reply.');
    assert.match(text('resp_input'), /SoundFlow/);
    assert.match(text('resp_cmd'), /spanish/i);
    assert.ok(eventsOf(events, 'task.started').some((e) => e.task === 'translate'), 'the command started its task');
    const audioOf = (id: string) => eventsOf(events, 'response.audio').filter((e) => e.id === id).length;
    assert.ok(audioOf('resp_text') > 0, 'spoken by default (speak: true)');
    assert.equal(audioOf('resp_stream'), 0, 'spoken: false gives text only');
  } finally {
    await engine.close?.();
  }
});
