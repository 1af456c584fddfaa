// Decision quality on the larger benchmark set bench-v1 (110 streams): every policy side by side.
// Prints a table and writes bench/results/eval.json. Run: npm run bench -- eval
import { mkdirSync, writeFileSync } from 'node:fs';
import { buildEvalSet } from '../src/soundflow/data/eval-set.ts';
import { evaluate, toJson } from '../src/soundflow/eval/evaluate.ts';

const dir = await buildEvalSet('bench-v1');
const result = toJson(await evaluate({ data: dir, policies: ['rules', 'learned', 'server_vad', 'never', 'always'] }));
const comparison = result.comparison as Record<string, Record<string, number | null>>;
const f = (x: number | null | undefined, d = 3) => (x === null || x === undefined ? '–' : x.toFixed(d));
const streams = Array.isArray(result.streams) ? result.streams.length : Number(result.streams);
console.log(`\nDecisions on bench-v1 (${streams} streams, ${f(Number(result.hours) * 60, 1)} min)\n`);
console.log('| policy | F1 | precision | recall | balanced acc. | mean delay | false replies/h | turn-over |');
console.log('|---|---|---|---|---|---|---|---|');
for (const [name, v] of Object.entries(comparison)) {
  console.log(`| ${name} | ${f(v.f1)} | ${f(v.precision)} | ${f(v.recall)} | ${f(v.balancedAccuracy)} | ${f(v.meanDelayChunks, 2)} | ${f(v.falseRepliesPerHour, 0)} | ${f(v.turnOverRate, 2)} |`);
}
mkdirSync('bench/results', { recursive: true });
writeFileSync('bench/results/eval.json', JSON.stringify({ date: new Date().toISOString(), set: 'bench-v1', streams, minutes: Number(result.hours) * 60, comparison }, null, 2) + '\n');
console.log('\nwrote bench/results/eval.json');
