// Soak: one embedded session fed a conversational stream (questions, statements, quiet room noise) at
// real-time pace for --seconds (default 120; the 1 h run is --seconds 3600), sampling RSS and heap every
// 10 s. Reports RSS growth after the first minute (warm-up: JIT, model loads, pools filling), missed
// chunk deadlines (decision > 400 ms after the chunk's last sample) and replies.
//   node --import tsx bench/soak.ts [--seconds 3600] [--sessions 1]
import { mkdirSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { createEngine } from '../src/engine/registry.ts';
import type { EmbeddedSession } from '../src/engine/session.ts';
import { concat, mix, noise, silence, speech, SR } from '../src/testing/audio.ts';

const { values } = parseArgs({ options: { seconds: { type: 'string', default: '120' }, sessions: { type: 'string', default: '1' }, out: { type: 'string', default: 'bench/results/soak.json' } } });
const seconds = Math.max(30, Number(values.seconds));
const sessions = Math.max(1, Math.min(16, Number(values.sessions)));

// A 60 s period, looped: questions the skills answer, statements, silence with room noise.
const PERIOD = (() => {
  const parts = [silence(2), speech('how are you'), silence(5), speech('The train to the city leaves every twenty minutes from platform two.', { voice: 'en+m3' }), silence(8), speech('what time is it'), silence(6), speech('We cooked pasta with tomatoes and basil from the garden.'), silence(12)];
  let x = concat(...parts);
  x = concat(x, silence(Math.max(0, 60 - x.length / SR)));
  return mix(x.subarray(0, 60 * SR), noise(60, { amplitude: 0.01 }), 30);
})();

interface Sample {
  t: number;
  rssMiB: number;
  heapMiB: number;
  externalMiB: number;
}

async function runOne(engine: Awaited<ReturnType<typeof createEngine>>, offset: number, stats: { missed: number; chunks: number; replies: number; decisionMs: number[] }): Promise<void> {
  const session = (await engine.createSession({ speak: true })) as EmbeddedSession;
  const sentAt = new Map<number, number>();
  const reader = (async () => {
    for await (const ev of session) {
      if (ev.type === 'chunk') {
        const s = sentAt.get(ev.index);
        sentAt.delete(ev.index);
        stats.chunks++;
        if (s !== undefined) {
          const ms = performance.now() - s;
          stats.decisionMs.push(ms);
          if (ms > 400) stats.missed++;
        }
      } else if (ev.type === 'response.start') stats.replies++;
    }
  })();
  const t0 = performance.now();
  const total = seconds * SR;
  for (let i = 0; i < total; i += 1600) {
    const p = (i + offset) % PERIOD.length;
    await session.push(PERIOD.subarray(p, p + 1600));
    const end = i + 1600;
    if (end % 6400 === 0) sentAt.set(end / 6400 - 1, performance.now());
    const ahead = (end / SR) * 1000 - (performance.now() - t0);
    if (ahead > 0) await new Promise((r) => setTimeout(r, ahead));
  }
  await session.end();
  await reader;
}

const engine = await createEngine('embedded');
const samples: Sample[] = [];
const t0 = performance.now();
const sample = () => {
  const m = process.memoryUsage();
  samples.push({ t: Math.round((performance.now() - t0) / 1000), rssMiB: m.rss / 2 ** 20, heapMiB: m.heapUsed / 2 ** 20, externalMiB: (m.external + m.arrayBuffers) / 2 ** 20 });
};
sample();
const timer = setInterval(sample, 10_000);
const stats = { missed: 0, chunks: 0, replies: 0, decisionMs: [] as number[] };
console.error(`soak: ${sessions} session(s) × ${seconds} s real time ...`);
await Promise.all(Array.from({ length: sessions }, (_, i) => runOne(engine, Math.round((i / sessions) * PERIOD.length / 1600) * 1600, stats)));
clearInterval(timer);
sample();
await engine.close?.();

const warm = samples.filter((s) => s.t >= 60);
const base = warm[0] ?? samples[0];
const last = samples[samples.length - 1];
const maxRss = Math.max(...samples.map((s) => s.rssMiB));
const sorted = [...stats.decisionMs].sort((a, b) => a - b);
const p = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN;
const f = (x: number) => x.toFixed(1);
console.log(`\nsoak: ${sessions} session(s), ${seconds} s real time, load average ${loadavg()[0].toFixed(1)}\n`);
console.log('| measure | value |\n|---|---|');
console.log(`| RSS after 1 min → end (MiB) | ${f(base.rssMiB)} → ${f(last.rssMiB)} (growth ${f(last.rssMiB - base.rssMiB)}) |`);
console.log(`| peak RSS (MiB) | ${f(maxRss)} |`);
console.log(`| JS heap after 1 min → end (MiB) | ${f(base.heapMiB)} → ${f(last.heapMiB)} |`);
console.log(`| chunks / missed 0.4 s deadlines | ${stats.chunks} / ${stats.missed} |`);
console.log(`| decision latency p50 / p99 (ms) | ${f(p(0.5))} / ${f(p(0.99))} |`);
console.log(`| replies | ${stats.replies} |`);
mkdirSync('bench/results', { recursive: true });
writeFileSync(values.out, JSON.stringify({ date: new Date().toISOString(), seconds, sessions, loadAverage: loadavg(), rssGrowthMiB: last.rssMiB - base.rssMiB, peakRssMiB: maxRss, missed: stats.missed, chunks: stats.chunks, replies: stats.replies, decisionMs: { p50: p(0.5), p99: p(0.99) }, samples }, null, 1) + '\n');
console.log(`\nwrote ${values.out}`);
