// First reply audio: the asynchronous FIFO pipeline vs the sequential (synchronous) baseline, same
// stream, one process, alternating runs so machine load hits both alike.
//   node --import tsx bench/first-reply.ts [--runs 3]
// The stream: 2 s of quiet room, a spoken question the skills answer with two sentences, 12 s quiet,
// pushed in 100 ms pieces at real-time pace. Two measures per run:
//  - respond chunk → first audio: from the moment the last sample of the chunk that got the `respond`
//    decision was pushed, to the first `response.audio` event (decision latency + reply start);
//  - decision → first audio: from the `chunk` event with `respond` to the first `response.audio`.
// Sequential mode waits for each stage to finish (whole reply text, then whole synthesis) before the
// next starts; concurrent mode streams sentence by sentence.
import { mkdirSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { createEngine } from '../src/engine/registry.ts';
import type { Engine } from '../src/engine/types.ts';
import { concat, mix, noise, silence, speech, SR } from '../src/testing/audio.ts';

const { values } = parseArgs({ options: { runs: { type: 'string', default: '3' }, out: { type: 'string', default: 'bench/results/first-reply.json' } } });
const runs = Math.max(1, Number(values.runs));
type Run = { fromChunk: number | null; fromDecision: number | null };

async function once(engine: Engine, audio: Float32Array, mode: 'concurrent' | 'sequential'): Promise<Run> {
  const session = await engine.createSession({ speak: true, mode });
  const chunkDone = new Map<number, number>();
  let chunkAt: number | null = null;
  let decisionAt: number | null = null;
  let out: Run = { fromChunk: null, fromDecision: null };
  const reader = (async () => {
    for await (const ev of session) {
      if (ev.type === 'chunk' && ev.decision === 'respond' && decisionAt === null) {
        decisionAt = performance.now();
        chunkAt = chunkDone.get(ev.index) ?? null;
      }
      if (ev.type === 'response.audio' && decisionAt !== null && out.fromDecision === null) {
        const now = performance.now();
        out = { fromChunk: chunkAt === null ? null : now - chunkAt, fromDecision: now - decisionAt };
      }
    }
  })();
  const t0 = performance.now();
  for (let i = 0; i < audio.length; i += 1600) {
    await session.push(audio.subarray(i, i + 1600));
    const end = i + 1600;
    if (end % 6400 === 0) chunkDone.set(end / 6400 - 1, performance.now());
    const ahead = (end / SR) * 1000 - (performance.now() - t0);
    if (ahead > 0) await new Promise((r) => setTimeout(r, ahead));
  }
  await session.end();
  await reader;
  return out;
}

const median = (xs: number[]) => {
  const s = xs.filter(Number.isFinite).sort((a, b) => a - b);
  return s.length ? s[Math.floor((s.length - 1) / 2)] : NaN;
};

const engine = await createEngine('embedded');
const question = mix(concat(silence(2), speech('What can you do?'), silence(12)), noise(2 + 1.2 + 12 + 1, { amplitude: 0.01 }), 30);
await once(engine, silence(2), 'concurrent'); // warm-up: models, JIT
const res: Record<'concurrent' | 'sequential', Run[]> = { concurrent: [], sequential: [] };
for (let r = 0; r < runs; r++) {
  for (const mode of ['concurrent', 'sequential'] as const) {
    const x = await once(engine, question, mode);
    res[mode].push(x);
    console.error(`run ${r + 1} ${mode}: respond chunk → audio ${x.fromChunk?.toFixed(0)} ms, decision → audio ${x.fromDecision?.toFixed(0)} ms`);
  }
}
await engine.close?.();
const m = (mode: 'concurrent' | 'sequential', k: keyof Run) => median(res[mode].map((x) => x[k] ?? NaN));
const ratio = m('sequential', 'fromChunk') / m('concurrent', 'fromChunk');
const f = (x: number) => (Number.isFinite(x) ? x.toFixed(0) : '–');
console.log(`\nfirst reply audio, ${runs} run(s) per mode, median (load average ${loadavg()[0].toFixed(1)})\n`);
console.log('| measure | concurrent | sequential |\n|---|---|---|');
console.log(`| respond chunk pushed → first reply audio (ms) | ${f(m('concurrent', 'fromChunk'))} | ${f(m('sequential', 'fromChunk'))} |`);
console.log(`| respond decision → first reply audio (ms) | ${f(m('concurrent', 'fromDecision'))} | ${f(m('sequential', 'fromDecision'))} |`);
console.log(`| sequential / concurrent (respond chunk → audio) | ${Number.isFinite(ratio) ? ratio.toFixed(2) : '–'}× | |`);
mkdirSync('bench/results', { recursive: true });
writeFileSync(values.out, JSON.stringify({ date: new Date().toISOString(), loadAverage: loadavg(), runs: res, medianMs: { concurrent: { fromChunk: m('concurrent', 'fromChunk'), fromDecision: m('concurrent', 'fromDecision') }, sequential: { fromChunk: m('sequential', 'fromChunk'), fromDecision: m('sequential', 'fromDecision') } }, ratio }, null, 1) + '\n');
console.log(`\nwrote ${values.out}`);
