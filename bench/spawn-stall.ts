// How long starting an espeak-ng process holds this process's event loop, by resident size, started
// here (child_process.spawn: libuv forks, copying the page tables) vs through the spawn helper
// (src/util/spawner.ts). Alternates the two modes so a loaded machine affects both alike.
//   node --import tsx bench/spawn-stall.ts [--mib 0,1024] [--spawns 10]
// Prints per mode: the spawn call's own time (p50 / max) and the largest event-loop delay seen by a 5 ms
// timer while the spawns ran, with the main thread's CPU time and run-queue wait (Linux schedstat).
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { spawnChild, startSpawnHelper, useSpawnHelper } from '../src/util/spawner.ts';
import { percentile } from '../src/testing/ws-session.ts';

const { values } = parseArgs({ options: { mib: { type: 'string', default: '0,1024' }, spawns: { type: 'string', default: '10' } } });
const sizes = values.mib.split(',').map(Number);
const spawns = Number(values.spawns);

function sched(): { cpu: number; runq: number } {
  const [a, b] = readFileSync('/proc/thread-self/schedstat', 'utf8').split(' ').map(Number);
  return { cpu: a / 1e6, runq: b / 1e6 };
}

async function round(helper: boolean): Promise<{ callMs: number[]; maxLagMs: number; lagCpuMs: number; lagRunqMs: number }> {
  useSpawnHelper(helper);
  if (helper) {
    startSpawnHelper();
    await new Promise((r) => setTimeout(r, 300));
  }
  const callMs: number[] = [];
  let maxLag = 0, lagCpu = 0, lagRunq = 0;
  let expected = performance.now() + 5;
  let s = sched();
  const timer = setInterval(() => {
    const now = performance.now();
    const s1 = sched();
    if (now - expected > maxLag) {
      maxLag = now - expected;
      lagCpu = s1.cpu - s.cpu;
      lagRunq = s1.runq - s.runq;
    }
    s = s1;
    expected = now + 5;
  }, 5);
  for (let i = 0; i < spawns; i++) {
    const t = performance.now();
    const c = spawnChild('espeak-ng', ['--stdout']);
    callMs.push(performance.now() - t);
    c.stdout.resume();
    c.stdin.on('error', () => {});
    c.stdin.end('hello there');
    await new Promise((r) => c.once('close', r));
    await new Promise((r) => setTimeout(r, 30));
  }
  clearInterval(timer);
  return { callMs, maxLagMs: maxLag, lagCpuMs: lagCpu, lagRunqMs: lagRunq };
}

const ballast: Buffer[] = [];
console.log('| resident MiB | mode | spawn call p50 / max ms | worst event-loop delay ms (main thread CPU / run-queue in it) | load |');
console.log('|---|---|---|---|---|');
for (const mib of sizes) {
  while (ballast.length < mib) ballast.push(Buffer.alloc(1 << 20, 1)); // touched: resident, like a server's models
  const rss = Math.round(process.memoryUsage().rss / 2 ** 20);
  for (let rep = 0; rep < 2; rep++) {
    for (const helper of [false, true]) {
      const r = await round(helper);
      const f = (x: number) => x.toFixed(1);
      console.log(`| ${rss} | ${helper ? 'helper' : 'here'} | ${f(percentile(r.callMs, 50))} / ${f(Math.max(...r.callMs))} | ${f(r.maxLagMs)} (${f(r.lagCpuMs)} / ${f(r.lagRunqMs)}) | ${loadavg()[0].toFixed(1)} |`);
    }
  }
}
useSpawnHelper(false);
