// Where the tail of "perception + decision without ASR" on the loop bench's sound-heavy stream goes.
// Per chunk it records the main thread's CPU time (clock_gettime of the thread), the time the main thread
// sat runnable but not running (its run-queue wait, /proc schedstat), the CPU the process's other threads
// (recogniser on libuv's pool, V8 helpers) used meanwhile, and garbage collections. Two conditions
// alternate in one process: the sound-heavy stream right after the speech-heavy one (as the loop bench
// runs it) and the same stream once the recogniser has gone idle. CPU figures hold on a loaded machine;
// wall figures and run-queue waits there mostly say how busy the machine was.
//   node --import tsx bench/perception-tail.ts [--rounds 2] [--seconds 60]
import { mkdirSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { PerformanceObserver } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { createEngine } from '../src/engine/registry.ts';
import type { EmbeddedSession } from '../src/engine/session.ts';
import type { Engine } from '../src/engine/types.ts';
import type { Chunk } from '../src/audio/chunk.ts';
import { silence } from '../src/testing/audio.ts';
import { playThrough, soundHeavy, speechHeavy } from './streams.ts';
import { mainRunQueueWaitMs as runqWaitMs, otherThreadsCpuMs as othersCpuMs, otherThreadsIdle as settle, threadCpuMs } from './threads.ts';

const { values } = parseArgs({ options: { rounds: { type: 'string', default: '2' }, seconds: { type: 'string', default: '60' } } });
const rounds = Number(values.rounds);
const seconds = Number(values.seconds);

const gcs: { at: number; ms: number }[] = [];
new PerformanceObserver((l) => {
  for (const e of l.getEntries()) gcs.push({ at: e.startTime, ms: e.duration });
}).observe({ entryTypes: ['gc'] });

interface ChunkRec { index: number; wallMs: number; cpuMs: number; runqMs: number; othersMs: number; gcMs: number; vadMs: number; soundsMs: number; turnCheckMs: number }

async function stream(engine: Engine, audio: Float32Array, recs?: ChunkRec[]): Promise<EmbeddedSession> {
  const session = (await engine.createSession({})) as EmbeddedSession;
  if (recs) {
    const perceiver = session.perceiver;
    const perceive = perceiver.perceive.bind(perceiver);
    perceiver.perceive = async (chunk: Chunk) => {
      const o0 = othersCpuMs();
      const q0 = runqWaitMs();
      const c0 = threadCpuMs();
      const t0 = performance.now();
      const p = await perceive(chunk);
      const t1 = performance.now();
      const c1 = threadCpuMs();
      recs.push({ index: chunk.index, wallMs: t1 - t0, cpuMs: c1 - c0, runqMs: runqWaitMs() - q0, othersMs: othersCpuMs() - o0, gcMs: gcs.filter((g) => g.at >= t0 && g.at < t1).reduce((a, g) => a + g.ms, 0), vadMs: perceiver.timings.vadMs.values().at(-1) ?? 0, soundsMs: perceiver.timings.soundsMs.values().at(-1) ?? 0, turnCheckMs: p.trace?.turnCheckMs ?? 0 });
      return p;
    };
  }
  await playThrough(session, audio);
  return session;
}

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))];
};

const engine = await createEngine('embedded');
console.error(`building ${seconds} s streams ...`);
const talk = speechHeavy(seconds);
const sounds = soundHeavy(seconds);
await stream(engine, silence(2)); // model loads, JIT
await stream(engine, sounds);
const conditions = ['after speech', 'recogniser idle'] as const;
const runs: { condition: string; round: number; load: number; leftover?: { ms: number; cpuMs: number }; othersTotalMs: number; gcCount: number; chunks: ChunkRec[] }[] = [];
for (let r = 0; r < rounds; r++) {
  for (const condition of conditions) {
    console.error(`round ${r + 1}: sound-heavy stream, ${condition} ...`);
    await stream(engine, talk);
    const leftover = condition === 'recogniser idle' ? await settle() : undefined;
    const recs: ChunkRec[] = [];
    const o0 = othersCpuMs();
    const g0 = gcs.length;
    const s = await stream(engine, sounds, recs);
    // perception + decision without ASR, as the loop bench counts it (the early end-of-turn wait out, the policy in).
    const pol = s.timings.policyMs.values();
    const wait = s.perceiver.timings.turnCheckMs.values();
    recs.forEach((c, i) => (c.wallMs += (pol[i] ?? 0) - (wait[i] ?? 0)));
    runs.push({ condition, round: r + 1, load: loadavg()[0], leftover, othersTotalMs: othersCpuMs() - o0, gcCount: gcs.length - g0, chunks: recs });
  }
}

const f = (x: number, d = 1) => x.toFixed(d);
console.log(`\nSound-heavy stream (${seconds} s, as fast as possible), one-process alternating rounds; load average ${f(loadavg()[0])} at the end (loaded: wall and run-queue figures mostly reflect other work)\n`);
console.log('| condition | round | perception+decision w/o ASR p50 / p99 | main-thread CPU per chunk p50 / p99 / max | main run-queue wait p50 / p99 | other threads\' CPU during the stream | recogniser work left from the speech stream | GCs (total ms, max) |');
console.log('|---|---|---|---|---|---|---|---|');
for (const x of runs) {
  const w = x.chunks.map((c) => c.wallMs);
  const cpu = x.chunks.map((c) => c.cpuMs);
  const q = x.chunks.map((c) => c.runqMs);
  const g = x.chunks.map((c) => c.gcMs);
  const left = x.leftover ? `${f(x.leftover.cpuMs, 0)} ms CPU over ${f(x.leftover.ms / 1000)} s` : 'overlaps';
  console.log(`| ${x.condition} | ${x.round} | ${f(pct(w, 50), 2)} / ${f(pct(w, 99), 2)} ms | ${f(pct(cpu, 50), 2)} / ${f(pct(cpu, 99), 2)} / ${f(Math.max(...cpu), 2)} ms | ${f(pct(q, 50))} / ${f(pct(q, 99))} ms | ${f(x.othersTotalMs, 0)} ms | ${left} | ${x.gcCount} (${f(g.reduce((a, b) => a + b, 0), 0)} ms, ${f(Math.max(...g))}) |`);
}
console.log('\nThe three slowest chunks of each run (wall ms = main-thread CPU + run-queue wait + waiting for others):');
for (const x of runs) {
  const worst = [...x.chunks].sort((a, b) => b.wallMs - a.wallMs).slice(0, 3);
  console.log(`- ${x.condition}, round ${x.round}: ${worst.map((c) => `#${c.index} ${f(c.wallMs)} ms (CPU ${f(c.cpuMs)}, run-queue ${f(c.runqMs)}, others ${f(c.othersMs)}, GC ${f(c.gcMs)}; VAD ${f(c.vadMs)}, sound model ${f(c.soundsMs)}, early end-of-turn wait ${f(c.turnCheckMs)})`).join('; ')}`);
}
mkdirSync('bench/results', { recursive: true });
writeFileSync('bench/results/perception-tail.json', JSON.stringify({ date: new Date().toISOString(), loadAverage: loadavg(), seconds, runs }, null, 1) + '\n');
console.log('\nwrote bench/results/perception-tail.json');
await engine.close?.();
