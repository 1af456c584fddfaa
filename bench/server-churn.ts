// Abrupt-disconnect benchmark: 1000 connections to an in-process server (real engine) that vanish at
// every stage (before any message, right after session.update, mid-audio, mid-reply), half with a
// TCP reset, 10 at a time, from a worker thread. Before and after: sessions, open sockets, timers,
// pocketsphinx decoders, threads, RSS (after GC). Leaks show as "after" above "before".
//   npm run bench -- server-churn [-- --n 1000]     (writes bench/results/server-churn.json)
import { readdirSync, readFileSync, readlinkSync, mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { Worker } from 'node:worker_threads';
import { parseArgs } from 'node:util';
import { startServer } from '../src/transport/server/server.ts';
import { createEngine } from '../src/engine/registry.ts';
import { PocketSphinxDecoder } from '../src/perception/asr/pocketsphinx.ts';

const { values } = parseArgs({ options: { n: { type: 'string', default: '1000' }, out: { type: 'string', default: 'bench/results/server-churn.json' } } });
const N = Number(values.n);
setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

function snapshot(srv: { stats: { sessionsActive: number } }) {
  for (let i = 0; i < 3; i++) gc();
  const fds = readdirSync('/proc/self/fd').map((f) => {
    try {
      return readlinkSync(`/proc/self/fd/${f}`);
    } catch {
      return '';
    }
  });
  const resources = process.getActiveResourcesInfo();
  const count = (name: string) => resources.filter((r) => r === name).length;
  return {
    sessionsActive: srv.stats.sessionsActive,
    sockets: fds.filter((f) => f.startsWith('socket:')).length,
    tcpHandles: count('TCPSocketWrap'),
    timers: count('Timeout'),
    decoders: PocketSphinxDecoder.live,
    threads: Number(/Threads:\s+(\d+)/.exec(readFileSync('/proc/self/status', 'utf8'))?.[1]),
    rssMb: Math.round(process.memoryUsage.rss() / 1e6),
    heapUsedMb: Math.round(process.memoryUsage().heapUsed / 1e6),
    externalMb: Math.round(process.memoryUsage().external / 1e6),
    arrayBuffersMb: Math.round(process.memoryUsage().arrayBuffers / 1e6),
  };
}

// The clients: a worker, so their work does not run on the server's event loop.
const CLIENT = `
const { parentPort, workerData } = require('node:worker_threads');
const WebSocket = require(workerData.wsPath);
const { url, n } = workerData;
const pcm = Buffer.alloc(3200); // 100 ms of 16 kHz PCM16
for (let i = 0; i < pcm.length; i += 2) pcm.writeInt16LE(Math.round(3000 * Math.sin(i / 7)), i);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
function vanish(ws, i) {
  if (i % 2 === 0 && ws._socket && ws._socket.resetAndDestroy) ws._socket.resetAndDestroy(); else ws.terminate();
}
async function one(i) {
  const ws = new WebSocket(url);
  const msgs = [];
  ws.on('message', (d, bin) => { if (!bin) msgs.push(String(d)); });
  ws.on('error', () => {});
  const opened = await new Promise((r) => { ws.once('open', () => r(true)); ws.once('error', () => r(false)); ws.once('close', () => r(false)); });
  if (!opened) return 'refused';
  const stage = i % 4;
  const waitFor = async (s, ms) => { for (let t = 0; t < ms / 20 && !msgs.some((m) => m.includes(s)); t++) await sleep(20); };
  if (stage >= 1) { ws.send(JSON.stringify({ type: 'session.update' })); await waitFor('session.started', 10000); }
  if (stage === 2) for (let k = 0; k < 5; k++) { ws.send(pcm); await sleep(20); }
  if (stage === 3) { ws.send(JSON.stringify({ type: 'instruction', text: 'what is your name' })); await waitFor('response.start', 10000); }
  vanish(ws, i);
  return 'ok';
}
(async () => {
  let next = 0; const out = { ok: 0, refused: 0 };
  await Promise.all(Array.from({ length: 10 }, async () => { while (next < n) { const r = await one(next++); out[r]++; } }));
  parentPort.postMessage(out);
})();
`;

async function main() {
  const load0 = loadavg()[0];
  const engine = await createEngine('embedded');
  await engine.warmUp?.();
  const srv = await startServer(engine, { port: 0, metrics: true });
  const url = `${srv.url.replace(/^http/, 'ws')}/ws`;
  const runClients = (n: number) =>
    new Promise<{ ok: number; refused: number }>((resolve, reject) => {
      const w = new Worker(CLIENT, { eval: true, workerData: { url, n, wsPath: new URL('../node_modules/ws/index.js', import.meta.url).pathname } });
      w.once('message', (m) => {
        void w.terminate();
        resolve(m);
      });
      w.once('error', reject);
    });
  const settle = async () => {
    for (let i = 0; i < 300 && srv.stats.sessionsActive > 0; i++) await new Promise((r) => setTimeout(r, 100));
    // Decoder frees run on their queues, sockets close, and the server's own heap trim (2 s after the
    // last close, at most every 10 s) has run.
    await new Promise((r) => setTimeout(r, 12_000));
  };
  await runClients(20); // warm-up: pool of recognisers, JIT
  await settle();
  const { trimNativeHeap } = await import('../src/transport/server/ops/memory.ts');
  trimNativeHeap(); // the baseline as low as the server can make it, so "after" is compared fairly
  const before = snapshot(srv);
  // Two halves: a leak grows with every session, a bounded cache (the recogniser pool keeps up to 4
  // idle recognisers of ~190 MB each, measured) stops growing; so the halves are compared too.
  const t0 = performance.now();
  const first = await runClients(N / 2);
  let peakRssMb = Math.round(process.memoryUsage.rss() / 1e6);
  await settle();
  const half = snapshot(srv);
  const second = await runClients(N / 2);
  peakRssMb = Math.max(peakRssMb, Math.round(process.memoryUsage.rss() / 1e6));
  const wallS = (performance.now() - t0) / 1000;
  await settle();
  const after = snapshot(srv);
  const tt = performance.now();
  trimNativeHeap();
  const trimMs = Math.round(performance.now() - tt);
  const result = { ok: first.ok + second.ok, refused: first.refused + second.refused };
  const rows = Object.keys(before).map((k) => ({ what: k, before: before[k as keyof typeof before], half: half[k as keyof typeof half], after: after[k as keyof typeof after] }));
  console.log(`what\tbefore\tafter ${N / 2}\tafter ${N}`);
  for (const r of rows) console.log(`${r.what}\t${r.before}\t${r.half}\t${r.after}`);
  console.log(`\n${N} abrupt disconnects (${result.ok} opened, ${result.refused} refused) in ${wallS.toFixed(0)} s; RSS peak ${peakRssMb} MB; after ${N}: ${after.rssMb} MB vs ${half.rssMb} MB after ${N / 2} (${after.rssMb - half.rssMb >= 0 ? '+' : ''}${after.rssMb - half.rssMb} MB) and ${before.rssMb} MB before (${after.rssMb - before.rssMb >= 0 ? '+' : ''}${after.rssMb - before.rssMb} MB); load avg ${load0.toFixed(1)} at start; a malloc_trim takes ${trimMs} ms`);
  mkdirSync('bench/results', { recursive: true });
  writeFileSync(values.out, JSON.stringify({ date: new Date().toISOString(), cpus: cpus().length, loadAvgAtStart: load0, n: N, wallS, result, peakRssMb, before, half, after, trimMs }, null, 2) + '\n');
  await srv.close();
  await engine.close?.();
}

await main();
