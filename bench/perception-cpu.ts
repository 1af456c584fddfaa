// Where the embedded engine's per-chunk CPU goes, with perception in the main thread vs on the worker
// pool: N sessions in this process are fed a conversational stream (≈ 25% speech over a quiet room) as
// fast as they take it; CPU time of the main thread and of the whole process per chunk, alternating
// the two set-ups --rounds times. CPU time per chunk depends far less on other load than wall latency.
//   node --import tsx bench/perception-cpu.ts [--sessions 8] [--seconds 40] [--rounds 2] [--asr two-pass|one-pass]
import { mkdirSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { EmbeddedEngine } from '../src/engine/embedded.ts';
import { concat, mix, noise, silence, speech } from '../src/testing/audio.ts';
import { feedRotated } from './streams.ts';
import { processCpuMs } from './threads.ts';

const { values } = parseArgs({
  options: {
    sessions: { type: 'string', default: '8' },
    seconds: { type: 'string', default: '40' },
    rounds: { type: 'string', default: '2' },
    asr: { type: 'string', default: 'two-pass' },
    out: { type: 'string', default: 'bench/results/perception-cpu.json' },
  },
});
const sessions = Number(values.sessions);
const seconds = Number(values.seconds);
const asr = values.asr === 'one-pass' ? 'one-pass' : 'two-pass';


// ≈ 25% speech: a 20 s period with a question, a statement and quiet room, as in bench/knee.ts.
const period = concat(speech('how are you'), silence(4.5), speech('The museum opens at nine and closes at six on weekdays.', { voice: 'en+m3' }));
const parts: Float32Array[] = [];
for (let n = 0; n < seconds; n += 20) parts.push(period, silence(Math.max(1, 20 - period.length / 16000)));
const clean = concat(...parts).subarray(0, seconds * 16000);
const audio = mix(clean, noise(seconds, { amplitude: 0.01 }), 30);

async function run(workers: number): Promise<{ mainMsPerChunk: number; allMsPerChunk: number; wallS: number }> {
  const engine = new EmbeddedEngine({ asr, perceptionWorkers: workers });
  await engine.warmUp();
  const ss = await Promise.all(Array.from({ length: sessions }, () => engine.createSession()));
  let chunks = 0;
  const readers = ss.map(async (s) => {
    for await (const e of s) if (e.type === 'chunk') chunks++;
  });
  const c0 = processCpuMs();
  const w0 = performance.now();
  // Sessions are phase-shifted by a few seconds so their speech does not coincide.
  await feedRotated(ss, audio, (i) => Math.floor(((i * 20) / sessions) * 16000 / 6400) * 6400);
  await Promise.all(readers);
  const c1 = processCpuMs();
  const wallS = (performance.now() - w0) / 1000;
  await engine.close();
  return { mainMsPerChunk: (c1.main - c0.main) / chunks, allMsPerChunk: (c1.all - c0.all) / chunks, wallS };
}

const load0 = loadavg()[0];
const rows: { workers: number; mainMsPerChunk: number; allMsPerChunk: number; wallS: number }[] = [];
for (let r = 0; r < Number(values.rounds); r++) {
  for (const workers of [0, availableParallelism()]) {
    const x = await run(workers);
    rows.push({ workers, ...x });
    console.error(`round ${r + 1}, perception workers ${workers}: main thread ${x.mainMsPerChunk.toFixed(2)} ms/chunk, all threads ${x.allMsPerChunk.toFixed(2)} ms/chunk, wall ${x.wallS.toFixed(1)} s`);
  }
}
const med = (w: number, k: 'mainMsPerChunk' | 'allMsPerChunk' | 'wallS') => {
  const xs = rows.filter((r) => r.workers === w).map((r) => r[k]).sort((a, b) => a - b);
  return xs[Math.floor((xs.length - 1) / 2)];
};
const pool = availableParallelism();
console.log(`\n${sessions} sessions × ${seconds} s (≈25% speech), ${asr} recogniser, as fast as they go; median of ${values.rounds} alternating rounds (load avg ${load0.toFixed(1)} at start)\n`);
console.log('| perception | main thread ms/chunk | all threads ms/chunk | wall s |\n|---|---|---|---|');
for (const w of [0, pool]) console.log(`| ${w ? `${w} workers` : 'main thread'} | ${med(w, 'mainMsPerChunk').toFixed(2)} | ${med(w, 'allMsPerChunk').toFixed(2)} | ${med(w, 'wallS').toFixed(1)} |`);
mkdirSync('bench/results', { recursive: true });
writeFileSync(values.out, JSON.stringify({ date: new Date().toISOString(), sessions, seconds, asr, loadAvgAtStart: load0, rows }, null, 1) + '\n');
