// The unmodified `openai` package's OpenAIRealtimeWS against `soundflow serve --tls` running as a real
// child process (development certificate made on first use): a spoken question, a typed item with
// response.create, response.create with instructions / out of band / text only, manual turns, errors
// for everything unsupported, and, against a second server with an OpenAI-compatible chat endpoint
// (a local fake), a function-call round trip with the conversation sent as history.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import OpenAI from 'openai';
import { OpenAIRealtimeWS } from 'openai/realtime/ws';
import { Resampler } from '../src/audio/resample.ts';
import { WireEvent } from '../src/transport/server/realtime-events.ts';
import { concat, floatToPcm16, rms, silence, speech } from '../src/testing/audio.ts';
import { startFakeOpenAI, type FakeOpenAI } from './helpers/fake-servers.ts';

const ROOT = new URL('..', import.meta.url).pathname;
const tlsDir = mkdtempSync(join(tmpdir(), 'sf-devtls-'));

interface Served {
  proc: ChildProcess;
  url: string;
  stderr: string;
}

function serve(extra: string[]): Promise<Served> {
  const proc = spawn(process.execPath, ['bin/soundflow.js', 'serve', '--tls', '--tls-dir', tlsDir, '--port', '0', ...extra], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  const s: Served = { proc, url: '', stderr: '' };
  proc.stderr!.on('data', (d) => (s.stderr += d));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`serve did not start: ${s.stderr}`)), 60_000);
    let out = '';
    proc.stdout!.on('data', (d) => {
      out += d;
      const m = /listening (https:\/\/\S+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        s.url = m[1];
        resolve(s);
      }
    });
    proc.once('exit', (code) => reject(new Error(`serve exited ${code}: ${s.stderr}`)));
  });
}

let offline: Served;
let online: Served;
let fake: FakeOpenAI;
let ca: Buffer;

const WEATHER_TOOL = {
  type: 'function' as const,
  name: 'get_weather',
  description: 'Current weather in a city',
  parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
};

before(async () => {
  fake = await startFakeOpenAI({
    // Call the tool until its result is in the conversation, then report it.
    toolCalls: (p) => (p.tools?.length && !p.messages.some((m: any) => m.role === 'tool') ? [{ name: 'get_weather', arguments: '{"city":"Paris"}' }] : null),
    reply: (messages) => {
      const tool = [...messages].reverse().find((m) => m.role === 'tool');
      return tool ? `The weather in Paris: ${JSON.parse(tool.content).sky}.` : 'Hello from the model.';
    },
  });
  // The first server makes the certificate; the second finds it.
  offline = await serve([]);
  online = await serve(['--llm-url', `${fake.url}/v1`, '--llm-model', 'fake-model']);
  ca = readFileSync(join(tlsDir, 'ca.pem'));
});

after(async () => {
  for (const s of [offline, online]) {
    if (!s) continue;
    s.proc.kill('SIGTERM');
    await new Promise((r) => s.proc.once('exit', r));
  }
  await fake?.close();
  rmSync(tlsDir, { recursive: true, force: true });
});

/** An OpenAIRealtimeWS that records every event and checks each against SoundFlow's event schemas. */
class Rt {
  readonly rt: OpenAIRealtimeWS;
  readonly seen: any[] = [];
  readonly schemaErrors: string[] = [];
  private waiters: { pred: (e: any) => boolean; resolve: (e: any) => void }[] = [];

  constructor(url: string) {
    const client = new OpenAI({ apiKey: 'unused', baseURL: `${url}/v1` });
    this.rt = new OpenAIRealtimeWS({ model: 'soundflow', options: { ca } }, client);
    this.rt.on('event', (e: any) => {
      const r = WireEvent.safeParse(e);
      if (!r.success) this.schemaErrors.push(`${e.type}: ${r.error.issues.map((i) => `${i.path.join('.')} ${i.message}`).join('; ')}`);
      this.seen.push(e);
      this.waiters = this.waiters.filter((w) => (w.pred(e) ? (w.resolve(e), false) : true));
    });
    this.rt.on('error', (e: any) => {
      // Server `error` events are recorded via 'event'; only transport errors land here unrecorded.
      if (!e?.error) this.seen.push({ type: 'transport_error', message: String(e) });
    });
  }

  opened(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.rt.socket.once('open', () => resolve());
      this.rt.socket.once('error', reject);
    });
  }

  send(e: any): void {
    this.rt.send(e);
  }

  types(): string[] {
    return this.seen.map((e) => e.type);
  }

  wait(pred: (e: any) => boolean, what: string, timeoutMs = 90_000, from = 0): Promise<any> {
    const hit = this.seen.slice(from).find(pred);
    if (hit) return Promise.resolve(hit);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`timed out waiting for ${what}; saw ${this.types().join(',')}`)), timeoutMs);
      this.waiters.push({ pred, resolve: (e) => (clearTimeout(timer), resolve(e)) });
    });
  }

  waitType(type: string, timeoutMs?: number): Promise<any> {
    return this.wait((e) => e.type === type, type, timeoutMs);
  }

  /** The next `count` error events from now. */
  async errors(count: number, timeoutMs = 10_000): Promise<any[]> {
    const start = this.seen.length;
    const t0 = Date.now();
    while (this.seen.slice(start).filter((e) => e.type === 'error').length < count) {
      if (Date.now() - t0 > timeoutMs) throw new Error(`expected ${count} errors; saw ${this.types().slice(start).join(',')}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    return this.seen.slice(start).filter((e) => e.type === 'error');
  }

  close(): void {
    this.rt.close();
  }
}

const b64 = (x: Int16Array) => Buffer.from(x.buffer, x.byteOffset, x.byteLength).toString('base64');
const to24k = (x: Float32Array) => floatToPcm16(new Resampler(16000, 24000).process(x));

function appendAudio(rt: Rt, pcm24: Int16Array): void {
  for (let i = 0; i < pcm24.length; i += 4800) rt.send({ type: 'input_audio_buffer.append', audio: b64(pcm24.subarray(i, i + 4800)) });
}

function replyAudio(rt: Rt, responseId: string): Float32Array {
  const pcm = Buffer.concat(rt.seen.filter((e) => e.type === 'response.output_audio.delta' && e.response_id === responseId).map((e) => Buffer.from(e.delta, 'base64')));
  return Float32Array.from(new Int16Array(pcm.buffer, pcm.byteOffset, pcm.byteLength / 2), (v) => v / 32768);
}

const QUESTION = concat(silence(0.6), speech('how are you'), silence(2.4));

test('serve --tls prints where its certificate is and the NODE_EXTRA_CA_CERTS line; a node client trusts it with that alone', async () => {
  assert.match(offline.stderr, /created the development certificate in /);
  assert.match(online.stderr, /using the development certificate in /);
  const line = /export NODE_EXTRA_CA_CERTS=(\S+)/.exec(offline.stderr);
  assert.ok(line, offline.stderr);
  assert.equal(line[1], join(tlsDir, 'ca.pem'));
  // A separate node process with only that variable (no `ca` option) connects with the openai client.
  const script = `import OpenAI from 'openai'; import { OpenAIRealtimeWS } from 'openai/realtime/ws';
    const rt = new OpenAIRealtimeWS({ model: 'soundflow' }, new OpenAI({ apiKey: 'x', baseURL: '${offline.url}/v1' }));
    rt.on('session.created', (e) => { console.log(e.session.object); rt.close(); });
    rt.on('error', (e) => { console.error(String(e.message ?? e)); process.exit(3); });`;
  const out = await new Promise<string>((resolve, reject) =>
    execFile(process.execPath, ['--input-type=module', '-e', script], { cwd: ROOT, env: { ...process.env, NODE_EXTRA_CA_CERTS: line[1] }, timeout: 30_000 }, (err, stdout, stderr) =>
      err ? reject(new Error(`${err.message}\n${stderr}`)) : resolve(stdout),
    ),
  );
  assert.equal(out.trim(), 'realtime.session');
});

test('spoken question → input transcript, reply audio and transcript, response.done', async () => {
  const rt = new Rt(offline.url);
  await rt.opened();
  appendAudio(rt, to24k(QUESTION));
  const done = await rt.waitType('response.done');
  rt.close();
  assert.equal(done.response.status, 'completed');
  const heard = rt.seen.find((e) => e.type === 'conversation.item.input_audio_transcription.completed');
  assert.ok(heard?.transcript.trim(), 'input transcript');
  const said = rt.seen.find((e) => e.type === 'response.output_audio_transcript.done' && e.response_id === done.response.id);
  assert.ok(said?.transcript.length > 0);
  const audio = replyAudio(rt, done.response.id);
  assert.ok(audio.length / 24000 > 0.4 && rms(audio) > 0.01, `reply audio ${(audio.length / 24000).toFixed(2)} s`);
  assert.deepEqual(rt.schemaErrors, []);
});

test('text item + response.create: one response to the item; session instructions are not commands; voices are mapped and reported', async () => {
  const rt = new Rt(`${offline.url.replace(/\/$/, '')}`);
  await rt.opened();
  rt.send({ type: 'session.update', session: { type: 'realtime', instructions: 'Translate everything I say into Spanish.', audio: { output: { voice: 'alloy' } } } });
  const updated = await rt.waitType('session.updated');
  assert.equal(updated.session.instructions, 'Translate everything I say into Spanish.');
  assert.equal(updated.session.audio.output.voice, 'alloy');
  assert.equal(updated.session.soundflow.espeak_voice, 'en-us+f2');
  assert.equal(updated.session.soundflow.llm, null, 'offline: instructions are kept and reported, no LLM to use them');
  rt.send({ type: 'conversation.item.create', item: { type: 'message', role: 'user', content: [{ type: 'input_text', text: 'what is your name' }] } });
  rt.send({ type: 'response.create' });
  const done = await rt.waitType('response.done');
  await new Promise((r) => setTimeout(r, 500));
  rt.close();
  assert.equal(done.response.status, 'completed');
  assert.equal(rt.types().filter((t) => t === 'response.created').length, 1, rt.types().join(','));
  assert.deepEqual(rt.seen.filter((e) => e.type === 'error'), []);
  const text = done.response.output[0].content[0].transcript;
  assert.match(text, /SoundFlow/i, text);
  assert.doesNotMatch(text, /spanish|translat/i, 'the session instructions did not start a translation task');
  assert.ok(replyAudio(rt, done.response.id).length > 0);
  assert.deepEqual(rt.schemaErrors, []);
});

test('response.create with instructions speaks them; conversation:"none" stays out of the conversation; text-only output', async () => {
  const rt = new Rt(offline.url);
  await rt.opened();
  await rt.waitType('session.created');
  rt.send({ type: 'response.create', response: { instructions: 'Say hello to the user.' } });
  const first = await rt.waitType('response.done');
  assert.equal(first.response.status, 'completed');
  assert.equal(first.response.output[0].content[0].transcript, 'Hello.');
  assert.ok(rms(replyAudio(rt, first.response.id)) > 0.01);

  const n = rt.seen.length;
  rt.send({ type: 'response.create', response: { conversation: 'none', instructions: 'Say "the oven is hot"', output_modalities: ['text'], metadata: { topic: 'kitchen' } } });
  const oob = await rt.wait((e) => e.type === 'response.done' && e.response.id !== first.response.id, 'second response.done');
  const after = rt.seen.slice(n);
  rt.close();
  assert.equal(oob.response.conversation_id, null);
  assert.deepEqual(oob.response.metadata, { topic: 'kitchen' });
  assert.deepEqual(oob.response.output_modalities, ['text']);
  assert.equal(oob.response.output[0].content[0].text, 'The oven is hot.');
  assert.equal(after.filter((e) => e.type === 'conversation.item.added').length, 0, 'out-of-band output is not added to the conversation');
  assert.ok(after.some((e) => e.type === 'response.output_text.delta'));
  assert.equal(after.filter((e) => e.type === 'response.output_audio.delta').length, 0);
  assert.deepEqual(rt.schemaErrors, []);
});

test('manual turns: turn_detection null, append, commit, response.create; items wait; one response at a time; item retrieve/delete', async () => {
  const rt = new Rt(offline.url);
  await rt.opened();
  rt.send({ type: 'session.update', session: { type: 'realtime', audio: { input: { turn_detection: null } } } });
  const updated = await rt.waitType('session.updated');
  assert.equal(updated.session.audio.input.turn_detection, null);

  rt.send({ type: 'input_audio_buffer.commit' });
  const [empty] = await rt.errors(1);
  assert.equal(empty.error.code, 'input_audio_buffer_commit_empty');

  appendAudio(rt, to24k(concat(silence(0.3), speech('hello there'))));
  rt.send({ type: 'input_audio_buffer.clear' });
  await rt.waitType('input_audio_buffer.cleared');
  appendAudio(rt, to24k(concat(silence(0.3), speech('how are you'), silence(0.3))));
  rt.send({ type: 'input_audio_buffer.commit' });
  const committed = await rt.waitType('input_audio_buffer.committed');
  const heard = await rt.waitType('conversation.item.input_audio_transcription.completed');
  assert.equal(heard.item_id, committed.item_id);
  assert.match(heard.transcript, /how are you/, 'the cleared audio is not part of the turn');
  await new Promise((r) => setTimeout(r, 1500));
  assert.ok(!rt.types().includes('response.created'), 'no response before response.create');
  assert.ok(!rt.types().includes('input_audio_buffer.speech_started'), 'no automatic turn detection');

  rt.send({ type: 'response.create' });
  rt.send({ type: 'response.create' });
  const [busy] = await rt.errors(1);
  assert.equal(busy.error.code, 'conversation_already_has_active_response');
  const done = await rt.waitType('response.done');
  assert.equal(done.response.status, 'completed');
  assert.ok(done.response.output[0].content[0].transcript.length > 0);
  assert.ok(replyAudio(rt, done.response.id).length > 0);

  // A typed item also waits for response.create.
  const n = rt.seen.length;
  rt.send({ type: 'conversation.item.create', item: { id: 'item_typed', type: 'message', role: 'user', content: [{ type: 'input_text', text: 'what is your name' }] } });
  await rt.wait((e) => e.type === 'conversation.item.done' && e.item.id === 'item_typed', 'typed item');
  await new Promise((r) => setTimeout(r, 1000));
  assert.ok(!rt.types().slice(n).includes('response.created'));

  rt.send({ type: 'conversation.item.retrieve', item_id: committed.item_id });
  const got = await rt.waitType('conversation.item.retrieved');
  assert.equal(got.item.content[0].transcript, heard.transcript);
  rt.send({ type: 'conversation.item.delete', item_id: 'item_typed' });
  assert.equal((await rt.waitType('conversation.item.deleted')).item_id, 'item_typed');
  rt.send({ type: 'conversation.item.retrieve', item_id: 'item_typed' });
  const [gone] = await rt.errors(1);
  assert.equal(gone.error.code, 'item_retrieve_invalid_item_id');
  rt.close();
  assert.deepEqual(rt.schemaErrors, []);
});

test('every unsupported call gets an error naming the field, and the session goes on', async () => {
  const rt = new Rt(offline.url);
  await rt.opened();
  await rt.waitType('session.created');
  const calls: [any, string, string | null][] = [
    [{ type: 'session.update', session: { type: 'realtime', tracing: { workflow_name: 'x' } } }, 'unsupported_parameter', 'session.tracing'],
    [{ type: 'session.update', session: { type: 'realtime', colour: 'blue' } }, 'unknown_parameter', 'session.colour'],
    [{ type: 'session.update', session: { type: 'realtime', audio: { input: { noise_reduction: { type: 'near_field' } } } } }, 'unsupported_parameter', 'session.audio.input.noise_reduction'],
    [{ type: 'session.update', session: { type: 'realtime', audio: { output: { speed: 1.5 } } } }, 'unsupported_parameter', 'session.audio.output.speed'],
    [{ type: 'session.update', session: { type: 'realtime', audio: { output: { format: { type: 'audio/pcmu' } } } } }, 'unsupported_audio_format', 'session.audio.output.format'],
    [{ type: 'session.update', session: { type: 'realtime', audio: { output: { voice: 'nobody' } } } }, 'invalid_voice', 'session.audio.output.voice'],
    [{ type: 'session.update', session: { type: 'transcription' } }, 'unsupported_session_type', 'session.type'],
    [{ type: 'session.update', session: { type: 'realtime', tools: [{ type: 'mcp', name: 'x', server_url: 'https://example.com' }] } }, 'unsupported_parameter', 'session.tools[0].type'],
    [{ type: 'response.create', response: { prompt: { id: 'pmpt_1' } } }, 'unsupported_parameter', 'response.prompt'],
    [{ type: 'response.create', response: { conversation: 'conv_other' } }, 'unsupported_parameter', 'response.conversation'],
    [{ type: 'conversation.item.create', item: { type: 'message', role: 'user', content: [{ type: 'input_image', image_url: 'data:' }] } }, 'unsupported_content', 'item.content.0.type'],
    [{ type: 'conversation.item.create', item: { type: 'mcp_call', id: 'i1' } }, 'unsupported_item', 'item.type'],
    [{ type: 'transcription_session.update', session: {} }, 'unsupported_event', 'type'],
    [{ type: 'conversation.item.truncate', item_id: 'item_x', content_index: 0, audio_end_ms: 10 }, 'item_truncate_invalid_item_id', 'item_id'],
    [{ type: 'response.cancel' }, 'response_cancel_not_active', 'response_id'],
  ];
  for (const [i, [ev, code, param]] of calls.entries()) {
    rt.send({ ...ev, event_id: `evt_${i}` });
    const [err] = await rt.errors(1);
    assert.deepEqual({ code: err.error.code, param: err.error.param, event_id: err.error.event_id }, { code, param, event_id: `evt_${i}` }, JSON.stringify(ev));
    assert.ok(err.error.message.length > 0);
  }
  // Still usable, and none of the refused updates changed the session.
  rt.send({ type: 'session.update', session: { type: 'realtime' } });
  const updated = await rt.waitType('session.updated');
  assert.deepEqual(updated.session.tools, []);
  assert.equal(updated.session.audio.output.speed, 1);
  rt.close();
  assert.deepEqual(rt.schemaErrors, []);
});

test('function calling: tools + instructions go to the chat endpoint with the conversation; the call and its output round-trip', async () => {
  const rt = new Rt(online.url);
  await rt.opened();
  rt.send({ type: 'session.update', session: { type: 'realtime', instructions: 'You are a weather assistant.', tools: [WEATHER_TOOL], tool_choice: 'auto' } });
  const updated = await rt.waitType('session.updated');
  assert.equal(updated.session.tools[0].name, 'get_weather');
  assert.equal(updated.session.soundflow.llm, 'fake-model');
  const before = fake.requests.length;
  rt.send({ type: 'conversation.item.create', item: { type: 'message', role: 'user', content: [{ type: 'input_text', text: 'What is the weather in Paris?' }] } });
  rt.send({ type: 'response.create' });
  const first = await rt.waitType('response.done');
  assert.equal(first.response.status, 'completed');
  const call = first.response.output.find((o: any) => o.type === 'function_call');
  assert.ok(call, JSON.stringify(first.response.output));
  assert.equal(call.name, 'get_weather');
  assert.deepEqual(JSON.parse(call.arguments), { city: 'Paris' });
  const args = rt.seen.find((e) => e.type === 'response.function_call_arguments.done');
  assert.equal(args.call_id, call.call_id);

  rt.send({ type: 'conversation.item.create', item: { type: 'function_call_output', call_id: call.call_id, output: JSON.stringify({ sky: 'sunny', celsius: 21 }) } });
  await new Promise((r) => setTimeout(r, 300));
  assert.equal(rt.types().filter((t) => t === 'response.created').length, 1, 'a function output waits for response.create');
  rt.send({ type: 'response.create' });
  const second = await rt.wait((e) => e.type === 'response.done' && e.response.id !== first.response.id, 'second response');
  rt.close();
  assert.equal(second.response.status, 'completed');
  assert.equal(second.response.output[0].content[0].transcript, 'The weather in Paris: sunny.');
  assert.ok(rms(replyAudio(rt, second.response.id)) > 0.01, 'the answer is spoken');

  const bodies = fake.requests.slice(before).filter((r) => r.path === '/v1/chat/completions').map((r) => JSON.parse(r.body.toString()));
  assert.equal(bodies.length, 2);
  assert.equal(bodies[0].tools[0].function.name, 'get_weather');
  assert.match(bodies[0].messages[0].content, /You are a weather assistant\./, 'session instructions are the system prompt');
  assert.deepEqual(bodies[1].messages.map((m: any) => m.role), ['system', 'user', 'assistant', 'tool']);
  assert.equal(bodies[1].messages[2].tool_calls[0].id, call.call_id);
  assert.equal(bodies[1].messages[3].tool_call_id, call.call_id);
  assert.deepEqual(rt.schemaErrors, []);
});
