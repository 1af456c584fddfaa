// Work left when an utterance ends, in CPU time (all threads): the part of the decision latency that
// load on a shared machine cannot explain away. The loop bench's continuous-speech stream (and a few
// spoken commands) go through a session chunk by chunk; after each chunk the bench waits until the
// process is idle (every decoder caught up), so what a chunk costs from its push to its `chunk` event
// is the work it cannot start before it arrives. Reported for the chunks that end an utterance and for
// the pause chunks (where the early end-of-turn check waits). Wall times are printed too, but on a
// loaded machine only the CPU figures and the ratios between configurations in one run mean much.
//   node --import tsx bench/utterance-end.ts [--seconds 30] [--configs streamed,batch]
import { mkdirSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { EmbeddedEngine } from '../src/engine/embedded.ts';
import type { SessionEvent } from '../src/events.ts';
import { CHUNK_SAMPLES } from '../src/audio/chunk.ts';
import { concat, mix, noise, silence, speech, SR } from '../src/testing/audio.ts';
import { speechHeavy } from './streams.ts'; // the loop bench's continuous-speech stream

const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '30' },
    configs: { type: 'string', default: 'streamed,batch' },
    out: { type: 'string', default: 'bench/results/utterance-end.json' },
  },
});

const COMMANDS = ['what time is it', 'set a timer for ten seconds', 'count how many times the dog barks', 'what is seven times eight'];

function commands(): Float32Array {
  const x = concat(...COMMANDS.flatMap((c) => [speech(c, { voice: 'en-us+klatt' }), silence(1.5)]));
  return mix(x, noise(x.length / SR + 0.1, { amplitude: 0.01 }), 30);
}

const cpuMs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

/**
 * Until the process has been (nearly) idle for three 100 ms polls: every decoder has caught up. (Shorter
 * windows mistook a starved decoder thread on a loaded machine for an idle one.)
 */
async function idle(): Promise<void> {
  let quiet = 0;
  let last = cpuMs();
  while (quiet < 3) {
    await new Promise((r) => setTimeout(r, 100));
    const now = cpuMs();
    quiet = now - last < 2 ? quiet + 1 : 0;
    last = now;
  }
}

interface Sample { kind: 'end' | 'pause'; cpu: number; wall: number; chunk: number }

async function run(engine: EmbeddedEngine, audio: Float32Array): Promise<{ samples: Sample[]; finals: string[] }> {
  const session = await engine.createSession({});
  const pending = new Map<number, (ev: SessionEvent[]) => void>();
  let batch: SessionEvent[] = [];
  const finals: string[] = [];
  const reader = (async () => {
    for await (const ev of session) {
      batch.push(ev);
      if (ev.type === 'transcript' && ev.final) finals.push(ev.text);
      if (ev.type === 'chunk') {
        pending.get(ev.index)?.(batch);
        batch = [];
      }
    }
  })();
  const samples: Sample[] = [];
  for (let i = 0, k = 0; i + CHUNK_SAMPLES <= audio.length; i += CHUNK_SAMPLES, k++) {
    const done = new Promise<SessionEvent[]>((r) => pending.set(k, r));
    const c0 = cpuMs();
    const t0 = performance.now();
    await session.push(audio.subarray(i, i + CHUNK_SAMPLES));
    const events = await done;
    const cpu = cpuMs() - c0;
    const wall = performance.now() - t0;
    const perceiver = (session as unknown as { perceiver: { timings: { turnCheckMs: { values(): number[] } } } }).perceiver;
    const waited = perceiver.timings.turnCheckMs.values().at(-1) ?? 0;
    if (events.some((e) => e.type === 'speech.stopped')) samples.push({ kind: 'end', cpu, wall, chunk: k });
    else if (waited > 0.5) samples.push({ kind: 'pause', cpu, wall, chunk: k });
    await idle();
  }
  await session.end();
  await reader;
  return { samples, finals };
}

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))] : NaN;
};
const f = (x: number) => (Number.isFinite(x) ? x.toFixed(0) : '–');

const seconds = Number(values.seconds);
const streams = { continuous: speechHeavy(seconds), commands: commands() };
const configs = values.configs.split(',') as ('streamed' | 'batch')[];
const results: Record<string, Record<string, { end: { cpu: number[]; wall: number[] }; pause: { cpu: number[]; wall: number[] }; firstEndCpu: number; finals: string[] }>> = {};
for (const config of configs) {
  const engine = new EmbeddedEngine({ grammar: config });
  await run(engine, concat(silence(1), speech('hello there', { voice: 'en-us+klatt' }), silence(1.5))); // warm-up: models, decoders, JIT
  results[config] = {};
  for (const [name, audio] of Object.entries(streams)) {
    const { samples, finals } = await run(engine, audio);
    const pick = (kind: Sample['kind']) => ({ cpu: samples.filter((s) => s.kind === kind).map((s) => s.cpu), wall: samples.filter((s) => s.kind === kind).map((s) => s.wall) });
    results[config][name] = { end: pick('end'), pause: pick('pause'), firstEndCpu: samples.find((s) => s.kind === 'end')?.cpu ?? NaN, finals };
    console.error(`${config} ${name}: ${finals.length} final transcripts`);
  }
  await engine.close();
}

console.log(`\nWork at the end of an utterance, drained chunk by chunk (${seconds} s continuous speech + ${COMMANDS.length} commands; load average ${loadavg()[0].toFixed(1)})\n`);
console.log('| stream | grammar reading | utterance-end chunks | CPU p50 / p99 / first (ms) | wall p50 / p99 (ms) | pause chunks | CPU p50 / p99 (ms) | wall p50 / p99 (ms) |\n|---|---|---|---|---|---|---|---|');
for (const name of Object.keys(streams)) {
  for (const config of configs) {
    const r = results[config][name];
    console.log(`| ${name} | ${config} | ${r.end.cpu.length} | ${f(pct(r.end.cpu, 50))} / ${f(pct(r.end.cpu, 99))} / ${f(r.firstEndCpu)} | ${f(pct(r.end.wall, 50))} / ${f(pct(r.end.wall, 99))} | ${r.pause.cpu.length} | ${f(pct(r.pause.cpu, 50))} / ${f(pct(r.pause.cpu, 99))} | ${f(pct(r.pause.wall, 50))} / ${f(pct(r.pause.wall, 99))} |`);
  }
}
mkdirSync('bench/results', { recursive: true });
writeFileSync(values.out, JSON.stringify({ date: new Date().toISOString(), loadAverage: loadavg(), seconds, results }, null, 1) + '\n');
console.log(`\nwrote ${values.out}`);
