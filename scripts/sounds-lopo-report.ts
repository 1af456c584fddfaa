// Pools leave-one-package-out reports (one JSON per fold or per run) of two recipes, writes the pooled
// JSON and confusion matrices, and prints the markdown tables for docs/sounds.md: per-class P/R/F1, the
// folds' packages, and the open-set outcomes (right / wrong / unknown) with a reject calibrated on
// held-out packages.
// Run: node --import tsx scripts/sounds-lopo-report.ts --base a.json,b.json,c.json --strong d.json,e.json,f.json
//      [--source g.json,h.json,i.json] [--suffix=-extended]
import { readFileSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { mergeLopo, type LopoReport } from '../src/soundflow/train/sounds-lopo.ts';
import { confusionSvg } from '../src/soundflow/train/sounds-eval.ts';
import { crossFoldRejects, fitCalibration } from '../src/soundflow/train/sounds-openset.ts';

const { values } = parseArgs({
  options: {
    base: { type: 'string' }, strong: { type: 'string' }, source: { type: 'string' },
    // Appended to the written file names (e.g. "-extended" for runs on the extended corpus).
    suffix: { type: 'string', default: '' },
    results: { type: 'string', default: 'bench/results' }, docs: { type: 'string', default: 'docs' },
  },
});
const recipes = (['base', 'strong', 'source'] as const).filter((r) => values[r]);
const merged = new Map<string, LopoReport>();
for (const r of recipes) {
  const parts = values[r]!.split(',').map((f) => JSON.parse(readFileSync(f, 'utf8')) as LopoReport);
  const m = mergeLopo(parts);
  merged.set(r, m);
  // The committed JSON keeps the report, not the 31 probabilities of every held-out chunk.
  const { heldOut, ...rest } = m;
  writeFileSync(`${values.results}/sounds-lopo-${r}${values.suffix}.json`, JSON.stringify({ ...rest, heldOutChunks: heldOut.label.length, calibration: fitCalibration(heldOut) }, null, 1) + '\n');
  const budget = `${m.options.folds} folds × ${m.options.epochs} epochs × ${m.options.examplesPerEpoch} examples`;
  writeFileSync(`${values.docs}/sounds-lopo-confusion-${r}${values.suffix}.svg`, confusionSvg(m.report, `LOPO (${r} recipe, ${budget}): ${m.report.chunks} held-out chunks, top-1 ${(100 * m.report.top1Accuracy).toFixed(1)} %`));
}

const out: string[] = [];
const first = merged.get(recipes[0])!;
out.push(`Budget per fold: ${first.options.epochs} epochs × ${first.options.examplesPerEpoch} examples, batch ${first.options.batch}, seed ${first.options.seed}.`, '');
out.push('| fold | held-out packages | held-out chunks | ' + recipes.map((r) => `${r}: best epoch, val macro-F1, minutes`).join(' | ') + ' |');
out.push('|---|---|---:|' + recipes.map(() => '---|').join(''));
first.folds.forEach((f, i) => {
  out.push(`| ${i + 1} | ${f.packages.join(', ')} | ${f.testChunks} | ` + recipes.map((r) => {
    const g = merged.get(r)!.folds[i];
    return `${g.bestEpoch}, ${g.valMacroF1.toFixed(2)}, ${(g.seconds / 60).toFixed(0)}`;
  }).join(' | ') + ' |');
});
out.push('');
out.push('| class | held-out chunks | ' + recipes.map((r) => `${r} P / R / F1 | ${r} R@P≥0.8`).join(' | ') + ' |');
out.push('|---|---:|' + recipes.map(() => '---|---:|').join(''));
for (const label of first.scoredClasses) {
  const m0 = first.report.perClass.find((x) => x.label === label)!;
  if (!m0.support) continue;
  out.push(`| ${label} | ${m0.support} | ` + recipes.map((r) => {
    const rep = merged.get(r)!;
    const m = rep.report.perClass.find((x) => x.label === label)!;
    const op = rep.operating.find((x) => x.label === label)!;
    return `${m.precision.toFixed(2)} / ${m.recall.toFixed(2)} / ${m.f1.toFixed(2)} | ${op.recall.toFixed(2)}`;
  }).join(' | ') + ' |');
}
const nScored = first.report.perClass.filter((m) => first.scoredClasses.includes(m.label) && m.support > 0).length;
out.push(`| **macro-F1 (${nScored} classes) / top-1** | ${first.report.chunks} | ` + recipes.map((r) => {
  const rep = merged.get(r)!;
  return `**${rep.macroF1.toFixed(3)}** (top-1 ${rep.report.top1Accuracy.toFixed(2)}) | `;
}).join(' | ') + ' |');
out.push('');
for (const r of recipes) {
  const m = merged.get(r)!;
  const { rows, ece } = crossFoldRejects(m.heldOut, m.report.classes, [0.5, 0.7]);
  out.push(`Open set, ${r} recipe (${m.heldOut.label.length} held-out chunks; calibration fitted on the other folds; ECE of the top class's confidence ${ece.uncalibrated.toFixed(3)} uncalibrated → ${ece.calibrated.toFixed(3)} calibrated; all folds: σ(${fitCalibration(m.heldOut).a}·margin + ${fitCalibration(m.heldOut).b})):`, '');
  out.push('| rule | right label | wrong label | unknown | precision of given labels | most frequent wrong labels |', '|---|---:|---:|---:|---:|---|');
  for (const row of rows) {
    const o = row.outcome;
    const pct = (k: number) => `${((100 * k) / Math.max(1, o.chunks)).toFixed(1)} %`;
    out.push(`| ${row.rule} | ${pct(o.correct)} | ${pct(o.wrong)} | ${pct(o.unknown)} | ${o.labelPrecision.toFixed(2)} | ${o.topConfusions.slice(0, 4).join('; ')} |`);
  }
  out.push('');
}
// Where the key classes go on packages never trained on (top-1, % of the class's held-out chunks).
out.push('| true class | ' + recipes.map((r) => `${r}: top-1 predictions`).join(' | ') + ' |', '|---|' + recipes.map(() => '---|').join(''));
for (const label of ['cough', 'dog_bark', 'glass_break', 'door_knock', 'baby_cry']) {
  const ci = first.report.classes.indexOf(label);
  const n = first.report.confusion[ci]?.reduce((a, b) => a + b, 0) ?? 0;
  if (!n) continue;
  out.push(`| ${label} (${n}) | ` + recipes.map((r) => {
    const row = merged.get(r)!.report.confusion[ci];
    return row.map((v, j) => [v, j] as const).filter(([v]) => v > 0).sort((a, b) => b[0] - a[0]).slice(0, 3)
      .map(([v, j]) => `${first.report.classes[j]} ${Math.round((100 * v) / n)}`).join(', ');
  }).join(' | ') + ' |');
}
out.push('');
process.stdout.write(out.join('\n') + '\n');
