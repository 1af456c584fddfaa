// Round 9: more speaking-rate cues for words not said before, measured offline like bench/voice-rate.ts
// (each voice × phrasing, calm and `tempo -s 1.2` / `pitch 300` / `gain 6`, one clip at a time; d′ = mean
// log shift for +20% over the pooled log sd between one speaker's calm phrasings), and combinations fitted
// on the tuning set. Cues: syllable nuclei per second of voiced time (de Jong–Wempe style: full-band
// intensity peaks over the median, voiced, 2 dB dips), voiced runs per second, the recogniser's word
// times (expected calm duration over the decoded duration, all words or only words whose acoustic score
// per frame clears a bar), the command grammar's accepted reading as the content, level and F0
// velocity, soft-thresholded / p-norm / percentile spectral velocities, the modulation centroid of the
// spectral-change signal. Combinations: LDA on log cues (weights Σ⁻¹μ, normalised to sum 1), scored
// leave-one-speaker-out AND, because every tuning speaker says the same 16 phrasings, leave-phrasings-out
// (4 folds) too; and a linear correction of log velocity by the mean MFCC (the phrasing's sound mix).
// Every clip is decoded once (one-pass words with times, grammar reading) and cached in
// .cache/voice-bench/rate-cues-<set>.json (VOICE_RATE_PHRASES=n: the first n phrasings only, a smoke run
// with its own cache). Run: npm run bench -- voice-rate-cues [--report]
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SileroVad } from '../src/perception/vad.ts';
import type { VoiceFrame } from '../src/perception/voice/frames.ts';
import { voiceFramesOf } from '../src/perception/voice/analyze-signal.ts';
import { prosodyOf, spectralVelocity, modulationCentroid } from '../src/perception/voice/prosody.ts';
import { textSound } from '../src/perception/voice/syllables.ts';
import { DEFAULT_AROUSAL } from '../src/perception/voice/arousal.ts';
import { contentRateOf } from '../src/perception/voice/analyzer.ts';
import { OnePassRecognizer, openOnePassPool } from '../src/perception/asr/one-pass.ts';
import { ConstrainedRecognizer } from '../src/perception/asr/grammar-recognizer.ts';
import { RateNet, loadRateModel, rateWindows, type RateModelSpec } from '../src/perception/voice/rate-model.ts';
import { clipFrames, frameRow, rateCueCacheFile, rateDPrime, type RateCueClip } from './rate-cue-clips.ts';
import { REPORT_PHRASES, REPORT_VOICES, TUNING_PHRASES, TUNING_VOICES, asteriskPrompts, concat, silence, soxEffect } from './voice-audio.ts';

const report = process.argv.includes('--report');
const KINDS: Record<string, string[]> = { calm: [], faster20: ['tempo', '-s', '1.2'], higher3st: ['pitch', '300'], louder6dB: ['gain', '6'] };


// ---- Clips, decoded once ---------------------------------------------------------------------------
const limit = process.env.VOICE_RATE_PHRASES ? Number(process.env.VOICE_RATE_PHRASES) : undefined;
const cacheFile = rateCueCacheFile(report, limit);
let clips: RateCueClip[];
if (existsSync(cacheFile)) clips = JSON.parse(readFileSync(cacheFile, 'utf8'));
else {
  clips = [];
  const vad = await SileroVad.create();
  const pool = openOnePassPool({}, { max: 1, spare: 0 });
  const rec = new OnePassRecognizer(pool);
  const grammar = await ConstrainedRecognizer.open();
  const r3 = (v: number) => Math.round(v * 1000) / 1000;
  const speakers = (report ? REPORT_VOICES : TUNING_VOICES).map((v) => ({ name: v.name, clips: (report ? REPORT_PHRASES : TUNING_PHRASES).slice(0, limit).map((p) => ({ text: p, pcm: v.say(p) })) }));
  if (report) speakers.push({ name: 'asterisk (human)', clips: asteriskPrompts(12).slice(0, limit).map((h) => ({ text: h.name, pcm: h.pcm })) });
  try {
    for (const sp of speakers) {
      for (const clip of sp.clips) for (const kind of Object.keys(KINDS)) {
        const x = KINDS[kind].length ? soxEffect(clip.pcm, KINDS[kind]) : clip.pcm;
        const frames = await voiceFramesOf(concat([silence(0.6), x, silence(1.2)]), vad);
        rec.startUtterance(silence(0.3));
        const padded = concat([x, silence(0.4)]);
        for (let j = 0; j < padded.length; j += 6400) await rec.feed(padded.subarray(j, j + 6400));
        const fin = await rec.finish();
        const g = await grammar.recognizeDetailed(concat([silence(0.3), x, silence(0.4)]));
        clips.push({
          speaker: sp.name, text: clip.text, kind, hyp: fin.text,
          words: fin.words.map((w) => [w.word, r3(w.start), r3(w.end), r3(w.ascr)]),
          grammar: g ? { text: g.text, accepted: g.accepted } : null,
          frames: frames.map(frameRow),
        });
      }
      console.log(`  ${sp.name}: ${sp.clips.length} phrasings decoded`);
    }
  } finally {
    rec.close();
    pool.close();
    grammar.close();
  }
  mkdirSync(join('.cache', 'voice-bench'), { recursive: true });
  writeFileSync(cacheFile, JSON.stringify(clips));
}

// ---- Cues per clip ---------------------------------------------------------------------------------
const isFiller = (w: string) => /^[<[+]/.test(w) || w === 'SIL';
const W = DEFAULT_AROUSAL.contentWeight;
type Cues = Record<string, number | undefined>;

/** Frames within 30 dB of the loudest mid-band frame, inside speech runs: the frames the velocity reads. */
function activeSteps(fr: VoiceFrame[]): number[] {
  let top = -Infinity;
  for (const f of fr) top = Math.max(top, f.midDb);
  const idx: number[] = [];
  for (let i = 1; i + 1 < fr.length; i++) if (fr[i + 1].t - fr[i - 1].t <= 0.025 && fr[i].midDb >= top - 30) idx.push(i);
  return idx;
}

// Round 10: the learned rate model (src/perception/voice/rate-model.ts). On the tuning set each phrasing
// is read by the fold model that was trained without its phrasing group (scripts/train-voice-rate.ts
// leaves .cache/voice-rate/folds/fold-<g>.json, or --tag's dir, chosen here by VOICE_RATE_FOLDS; 4 groups:
// phrase index mod 4); on the report set by the committed model. --no-rate-model leaves it out.
const useModel = !process.argv.includes('--no-rate-model');
const foldNets = !report && useModel ? [0, 1, 2, 3].map((g) => {
  const f = join('.cache', 'voice-rate', process.env.VOICE_RATE_FOLDS ?? 'folds', `fold-${g}.json`);
  return existsSync(f) ? new RateNet(JSON.parse(readFileSync(f, 'utf8')) as RateModelSpec) : null;
}) : [];
const rateNetFor = (text: string): RateNet | null => {
  if (!useModel) return null;
  if (report) return loadRateModel();
  const i = TUNING_PHRASES.indexOf(text);
  return i >= 0 ? foldNets[i % 4] ?? null : null;
};

const meanOf = (v: number[]): number => v.reduce((a, b) => a + b, 0) / Math.max(1, v.length);
const foldNets2 = !report && useModel && process.env.VOICE_RATE_FOLDS2 ? [0, 1, 2, 3].map((g) => {
  const f = join('.cache', 'voice-rate', process.env.VOICE_RATE_FOLDS2!, `fold-${g}.json`);
  return existsSync(f) ? new RateNet(JSON.parse(readFileSync(f, 'utf8')) as RateModelSpec) : null;
}) : [];
const rateNet2For = (text: string): RateNet | null => {
  const i = TUNING_PHRASES.indexOf(text);
  return i >= 0 ? foldNets2[i % 4] ?? null : null;
};

function cuesOf(c: RateCueClip): Cues {
  const fr = clipFrames(c);
  const p = prosodyOf(fr);
  const vel = spectralVelocity(fr);
  const m: Cues = { 'spectral velocity (used)': vel, 'energy peaks (round 4)': p.rateSyllPerSec, 'modulation centroid (round 4)': modulationCentroid(fr) };
  const net = rateNetFor(c.text);
  const model = net ? net.rate(fr) : 0;
  if (model > 0) {
    m['rate model (round 10)'] = model;
    // Round 11: other readings of the same windows (stride 4 = half the cost; median and trimmed mean
    // of the window outputs) and, with VOICE_RATE_FOLDS2=<tag>, a second fold set averaged in (an ensemble).
    if (net && !net.spec.poolAfter) {
      // Only for a per-window model: a pooled one (rounds 13–14, spec.poolAfter) has no per-window outputs.
      const w4 = rateWindows(fr, net.half, 2 * net.stride, net.step);
      if (w4.n >= 5) m['rate model, stride ×2 (half the cost)'] = Math.exp(meanOf(Array.from(net.predictRows(w4.x, w4.n))));
      const w = rateWindows(fr, net.half, net.stride, net.step);
      const y = Array.from(net.predictRows(w.x, w.n)).sort((a, b) => a - b);
      m['rate model, median of windows'] = Math.exp(y[y.length >> 1]);
      const cut = Math.floor(0.1 * y.length);
      m['rate model, 10% trimmed mean'] = Math.exp(meanOf(y.slice(cut, y.length - cut)));
    }
    if (net) {
      const net2 = rateNet2For(c.text);
      const r2 = net2 ? net2.rate(fr) : 0;
      if (r2 > 0) {
        m['rate model, second fold set'] = r2;
        m['rate model, two fold sets (geometric mean)'] = Math.sqrt(model * r2);
      }
    }
    for (const w of [0.3, 0.5, 0.7]) m[`velocity^${(1 - w).toFixed(1)} × rate model^${w}`] = Math.exp((1 - w) * Math.log(vel) + w * Math.log(model));
  }
  // Content rates as round 8 (transcript gated by syllable agreement with the energy peaks).
  const heard = textSound(c.hyp);
  const content = contentRateOf(heard, p);
  if (content !== null) {
    m['content rate, transcript gated'] = content;
    m['velocity blended with it (used, round 8)'] = Math.exp((1 - W) * Math.log(vel) + W * Math.log(content));
    if (model > 0) for (const w of [0.3, 0.5, 0.7, 1]) for (const wc of [0.1, 0.2, 0.3, 0.4]) {
      const acoustic = (1 - w) * Math.log(vel) + w * Math.log(model);
      m[`(velocity^${(1 - w).toFixed(1)} × model^${w})^${(1 - wc).toFixed(1)} × content^${wc}, gated`] = Math.exp((1 - wc) * acoustic + wc * Math.log(content));
    }
  }
  // The same content over other measures of speaking time: voiced time only, frames within 20 dB of the loudest.
  if (m['content rate, transcript gated']) {
    const voiced = fr.filter((f) => f.f0 > 0).length * 0.01;
    let top = -Infinity;
    for (const f of fr) top = Math.max(top, f.midDb);
    const loud = fr.filter((f) => f.midDb >= top - 20).length * 0.01;
    if (voiced > 0) m['content rate over voiced time, transcript gated'] = heard.seconds / voiced;
    if (loud > 0) m['content rate over time within 20 dB, transcript gated'] = heard.seconds / loud;
  }
  // The grammar's accepted reading as the content (only where it accepts).
  if (c.grammar?.accepted) {
    const g = textSound(c.grammar.text).seconds / p.speechS;
    m['content rate, accepted grammar reading'] = g;
    m['velocity blended with the grammar reading'] = Math.exp((1 - W) * Math.log(vel) + W * Math.log(g));
  }
  // What a session could use: the accepted grammar reading where there is one, else the gated transcript.
  const either = c.grammar?.accepted ? textSound(c.grammar.text).seconds / p.speechS : m['content rate, transcript gated'];
  if (either) m['velocity blended with the grammar reading, else the gated transcript'] = Math.exp((1 - W) * Math.log(vel) + W * Math.log(either));
  // Word times: expected calm duration over the decoded duration, over words whose acoustic score per
  // 10 ms frame is at least `bar` (pocketsphinx's confident words).
  for (const bar of [-Infinity, -7, -6.5, -6, -5.5, -5, -4]) {
    let expected = 0, decoded = 0;
    for (const [w, s, e, ascr] of c.words) {
      if (isFiller(w) || e <= s || ascr / ((e - s) * 100) < bar) continue;
      expected += textSound(w.replace(/\(\d+\)$/, '')).seconds;
      decoded += e - s;
    }
    if (decoded > 0.15) m[`word times, acoustic score/frame ≥ ${bar}`] = expected / decoded;
  }
  // Voiced runs (≥ 3 frames) per second of voiced time.
  const runs: number[] = [];
  let run = 0;
  for (let i = 0; i <= fr.length; i++) {
    const on = i < fr.length && fr[i].f0 > 0 && (run === 0 || fr[i].t - fr[i - 1].t < 0.015);
    if (on) run++;
    else {
      if (run >= 3) runs.push(run);
      run = i < fr.length && fr[i].f0 > 0 ? 1 : 0;
    }
  }
  if (runs.length) m['voiced runs / s of voicing'] = (100 * runs.length) / runs.reduce((a, b) => a + b, 0);
  m['syllable nuclei / s of voicing (de Jong–Wempe style)'] = deJongRate(fr);
  // Velocities of other streams and other statistics of the MFCC change.
  const steps = activeSteps(fr);
  const d = steps.map((i) => Math.hypot(...Array.from(fr[i + 1].mfcc, (v, k) => v - fr[i - 1].mfcc[k])));
  if (d.length) {
    const sorted = [...d].sort((a, b) => a - b);
    m['MFCC change, median'] = sorted[sorted.length >> 1];
    m['MFCC change, 75th percentile'] = sorted[Math.floor(0.75 * sorted.length)];
    for (const d0 of [1, 2, 4]) m[`MFCC change, soft threshold ${d0}`] = d.reduce((a, x) => a + Math.max(0, x - d0), 0) / d.length;
    m['MFCC change, 2-norm'] = Math.sqrt(d.reduce((a, x) => a + x * x, 0) / d.length);
    m['level velocity (|Δ mid-band dB|)'] = steps.reduce((a, i) => a + Math.abs(fr[i + 1].midDb - fr[i - 1].midDb), 0) / steps.length;
    m['modulation centroid of the MFCC change, 4–30 Hz'] = centroid(d, 4, 30);
  }
  const f0Steps = steps.filter((i) => fr[i + 1].f0 > 0 && fr[i - 1].f0 > 0).map((i) => Math.abs(12 * Math.log2(fr[i + 1].f0 / fr[i - 1].f0))).filter((x) => x < 2);
  if (f0Steps.length > 20) m['F0 velocity (st per 20 ms)'] = f0Steps.reduce((a, b) => a + b, 0) / f0Steps.length;
  return m;
}

/** Nuclei: 70 ms-smoothed full-band level peaks over the utterance's median (and ≤ 25 dB under its top), voiced, ≥ 2 dB over the dip since the last. */
function deJongRate(fr: VoiceFrame[]): number | undefined {
  const n = fr.length;
  if (n < 10) return undefined;
  const sm = fr.map((_, i) => {
    let s = 0, k = 0;
    for (let j = Math.max(0, i - 3); j <= Math.min(n - 1, i + 3); j++) if (Math.abs(fr[j].t - fr[i].t) < 0.035) { s += fr[j].levelDb; k++; }
    return s / k;
  });
  const sorted = [...sm].sort((a, b) => a - b);
  const floor = Math.max(sorted[n >> 1], sorted[n - 1] - 25);
  let count = 0, last = -1;
  for (let i = 1; i + 1 < n; i++) {
    if (!(sm[i] > floor && sm[i] >= sm[i - 1] && sm[i] > sm[i + 1] && fr[i].f0 > 0)) continue;
    if (last >= 0) {
      let dip = Infinity;
      for (let j = last; j <= i; j++) dip = Math.min(dip, sm[j]);
      const pause = fr[i].t - fr[last].t > 0.05 + (i - last) * 0.01;
      if (!pause && Math.min(sm[i], sm[last]) - dip < 2) {
        if (sm[i] > sm[last]) last = i;
        continue;
      }
    }
    count++;
    last = i;
  }
  const voiced = fr.filter((f) => f.f0 > 0).length * 0.01;
  return voiced > 0 ? count / voiced : undefined;
}

/** Power-weighted mean frequency (Hz) of a 100 Hz series' Hann-windowed spectrum between lo and hi. */
function centroid(x: number[], lo: number, hi: number): number | undefined {
  const n = x.length;
  if (n < 32) return undefined;
  const mu = x.reduce((a, b) => a + b, 0) / n;
  const w = x.map((v, i) => (v - mu) * (0.5 - 0.5 * Math.cos((2 * Math.PI * i) / (n - 1))));
  let num = 0, den = 0;
  for (let hz = lo; hz <= hi + 1e-9; hz += 0.25) {
    let re = 0, im = 0;
    for (let i = 0; i < n; i++) {
      re += w[i] * Math.cos(2 * Math.PI * hz * i * 0.01);
      im += w[i] * Math.sin(2 * Math.PI * hz * i * 0.01);
    }
    num += (re * re + im * im) * hz;
    den += re * re + im * im;
  }
  return den > 0 ? num / den : undefined;
}

/** Mean MFCC c1..c12 over the frames within 30 dB of the loudest: the phrasing's sound mix. */
function mfccMean(c: RateCueClip): number[] {
  const fr = clipFrames(c);
  let top = -Infinity;
  for (const f of fr) top = Math.max(top, f.midDb);
  const act = fr.filter((f) => f.midDb >= top - 30);
  return Array.from({ length: 12 }, (_, k) => act.reduce((a, f) => a + f.mfcc[k], 0) / act.length);
}

// ---- d′ per cue ------------------------------------------------------------------------------------
const key = (sp: string, text: string, kind: string) => `${sp}|${text}|${kind}`;
const cues = new Map(clips.map((c) => [key(c.speaker, c.text, c.kind), cuesOf(c)]));
const sound = new Map(clips.map((c) => [key(c.speaker, c.text, c.kind), mfccMean(c)]));
const speakers = [...new Set(clips.map((c) => c.speaker))];
const textsOf = (sp: string) => [...new Set(clips.filter((c) => c.speaker === sp).map((c) => c.text))];
const mean = (v: number[]) => v.reduce((a, b) => a + b, 0) / Math.max(1, v.length);
type Measure = (sp: string, text: string, kind: string) => number | undefined;

/** rateDPrime over a measure of rates (not logs; a value ≤ 0 counts as none); by default every speaker and its texts. */
function dPrime(f: Measure, sps = speakers, texts = textsOf, minCalm = 3) {
  return rateDPrime((sp, t, k) => {
    const v = f(sp, t, k);
    return v !== undefined && v > 0 ? Math.log(v) : undefined;
  }, sps, texts, minCalm);
}

const r3 = (x: number) => Math.round(x * 1000) / 1000;
const table: Record<string, ReturnType<typeof dPrime>> = {};
const names = [...new Set([...cues.values()].flatMap((m) => Object.keys(m)))];
console.log(`rate cues, ${report ? 'report' : 'tuning'} set (${speakers.length} speakers; d′ = +20% tempo shift / log sd between one speaker's calm phrasings):`);
console.log('| cue | log sd | shift +20% | +3 st | +6 dB | d′ | calm clips with it |\n|---|---|---|---|---|---|---|');
for (const n of names) {
  const t = (table[n] = dPrime((sp, tx, k) => cues.get(key(sp, tx, k))![n]));
  console.log(`| ${n} | ${r3(t.sd)} | ${r3(t.faster)} | ${r3(t.higher)} | ${r3(t.louder)} | ${t.dPrime.toFixed(2)} | ${Math.round(100 * t.calmCoverage)}% |`);
}

// ---- Combinations fitted on the tuning set -----------------------------------------------------------
function solve(A: number[][], b: number[]): number[] {
  const n = b.length;
  const M = A.map((r, i) => [...r, b[i]]);
  for (let i = 0; i < n; i++) {
    let p = i;
    for (let j = i + 1; j < n; j++) if (Math.abs(M[j][i]) > Math.abs(M[p][i])) p = j;
    [M[i], M[p]] = [M[p], M[i]];
    for (let j = 0; j < n; j++) if (j !== i) {
      const f = M[j][i] / M[i][i];
      for (let k = i; k <= n; k++) M[j][k] -= f * M[i][k];
    }
  }
  return M.map((r, i) => r[n] / r[i]);
}

/** Rows of within-speaker-centred calm vectors over the given speakers × texts. */
function centred(vec: (sp: string, t: string) => number[] | undefined, sps: string[], texts: (sp: string) => string[]): { X: number[][]; } {
  const X: number[][] = [];
  for (const sp of sps) {
    const rows = texts(sp).map((t) => vec(sp, t)).filter((v): v is number[] => v !== undefined);
    if (rows.length < 2) continue;
    const c = rows[0].map((_, j) => mean(rows.map((r) => r[j])));
    for (const r of rows) X.push(r.map((v, j) => v - c[j]));
  }
  return { X };
}
const gram = (X: number[][], ridge: number) => {
  const d = X[0].length;
  const S = Array.from({ length: d }, (_, i) => Array.from({ length: d }, (_, j) => X.reduce((s, x) => s + x[i] * x[j], 0) / X.length));
  const tr = S.reduce((s, r, i) => s + r[i], 0) / d;
  for (let i = 0; i < d; i++) S[i][i] += ridge * tr;
  return S;
};

/** LDA weights for log cues (Σ⁻¹ × mean faster shift, summing to 1) on the given speakers × texts. */
function lda(fs: string[], sps: string[], texts: (sp: string) => string[]): number[] {
  const logs = (sp: string, t: string, k: string) => {
    const m = cues.get(key(sp, t, k))!;
    return fs.every((f) => m[f]! > 0) ? fs.map((f) => Math.log(m[f]!)) : undefined;
  };
  const { X } = centred((sp, t) => logs(sp, t, 'calm'), sps, texts);
  const mu = fs.map(() => 0);
  let n = 0;
  for (const sp of sps) for (const t of texts(sp)) {
    const a = logs(sp, t, 'faster20'), b = logs(sp, t, 'calm');
    if (a && b) { a.forEach((v, j) => (mu[j] += v - b[j])); n++; }
  }
  const w = solve(gram(X, 0.1), mu.map((x) => x / n));
  const s = w.reduce((a, b) => a + b, 0);
  return w.map((x) => x / s);
}
const combined = (fs: string[], w: number[]): Measure => (sp, t, k) => {
  const m = cues.get(key(sp, t, k))!;
  return fs.every((f) => m[f]! > 0) ? Math.exp(fs.reduce((s, f, j) => s + w[j] * Math.log(m[f]!), 0)) : undefined;
};

/**
 * Held-out d′ of a fitted rate: leave one speaker out, and (second figure) also leave a quarter of the
 * phrasings out, 4 folds: the tuning speakers all say the same phrasings, so a fit can learn the
 * phrasings rather than the tempo, which leaving speakers out does not show.
 */
function heldOut(fitAndScore: (train: string[], trainTexts: (sp: string) => string[]) => Measure) {
  const bySpeaker: number[] = [], byBoth: number[] = [];
  let ss1 = 0, dof1 = 0, ss2 = 0, dof2 = 0;
  for (const sp of speakers) {
    const others = speakers.filter((s) => s !== sp);
    const r = dPrime(fitAndScore(others, textsOf), [sp]);
    if (Number.isFinite(r.sd)) { ss1 += r.sd ** 2 * (r.calmCoverage * textsOf(sp).length - 1); dof1 += r.calmCoverage * textsOf(sp).length - 1; bySpeaker.push(r.faster); }
    for (let fold = 0; fold < 4; fold++) {
      const held = (s: string) => textsOf(s).filter((_, i) => i % 4 === fold);
      const train = (s: string) => textsOf(s).filter((_, i) => i % 4 !== fold);
      const q = dPrime(fitAndScore(others, train), [sp], held, 2);
      const k = q.calmCoverage * held(sp).length - 1;
      if (k > 0 && Number.isFinite(q.sd)) { ss2 += q.sd ** 2 * k; dof2 += k; byBoth.push(q.faster); }
    }
  }
  return { speakersOut: mean(bySpeaker) / Math.sqrt(ss1 / dof1), speakersAndPhrasingsOut: mean(byBoth) / Math.sqrt(ss2 / dof2) };
}

const combos: Record<string, unknown> = {};
if (!report) {
  console.log('\ncombinations fitted on the tuning set (held-out d′: speakers out / speakers and phrasings out):');
  const V = 'spectral velocity (used)', C = 'content rate, transcript gated', P = 'energy peaks (round 4)', M = 'modulation centroid (round 4)';
  for (const fs of [[V], [V, C], [V, M], [V, P, M], [V, C, P, M], [V, 'word times, acoustic score/frame ≥ -6'], [V, 'level velocity (|Δ mid-band dB|)'], [V, 'F0 velocity (st per 20 ms)'], [V, 'syllable nuclei / s of voicing (de Jong–Wempe style)']]) {
    const h = heldOut((train, tt) => combined(fs, lda(fs, train, tt)));
    const w = lda(fs, speakers, textsOf);
    combos[fs.join(' + ')] = { ...h, weights: w.map(r3) };
    console.log(`  ${fs.join(' + ')}: ${h.speakersOut.toFixed(2)} / ${h.speakersAndPhrasingsOut.toFixed(2)} (weights ${w.map((x) => x.toFixed(2)).join(', ')})`);
  }
  // The velocity corrected by the phrasing's sound mix: log velocity minus a ridge fit on the mean MFCC.
  const correction = (train: string[], tt: (sp: string) => string[]): Measure => {
    const vec = (sp: string, t: string) => {
      const v = cues.get(key(sp, t, 'calm'))![V]!;
      return [...sound.get(key(sp, t, 'calm'))!, Math.log(v)];
    };
    const { X } = centred(vec, train, tt);
    const Xs = X.map((r) => r.slice(0, 12));
    const beta = solve(gram(Xs, 0.1), Array.from({ length: 12 }, (_, i) => X.reduce((s, r) => s + r[i] * r[12], 0) / X.length));
    return (sp, t, k) => {
      const v = cues.get(key(sp, t, k))![V];
      return v && v > 0 ? Math.exp(Math.log(v) - sound.get(key(sp, t, k))!.reduce((s, x, j) => s + beta[j] * x, 0)) : undefined;
    };
  };
  const h = heldOut(correction);
  const { X } = centred((sp, t) => [...sound.get(key(sp, t, 'calm'))!, Math.log(cues.get(key(sp, t, 'calm'))![V]!)], speakers, textsOf);
  const beta = solve(gram(X.map((r) => r.slice(0, 12)), 0.1), Array.from({ length: 12 }, (_, i) => X.reduce((s, r) => s + r[i] * r[12], 0) / X.length));
  combos['velocity corrected by the mean MFCC'] = { ...h, beta: beta.map((b) => Math.round(b * 1e5) / 1e5) };
  console.log(`  velocity corrected by the mean MFCC (ridge 0.1): ${h.speakersOut.toFixed(2)} / ${h.speakersAndPhrasingsOut.toFixed(2)}`);
}

// The report set: the tuning fits applied as they are (a diagnostic, nothing is chosen here).
const tuningFile = 'bench/results/voice-rate-cues-tuning.json';
if (report && !limit && existsSync(tuningFile)) {
  console.log('\ntuning fits applied to the report set (d′):');
  const fits: Record<string, { weights?: number[]; beta?: number[] }> = JSON.parse(readFileSync(tuningFile, 'utf8')).combos;
  for (const [name, f] of Object.entries(fits)) {
    let m: Measure;
    if (f.weights) m = combined(name.split(' + '), f.weights);
    else if (f.beta) {
      const beta = f.beta;
      m = (sp, t, k) => {
        const v = cues.get(key(sp, t, k))!['spectral velocity (used)'];
        return v && v > 0 ? Math.exp(Math.log(v) - sound.get(key(sp, t, k))!.reduce((s, x, j) => s + beta[j] * x, 0)) : undefined;
      };
    } else continue;
    const r = dPrime(m);
    combos[name] = { dPrime: r.dPrime, sd: r.sd, faster: r.faster };
    console.log(`  ${name}: ${r.dPrime.toFixed(2)} (log sd ${r3(r.sd)}, shift ${r3(r.faster)})`);
  }
}

mkdirSync('bench/results', { recursive: true });
if (!limit) writeFileSync(`bench/results/voice-rate-cues${report ? '' : '-tuning'}.json`, JSON.stringify({ date: new Date().toISOString(), table, combos }, null, 2) + '\n');
