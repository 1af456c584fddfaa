// Round 17 (issue #15): the learned rate model blended with the spectral velocity and the gated
// transcript's content rate, measured on the tuning set with every clip read by a model that heard
// neither its voice nor its phrasing (scripts/train-voice-rate.ts --voice-folds: six folds, each holding
// out two tuning speakers and two phrasing groups; fold sets in .cache/voice-rate/<tag>/fold-0..5.json).
// The cues are built the way the analyzer builds them (analyzer.ts): acoustic = velocity^(1−wm) ×
// model^wm, and with a transcript that passes the content gate, acoustic^(1−wc) × content^wc. d′ = mean
// log shift for `tempo -s 1.2` over the pooled log sd between one speaker's calm phrasings (as
// voice-rate-cues); the pooled sd is the held-out spread a z-prior for that cue should have.
// Needs the recogniser cache of `npm run bench -- voice-rate-cues` (.cache/voice-bench/rate-cues-tuning.json).
// Run: npm run bench -- voice-rate-blend [--report]   (VOICE_RATE_FOLDS=r14vw,r14vws11 by default: the committed recipe, seeds 1 / 11)
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { prosodyOf } from '../src/perception/voice/prosody.ts';
import { textSound } from '../src/perception/voice/syllables.ts';
import { contentRateOf } from '../src/perception/voice/analyzer.ts';
import { loadRateModel, RateNet, type RateModelSpec } from '../src/perception/voice/rate-model.ts';
import { TUNING_PHRASES, voiceFoldOf } from './voice-audio.ts';
import { clipFrames, rateCueCacheFile, rateDPrime, type RateCueClip } from './rate-cue-clips.ts';

// --report: the report set read by the committed model (a diagnostic only; round 17 read it after the
// end-to-end report bench, nothing was chosen from it).
const report = process.argv.includes('--report');
const cacheFile = rateCueCacheFile(report);
if (!existsSync(cacheFile)) throw new Error(`no ${cacheFile}: run npm run bench -- voice-rate-cues first`);
const clips: RateCueClip[] = JSON.parse(readFileSync(cacheFile, 'utf8'));

const foldOf = (speaker: string, text: string): number => {
  const f = voiceFoldOf(speaker, TUNING_PHRASES.indexOf(text));
  if (f < 0) throw new Error(`no fold for ${speaker} / ${text}`);
  return f;
};
const tags = report ? ['committed model'] : (process.env.VOICE_RATE_FOLDS ?? 'r14vw,r14vws11').split(',').filter(Boolean);
const sets = report ? [Array.from({ length: 6 }, () => loadRateModel())] : tags.map((tag) => Array.from({ length: 6 }, (_, f) => new RateNet(JSON.parse(readFileSync(join('.cache', 'voice-rate', tag, `fold-${f}.json`), 'utf8')) as RateModelSpec)));

/** Per clip: log velocity, log gated content rate (or null), log held-out model reading per fold set (or null). */
interface Row { speaker: string; text: string; kind: string; vel: number; content: number | null; model: (number | null)[] }
const rows: Row[] = clips.map((c) => {
  const fr = clipFrames(c);
  const p = prosodyOf(fr);
  const content = contentRateOf(textSound(c.hyp), p); // the analyzer's gated content rate
  const f = report ? 0 : foldOf(c.speaker, c.text);
  return {
    speaker: c.speaker, text: c.text, kind: c.kind,
    vel: Math.log(p.articulation),
    content: content === null ? null : Math.log(content),
    model: sets.map((s) => {
      const r = s[f].rate(fr);
      return r > 0 ? Math.log(r) : null;
    }),
  };
});

type Cue = (r: Row) => number | null;
const rowOf = new Map(rows.map((r) => [`${r.speaker}|${r.text}|${r.kind}`, r]));
const speakers = [...new Set(rows.map((r) => r.speaker))];
const textsOf = (sp: string) => [...new Set(rows.filter((r) => r.speaker === sp).map((r) => r.text))];
const mean = (v: number[]) => v.reduce((a, b) => a + b, 0) / Math.max(1, v.length);

/** The shared d′ (rate-cue-clips.ts) of a cue over every speaker's phrasings, under this bench's field names. */
function dPrime(cue: Cue) {
  const r = rateDPrime((sp, t, k) => {
    const row = rowOf.get(`${sp}|${t}|${k}`);
    return row ? cue(row) ?? undefined : undefined;
  }, speakers, textsOf);
  return { sd: r.sd, faster: r.faster, higher: r.higher, louder: r.louder, d: r.dPrime, worst: r.worst, coverage: r.calmCoverage };
}

/** The analyzer's cues: acoustic = (1−wm)·log velocity + wm·log model; with content (gated), (1−wc)·acoustic + wc·log content. */
const acoustic = (wm: number, s: number): Cue => (r) => (wm === 0 ? r.vel : r.model[s] === null ? null : (1 - wm) * r.vel + wm * r.model[s]!);
const blend = (wm: number, wc: number, s: number): Cue => (r) => {
  const a = acoustic(wm, s)(r);
  return a === null || r.content === null ? null : (1 - wc) * a + wc * r.content;
};

const r3 = (x: number) => x.toFixed(3);
const out: Record<string, unknown> = { date: new Date().toISOString(), foldSets: tags, clips: rows.length };
console.log(report ? `rate blends, report set, committed model (${rows.length} clips):` : `rate blends, tuning set, voices and phrasings held out (fold sets ${tags.join(', ')}; ${rows.length} clips):`);
const missing = sets.map((_, s) => rows.filter((r) => r.model[s] === null));
console.log(`clips with no model reading: ${missing.map((m) => `${m.length} (calm ${m.filter((r) => r.kind === 'calm').length})`).join(' / ')}; calm clips passing the content gate ${rows.filter((r) => r.kind === 'calm' && r.content !== null).length}/${rows.filter((r) => r.kind === 'calm').length}, faster ${rows.filter((r) => r.kind === 'faster20' && r.content !== null).length}/${rows.filter((r) => r.kind === 'faster20').length}`);

const WM = [0, 0.3, 0.5, 0.6, 0.7, 0.8, 0.9, 1];
const WC = [0, 0.1, 0.2, 0.3, 0.4];
const named: [string, (s: number) => Cue][] = [
  ['velocity (no transcript: shipped)', () => acoustic(0, 0)],
  ['velocity^0.7 × content^0.3 (shipped blend, round 8)', () => blend(0, 0.3, 0)],
  ['gated content rate alone', () => (r) => r.content],
  ['model alone', (s) => acoustic(1, s)],
  ...[0.3, 0.5, 0.7].map((w): [string, (s: number) => Cue] => [`velocity^${(1 - w).toFixed(1)} × model^${w}`, (s) => acoustic(w, s)]),
  ...[[0.5, 0.2], [0.7, 0.2], [0.7, 0.3], [1, 0.2], [1, 0.3]].map(([w, c]): [string, (s: number) => Cue] => [`(velocity^${(1 - w).toFixed(1)} × model^${w})^${(1 - c).toFixed(1)} × content^${c}`, (s) => blend(w, c, s)]),
];
console.log(`\n| cue | ${tags.map((t) => `${t}: log sd / shift +20% / +3 st / +6 dB / d′ / worst`).join(' | ')} | mean d′ | mean sd | calm clips with it |`);
console.log(`|---|${tags.map(() => '---|').join('')}---|---|---|`);
const table: Record<string, unknown> = {};
for (const [name, mk] of named) {
  const rs = tags.map((_, s) => dPrime(mk(s)));
  table[name] = rs;
  console.log(`| ${name} | ${rs.map((r) => `${r3(r.sd)} / ${r3(r.faster)} / ${r3(r.higher)} / ${r3(r.louder)} / ${r.d.toFixed(2)} / ${r.worst.toFixed(2)}`).join(' | ')} | **${mean(rs.map((r) => r.d)).toFixed(2)}** | ${r3(mean(rs.map((r) => r.sd)))} | ${Math.round(100 * rs[0].coverage)}% |`);
}
out.table = table;

// The grid: d′ (mean over fold sets) and held-out pooled sd for model weight × content weight.
const grid: Record<string, { d: number; sd: number; dBySet: number[] }> = {};
console.log(`\nd′ grid (mean over fold sets; rows: model weight wm in the acoustic part; columns: content weight wc, 0 = no transcript path):`);
console.log(`| wm \\ wc | ${WC.join(' | ')} |\n|---|${WC.map(() => '---|').join('')}`);
for (const wm of WM) {
  const cells = WC.map((wc) => {
    const rs = tags.map((_, s) => dPrime(wc === 0 ? acoustic(wm, s) : blend(wm, wc, s)));
    const g = { d: mean(rs.map((r) => r.d)), sd: mean(rs.map((r) => r.sd)), dBySet: rs.map((r) => Math.round(100 * r.d) / 100) };
    grid[`${wm},${wc}`] = g;
    return `${g.d.toFixed(2)} (sd ${r3(g.sd)})`;
  });
  console.log(`| ${wm} | ${cells.join(' | ')} |`);
}
out.grid = grid;

mkdirSync('bench/results', { recursive: true });
writeFileSync(`bench/results/voice-rate-blend${report ? '-report' : ''}.json`, JSON.stringify(out, null, 2) + '\n');
