// What idle sessions cost: N concurrent real-time /ws sessions streaming a quiet room (low pink noise,
// nobody speaking); the server's CPU (all threads, and its main thread alone) over --seconds once every
// session has started (set-up is not idle cost), beside the same server with no session; RSS per session.
//   node --import tsx bench/idle.ts [--sessions 16] [--seconds 30] [--serve-args="--perception-workers 0"]
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { startServe } from '../src/testing/serve.ts';
import { percentile, streamWsSession } from '../src/testing/ws-session.ts';
import { floatToPcm16, noise } from '../src/testing/audio.ts';

const { values } = parseArgs({
  options: {
    sessions: { type: 'string', default: '16' },
    seconds: { type: 'string', default: '30' },
    'serve-args': { type: 'string', default: '' },
    out: { type: 'string', default: 'bench/results/idle.json' },
  },
});
const sessions = Math.max(1, Number(values.sessions));
const seconds = Math.max(5, Number(values.seconds));

function rssMiB(pid: number): number {
  return (Number(readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ')[21]) * 4096) / 2 ** 20;
}

/** utime + stime in ms of the whole process, or of its main thread. */
function cpuMs(pid: number, mainOnly: boolean): number {
  const f = readFileSync(mainOnly ? `/proc/${pid}/task/${pid}/stat` : `/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(f[11]) + Number(f[12])) * 10;
}

async function measure(pid: number, run: () => Promise<unknown>): Promise<{ cpuPct: number; mainPct: number; wallS: number }> {
  const c0 = cpuMs(pid, false);
  const m0 = cpuMs(pid, true);
  const w0 = performance.now();
  await run();
  const wall = performance.now() - w0;
  return { cpuPct: Math.round(((cpuMs(pid, false) - c0) / wall) * 1000) / 10, mainPct: Math.round(((cpuMs(pid, true) - m0) / wall) * 1000) / 10, wallS: Math.round(wall / 100) / 10 };
}

const quiet = floatToPcm16(noise(3, { amplitude: 0.003 }));
const load0 = loadavg()[0];
const { child, ws } = await startServe(['--max-sessions', '128', ...values['serve-args'].split(' ').filter(Boolean)]);
const url = `${ws}/ws`;
try {
  await streamWsSession(url, quiet); // warm-up: models, JIT
  await new Promise((r) => setTimeout(r, 2000));
  const none = await measure(child.pid!, () => new Promise((r) => setTimeout(r, 5000)));
  const rss0 = rssMiB(child.pid!);
  let rssPeak = rss0;
  const sampler = setInterval(() => (rssPeak = Math.max(rssPeak, rssMiB(child.pid!))), 250);
  // Sessions stream from the moment each has started (a gap would be filled by the server's own clock);
  // CPU is counted over --seconds once all have started (set-up loads recognisers: not idle cost).
  let started = 0;
  let go: () => void = () => undefined;
  const allStarted = new Promise<void>((r) => (go = r));
  const long = floatToPcm16(noise(seconds + 60, { amplitude: 0.003 }));
  const stop = { done: false };
  const runs = Promise.all(
    Array.from({ length: sessions }, (_, i) => streamWsSession(url, long, { tailMs: 500, delayMs: (i * 400) / sessions, onStarted: () => ++started === sessions && go(), until: stop })),
  );
  await allStarted;
  await new Promise((r) => setTimeout(r, 2000));
  const busy = await measure(child.pid!, () => new Promise((r) => setTimeout(r, seconds * 1000)));
  stop.done = true;
  const rs = await runs;
  const lat = rs.flatMap((r) => r.chunkLatencyMs);
  const chunks = rs.reduce((n, r) => n + r.chunks, 0);
  const errors = rs.flatMap((r) => r.errors);
  clearInterval(sampler);
  const row = { sessions, seconds, serveArgs: values['serve-args'], serverCpuPct: busy.cpuPct, mainThreadPct: busy.mainPct, noSessionCpuPct: none.cpuPct, perSessionCpuPct: Math.round(((busy.cpuPct - none.cpuPct) / sessions) * 100) / 100, chunkP50Ms: Math.round(percentile(lat, 50)), chunkP99Ms: Math.round(percentile(lat, 99)), rssBeforeMiB: Math.round(rss0), rssPeakMiB: Math.round(rssPeak), rssPerSessionMiB: Math.round((rssPeak - rss0) / sessions), chunks, errors: [...new Set(errors)], loadAvg: Math.round(((load0 + loadavg()[0]) / 2) * 10) / 10 };
  console.log(`\n${sessions} idle sessions (quiet room), ${seconds} s, loaded machine (load avg ${row.loadAvg}); ${chunks} chunk events, errors: ${row.errors.join(', ') || 'none'}\n`);
  console.log('| server CPU, all threads | main thread | no session | per idle session | chunk p50 / p99 | RSS before → peak | per session |\n|---|---|---|---|---|---|---|');
  console.log(`| ${row.serverCpuPct}% | ${row.mainThreadPct}% | ${row.noSessionCpuPct}% | ${row.perSessionCpuPct}% | ${row.chunkP50Ms} / ${row.chunkP99Ms} ms | ${row.rssBeforeMiB} → ${row.rssPeakMiB} MiB | ${row.rssPerSessionMiB} MiB |`);
  mkdirSync('bench/results', { recursive: true });
  writeFileSync(values.out, JSON.stringify({ date: new Date().toISOString(), ...row }, null, 1) + '\n');
} finally {
  child.kill('SIGTERM');
  await new Promise((r) => child.once('exit', r));
}
