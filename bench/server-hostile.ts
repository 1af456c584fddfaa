// Hostile-input benchmark against `soundflow serve` (child process, real engine, loopback):
//  A. main-thread CPU per 4 MB hostile message, by kind (read from /proc/<pid>/task/<pid>/stat, i.e.
//     the server's main thread only), next to what JSON.parse alone costs on the same text here;
//  B. a legit session's latency (real speech at real-time pace over /ws: chunk latency, and reply
//     latency = question end sent -> first reply audio) unloaded vs. with 10 hostile connections each
//     sending at its limits (4 MB nested-JSON messages as fast as the server reads them plus junk
//     messages just under the message-rate limit). Unloaded/loaded runs alternate, `--rounds` each.
//   npm run bench -- server-hostile        (writes bench/results/server-hostile.json)
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import WebSocket from 'ws';
import { startServe } from '../src/testing/serve.ts';
import { openWs, streamWsSession } from '../src/testing/ws-session.ts';
import { concat, floatToPcm16, silence, speech } from '../src/testing/audio.ts';

const { values } = parseArgs({ options: { rounds: { type: 'string', default: '2' }, out: { type: 'string', default: 'bench/results/server-hostile.json' } } });
const ROUNDS = Number(values.rounds);
const MB4 = 4 * 1024 * 1024 - 64;
const SR = 16000;

function mainThreadMs(pid: number): number {
  const f = readFileSync(`/proc/${pid}/task/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(f[11]) + Number(f[12])) * 10; // utime + stime in 10 ms ticks
}


const open = (url: string): Promise<WebSocket> => openWs(url);

const KINDS: { name: string; path: string; text: () => string }[] = [
  { name: 'nested [ (native)', path: '/ws', text: () => '['.repeat(MB4) },
  { name: 'nested {"a": (realtime)', path: '/v1/realtime', text: () => '{"a":'.repeat(MB4 / 5) },
  { name: 'flat array of 2M numbers', path: '/ws', text: () => `[${'0,'.repeat(MB4 / 2 - 2)}0]` },
  { name: '4 MB instruction text (valid JSON)', path: '/ws', text: () => `{"type":"instruction","text":"${'a'.repeat(MB4 - 40)}"}` },
  { name: '4 MB of \\u escapes (valid JSON)', path: '/v1/realtime', text: () => `{"type":"session.update","session":{"instructions":"${'\\u0041'.repeat(Math.floor((MB4 - 60) / 6))}"}}` },
];

/** A: each kind sent 20 times (10 connections x 2: within each connection's byte burst). */
async function costPerMessage(pid: number, ws: string) {
  const rows = [];
  for (const kind of KINDS) {
    const text = kind.text();
    const t0 = performance.now();
    try {
      JSON.parse(text);
    } catch {
      // the cost is what we want
    }
    const parseMs = performance.now() - t0;
    const conns = await Promise.all(Array.from({ length: 10 }, () => open(`${ws}${kind.path}`)));
    await new Promise((r) => setTimeout(r, 300));
    const before = mainThreadMs(pid);
    const answered = conns.map(
      (c) =>
        new Promise<void>((resolve) => {
          let n = 0;
          c.on('message', (d) => {
            if (/"error"/.test(d.toString()) && ++n === 2) resolve();
          });
          c.once('close', () => resolve());
        }),
    );
    for (const c of conns) for (let i = 0; i < 2; i++) c.send(text);
    await Promise.all(answered);
    await new Promise((r) => setTimeout(r, 200));
    const perMsg = (mainThreadMs(pid) - before) / 20;
    for (const c of conns) c.terminate();
    rows.push({ kind: kind.name, bytes: Buffer.byteLength(text), serverMainThreadMsPerMessage: Math.round(perMsg * 10) / 10, jsonParseAloneMs: Math.round(parseMs) });
    process.stderr.write(`${kind.name}: ${perMsg.toFixed(1)} ms main thread per message (JSON.parse alone: ${parseMs.toFixed(0)} ms)\n`);
    await new Promise((r) => setTimeout(r, 500));
  }
  return rows;
}

// B: the legit session (as in bench/server.ts): questions the offline ASR answers, pauses for replies.
const QUESTIONS = ['how are you', 'how old are you', 'how are you'];
const parts: Float32Array[] = [silence(0.8)];
const questionEnds: number[] = [];
let at = parts[0].length;
for (const q of QUESTIONS) {
  const s = speech(q, { speed: 160 });
  parts.push(s, silence(4));
  at += s.length;
  questionEnds.push(at);
  at += 4 * SR;
}
const audio = floatToPcm16(concat(...parts));

async function legitSession(ws: string): Promise<{ chunkMs: number[]; replyMs: number[] }> {
  const r = await streamWsSession(`${ws}/ws`, audio, { questionEnds, tailMs: 800 });
  return { chunkMs: r.chunkLatencyMs, replyMs: r.turnTakingMs };
}

/** One hostile connection at its limits, reconnecting whenever the server closes it. */
function hostile(ws: string, stop: { done: boolean }, counters: { bigSent: number; junkSent: number; reconnects: number }): Promise<void> {
  const big = '['.repeat(MB4);
  return (async () => {
    while (!stop.done) {
      let c: WebSocket;
      try {
        c = await open(`${ws}/ws`);
      } catch {
        await new Promise((r) => setTimeout(r, 100));
        continue;
      }
      const closed = new Promise<void>((r) => c.once('close', () => r()));
      let open_ = true;
      void closed.then(() => (open_ = false));
      while (!stop.done && open_) {
        // As fast as the server reads: keep a few MB queued, never more.
        if (c.bufferedAmount < 2 * MB4) {
          c.send(big);
          counters.bigSent++;
        }
        for (let i = 0; i < 15; i++) c.send('{"type":"nope"}'); // 150/s, under the 200/s rate limit
        counters.junkSent += 15;
        await new Promise((r) => setTimeout(r, 100));
      }
      c.terminate();
      if (!stop.done) counters.reconnects++;
    }
  })();
}

function pct(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] : NaN;
}

async function main() {
  const load0 = loadavg()[0];
  const { child, ws } = await startServe();
  try {
    await legitSession(ws); // warm-up: models, JIT
    const costs = await costPerMessage(child.pid!, ws);
    const runs: { loaded: boolean; chunkP50: number; chunkP95: number; replyP50: number; replies: number; hostileBigSent?: number; hostileJunkSent?: number; reconnects?: number; serverMainThreadMsPerS: number }[] = [];
    for (let r = 0; r < ROUNDS; r++) {
      for (const loaded of [false, true]) {
        const stop = { done: false };
        const counters = { bigSent: 0, junkSent: 0, reconnects: 0 };
        const hostiles = loaded ? Array.from({ length: 10 }, () => hostile(ws, stop, counters)) : [];
        if (loaded) await new Promise((res) => setTimeout(res, 1500)); // let them reach their limits
        const cpu0 = mainThreadMs(child.pid!);
        const w0 = performance.now();
        const s = await legitSession(ws);
        const cpuPerS = ((mainThreadMs(child.pid!) - cpu0) / (performance.now() - w0)) * 1000;
        stop.done = true;
        await Promise.all(hostiles);
        const row = { loaded, chunkP50: Math.round(pct(s.chunkMs, 50)), chunkP95: Math.round(pct(s.chunkMs, 95)), replyP50: Math.round(pct(s.replyMs, 50)), replies: s.replyMs.length, serverMainThreadMsPerS: Math.round(cpuPerS), ...(loaded ? { hostileBigSent: counters.bigSent, hostileJunkSent: counters.junkSent, reconnects: counters.reconnects } : {}) };
        runs.push(row);
        process.stderr.write(`${loaded ? 'loaded  ' : 'unloaded'}: chunk p50 ${row.chunkP50} ms p95 ${row.chunkP95} ms, reply p50 ${row.replyP50} ms (${row.replies} replies), server main thread ${row.serverMainThreadMsPerS} ms/s\n`);
        await new Promise((res) => setTimeout(res, 1000));
      }
    }
    const med = (loaded: boolean, k: 'chunkP50' | 'chunkP95' | 'replyP50') => pct(runs.filter((r) => r.loaded === loaded).map((r) => r[k]), 50);
    const summary = {
      replyP50UnloadedMs: med(false, 'replyP50'),
      replyP50LoadedMs: med(true, 'replyP50'),
      replyLoadedOverUnloaded: Math.round((med(true, 'replyP50') / med(false, 'replyP50')) * 100) / 100,
      chunkP50UnloadedMs: med(false, 'chunkP50'),
      chunkP50LoadedMs: med(true, 'chunkP50'),
      chunkP95UnloadedMs: med(false, 'chunkP95'),
      chunkP95LoadedMs: med(true, 'chunkP95'),
    };
    console.log('kind\tbytes\tserver main-thread ms/msg\tJSON.parse alone ms');
    for (const c of costs) console.log(`${c.kind}\t${c.bytes}\t${c.serverMainThreadMsPerMessage}\t${c.jsonParseAloneMs}`);
    console.log('\nrun\tchunk p50\tchunk p95\treply p50\treplies\tserver main thread ms/s');
    for (const r of runs) console.log(`${r.loaded ? 'loaded' : 'unloaded'}\t${r.chunkP50}\t${r.chunkP95}\t${r.replyP50}\t${r.replies}\t${r.serverMainThreadMsPerS}`);
    console.log(`\nreply latency p50 (median of ${ROUNDS} rounds): unloaded ${summary.replyP50UnloadedMs} ms, with 10 hostile connections ${summary.replyP50LoadedMs} ms (x${summary.replyLoadedOverUnloaded}); load avg ${load0.toFixed(1)} at start`);
    mkdirSync('bench/results', { recursive: true });
    writeFileSync(values.out, JSON.stringify({ date: new Date().toISOString(), cpus: cpus().length, loadAvgAtStart: load0, rounds: ROUNDS, costs, runs, summary }, null, 2) + '\n');
  } finally {
    child.kill('SIGINT');
    await new Promise((r) => child.once('exit', r));
  }
}

await main();
