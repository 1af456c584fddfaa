// Stronger back ends behind the same session: an OpenAI-compatible LLM answers what the offline skills
// cannot, an OpenAI-compatible ASR endpoint gives final transcripts; both fall back to the offline parts
// with an `error` event when the endpoint fails. Real local HTTP servers on 127.0.0.1.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startFakeOpenAI } from './helpers/fake-servers.ts';
import { concat, silence, speech } from '../src/testing/audio.ts';
import { eventsOf as of, runSession } from '../src/testing/session.ts';

test('a typed question the skills cannot answer goes to the LLM endpoint; a failing endpoint falls back offline', async () => {
  const fake = await startFakeOpenAI({ reply: () => 'William Shakespeare wrote Hamlet.' });
  try {
    // Generous timeouts: nothing here is about timing, and a loaded CI machine is slow (the fake ASR
    // endpoint runs pocketsphinx_continuous per upload: 5.6 s wall at load 22, over 20 s once).
    const llm = { baseUrl: `${fake.url}/v1`, model: 'tiny-test', timeoutMs: 15_000 };
    const ok = await runSession(silence(3), { llm, instructions: ['Who wrote Hamlet?'] });
    const ends = of(ok, 'response.end');
    assert.equal(ends.length, 1);
    assert.equal(ends[0].text, 'William Shakespeare wrote Hamlet.');
    const sent = JSON.parse(fake.requests.at(-1)!.body.toString());
    assert.equal(sent.model, 'tiny-test');
    assert.equal(sent.stream, true);
    assert.match(sent.messages.at(-1).content, /hamlet/i);

    fake.script.push({ kind: 'status', status: 500 });
    const failed = await runSession(silence(3), { llm, instructions: ['Who wrote Hamlet?'] });
    assert.match(of(failed, 'response.end')[0].text, /can't answer that offline/i);
    const err = of(failed, 'error').find((e) => e.code === 'llm_failed');
    assert.ok(err && err.recoverable, JSON.stringify(of(failed, 'error')));
    assert.equal(of(failed, 'session.ended').length, 1, 'the session went on to its end');

    // Questions the skills can answer never reach the LLM.
    const before = fake.requests.length;
    const local = await runSession(silence(2), { llm, instructions: ['What is your name?'] });
    assert.match(of(local, 'response.end')[0].text, /SoundFlow/);
    assert.equal(fake.requests.length, before);
  } finally {
    await fake.close();
  }
});

test('final transcripts come from a configured ASR endpoint; a dropped connection falls back to pocketsphinx', async () => {
  const fake = await startFakeOpenAI();
  try {
    const asrEndpoint = { baseUrl: `${fake.url}/v1`, model: 'whisper-test', timeoutMs: 120_000 };
    const audio = concat(silence(0.8), speech('What is your name?'), silence(2.5));
    const ok = await runSession(audio, { asrEndpoint });
    assert.equal(fake.uploads.length, 1, 'one utterance uploaded');
    assert.equal(fake.uploads[0].sampleRate, 16000);
    assert.equal(fake.uploads[0].fields.model, 'whisper-test');
    assert.ok(of(ok, 'transcript').some((t) => t.final));
    assert.deepEqual(of(ok, 'error'), [], 'no error while the endpoint works');

    fake.script.push({ kind: 'drop' });
    const dropped = await runSession(audio, { asrEndpoint });
    const err = of(dropped, 'error')[0];
    assert.ok(err && err.recoverable, 'an error event says the endpoint failed');
    assert.match(err.message, /ASR endpoint failed/);
    assert.match(of(dropped, 'response.end')[0]?.text ?? '', /SoundFlow/, 'the local transcript still answered the question');
  } finally {
    await fake.close();
  }
});
