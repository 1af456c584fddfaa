// Where the loop bench's sound-heavy first chunks go (issue #12, "perception+decision without ASR" p99;
// docs/notes/server.md round 13). Replays loop.ts's order (2 s of silence, the speech-heavy stream, wait for
// the recogniser's threads, the sound-heavy stream), then the sound stream again in a second session, then
// after 20 s idle. Per session: the row's per-chunk values, the first 10 chunks against the rest (wall,
// main-thread CPU of perceive() and of the policy, non-skipped chunks only), per-stage CPU, and per chunk
// the main thread's run-queue wait and the CPU of every other thread (V8's platform workers = the lowest
// thread ids after the main one; libuv's pool = the recogniser). CPU time, so it reads on a loaded machine.
// Run: node --import tsx bench/first-chunks.ts [--warm: engine.warmUp() first] [--spin MS] [--no-speech] [--presound:
// 10 s of the sound stream before the speech one] [--gc: global.gc() before each sound session, needs
// --expose-gc] [--marks: '@@chunk N' on stdout, to line up with --trace-opt/--trace-deopt under stdbuf -o0]
import { createEngine } from '../src/engine/registry.ts';
import type { EmbeddedEngine } from '../src/engine/embedded.ts';
import type { EmbeddedSession } from '../src/engine/session.ts';
import type { Policy } from '../src/decision/types.ts';
import { silence, SR } from '../src/testing/audio.ts';
import { soundHeavy, speechHeavy } from './streams.ts';
import { otherThreadsCpuByThread, otherThreadsIdle, threadCpuMs, mainRunQueueWaitMs } from './threads.ts';
import { writeSync } from 'node:fs';
import { loadavg } from 'node:os';

const WARM = process.argv.includes('--warm');
const engine = (await createEngine('embedded')) as EmbeddedEngine;
if (WARM) {
  const c0 = threadCpuMs(); const t0 = performance.now();
  await engine.warmUp();
  console.log(`warmUp: ${(performance.now() - t0).toFixed(0)} ms wall, ${(threadCpuMs() - c0).toFixed(0)} ms main CPU`);
}
const talk = speechHeavy(60);
const sounds = soundHeavy(60);

async function run(audio: Float32Array) {
  const cpu: { perceive: number[]; policy: number[]; cyc: { wall: number; cpu: number; runq: number; other: Map<string, number> }[] } = { perceive: [], policy: [], cyc: [] };
  let last: { wall: number; cpu: number; runq: number; other: Map<string, number> } | null = null;
  const mark = () => {
    const ru = process.resourceUsage(); flt.push([ru.minorPageFault, ru.majorPageFault]);
    const now = { wall: performance.now(), cpu: threadCpuMs(), runq: mainRunQueueWaitMs(), other: otherThreadsCpuByThread() };
    if (last) {
      const d = new Map<string, number>();
      for (const [k, v] of now.other) { const x = v - (last.other.get(k) ?? 0); if (x > 0.05) d.set(k, x); }
      cpu.cyc.push({ wall: now.wall - last.wall, cpu: now.cpu - last.cpu, runq: now.runq - last.runq, other: d });
    }
    last = now;
  };
  const wrap = (p: Policy): Policy => new Proxy(p, {
    get(t, k, r) {
      const v = Reflect.get(t, k, r);
      if (k !== 'decide') return typeof v === 'function' ? v.bind(t) : v;
      return async (...a: unknown[]) => { const c = threadCpuMs(); const d = await (v as Function).apply(t, a); cpu.policy.push(threadCpuMs() - c); return d; };
    },
  });
  const s = (await engine.createSession({}, { wrapPolicy: wrap })) as EmbeddedSession;
  const tStart = performance.now();
  const per = s.perceiver as unknown as { perceive: (...a: unknown[]) => Promise<unknown> };
  const orig = per.perceive.bind(per);
  per.perceive = async (...a: unknown[]) => { if (process.argv.includes('--marks')) writeSync(1, `@@chunk ${cpu.cyc.length}\n`); mark(); const c = threadCpuMs(); const r = await orig(...a) as { trace?: { quiet?: boolean } }; cpu.perceive.push(threadCpuMs() - c); quiet.push(!!r.trace?.quiet); return r; };
  const stage = new Map<string, number[]>();
  const quiet: boolean[] = [];
  const flt: number[][] = [];
  const P = s.perceiver as unknown as Record<string, Record<string, unknown>>;
  const wrapSync = (name: string, obj: Record<string, unknown> | null | undefined, meth: string) => {
    if (!obj || typeof obj[meth] !== 'function') return;
    const f = (obj[meth] as Function).bind(obj);
    const arr: number[] = []; stage.set(name, arr);
    obj[meth] = (...a: unknown[]) => { const c = threadCpuMs(); try { return f(...a); } finally { const i = cpu.cyc.length; arr[i] = (arr[i] ?? 0) + threadCpuMs() - c; } };
  };
  wrapSync('mel', P.mel, 'process'); wrapSync('ctx', P.context, 'update'); wrapSync('seg', P.segmenter, 'update'); wrapSync('babble', P.babble, 'gate');
  wrapSync('voice', P.voice, 'push'); wrapSync('supp', P.suppressor, 'observe'); wrapSync('gate', P.gate, 'shouldSkip'); wrapSync('sndwin', P.sounds, 'window');
  wrapSync('feedAsr', P as unknown as Record<string, unknown>, 'feedAsr'); wrapSync('handOver', P as unknown as Record<string, unknown>, 'handOverFinal');
  wrapSync('soundnet', P.models, 'sounds'); wrapSync('vad', P.vad, 'process');
  const reader = (async () => { for await (const _ of s) { /* drain */ } })();
  for (let i = 0; i < audio.length; i += 1600) await s.push(audio.subarray(i, i + 1600));
  await s.end(); await reader;
  return { s, cpu, tStart, stage, quiet, flt };
}

function report(name: string, r: Awaited<ReturnType<typeof run>>) {
  const s = r.s;
  const pol = s.timings.policyMs.values(), wait = s.perceiver.timings.turnCheckMs.values(), fin = s.timings.finalWaitMs.values();
  const noAsr = s.timings.perceptionMs.values().map((v, i) => v - (wait[i] ?? 0) + (pol[i] ?? 0) - (fin[i] ?? 0));
  const vad = s.perceiver.timings.vadMs.values(), snd = s.perceiver.timings.soundsMs.values(), mel = s.perceiver.timings.featuresMs.values();
  const sorted = [...noAsr].sort((a, b) => a - b);
  const pct = (q: number) => sorted[Math.min(sorted.length - 1, Math.ceil((q / 100) * sorted.length) - 1)];
  const top = noAsr.map((v, i) => [v, i] as const).sort((a, b) => b[0] - a[0]).slice(0, 6).map(([v, i]) => `${v.toFixed(1)}@${i}`).join(' ');
  const mean = (a: number[], lo: number, hi: number) => { const x = a.slice(lo, hi); return (x.reduce((p, q) => p + q, 0) / x.length).toFixed(2); };
  console.log(`\n== ${name} (load ${loadavg()[0].toFixed(2)}) n=${noAsr.length} p50 ${pct(50).toFixed(2)} p99 ${pct(99).toFixed(2)} top: ${top}`);
  console.log(`first 10 vs rest, mean: noAsr ${mean(noAsr, 0, 10)} / ${mean(noAsr, 10, 999)}; CPU perceive ${mean(r.cpu.perceive, 0, 10)} / ${mean(r.cpu.perceive, 10, 999)}; CPU policy ${mean(r.cpu.policy, 0, 10)} / ${mean(r.cpu.policy, 10, 999)}`);
  const ph = (a: number[]) => [0, 25, 50, 75, 100, 125].map((o) => mean(a, o, o + 10)).join(' ');
  console.log(`phase-aligned 10-chunk means (chunks 0-9, 25-34, 50-59, ...): CPU perceive ${ph(r.cpu.perceive)} | CPU policy ${ph(r.cpu.policy)} | noAsr ${ph(noAsr)} | vad ${ph(vad)}`);
  const nq = (a: number[], lo: number, hi: number) => { const x = a.slice(lo, hi).filter((_, j) => !r.quiet[lo + j]); return `${(x.reduce((p, q) => p + q, 0) / x.length).toFixed(2)}(n${x.length})`; };
  console.log(`NON-SKIPPED chunks, first 10 vs 10..150: CPU perceive ${nq(r.cpu.perceive, 0, 10)} / ${nq(r.cpu.perceive, 10, 150)}; vad wall ${nq(vad, 0, 10)} / ${nq(vad, 10, 150)}; noAsr ${nq(noAsr, 0, 10)} / ${nq(noAsr, 10, 150)}; CPU policy ${nq(r.cpu.policy, 0, 10)} / ${nq(r.cpu.policy, 10, 150)}; skipped in first 10: ${r.quiet.slice(0, 10).filter(Boolean).length}, in rest ${r.quiet.slice(10).filter(Boolean).length}`);
  const sortedNq = noAsr.slice(10).filter((_, j) => !r.quiet[10 + j]).sort((a, b) => b - a);
  console.log(`noAsr of non-skipped chunks after 10: top ${sortedNq.slice(0, 4).map((x) => x.toFixed(1)).join(' ')}; first 10: ${noAsr.slice(0, 10).map((x, i) => `${x.toFixed(1)}${r.quiet[i] ? 'q' : ''}`).join(' ')}`);
  const fd = (lo: number, hi: number, k: number) => ((r.flt[Math.min(hi, r.flt.length - 1)][k] - r.flt[lo][k]) / (Math.min(hi, r.flt.length - 1) - lo)).toFixed(1);
  console.log(`page faults per chunk: minor first 10 ${fd(0, 10, 0)} rest ${fd(10, 150, 0)}; major ${fd(0, 10, 1)} / ${fd(10, 150, 1)}`);
  console.log('stage CPU ms, phase-aligned means: ' + [...r.stage].map(([k, a]) => `${k} ${[0, 25, 50, 75].map((o) => { let t = 0; for (let i = o; i < o + 10; i++) t += a[i + 1] ?? 0; return (t / 10).toFixed(2); }).join('/')}`).join(' | '));
  console.log('i  noAsr  mel   vad   snd   pol  | cpuPerc cpuPol');
  for (let i = 0; i < 14; i++) { const c = r.cpu.cyc[i]; const oth = [...c.other].filter(([, v]) => v > 0.5).map(([k, v]) => `${k}:${v.toFixed(1)}`).join(' '); console.log(`${String(i).padStart(2)} ${noAsr[i].toFixed(2).padStart(6)} ${mel[i]?.toFixed(2).padStart(5)} ${vad[i]?.toFixed(2).padStart(5)} ${(snd[i] ?? NaN).toFixed(2).padStart(5)} ${pol[i].toFixed(2).padStart(5)} | ${r.cpu.perceive[i].toFixed(2).padStart(6)} ${r.cpu.policy[i].toFixed(2).padStart(6)} | cyc wall ${c.wall.toFixed(1)} cpu ${c.cpu.toFixed(1)} runq ${c.runq.toFixed(1)} other ${[...c.other.values()].reduce((a, b) => a + b, 0).toFixed(1)} ${oth}`); }
  const oth = (lo: number, hi: number) => { const x = r.cpu.cyc.slice(lo, hi); return [x.reduce((a, c) => a + [...c.other.values()].reduce((p, q) => p + q, 0), 0) / x.length, x.reduce((a, c) => a + c.runq, 0) / x.length].map((v) => v.toFixed(2)).join(' ms, runq '); };
  console.log(`session started at ${r.tStart.toFixed(0)} ms; chunk starts: ${r.cpu.cyc.slice(0, 12).reduce((a, c) => (a.push(a[a.length - 1] + c.wall), a), [r.tStart]).map((x) => x.toFixed(0)).join(' ')}`);
  console.log(`other threads CPU per chunk: first 10 ${oth(0, 10)}; rest ${oth(10, 999)}`);
}

const GC = process.argv.includes('--gc');
// --spin MS: keep the main thread busy this long right before each sound session (is the first chunks'
// slowness a core coming back from idle, not the session's own work?).
const SPIN = Number(process.argv[process.argv.indexOf('--spin') + 1] ?? 0) * Number(process.argv.includes('--spin'));
const spin = () => { const t = performance.now(); let x = 0; while (performance.now() - t < SPIN) x += Math.sqrt(x + 1); return x; };
const gcNow = () => { if (GC) { const t = performance.now(); (globalThis as { gc?: () => void }).gc!(); console.log(`gc ${(performance.now() - t).toFixed(0)} ms`); } };
await run(silence(2));
if (process.argv.includes('--presound')) { const c0 = threadCpuMs(); const t0 = performance.now(); await run(soundHeavy(10)); console.log(`presound: ${(performance.now() - t0).toFixed(0)} ms wall, ${(threadCpuMs() - c0).toFixed(0)} ms CPU`); }
if (!process.argv.includes('--no-speech')) await run(talk);
await otherThreadsIdle();
gcNow();
spin();
console.log(`sound #1 starts at ${performance.now().toFixed(0)} ms`);
report('sound-heavy #1 (loop order)', await run(sounds));
await otherThreadsIdle();
gcNow();
spin();
console.log(`sound #2 starts at ${performance.now().toFixed(0)} ms`);
report('sound-heavy #2 (second session)', await run(sounds));
await new Promise((r) => setTimeout(r, 20_000));
gcNow();
spin();
report('sound-heavy #3 (after 20 s idle)', await run(sounds));
await engine.close();
