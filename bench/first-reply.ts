// First reply audio: the asynchronous FIFO pipeline vs the sequential (synchronous) baseline, same
// stream, one process, alternating runs so machine load hits both alike.
//   node --import tsx bench/first-reply.ts [--runs 3] [--tokens-per-second 20] [--first-token-ms 300]
// Two replies, each on its own stream of 2 s quiet room, a spoken question, 12 s quiet, pushed in 100 ms
// pieces at real-time pace:
//  - offline: "What can you do?", answered by the skills at once with two sentences;
//  - llm: "Why is the sky blue?", answered by a local fake OpenAI-compatible endpoint this bench starts
//    (src/testing/fake-llm.ts) that streams a three-sentence, 55-word answer word by word: first word
//    after --first-token-ms, then --tokens-per-second words per second (the pace of a hosted model).
//    The concurrent pipeline speaks the first sentence while the rest is still being generated; the
//    sequential one waits for the whole text, then for its whole synthesis.
// Two measures per run:
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
import { fakeTokens, startFakeLlm } from '../src/testing/fake-llm.ts';
import type { SessionOptions } from '../src/engine/options.ts';

const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '3' },
    out: { type: 'string', default: 'bench/results/first-reply.json' },
    'tokens-per-second': { type: 'string', default: '20' },
    'first-token-ms': { type: 'string', default: '300' },
  },
});
const runs = Math.max(1, Number(values.runs));
const LLM_REPLY =
  'Sunlight holds every colour of the rainbow. Air molecules scatter the short blue waves far more than the long red ones, ' +
  'so blue light reaches your eyes from every part of the sky. At sunset the light crosses much more air, the blue is ' +
  'scattered away on the way, and the reds and oranges are what is left.';
type Run = { fromChunk: number | null; fromDecision: number | null };

async function once(engine: Engine, audio: Float32Array, mode: 'concurrent' | 'sequential', extra: Partial<SessionOptions> = {}): Promise<Run> {
  const session = await engine.createSession({ speak: true, mode, ...extra });
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
const llm = await startFakeLlm({ reply: LLM_REPLY, firstTokenMs: Number(values['first-token-ms']), tokensPerSecond: Number(values['tokens-per-second']) });
const stream = (q: string) => mix(concat(silence(2), speech(q), silence(12)), noise(2 + 1.5 + 12 + 1, { amplitude: 0.01 }), 30);
const SCENARIOS = {
  offline: { audio: stream('What can you do?'), extra: {} },
  llm: { audio: stream('Why is the sky blue?'), extra: { llm: { baseUrl: llm.baseUrl, model: 'fake' } } },
} as const;
type Scenario = keyof typeof SCENARIOS;
type Mode = 'concurrent' | 'sequential';
await once(engine, silence(2), 'concurrent'); // warm-up: models, JIT
const res: Record<Scenario, Record<Mode, Run[]>> = { offline: { concurrent: [], sequential: [] }, llm: { concurrent: [], sequential: [] } };
for (let r = 0; r < runs; r++) {
  for (const sc of Object.keys(SCENARIOS) as Scenario[]) {
    for (const mode of ['concurrent', 'sequential'] as const) {
      const x = await once(engine, SCENARIOS[sc].audio, mode, SCENARIOS[sc].extra);
      res[sc][mode].push(x);
      console.error(`run ${r + 1} ${sc} ${mode}: respond chunk → audio ${x.fromChunk?.toFixed(0)} ms, decision → audio ${x.fromDecision?.toFixed(0)} ms`);
    }
  }
}
await engine.close?.();
await llm.close();
const m = (sc: Scenario, mode: Mode, k: keyof Run) => median(res[sc][mode].map((x) => x[k] ?? NaN));
const ratio = (sc: Scenario) => m(sc, 'sequential', 'fromChunk') / m(sc, 'concurrent', 'fromChunk');
const f = (x: number) => (Number.isFinite(x) ? x.toFixed(0) : '–');
const words = fakeTokens(LLM_REPLY).length;
console.log(`\nfirst reply audio, ${runs} run(s) per mode, median (load average ${loadavg()[0].toFixed(1)})`);
console.log(`llm: fake streaming endpoint, ${words} words in 3 sentences, first word after ${values['first-token-ms']} ms, ${values['tokens-per-second']} words/s\n`);
console.log('| measure | offline concurrent | offline sequential | llm concurrent | llm sequential |\n|---|---|---|---|---|');
console.log(`| respond chunk pushed → first reply audio (ms) | ${f(m('offline', 'concurrent', 'fromChunk'))} | ${f(m('offline', 'sequential', 'fromChunk'))} | ${f(m('llm', 'concurrent', 'fromChunk'))} | ${f(m('llm', 'sequential', 'fromChunk'))} |`);
console.log(`| respond decision → first reply audio (ms) | ${f(m('offline', 'concurrent', 'fromDecision'))} | ${f(m('offline', 'sequential', 'fromDecision'))} | ${f(m('llm', 'concurrent', 'fromDecision'))} | ${f(m('llm', 'sequential', 'fromDecision'))} |`);
console.log(`| sequential / concurrent (respond chunk → audio) | ${ratio('offline').toFixed(2)}× | | ${ratio('llm').toFixed(2)}× | |`);
mkdirSync('bench/results', { recursive: true });
const medians = (sc: Scenario) => ({ concurrent: { fromChunk: m(sc, 'concurrent', 'fromChunk'), fromDecision: m(sc, 'concurrent', 'fromDecision') }, sequential: { fromChunk: m(sc, 'sequential', 'fromChunk'), fromDecision: m(sc, 'sequential', 'fromDecision') } });
writeFileSync(
  values.out,
  JSON.stringify({ date: new Date().toISOString(), loadAverage: loadavg(), llm: { words, firstTokenMs: Number(values['first-token-ms']), wordsPerSecond: Number(values['tokens-per-second']) }, runs: res, medianMs: { offline: medians('offline'), llm: medians('llm') }, ratio: ratio('offline'), ratioLlm: ratio('llm') }, null, 1) + '\n',
);
console.log(`\nwrote ${values.out}`);
