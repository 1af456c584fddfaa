// Property-based fuzzing of every input path into the server (fast-check, fixed seed): raw HTTP
// request lines and headers, WebSocket upgrades, native /ws messages and /v1/realtime events. The
// property: whatever arrives, the process stays up, /healthz answers, every connection that is still
// open still answers, no session is left behind, and a legit session is served afterwards.
// Default: a few hundred inputs (CI). Long run: SF_FUZZ_RUNS=2500 node scripts/run-tests.mjs server-fuzz
// (5 properties x 2500 = 12 500 inputs).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { get } from 'node:http';
import fc from 'fast-check';
import { startServer, type SoundFlowServer } from '../src/transport/server/server.ts';
import type { Engine } from '../src/engine/types.ts';
import { testEngine } from '../src/testing/scripted-engine.ts';
import { TestClient } from './helpers/ws-client.ts';
import { nativeMessage, rawRequest, realtimeMessage, upgrade } from './helpers/fuzz-inputs.ts';

const RUNS = Number(process.env.SF_FUZZ_RUNS ?? 80);
const SEED = Number(process.env.SF_FUZZ_SEED ?? 20261129);
let engine: Engine;
let srv: SoundFlowServer;
let port: number;
let inputs = 0;

before(async () => {
  engine = await testEngine();
  srv = await startServer(engine, {
    port: 0,
    token: 'fuzz-token',
    // Generous rates so the fuzzer's messages reach the parsers instead of the rate limiter.
    limits: { maxMessagesPerSecond: 5000, messageBurst: 5000, maxViolations: 1000, handlerMsPerSecond: 1000, handlerBurstMs: 5000, maxSessions: 16 },
  });
  port = srv.port;
});

after(async () => {
  await srv.close();
  await engine.close?.();
  console.log(`# fuzz: ${inputs} generated inputs (seed ${SEED}, ${RUNS} runs per property)`);
});

/** Writes raw bytes, reads until the server closes (or 1 s), returns what came back. */
function rawExchange(bytes: Buffer): Promise<string> {
  return new Promise((resolve) => {
    const s = connect(port, '127.0.0.1');
    let got = '';
    const done = () => {
      clearTimeout(timer);
      s.destroy();
      resolve(got);
    };
    const timer = setTimeout(done, 1000);
    s.on('data', (d) => (got += d.toString('latin1')));
    s.on('error', done);
    s.on('close', done);
    s.write(bytes, () => s.end());
  });
}

function healthz(): Promise<number> {
  return new Promise((resolve, reject) => {
    get(`http://127.0.0.1:${port}/healthz`, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    }).on('error', reject);
  });
}

async function settle(): Promise<void> {
  for (let i = 0; i < 300 && srv.stats.sessionsActive > 0; i++) await new Promise((r) => setTimeout(r, 100));
  assert.equal(srv.stats.sessionsActive, 0, 'no session left behind');
  assert.equal(await healthz(), 200);
}

test('raw HTTP requests and upgrades (request line, headers, bodies) never take the server down', async () => {
  await fc.assert(
    fc.asyncProperty(rawRequest, async (bytes) => {
      inputs++;
      const reply = await rawExchange(bytes);
      // Either an HTTP answer, a WebSocket handshake, or a closed socket: never a hang past the timeout.
      if (reply) assert.match(reply, /^HTTP\/1\.1 \d{3}/);
    }),
    { seed: SEED, numRuns: RUNS },
  );
  assert.equal(await healthz(), 200);
  // The two requests that used to kill the process, on both paths: `//` is a path we do not serve,
  // `http://[` is not a target at all.
  for (const [line, status] of [['GET // HTTP/1.1', 404], ['GET http://[ HTTP/1.1', 400]] as const) {
    assert.match(await rawExchange(Buffer.from(`${line}\r\nHost: x\r\nConnection: close\r\n\r\n`)), new RegExp(`^HTTP/1\\.1 ${status}`));
    const up = `${line}\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n`;
    assert.match(await rawExchange(Buffer.from(up)), new RegExp(`^HTTP/1\\.1 ${status}`));
  }
  await settle();
});

test('WebSocket upgrades with hostile paths, protocols, origins, keys and tokens', async () => {
  await fc.assert(
    fc.asyncProperty(upgrade, async (u) => {
      inputs++;
      const lines = [`GET ${u.path} HTTP/1.1`, `Host: 127.0.0.1:${port}`, 'Upgrade: websocket', 'Connection: Upgrade', `Sec-WebSocket-Version: ${u.version}`, `Sec-WebSocket-Key: ${u.key}`];
      if (u.protocols.length) lines.push(`Sec-WebSocket-Protocol: ${u.protocols.join(', ')}`);
      if (u.origin !== undefined) lines.push(`Origin: ${u.origin}`);
      lines.push(`Authorization: Bearer ${u.auth ?? 'fuzz-token'}`);
      const reply = await rawExchange(Buffer.from(`${lines.join('\r\n')}\r\n\r\n`, 'latin1'));
      if (reply) assert.match(reply, /^HTTP\/1\.1 (101|400|401|403|404|426)/);
    }),
    { seed: SEED + 1, numRuns: RUNS },
  );
  await settle();
});

/**
 * Sends each generated message over a connection (reopened when the server closed it), then checks it
 * still answers: the probe's reply, or the close of a session that is ending (after an `end`).
 */
async function fuzzMessages(path: string, arb: fc.Arbitrary<string | Uint8Array>, probe: (c: TestClient) => Promise<void>, seed: number): Promise<void> {
  let c: TestClient | undefined;
  const open = async () => {
    c = new TestClient(`ws://127.0.0.1:${port}${path}${path.includes('?') ? '&' : '?'}token=fuzz-token`);
    await c.opened;
    return c;
  };
  let sent = 0;
  const check = async (conn: TestClient) => {
    if (conn.ws.readyState !== conn.ws.OPEN) return;
    await Promise.race([probe(conn), conn.closed]);
  };
  try {
    await fc.assert(
    fc.asyncProperty(arb, async (msg) => {
      inputs++;
      const conn = c && c.ws.readyState === c.ws.OPEN ? c : await open();
      conn.ws.send(msg);
      // Every so often, and at the end, the connection must still answer.
      if (++sent % 25 === 0) await check(conn);
    }),
    { seed, numRuns: RUNS },
  );
  } finally {
    c?.ws.terminate();
  }
  const last = await open();
  await probe(last);
  last.ws.close();
  await settle();
}

test('native /ws messages: arbitrary JSON, hostile nesting, binary audio of any length', async () => {
  let n = 0;
  await fuzzMessages('/ws', nativeMessage, async (c) => {
    const id = `probe-${++n}`;
    c.send({ type: 'truncate', id, playedMs: 1 });
    await c.waitFor((j) => j.type === 'error' && j.code === 'unknown_response' && j.message.includes(id), 20_000, 'probe answer');
  }, SEED + 2);
});

test('realtime /v1/realtime events: arbitrary JSON, hostile nesting, binary frames', async () => {
  let n = 0;
  await fuzzMessages('/v1/realtime', realtimeMessage, async (c) => {
    const id = `probe_${++n}`;
    c.send({ type: 'conversation.item.truncate', item_id: 'item_none', content_index: 0, audio_end_ms: 0, event_id: id });
    await c.waitFor((j) => j.type === 'error' && j.error?.event_id === id, 20_000, 'probe answer');
  }, SEED + 3);
});

test('after all of it, legit sessions on both protocols are served', async () => {
  const native = new TestClient(`ws://127.0.0.1:${port}/ws?token=fuzz-token`);
  const rt = new TestClient(`ws://127.0.0.1:${port}/v1/realtime?token=fuzz-token`, 'realtime');
  await Promise.all([native.opened, rt.opened]);
  native.send({ type: 'instruction', text: 'what is your name' });
  rt.send({ type: 'conversation.item.create', item: { type: 'message', role: 'user', content: [{ type: 'input_text', text: 'what is your name' }] } });
  const [end, done] = await Promise.all([native.waitType('response.end', 30_000), rt.waitType('response.done', 30_000)]);
  assert.equal(end.interrupted, false);
  assert.equal(done.response.status, 'completed');
  native.ws.close();
  rt.ws.close();
  await settle();
});
