// The slowest chunks of the loop bench's "perception + decision without ASR" on the sound-heavy stream,
// with their spans: the same engine, warm-up and stream order as bench/loop.ts (warm-up, speech-heavy
// stream, wait for the recogniser to go idle, sound-heavy stream), and per chunk the chunk trace
// (src/util/chunk-trace.ts: log-mel, other main-thread work, VAD + sound model wait, early end-of-turn
// wait, policy, the policy's wait for a final transcript), the main thread's CPU and run-queue wait, and
// the garbage collections inside the chunk's window. --profile PREFIX also samples the main thread
// (inspector, 100 µs) and writes PREFIX-ROUND.json with the chunk records on the same clock.
//   node --import tsx bench/loop-tail.ts [--rounds 1] [--seconds 60] [--speech-seconds 60] [--worst 5] [--asr two-pass] [--profile /tmp/p]
import { mkdirSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { PerformanceObserver } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { createEngine } from '../src/engine/registry.ts';
import { EmbeddedEngine } from '../src/engine/embedded.ts';
import type { EmbeddedSession } from '../src/engine/session.ts';
import type { Engine } from '../src/engine/types.ts';
import type { Percept } from '../src/perception/types.ts';
import { setChunkTraceSink, type ChunkTraceRecord } from '../src/util/chunk-trace.ts';
import { silence } from '../src/testing/audio.ts';
import { playThrough, soundHeavy, speechHeavy } from './streams.ts';
import { mainRunQueueWaitMs, otherThreadsIdle, threadCpuMs } from './threads.ts';
import { AcousticContext } from '../src/perception/acoustic-context.ts';
import { AlarmDetector } from '../src/perception/sounds/alarm.ts';
import { SoundEventTracker } from '../src/perception/sounds/events.ts';
import { InputGuard } from '../src/perception/sounds/input-guard.ts';
import { VoiceAnalyzer } from '../src/perception/voice/analyzer.ts';
import { SoundWatcher } from '../src/decision/sound-watcher.ts';

const { values } = parseArgs({
  options: {
    rounds: { type: 'string', default: '1' },
    seconds: { type: 'string', default: '60' },
    'speech-seconds': { type: 'string', default: '60' },
    worst: { type: 'string', default: '5' },
    profile: { type: 'string' },
    asr: { type: 'string' },
  },
});
const rounds = Number(values.rounds);
const seconds = Number(values.seconds);
const speechSeconds = Number(values['speech-seconds']);
const worstN = Number(values.worst);

const gcs: { at: number; ms: number; kind: number }[] = [];
new PerformanceObserver((l) => {
  for (const e of l.getEntries()) gcs.push({ at: e.startTime, ms: e.duration, kind: (e as unknown as { detail?: { kind?: number } }).detail?.kind ?? 0 });
}).observe({ entryTypes: ['gc'] });
const GC_KIND: Record<number, string> = { 1: 'minor', 2: 'major', 4: 'incremental', 8: 'weakcb' };

let records: ChunkTraceRecord[] = [];

// Per-stage wall time of each chunk: the synchronous parts of perception and of the sound watcher, timed
// by wrapping their classes' methods. Perceptions run one at a time and so do decisions, so a call inside
// a wrapped perceive() belongs to the chunk being perceived, one inside the sound watcher to the chunk
// being decided.
const STAGES = ['context', 'voice', 'guard', 'alarm', 'alarm state', 'events', 'sound watcher'] as const;
let stageMs = new Map<number, Record<string, number>>();
let perceiving = -1;
let deciding = -1;
function timeStage<T extends object>(proto: T, method: keyof T & string, stage: string, chunk: () => number): void {
  const orig = proto[method] as unknown as (...a: unknown[]) => unknown;
  (proto as Record<string, unknown>)[method] = function (this: unknown, ...a: unknown[]) {
    const t0 = performance.now();
    try {
      return orig.apply(this, a);
    } finally {
      const i = chunk();
      const row = stageMs.get(i) ?? {};
      row[stage] = (row[stage] ?? 0) + performance.now() - t0;
      stageMs.set(i, row);
    }
  };
}
timeStage(AcousticContext.prototype, 'update', 'context', () => perceiving);
timeStage(VoiceAnalyzer.prototype, 'push', 'voice', () => perceiving);
timeStage(InputGuard.prototype, 'check', 'guard', () => deciding);
timeStage(AlarmDetector.prototype, 'process', 'alarm', () => deciding);
timeStage(AlarmDetector.prototype, 'state', 'alarm state', () => deciding);
timeStage(AlarmDetector.prototype, 'beeping', 'alarm state', () => deciding);
timeStage(SoundEventTracker.prototype, 'update', 'events', () => deciding);
{
  const orig = SoundWatcher.prototype.onChunk;
  SoundWatcher.prototype.onChunk = function (this: SoundWatcher, p, speaking) {
    deciding = p.chunk.index;
    return orig.call(this, p, speaking);
  };
  timeStage(SoundWatcher.prototype, 'onChunk', 'sound watcher', () => deciding);
}
setChunkTraceSink({ write: (r) => void (r.kind === 'chunk' && records.push(r)), close: () => undefined });

interface Sample { cpuMs: number; runqMs: number; policyCpuMs?: number }
async function stream(engine: Engine, audio: Float32Array, perChunk?: Map<number, Sample>): Promise<EmbeddedSession> {
  const session = (await engine.createSession({})) as EmbeddedSession;
  if (perChunk) {
    const perceiver = session.perceiver;
    const perceive = perceiver.perceive.bind(perceiver);
    perceiver.perceive = async (chunk) => {
      perceiving = chunk.index;
      const c0 = threadCpuMs();
      const q0 = mainRunQueueWaitMs();
      const p = await perceive(chunk);
      perChunk.set(chunk.index, { ...perChunk.get(chunk.index), cpuMs: threadCpuMs() - c0, runqMs: mainRunQueueWaitMs() - q0 });
      return p;
    };
    const policy = (session as unknown as { policy: { decide(p: Percept, c: unknown): Promise<unknown> } }).policy;
    const decide = policy.decide.bind(policy);
    policy.decide = async (p, c) => {
      const c0 = threadCpuMs();
      try {
        return await decide(p, c);
      } finally {
        const m = perChunk.get(p.chunk.index);
        if (m) m.policyCpuMs = threadCpuMs() - c0;
      }
    };
  }
  await playThrough(session, audio);
  return session;
}

/** Samples the main thread (inspector profiler, 100 µs) and writes the profile with a performance.now() clock offset. */
async function startProfile(): Promise<(file: string) => Promise<void>> {
  const { Session } = await import('node:inspector/promises');
  const ins = new Session();
  ins.connect();
  await ins.post('Profiler.enable');
  await ins.post('Profiler.setSamplingInterval', { interval: 100 });
  await ins.post('Profiler.start');
  const hr0 = Number(process.hrtime.bigint() / 1000n);
  const pn0 = performance.now();
  return async (file) => {
    const { profile } = await ins.post('Profiler.stop');
    writeFileSync(file, JSON.stringify({ hr0, pn0, records, profile }));
    ins.disconnect();
  };
}

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))];
};
const f = (x: number, d = 1) => x.toFixed(d);

// --asr one-pass|two-pass: that recogniser instead of the default (the loop bench runs both).
const engine = values.asr ? new EmbeddedEngine({ asr: values.asr as 'one-pass' | 'two-pass' }) : await createEngine('embedded');
console.error(`building ${speechSeconds} s speech and ${seconds} s sound streams ...`);
const talk = speechHeavy(speechSeconds);
const sounds = soundHeavy(seconds);
await stream(engine, silence(2)); // as the loop bench: model loads, JIT
const out: unknown[] = [];
for (let r = 0; r < rounds; r++) {
  if (speechSeconds > 0) {
    console.error(`round ${r + 1}: speech-heavy ...`);
    await stream(engine, talk);
  }
  await otherThreadsIdle();
  console.error(`round ${r + 1}: sound-heavy ...`);
  records = [];
  stageMs = new Map();
  const perChunk = new Map<number, Sample>();
  const g0 = gcs.length;
  const prof = values.profile ? await startProfile() : null;
  const s = await stream(engine, sounds, perChunk);
  if (prof) await prof(`${values.profile}-${r + 1}.json`);
  const pol = s.timings.policyMs.values();
  const wait = s.perceiver.timings.turnCheckMs.values();
  const noAsr = s.timings.perceptionMs.values().map((v, i) => v - (wait[i] ?? 0) + (pol[i] ?? 0));
  const byIndex = new Map(records.map((x) => [x.index, x]));
  const rows = noAsr.map((ms, i) => {
    const t = byIndex.get(i);
    const m = perChunk.get(i);
    const from = t?.perceiveAt ?? 0;
    const to = t ? t.decideAt + t.policyMs : 0;
    const g = gcs.slice(g0).filter((x) => x.at + x.ms > from && x.at < to);
    // The policy waits for a final transcript when the chunk carries one: until its last part settled.
    const fin = t?.p.final;
    const settled = fin ? Math.max(fin.asrDoneAt ?? 0, fin.grammarDoneAt ?? 0) : 0;
    const finalWaitMs = t && fin ? Math.max(0, Math.min(t.decideAt + t.policyMs, settled) - t.decideAt) : 0;
    // Decisions of earlier chunks that ran on this thread while this chunk was being perceived (a backlog
    // behind a decision that waited for a final transcript is decided in a burst).
    const others = t ? records.filter((y) => y.index !== i && y.decideAt < t.perceivedAt && y.decideAt + y.policyMs > t.perceiveAt) : [];
    return {
      index: i,
      ms,
      decisionsMeanwhile: others.length,
      decisionsCpuMs: others.reduce((a, y) => a + (perChunk.get(y.index)?.policyCpuMs ?? 0), 0),
      melMs: t?.p.melMs ?? NaN,
      mainMs: t?.p.mainMs ?? NaN,
      modelsWaitMs: t?.p.modelsWaitMs ?? NaN,
      vadMs: s.perceiver.timings.vadMs.values()[i] ?? NaN,
      soundsMs: s.perceiver.timings.soundsMs.values()[i] ?? NaN,
      turnCheckMs: wait[i] ?? 0,
      policyMs: pol[i] ?? NaN,
      finalWaitMs,
      perceiveToDecideMs: t ? t.decideAt - t.perceivedAt : NaN,
      cpuMs: m?.cpuMs ?? NaN,
      policyCpuMs: m?.policyCpuMs ?? NaN,
      runqMs: m?.runqMs ?? NaN,
      gc: g.map((x) => `${GC_KIND[x.kind] ?? x.kind} ${f(x.ms)}`).join(', '),
      flags: t ? Object.entries(t.p).filter(([k, v]) => v === true && k !== 'quiet').map(([k]) => k).join(',') : '',
      quiet: t?.p.quiet === true,
      stages: stageMs.get(i) ?? {},
    };
  });
  const ms = rows.map((x) => x.ms);
  console.log(`\nround ${r + 1}: perception+decision without ASR, sound-heavy (${seconds} s): p50 ${f(pct(ms, 50), 2)} ms, p99 ${f(pct(ms, 99), 2)} ms, max ${f(Math.max(...ms), 1)} ms; load ${f(loadavg()[0])}; GCs ${gcs.length - g0}; quiet-gated chunks ${rows.filter((x) => x.quiet).length}/${rows.length}`);
  console.log('| chunk | ms | log-mel | other main-thread | VAD+sounds wait | VAD | sound model | policy | of which final wait | main CPU (perceive) | policy CPU | run-queue | GC in window | decisions run meanwhile (their CPU) | flags |');
  console.log('|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|');
  for (const x of [...rows].sort((a, b) => b.ms - a.ms).slice(0, worstN)) {
    console.log(`| #${x.index} | ${f(x.ms)} | ${f(x.melMs, 2)} | ${f(x.mainMs)} | ${f(x.modelsWaitMs)} | ${f(x.vadMs)} | ${f(x.soundsMs)} | ${f(x.policyMs)} | ${f(x.finalWaitMs)} | ${f(x.cpuMs)} | ${f(x.policyCpuMs)} | ${f(x.runqMs)} | ${x.gc || '–'} | ${x.decisionsMeanwhile} (${f(x.decisionsCpuMs)} ms) | ${x.flags} |`);
  }
  console.log(`stages of those chunks (ms): ${[...rows].sort((a, b) => b.ms - a.ms).slice(0, worstN).map((x) => `#${x.index} ${STAGES.map((k) => `${k} ${f(x.stages[k] ?? 0, 2)}`).join(', ')}`).join('; ')}`);
  console.log(`per stage over all chunks, p50 / p99 / max (ms): log-mel ${['melMs'].map(() => { const v = rows.map((x) => x.melMs); return `${f(pct(v, 50), 2)} / ${f(pct(v, 99), 2)} / ${f(Math.max(...v), 2)}`; })}; ${STAGES.map((k) => { const v = rows.map((x) => x.stages[k] ?? 0); return `${k} ${f(pct(v, 50), 2)} / ${f(pct(v, 99), 2)} / ${f(Math.max(...v), 2)} (max at #${v.indexOf(Math.max(...v))})`; }).join('; ')}`);
  const cpu = rows.map((x) => x.cpuMs + x.policyCpuMs);
  console.log(`main-thread CPU (perceive + policy windows) p50 ${f(pct(cpu, 50), 2)} / p99 ${f(pct(cpu, 99), 2)} ms; the ${worstN} chunks with the most:`);
  console.log(`${[...rows].sort((a, b) => b.cpuMs + b.policyCpuMs - a.cpuMs - a.policyCpuMs).slice(0, worstN).map((x) => `#${x.index} ${f(x.cpuMs)}+${f(x.policyCpuMs)} (wall ${f(x.ms)}${x.gc ? ', GC ' + x.gc : ''}${x.flags ? ', ' + x.flags : ''})`).join('; ')}`);
  const sync: { name: string; ms: number; at: number }[] = (globalThis as any).__syncCalls ?? [];
  if (sync.length) {
    const t0 = records[0]?.perceiveAt ?? 0;
    const agg = new Map<string, { n: number; ms: number; max: number }>();
    for (const c of sync.filter((c) => c.at >= t0)) {
      const a = agg.get(c.name) ?? { n: 0, ms: 0, max: 0 };
      a.n++; a.ms += c.ms; a.max = Math.max(a.max, c.ms);
      agg.set(c.name, a);
    }
    console.log('sync native calls during the stream: ' + [...agg].sort((a, b) => b[1].ms - a[1].ms).map(([k, a]) => `${k} ${a.n}× ${f(a.ms)} ms (max ${f(a.max)})`).join('; '));
    for (const x of records) {
      const inWin = sync.filter((c) => c.at >= x.perceiveAt && c.at < x.decideAt + x.policyMs);
      const tot = inWin.reduce((a, c) => a + c.ms, 0);
      if (tot > 1) console.log(`  chunk #${x.index}: ${f(tot)} ms sync native: ${inWin.filter((c) => c.ms > 0.3).map((c) => `${c.name} ${f(c.ms)} @${f(c.at - x.perceiveAt)}`).join(', ')} (perceived @${f(x.perceivedAt - x.perceiveAt)}, turn wait ${f(x.p.turnCheckMs)})`);
    }
    sync.length = 0;
  }
  out.push({ round: r + 1, load: loadavg(), p50: pct(ms, 50), p99: pct(ms, 99), rows });
}
mkdirSync('bench/results', { recursive: true });
writeFileSync('bench/results/loop-tail.json', JSON.stringify({ date: new Date().toISOString(), seconds, speechSeconds, runs: out }, null, 1) + '\n');
console.log('\nwrote bench/results/loop-tail.json');
await engine.close?.();
