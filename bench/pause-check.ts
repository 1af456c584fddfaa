// How long a question's pause chunk waits for the early end-of-turn check with batch grammar readings
// (`serve`'s default), live-paced, for every place the question's end can fall in a 0.4 s chunk.
//   npm run bench -- pause-check [--offsets 0,25,...,375] [--budget 250]
// One perceiver per offset (one-pass decoders, GrammarPool(2) as the engine makes it), fed in real time
// with `perceive(chunk, { arrivalAt: now, budgetMs })`: a statement, 2 s of room, then "how are you"
// (klatt, the knee bench's question) as the session's second utterance, 2 s of room. The lead before the
// statement shifts by each offset so the question's end moves through the chunk. Reported per offset:
// the wait, whether the check was deferred (then the turn ends a chunk later), whether the reading was
// started at the silence's onset, and when the turn ended relative to the clip's end.
// To compare with older code, run the same file from a worktree of that commit, alternating.
import { mkdirSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { Perceiver, DEFAULT_PERCEIVER } from '../src/perception/perceiver.ts';
import { openOnePassPool } from '../src/perception/asr/one-pass.ts';
import { GrammarPool } from '../src/perception/asr/grammar-pool.ts';
import { concat, mix, noise, silence, speech } from '../src/testing/audio.ts';
import { SAMPLE_RATE } from '../src/audio/chunk.ts';
import { Chunker } from '../src/audio/chunker.ts';

const { values } = parseArgs({
  options: {
    offsets: { type: 'string', default: Array.from({ length: 16 }, (_, i) => i * 25).join(',') },
    budget: { type: 'string', default: '250' },
    out: { type: 'string', default: 'bench/results/pause-check.json' },
  },
});
const offsets = values.offsets.split(',').map(Number);
const budgetMs = Number(values.budget);

const pool = openOnePassPool({}, { max: 8, spare: 0 });
const grammar = new GrammarPool(2, { floorRetry: DEFAULT_PERCEIVER.grammarFloorRetry });
await grammar.warm();
const statement = speech('the museum opens at nine and closes at six on weekdays', { voice: 'en+m3' });
const question = speech('how are you', { voice: 'en-us+klatt' });

interface Row { offsetMs: number; waitMs: number; deferred: boolean; onsetRead: boolean; readSeconds: number | null; endAfterClipMs: number | null }
const rows: Row[] = [];
for (const offsetMs of offsets) {
  const lead = concat(silence(1 + offsetMs / 1000), statement, silence(2));
  const x = concat(lead, question, silence(2));
  const audio = mix(x, noise(x.length / SAMPLE_RATE, { amplitude: 0.01 }), 30);
  const clipEnd = lead.length + question.length;
  const p = await Perceiver.create({}, pool, grammar);
  const t0 = performance.now();
  let row: Row | null = null;
  let endAt: number | null = null;
  for (const chunk of new Chunker().push(audio)) {
    const end = chunk.t * SAMPLE_RATE; // the chunk's last sample, in the stream
    await new Promise((r) => setTimeout(r, Math.max(0, t0 + chunk.t * 1000 - performance.now())));
    const pc = await p.perceive(chunk, { arrivalAt: performance.now(), budgetMs });
    const tr = pc.trace!;
    if (end <= lead.length) continue;
    if (tr.pause && !row) row = { offsetMs, waitMs: tr.turnCheckMs, deferred: !!tr.deferredCheck, onsetRead: !!tr.onsetRead, readSeconds: tr.batchReadSeconds ?? null, endAfterClipMs: null };
    if (pc.speechEnded && endAt === null) endAt = end;
  }
  p.close();
  if (!row) throw new Error(`offset ${offsetMs}: the question's pause was not seen`);
  row.endAfterClipMs = endAt === null ? null : ((endAt - clipEnd) / SAMPLE_RATE) * 1000;
  rows.push(row);
  console.log(`offset ${offsetMs} ms: waited ${row.waitMs.toFixed(0)} ms${row.deferred ? ', deferred' : ''}${row.onsetRead ? ', read from the silence onset' : ''}, read ${row.readSeconds?.toFixed(2) ?? '–'} s, turn ended ${row.endAfterClipMs?.toFixed(0) ?? '–'} ms after the clip`);
}
pool.close();
grammar.close();

const waits = rows.map((r) => r.waitMs).sort((a, b) => a - b);
const median = waits[Math.floor(waits.length / 2)];
const deferred = rows.filter((r) => r.deferred).length;
const load = loadavg()[0].toFixed(1);
console.log(`\npause-chunk wait for the early end-of-turn check, batch readings, budget ${budgetMs} ms (load average ${load})\n`);
console.log('| offsets | wait median | wait max | deferred | reading started at the onset |');
console.log('|---|---|---|---|---|');
console.log(`| ${rows.length} | ${median.toFixed(0)} ms | ${waits.at(-1)!.toFixed(0)} ms | ${deferred} | ${rows.filter((r) => r.onsetRead).length} |`);
mkdirSync('bench/results', { recursive: true });
writeFileSync(values.out, JSON.stringify({ date: new Date().toISOString(), budgetMs, load: Number(load), medianWaitMs: median, maxWaitMs: waits.at(-1), deferred, rows }, null, 1) + '\n');
console.log(`\nwrote ${values.out}`);
