// The OpenAI-compatible chat and transcription clients against local fake servers that speak the
// protocol (SSE streaming, multipart upload) and fail on request: 500, 429, slow, dropped.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { EngineError } from '../src/clients/errors.ts';
import { OpenAIChatClient } from '../src/clients/openai-chat.ts';
import { OpenAITranscriptionClient } from '../src/clients/openai-transcribe.ts';
import { SoundFlowError } from '../src/util/errors.ts';
import { concat, silence, speech } from '../src/testing/audio.ts';
import { defaultReply, startFakeOpenAI, type FakeOpenAI } from './helpers/fake-servers.ts';

async function collect(it: AsyncIterable<string>): Promise<{ deltas: string[]; error?: unknown }> {
  const deltas: string[] = [];
  try {
    for await (const d of it) deltas.push(d);
  } catch (error) {
    return { deltas, error };
  }
  return { deltas };
}

function assertEngineError(err: unknown, code: string, retryable: boolean): void {
  assert.ok(err instanceof EngineError, `expected EngineError, got ${String(err)}`);
  assert.equal(err.code, code);
  assert.equal(err.retryable, retryable);
  assert.equal(err.recoverable, true);
}

describe('OpenAI chat client', () => {
  let server: FakeOpenAI;
  let client: OpenAIChatClient;
  const messages = [
    { role: 'system' as const, content: 'You are SoundFlow.' },
    { role: 'user' as const, content: 'what is the weather like in Madrid' },
  ];
  before(async () => {
    server = await startFakeOpenAI({ apiKey: 'sk-test', deltaDelayMs: 2 });
    // 3 s: every ordinary request of this suite must answer within it, on a loaded machine too; the
    // scripted delays (20 s, ended early when the client leaves) are far beyond it.
    client = new OpenAIChatClient({ baseUrl: `${server.url}/v1`, model: 'tiny-model', apiKey: 'sk-test', timeoutMs: 3000 });
  });
  after(() => server.close());

  test('streams the reply as several deltas that add up to the server text', async () => {
    const { deltas, error } = await collect(client.stream(messages));
    assert.equal(error, undefined);
    assert.ok(deltas.length >= 5, `expected many deltas, got ${deltas.length}`);
    assert.equal(deltas.join(''), defaultReply(messages));
    const req = server.requests.at(-1)!;
    assert.equal(req.headers.authorization, 'Bearer sk-test');
    const sent = JSON.parse(req.body.toString());
    assert.equal(sent.model, 'tiny-model');
    assert.equal(sent.stream, true);
    assert.deepEqual(sent.messages, messages);
  });

  test('complete() joins the stream', async () => {
    assert.equal(await client.complete([{ role: 'user', content: 'hello there' }]), defaultReply([{ role: 'user', content: 'hello there' }]));
  });

  test('500 and 429 are retryable EngineErrors with the status', async () => {
    server.script.push({ kind: 'status', status: 500 });
    let r = await collect(client.stream(messages));
    assertEngineError(r.error, 'llm_server_error', true);
    assert.equal((r.error as EngineError).status, 500);
    assert.equal(r.deltas.length, 0);
    server.script.push({ kind: 'status', status: 429 });
    r = await collect(client.stream(messages));
    assertEngineError(r.error, 'llm_rate_limited', true);
  });

  test('a wrong key is a non-retryable error', async () => {
    const bad = new OpenAIChatClient({ baseUrl: `${server.url}/v1`, model: 'm', apiKey: 'wrong', timeoutMs: 5000 });
    assertEngineError((await collect(bad.stream(messages))).error, 'llm_unauthorized', false);
  });

  test('a slow server times out instead of hanging', async () => {
    server.script.push({ kind: 'delay', ms: 20_000 });
    const t0 = Date.now();
    const r = await collect(client.stream(messages));
    assertEngineError(r.error, 'llm_timeout', true);
    // The client gives up after 3 s; the bound only has to tell that from waiting out the server.
    assert.ok(Date.now() - t0 < 12_000, `took ${Date.now() - t0} ms (the server waits 20 s)`);
  });

  test('a stream that stalls midway times out after the deltas it gave', async () => {
    server.script.push({ kind: 'stall-mid-stream', ms: 20_000 });
    const r = await collect(client.stream(messages));
    assertEngineError(r.error, 'llm_timeout', true);
    assert.ok(r.deltas.length >= 1);
  });

  test('dropped connections: before the answer and mid-stream', async () => {
    server.script.push({ kind: 'drop' });
    assertEngineError((await collect(client.stream(messages))).error, 'llm_connection', true);
    server.script.push({ kind: 'drop-mid-stream' });
    const r = await collect(client.stream(messages));
    assertEngineError(r.error, 'llm_connection', true);
    assert.ok(r.deltas.length >= 1 && r.deltas.join('') !== defaultReply(messages));
  });

  test('an error object inside the stream is raised', async () => {
    server.script.push({ kind: 'error-in-stream' });
    const r = await collect(client.stream(messages));
    assertEngineError(r.error, 'llm_stream_error', true);
    assert.match((r.error as Error).message, /overloaded/);
  });

  test('the caller can abort, and stopping early cancels the request', async () => {
    const ctl = new AbortController();
    server.script.push({ kind: 'delay', ms: 20_000 });
    // Aborted once the server holds the request (a fixed 30 ms could fire before a loaded machine even
    // sent it, and then the scripted delay fell to the next request).
    const seen = server.requests.length;
    const pending = collect(new OpenAIChatClient({ baseUrl: `${server.url}/v1`, model: 'm', apiKey: 'sk-test', timeoutMs: 5000 }).stream(messages, { signal: ctl.signal }));
    for (let i = 0; i < 6000 && server.requests.length === seen; i++) await new Promise((res) => setTimeout(res, 5));
    assert.equal(server.requests.length, seen + 1, 'the request reached the server');
    const t0 = Date.now();
    ctl.abort();
    const r = await pending;
    assert.ok(r.error instanceof SoundFlowError && r.error.code === 'aborted', String(r.error));
    assert.ok(Date.now() - t0 < 10_000, 'aborted well before the server answered (20 s)');
    // Barge-in: break after the first delta; the next request still works.
    for await (const d of client.stream(messages)) {
      assert.ok(d.length > 0);
      break;
    }
    assert.equal(await client.complete(messages), defaultReply(messages));
  });

  test('bad input and bad options are clear errors, and nothing listening is a connection error', async () => {
    assert.throws(() => new OpenAIChatClient({ baseUrl: 'not a url', model: 'm' }), (e: unknown) => e instanceof SoundFlowError && e.code === 'invalid_argument');
    assert.throws(() => new OpenAIChatClient({ baseUrl: 'ftp://x/v1', model: 'm' }), (e: unknown) => e instanceof SoundFlowError && e.code === 'invalid_argument');
    const r = await collect(client.stream([]));
    assert.ok(r.error instanceof SoundFlowError && r.error.code === 'invalid_input');
    const closed = await startFakeOpenAI();
    const url = closed.url;
    await closed.close();
    assertEngineError((await collect(new OpenAIChatClient({ baseUrl: `${url}/v1`, model: 'm', timeoutMs: 500 }).stream(messages))).error, 'llm_connection', true);
  });
});

describe('OpenAI transcription client', () => {
  let server: FakeOpenAI;
  let client: OpenAITranscriptionClient;
  before(async () => {
    server = await startFakeOpenAI();
    // The fake decodes with pocketsphinx_continuous, which loads its language model per request: 1 s of
    // CPU, 5.6 s wall at load 22 and over 20 s in one loaded run. Timeouts are tested with their own client.
    client = new OpenAITranscriptionClient({ baseUrl: `${server.url}/v1`, model: 'whisper-1', timeoutMs: 120_000 });
  });
  after(() => server.close());

  test('uploads a 16 kHz mono WAV and returns the server transcript; silence transcribes to nothing', async () => {
    const audio = concat(silence(0.3), speech('good morning, please open the door', { voice: 'en-us' }), silence(0.3));
    const r = await client.transcribe(audio);
    const up = server.uploads.at(-1)!;
    assert.deepEqual([up.sampleRate, up.channels, up.bits], [16000, 1, 16]);
    assert.ok(Math.abs(up.seconds - audio.length / 16000) < 0.01);
    assert.equal(up.fields.model, 'whisper-1');
    assert.equal(up.fields.response_format, 'json');
    assert.ok(r.text.split(' ').length >= 3, `transcript too short: "${r.text}"`);
    assert.ok(Math.abs(r.duration - audio.length / 16000) < 1e-6);
    const quiet = await client.transcribe(silence(1.5));
    assert.equal(quiet.text, '');
  });

  test('errors: 500, timeout, dropped connection, bad input', async () => {
    // Only the timeout case uses a short timeout: a 200 ms client could time out before a loaded machine
    // answered the 503 or dropped the connection (those need no reply from the decoder, only from node).
    const short = new OpenAITranscriptionClient({ baseUrl: `${server.url}/v1`, model: 'whisper-1', timeoutMs: 1000 });
    server.script.push({ kind: 'status', status: 503 });
    await assert.rejects(client.transcribe(silence(0.5)), (e: unknown) => e instanceof EngineError && e.code === 'asr_server_error' && e.retryable);
    server.script.push({ kind: 'delay', ms: 20_000 });
    await assert.rejects(short.transcribe(silence(0.5)), (e: unknown) => e instanceof EngineError && e.code === 'asr_timeout');
    server.script.push({ kind: 'drop' });
    await assert.rejects(client.transcribe(silence(0.5)), (e: unknown) => e instanceof EngineError && e.code === 'asr_connection');
    await assert.rejects(client.transcribe([1, 2, 3] as unknown as Float32Array), (e: unknown) => e instanceof SoundFlowError && e.code === 'invalid_input');
    assert.deepEqual(await client.transcribe(new Float32Array(0)), { text: '', duration: 0 });
  });
});
