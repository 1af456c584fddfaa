// Two checkouts in one process, sessions alternating on the loop bench's sound-heavy stream: this tree
// and --base DIR (e.g. a detached worktree of main). On a machine shared with other work the wall figures
// mostly measure the run queue; what is compared is each session's main-thread CPU per chunk (perceive
// plus the policy, thread CPU clock), its garbage collections, and the loop bench's own figure
// (perception + decision without the ASR waits). Each round also streams 20 s of a quiet room (idle
// cost: CPU of all threads per chunk). Rounds alternate which tree goes first.
//   node --import tsx bench/perception-ab.ts --base /path/to/main [--rounds 8] [--seconds 60]
import { mkdirSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { resolve } from 'node:path';
import { PerformanceObserver } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { threadCpuMs, otherThreadsIdle } from './threads.ts';
import { soundHeavy } from './streams.ts';
import { noise, silence, speech } from '../src/testing/audio.ts';
import type { Session } from '../src/engine/types.ts';

const { values } = parseArgs({ options: { base: { type: 'string' }, rounds: { type: 'string', default: '8' }, seconds: { type: 'string', default: '60' } } });
if (!values.base) throw new Error('--base DIR is required (a checkout to compare with)');
const roots: Record<string, string> = { base: resolve(values.base), this: process.cwd() };
const rounds = Number(values.rounds);
const sounds = soundHeavy(Number(values.seconds));
const quiet = noise(20, { amplitude: 0.003 });
let gcs: { kind: number; ms: number }[] = [];
new PerformanceObserver((l) => {
  for (const e of l.getEntries()) gcs.push({ kind: (e as unknown as { detail?: { kind?: number } }).detail?.kind ?? 0, ms: e.duration });
}).observe({ entryTypes: ['gc'] });

async function play(s: Session, audio: Float32Array): Promise<void> {
  const reader = (async () => {
    for await (const _ of s) {
      // drained
    }
  })();
  for (let i = 0; i < audio.length; i += 1600) await s.push(audio.subarray(i, i + 1600));
  await s.end();
  await reader;
}

interface Engine { createSession(o: object): Promise<Session>; close?(): Promise<void> }
const engines: Record<string, Engine> = {};
for (const [k, r] of Object.entries(roots)) {
  const { EmbeddedEngine } = await import(resolve(r, 'src/engine/embedded.ts'));
  engines[k] = new EmbeddedEngine() as Engine;
  // As the loop bench: model loads and JIT, then speech and the stream itself once.
  await play(await engines[k].createSession({}), silence(2));
  await play(await engines[k].createSession({}), speech('Please remember to water the plants while we are away.'));
  await play(await engines[k].createSession({}), sounds);
}

const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.ceil((p / 100) * xs.length) - 1)];
const keys = ['cpu50', 'cpu99', 'wall50', 'wall99', 'scavenges', 'scavengeMs', 'gcs', 'idle'] as const;
const res: Record<string, Record<(typeof keys)[number], number[]>> = {};
for (let r = 0; r < rounds; r++) {
  for (const k of r % 2 ? ['this', 'base'] : ['base', 'this']) {
    await otherThreadsIdle();
    const s = (await engines[k].createSession({})) as any;
    const cpu = new Map<number, number>();
    const perceive = s.perceiver.perceive.bind(s.perceiver);
    s.perceiver.perceive = async (chunk: { index: number }) => {
      const c0 = threadCpuMs();
      const p = await perceive(chunk);
      cpu.set(chunk.index, (cpu.get(chunk.index) ?? 0) + threadCpuMs() - c0);
      return p;
    };
    const decide = s.policy.decide.bind(s.policy);
    s.policy.decide = async (p: { chunk: { index: number } }, c: unknown) => {
      const c0 = threadCpuMs();
      try {
        return await decide(p, c);
      } finally {
        cpu.set(p.chunk.index, (cpu.get(p.chunk.index) ?? 0) + threadCpuMs() - c0);
      }
    };
    gcs = [];
    await play(s, sounds);
    const minor = gcs.filter((g) => g.kind === 1);
    const nGcs = gcs.length;
    const pol = s.timings.policyMs.values();
    const wait = s.perceiver.timings.turnCheckMs.values();
    const wall = s.timings.perceptionMs.values().map((v: number, i: number) => v - (wait[i] ?? 0) + (pol[i] ?? 0));
    await otherThreadsIdle();
    const q0 = process.cpuUsage();
    await play(await engines[k].createSession({}), quiet);
    const q = process.cpuUsage(q0);
    const c = [...cpu.values()];
    const row = { cpu50: pct(c, 50), cpu99: pct(c, 99), wall50: pct(wall, 50), wall99: pct(wall, 99), scavenges: minor.length, scavengeMs: minor.reduce((a, g) => a + g.ms, 0), gcs: nGcs, idle: (q.user + q.system) / 1000 / (quiet.length / 6400) };
    res[k] ??= Object.fromEntries(keys.map((x) => [x, []])) as unknown as Record<(typeof keys)[number], number[]>;
    for (const x of keys) res[k][x].push(row[x]);
    console.log(`round ${r + 1} ${k.padEnd(4)}: main-thread CPU per chunk p50 ${row.cpu50.toFixed(2)} / p99 ${row.cpu99.toFixed(2)} ms; loop bench figure p50 ${row.wall50.toFixed(2)} / p99 ${row.wall99.toFixed(2)} ms; scavenges ${row.scavenges} (${row.scavengeMs.toFixed(1)} ms), GCs ${row.gcs}; idle ${row.idle.toFixed(2)} ms CPU per chunk; load ${loadavg()[0].toFixed(1)}`);
  }
}
console.log('\nmedians over rounds:');
for (const k of Object.keys(res)) {
  const m = (x: (typeof keys)[number]) => pct(res[k][x], 50);
  console.log(`${k.padEnd(4)}: main-thread CPU per chunk p50 ${m('cpu50').toFixed(2)} / p99 ${m('cpu99').toFixed(2)} ms; loop bench figure p50 ${m('wall50').toFixed(2)} / p99 ${m('wall99').toFixed(2)} ms; scavenges ${m('scavenges')}, GCs ${m('gcs')}; idle ${m('idle').toFixed(2)} ms CPU per chunk`);
}
mkdirSync('bench/results', { recursive: true });
writeFileSync('bench/results/perception-ab.json', JSON.stringify({ date: new Date().toISOString(), loadAverage: loadavg(), base: roots.base, rounds: res }, null, 2) + '\n');
console.log('wrote bench/results/perception-ab.json');
for (const e of Object.values(engines)) await e.close?.();
process.exit(0);
