// Hostile input, auth and origin, operations: the limits checked before JSON.parse (each with an error
// event before any close), token carriers and the subprotocol echo, refused origins, page security
// headers, /readyz and /metrics, the /ws checks on voices and reply ids, and draining.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { get } from 'node:http';
import { startServer, type SoundFlowServer } from '../src/transport/server/server.ts';
import type { Engine } from '../src/engine/types.ts';
import { checkJsonShape } from '../src/transport/server/limits.ts';
import { parseTarget } from '../src/transport/server/request-target.ts';
import { testEngine } from '../src/testing/scripted-engine.ts';
import { expectCode } from './helpers/errors.ts';
import { TestClient } from './helpers/ws-client.ts';

const TOKEN = 'hard-token';
let engine: Engine;
let srv: SoundFlowServer;
let ws: string;

before(async () => {
  engine = await testEngine();
  srv = await startServer(engine, { port: 0, token: TOKEN, allowOrigins: ['https://app.example.com'], limits: { maxFrameBytes: 1024 * 1024, maxTextBytes: 512 * 1024 } });
  ws = srv.url.replace(/^http/, 'ws');
});

after(async () => {
  await srv.close();
  await engine.close?.();
});

function httpGet(url: string): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }> {
  return new Promise((resolve, reject) => {
    get(url, (res) => {
      let body = '';
      res.on('data', (d) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    }).on('error', reject);
  });
}

test('the JSON shape scan: depth and value counts bounded, strings and escapes skipped', () => {
  const limits = { maxDepth: 4, maxValues: 5 };
  checkJsonShape(Buffer.from('{"a":[1,{"b":"[[[[[[,,,,,"}]}'), limits);
  checkJsonShape(Buffer.from('{"a":"\\"[[[[[["}'), limits);
  expectCode(() => checkJsonShape(Buffer.from('[[[[['), limits), 'message_too_deep');
  expectCode(() => checkJsonShape(Buffer.from('[1,2,3,4,5,6]'), limits), 'message_too_complex');
  // Multi-byte UTF-8 never hides a bracket.
  checkJsonShape(Buffer.from('{"t":"ü€𝄞[[[[[[[["}'), limits);
  assert.equal(parseTarget('//')?.pathname, '//');
  assert.equal(parseTarget('http://['), null);
  assert.equal(parseTarget('*'), null);
  assert.equal(parseTarget('/ws?token=a%zz')?.pathname, '/ws');
});

test('a message of "[", one of 200k values, and an oversized JSON text are refused before parsing with errors; the session goes on', async () => {
  const c = new TestClient(`${ws}/ws?token=${TOKEN}`);
  await c.opened;
  const t0 = performance.now();
  c.send('['.repeat(512 * 1024));
  const err = await c.waitFor((j) => j.type === 'error' && j.code === 'message_too_deep', 10_000);
  assert.equal(err.recoverable, true);
  c.send(`[${'0,'.repeat(200_000)}0]`); // 400 KB
  assert.equal((await c.waitFor((j) => j.type === 'error' && j.code === 'message_too_complex', 10_000)).recoverable, true);
  c.send(JSON.stringify({ type: 'instruction', text: 'a'.repeat(600 * 1024) }));
  assert.equal((await c.waitFor((j) => j.type === 'error' && j.code === 'message_too_large', 10_000)).recoverable, true);
  assert.ok(performance.now() - t0 < 5000);
  c.send({ type: 'instruction', text: 'what is your name' });
  assert.equal((await c.waitType('response.end', 30_000)).interrupted, false);
  c.ws.close();
  const rt = new TestClient(`${ws}/v1/realtime?token=${TOKEN}`);
  await rt.opened;
  rt.send(`{"type":"session.update","event_id":"e1","session":${'{"a":'.repeat(100)}1${'}'.repeat(100)}}`);
  assert.equal((await rt.waitFor((j) => j.type === 'error', 10_000)).error.code, 'message_too_deep');
  rt.ws.close();
});

test('an oversized message gets a message_too_large error, then close 1009 with a reason; only that client', async () => {
  const big = new TestClient(`${ws}/v1/realtime?token=${TOKEN}`);
  const other = new TestClient(`${ws}/ws?token=${TOKEN}`);
  await Promise.all([big.opened, other.opened]);
  await big.waitType('session.created');
  big.ws.send(Buffer.alloc(1024 * 1024 + 10));
  const closed = await big.closed;
  assert.equal(closed.code, 1009);
  assert.equal(closed.reason, 'message too large');
  const err = big.events('error').at(-1);
  assert.equal(err?.error.code, 'message_too_large');
  other.send({ type: 'cancel' });
  assert.equal((await other.waitType('error')).code, 'no_active_response');
  other.ws.close();
});

test('tokens: header, query, and the openai-insecure-api-key subprotocol (realtime echoed); wrong ones get 401', async () => {
  const both = new TestClient(`${ws}/v1/realtime`, ['realtime', `openai-insecure-api-key.${TOKEN}`, 'openai-beta.realtime-v1']);
  await both.opened;
  assert.equal(both.ws.protocol, 'realtime');
  const keyOnly = new TestClient(`${ws}/v1/realtime`, [`openai-insecure-api-key.${TOKEN}`]);
  await keyOnly.opened; // a browser fails the handshake unless one of its offers comes back
  assert.equal(keyOnly.ws.protocol, `openai-insecure-api-key.${TOKEN}`);
  await assert.rejects(new TestClient(`${ws}/v1/realtime`, ['realtime', 'openai-insecure-api-key.nope']).opened, /HTTP 401/);
  await assert.rejects(new TestClient(`${ws}/ws?token=${TOKEN}x`).opened, /HTTP 401/);
  both.ws.close();
  keyOnly.ws.close();
});

test('origins: same host and no Origin pass, listed origins pass, any other page gets 403', async () => {
  const host = new URL(srv.url).host;
  const open = (origin?: string) => new TestClient(`${ws}/ws?token=${TOKEN}`, undefined, origin ? { origin } : {});
  const ok = [open(), open(`http://${host}`), open('https://app.example.com')];
  await Promise.all(ok.map((c) => c.opened));
  for (const bad of ['https://evil.example', 'null', 'http://127.0.0.1:1', 'https://app.example.com.evil.example']) {
    await assert.rejects(open(bad).opened, /HTTP 403/, bad);
  }
  for (const c of ok) c.ws.close();
});

test('page security headers, /healthz, /readyz, /metrics', async () => {
  const page = await httpGet(`${srv.url}/`);
  assert.equal(page.status, 200);
  assert.match(String(page.headers['content-security-policy']), /frame-ancestors 'none'/);
  assert.equal(page.headers['x-frame-options'], 'DENY');
  assert.equal(page.headers['referrer-policy'], 'no-referrer');
  assert.equal(page.headers['x-content-type-options'], 'nosniff');
  assert.equal((await httpGet(`${srv.url}/nope`)).headers['x-content-type-options'], 'nosniff');
  const ready = await httpGet(`${srv.url}/readyz`);
  assert.equal(ready.status, 200);
  assert.equal(JSON.parse(ready.body).ready, true);
  const health = JSON.parse((await httpGet(`${srv.url}/healthz`)).body);
  assert.equal(health.ok, true);
  assert.ok(health.refusedMessages >= 3, 'refused messages counted');
  const m = await httpGet(`${srv.url}/metrics`);
  assert.equal(m.status, 200);
  for (const name of ['soundflow_sessions_active', 'soundflow_sessions_total', 'soundflow_chunk_latency_seconds_bucket', 'soundflow_decision_latency_seconds', 'soundflow_missed_chunk_deadlines_total', 'soundflow_dropped_audio_bytes_total', 'soundflow_rss_bytes', 'process_resident_memory_bytes']) {
    assert.ok(m.body.includes(name), name);
  }
  assert.match(m.body, /soundflow_errors_total\{code="message_too_deep"\} [1-9]/);
  assert.match(m.body, /soundflow_sessions_total\{protocol="realtime"\} [1-9]/);
});

test('/ws: unknown voices are refused at session.update; bogus cancel and truncate ids are answered', async () => {
  const c = new TestClient(`${ws}/ws?token=${TOKEN}`);
  await c.opened;
  c.send({ type: 'session.update', options: { voice: 'en-us+nosuchvariant' } });
  const v = await c.waitType('error');
  assert.equal(v.code, 'invalid_voice');
  c.send({ type: 'session.update', options: { voice: 'en-gb' } });
  await c.waitType('session.started', 30_000);
  c.send({ type: 'truncate', id: 'r-bogus', playedMs: 100 });
  c.send({ type: 'cancel', id: 'r-bogus' });
  c.send({ type: 'cancel' });
  const errs: any[] = [v];
  for (let i = 0; i < 3; i++) errs.push(await c.waitFor((j) => j.type === 'error' && !errs.includes(j), 5000, `error ${i + 1}`));
  assert.deepEqual(errs.slice(1).map((e) => e.code), ['unknown_response', 'unknown_response', 'no_active_response']);
  // A real reply's id is accepted by cancel while it plays, and by truncate after.
  c.send({ type: 'instruction', text: 'what is your name' });
  const start = await c.waitType('response.start', 30_000);
  c.send({ type: 'cancel', id: start.id });
  const end = await c.waitFor((j) => j.type === 'response.end' && j.id === start.id, 30_000);
  c.send({ type: 'truncate', id: start.id, playedMs: 0 });
  await new Promise((r) => setTimeout(r, 300));
  assert.equal(c.events('error').length, 4, JSON.stringify(c.events('error')));
  assert.ok(end.id === start.id);
  c.ws.close();
});

test('drain: not ready at once, new sessions taken during the delay then refused with 1013, live ones finish', async () => {
  const s = await startServer(engine, { port: 0, drain: { delayMs: 400, graceMs: 20_000 } });
  const base = s.url.replace(/^http/, 'ws');
  const live = new TestClient(`${base}/ws`);
  await live.opened;
  live.send({ type: 'session.update' });
  await live.waitType('session.started', 30_000);
  const drained = s.drain();
  assert.equal((await httpGet(`${s.url}/readyz`)).status, 503);
  assert.equal((await httpGet(`${s.url}/healthz`)).status, 200, 'still alive while draining');
  const early = new TestClient(`${base}/ws`);
  await early.opened;
  await new Promise((r) => setTimeout(r, 600));
  const late = new TestClient(`${base}/v1/realtime`);
  const lateClose = await late.closed;
  assert.equal(lateClose.code, 1013);
  assert.equal(late.events('error')[0]?.error.code, 'server_draining');
  // The live session keeps working and ends on its own terms.
  live.send({ type: 'instruction', text: 'what is your name' });
  assert.equal((await live.waitType('response.end', 30_000)).interrupted, false);
  live.send({ type: 'end' });
  early.send({ type: 'end' });
  assert.equal((await live.closed).code, 1000);
  assert.equal(live.events('session.ended').length, 1);
  assert.equal((await early.closed).code, 1000);
  await drained;
  assert.equal(s.stats.sessionsActive, 0);
});

test('realtime: cancelling a wrong response id while one plays names the live one and leaves it playing', async () => {
  const c = new TestClient(`${ws}/v1/realtime?token=${TOKEN}`);
  await c.opened;
  c.send({ type: 'conversation.item.create', item: { type: 'message', role: 'user', content: [{ type: 'input_text', text: 'what is your name' }] } });
  const created = await c.waitType('response.created', 30_000);
  c.send({ type: 'response.cancel', response_id: 'resp_stale', event_id: 'evt_c' });
  const err = await c.waitType('error');
  assert.equal(err.error.code, 'response_cancel_not_active');
  assert.ok(err.error.message.includes(created.response.id), err.error.message);
  assert.doesNotMatch(err.error.message, /there is no active response/);
  const done = await c.waitType('response.done', 30_000);
  assert.equal(done.response.status, 'completed');
  c.ws.close();
});

test('over the session limit: server_full error and close 1013; path traversal variants all 404', async () => {
  const s = await startServer(engine, { port: 0, limits: { maxSessions: 3 } });
  const base = s.url.replace(/^http/, 'ws');
  const ok = Array.from({ length: 3 }, () => new TestClient(`${base}/ws`));
  await Promise.all(ok.map((c) => c.opened));
  const extra = new TestClient(`${base}/v1/realtime`);
  assert.equal((await extra.closed).code, 1013);
  assert.equal(extra.events('error')[0]?.error.code, 'server_full');
  const native = new TestClient(`${base}/ws`);
  assert.equal((await native.closed).code, 1013);
  assert.equal(native.events('error')[0]?.code, 'server_full');
  for (const c of ok) c.ws.close();
  const variants = ['/../package.json', '/..%2fpackage.json', '/%2e%2e/package.json', '/..%5cpackage.json', '//etc/passwd', '/./../package.json', '/app.js%00.html', '/.%2e/.%2e/package.json', '/%252e%252e/package.json', '/..;/package.json'];
  for (const v of variants) {
    const r = await new Promise<number>((resolve, reject) => {
      const req = get({ host: '127.0.0.1', port: s.port, path: v }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', reject);
    });
    assert.equal(r, 404, v);
  }
  await s.close();
});
