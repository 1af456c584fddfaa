// Fits the addressed-or-overheard model (src/response/understanding/addressed.ts) on the TUNING phrasings only:
// requests (in scope and out of scope) = 1, overheard chatter = 0, each also with recogniser-like damage
// (a word dropped, a word swapped), so the score holds up on noisy transcripts. Logistic regression
// (log loss, L2), so the output reads as a probability; the threshold is the lowest one that keeps
// tuning chatter at or under 2% while requests stay above it.
// With --asr FILE (the recogniser-output cache of `bench/understanding.ts --split tune --asr-cache FILE`)
// the tuning phrasings are also taken as the recogniser really heard them in each bench voice, open
// transcript and n-best alternatives: the damage the score must hold up under, not only a simulation.
// Usage: node --import tsx bench/understanding/tune-addressed.ts [--asr FILE]  (writes models/understanding/addressed.json)
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { normalizeTranscript } from '../../src/perception/asr/wer.ts';
import { ADDRESSED_FEATURES, addressedFeatures, addressedScore, type AddressedModel } from '../../src/response/understanding/addressed.ts';
import { phrasings } from './phrasings.ts';
import { makeRng } from '../../src/util/rng.ts';

const FILLER = ['the', 'a', 'and', 'it', 'in', 'is', 'to', 'that', 'so', 'uh'];
export function damaged(text: string, r: () => number): string[] {
  const w = text.split(' ');
  const out: string[] = [];
  if (w.length > 3) out.push(w.filter((_, i) => i !== Math.floor(r() * w.length)).join(' '));
  const swap = [...w];
  swap[Math.floor(r() * w.length)] = FILLER[Math.floor(r() * FILLER.length)];
  out.push(swap.join(' '));
  if (w.length > 4) out.push(w.slice(1).join(' '));
  return out;
}

/** Recogniser outputs keyed "voice|text" (bench/understanding.ts --asr-cache). */
type AsrCache = Record<string, { open: string; nbest?: string[] }>;

export function tuningRows(asr: AsrCache = {}): { text: string; y: number }[] {
  const r = makeRng(11);
  const rows: { text: string; y: number }[] = [];
  const heard = new Map<string, string[]>();
  for (const [key, out] of Object.entries(asr)) {
    const text = key.slice(key.indexOf('|') + 1);
    const readings = [out.open, ...(out.nbest ?? []).slice(1, 3)].map(normalizeTranscript).filter(Boolean);
    heard.set(text, [...(heard.get(text) ?? []), ...new Set(readings)]);
  }
  for (const p of phrasings('tune')) {
    const y = p.category === 'chatter' ? 0 : 1;
    rows.push({ text: p.text, y });
    for (const d of damaged(p.text, r)) rows.push({ text: d, y });
    for (const h of heard.get(p.text) ?? []) rows.push({ text: h, y });
  }
  return rows;
}

function fit(rows: { x: number[]; y: number }[], l2 = 0.01, epochs = 3000, lr = 0.5): number[] {
  const d = rows[0].x.length;
  const w = new Array(d).fill(0);
  // Class balance: chatter and requests weigh the same in total.
  const pos = rows.filter((r) => r.y === 1).length;
  const neg = rows.length - pos;
  const cw = (y: number) => (y === 1 ? rows.length / (2 * pos) : rows.length / (2 * neg));
  for (let e = 0; e < epochs; e++) {
    const g = new Array(d).fill(0);
    for (const { x, y } of rows) {
      let z = 0;
      for (let i = 0; i < d; i++) z += w[i] * x[i];
      const err = (1 / (1 + Math.exp(-z)) - y) * cw(y);
      for (let i = 0; i < d; i++) g[i] += err * x[i];
    }
    for (let i = 0; i < d; i++) w[i] -= lr * (g[i] / rows.length + (i === 0 ? 0 : l2 * w[i]));
  }
  return w;
}

const asrFile = process.argv.includes('--asr') ? process.argv[process.argv.indexOf('--asr') + 1] : undefined;
if (asrFile && !existsSync(asrFile)) throw new Error(`no recogniser cache ${asrFile}: run bench/understanding.ts --split tune --asr-cache ${asrFile}`);
const rows = tuningRows(asrFile ? (JSON.parse(readFileSync(asrFile, 'utf8')) as AsrCache) : {});
const weights = fit(rows.map((r) => ({ x: addressedFeatures(r.text), y: r.y })));
const model: AddressedModel = { features: [...ADDRESSED_FEATURES], weights: weights.map((w) => Math.round(w * 1e4) / 1e4), threshold: 0.5 };
// The threshold is set over the tuning rows with their recogniser damage (clean chatter alone is ~40
// sentences, where "2%" would mean none: one odd sentence would set it).
const chatter = rows.filter((r) => r.y === 0).map((r) => addressedScore(r.text, model)).sort((a, b) => b - a);
const requests = rows.filter((r) => r.y === 1).map((r) => addressedScore(r.text, model));
// Lowest threshold with ≤ 2% of tuning chatter at or above it (never below 0.5: a probability).
const allowed = Math.floor(chatter.length * 0.02);
model.threshold = Math.max(0.5, Math.round(((chatter[allowed] ?? 0) + 1e-3) * 1000) / 1000);
const recall = requests.filter((s) => s >= model.threshold).length / requests.length;
const fp = chatter.filter((s) => s >= model.threshold).length / chatter.length;
writeFileSync(new URL('../../models/understanding/addressed.json', import.meta.url), `${JSON.stringify(model, null, 1)}\n`);
console.log(`tuning rows ${rows.length} (with damage); threshold ${model.threshold}; requests addressed ${(recall * 100).toFixed(1)}%; chatter addressed ${(fp * 100).toFixed(1)}%`);
console.log(ADDRESSED_FEATURES.map((f, i) => `${f}=${model.weights[i]}`).join(' '));
