// Why a question in a café is not answered: the noise-step bench's question (at the quiet level)
// over the café bed (six real voices from the corpus, +20 dB over the office): its SNR, and what the
// open recogniser and the command grammar hear in the exact cut, raw and through the noise suppressor.
// `--tuning`: tuning voices over café seeds 500+ (where choices are made); default: report voices,
// café seeds 200+ (the step bench's stretches). Run: npm run bench -- cafe-question [--tuning]
import { mkdirSync, writeFileSync } from 'node:fs';
import { NoiseSuppressor } from '../src/perception/noise-suppressor.ts';
import { ConstrainedRecognizer } from '../src/perception/asr/grammar-recognizer.ts';
import { harmonicMask } from './harmonic-mask.ts';
import { wer } from '../src/perception/asr/wer.ts';
import { REPORT_VOICES, TUNING_VOICES, roomNoise, rmsOf, SR, transcribe } from './voice-audio.ts';

const QUESTIONS = ['what time is it', 'what is the date today', 'what is your name', 'what can you do', 'what day is it today', 'what is seven times eight'];
const tuning = process.argv.includes('--tuning');
const VOICES = tuning ? TUNING_VOICES : REPORT_VOICES;
const SEED = tuning ? 500 : 200;
const QUIET_RMS = 0.003;
/** Seconds of café before the question (the suppressor's noise comes from them). */
const LEAD = 1.6;
/** Café stretches per voice. */
const STRETCHES = Number(process.env.CAFE_STRETCHES ?? 2);
const SUPPRESSOR = process.env.CAFE_SUPPRESSOR ? JSON.parse(process.env.CAFE_SUPPRESSOR) : {};

const db = (x: number) => 10 * Math.log10(Math.max(1e-12, x));
/** Mean power of `x` over the 10 ms frames where `ref` is within 30 dB of its loudest frame. */
function activePower(x: Float32Array, ref: Float32Array): number {
  const F = 160;
  const e: number[] = [];
  for (let i = 0; i + F <= ref.length; i += F) e.push(ref.subarray(i, i + F).reduce((s, v) => s + v * v, 0) / F);
  const top = Math.max(...e);
  let s = 0, n = 0;
  e.forEach((v, k) => {
    if (v < top * 1e-3) return;
    for (let i = k * F; i < (k + 1) * F; i++) s += x[i] * x[i];
    n += F;
  });
  return n ? s / n : 0;
}

type Row = { voice: string; seed: number; q: string; snrDb: number; clean: string; raw: string; suppressed: string; grammarRaw: string; grammarSuppressed: string; grammarBabble: string };
const rows: Row[] = [];
const cases: { voice: string; seed: number; q: string; clean: Float32Array; mixed: Float32Array; bed: Float32Array; lead: Float32Array; snrDb: number }[] = [];
VOICES.forEach((v, vi) => {
  for (let s = 0; s < STRETCHES; s++) {
    const qi = (vi + s) % QUESTIONS.length;
    // CAFE_GAIN_DB: the question said this much louder than in the quiet (how much SNR recognition needs).
    const q = v.say(QUESTIONS[qi]).map((x) => x * 10 ** (Number(process.env.CAFE_GAIN_DB ?? 0) / 20));
    const seed = SEED + vi + 50 * s;
    const cafe = roomNoise('cafe', LEAD + q.length / SR + 0.5, seed, QUIET_RMS * 10);
    if (!cafe) throw new Error('the sound corpus is not built (.cache/corpus): soundflow corpus build');
    const o = Math.round(LEAD * SR);
    const mixed = cafe.slice(o, o + q.length + Math.round(0.4 * SR));
    for (let i = 0; i < q.length; i++) mixed[i] += q[i];
    const bed = cafe.subarray(o, o + q.length);
    cases.push({ voice: v.name, seed, q: QUESTIONS[qi], clean: q, mixed, bed: cafe.slice(o, o + q.length + Math.round(0.4 * SR)), lead: cafe.subarray(0, o), snrDb: db(activePower(q, q)) - db(activePower(bed, q)) });
  }
});

function suppress(lead: Float32Array, x: Float32Array): Float32Array {
  const ns = new NoiseSuppressor(SUPPRESSOR);
  // The VAD marks café babble as speech, so the history's frames all count as speech (its quietest fifth stands in).
  // CAFE_NOISE=mean: every frame of the lead counts as noise (the babble's mean spectrum is the noise).
  const p = process.env.CAFE_NOISE === 'mean' ? 0 : 0.9;
  for (let i = 0; i + 6400 <= lead.length; i += 6400) ns.observe(lead.subarray(i, i + 6400), Array(13).fill(p));
  ns.observe(new Float32Array(6400), Array(13).fill(0.9)); // the chunk the utterance starts in (not learnt from)
  const out = [ns.begin(new Float32Array(0))];
  for (let i = 0; i < x.length; i += 6400) out.push(ns.process(x.subarray(i, i + 6400), Array(13).fill(0.9)));
  const n = out.reduce((k, p) => k + p.length, 0);
  const y = new Float32Array(n);
  let k = 0;
  for (const p of out) y.set(p, k), (k += p.length);
  return y;
}

const clean = await transcribe(cases.map((c) => c.clean));
const raw = await transcribe(cases.map((c) => c.mixed));
// CAFE_ENHANCE=harmonic: the dominant voice's harmonics kept, the babble between them cut (bench/harmonic-mask.ts);
// CAFE_MASK (JSON) sets its options.
const MASK = process.env.CAFE_MASK ? JSON.parse(process.env.CAFE_MASK) : {};
const sup = cases.map((c) => (process.env.CAFE_ENHANCE === 'harmonic' ? harmonicMask(c.mixed, MASK) : suppress(c.lead, c.mixed)));
const suppressed = await transcribe(sup);
const grammar = await ConstrainedRecognizer.open({ fullEvidence: true });
const reading = async (x: Float32Array) => {
  const d = await grammar.recognizeDetailed(x);
  return d ? `${d.accepted ? 'ACCEPT' : 'reject'} "${d.text}" fit ${d.wordScore.toFixed(2)} margin ${Number.isNaN(d.margin) ? '-' : d.margin.toFixed(2)}` : '(none)';
};
for (let i = 0; i < cases.length; i++) {
  const c = cases[i];
  rows.push({ voice: c.voice, seed: c.seed, q: c.q, snrDb: Math.round(c.snrDb * 10) / 10, clean: clean[i], raw: raw[i], suppressed: suppressed[i], grammarRaw: await reading(c.mixed), grammarSuppressed: await reading(sup[i]), grammarBabble: await reading(c.bed) });
}
grammar.close?.();
for (const r of rows) {
  console.log(`${r.voice} seed ${r.seed} "${r.q}" SNR ${r.snrDb} dB\n  clean: "${r.clean}"\n  raw: "${r.raw}" (WER ${wer(r.q, r.raw).toFixed(2)})  grammar: ${r.grammarRaw}\n  suppressed: "${r.suppressed}" (WER ${wer(r.q, r.suppressed).toFixed(2)})  grammar: ${r.grammarSuppressed}\n  babble alone: grammar ${r.grammarBabble}`);
}
const mean = (f: (r: Row) => number) => rows.reduce((s, r) => s + f(r), 0) / rows.length;
console.log(`\n${rows.length} cuts (${tuning ? 'tuning' : 'report'}): SNR mean ${mean((r) => r.snrDb).toFixed(1)} dB; WER clean ${mean((r) => wer(r.q, r.clean)).toFixed(2)}, raw ${mean((r) => wer(r.q, r.raw)).toFixed(2)}, suppressed ${mean((r) => wer(r.q, r.suppressed)).toFixed(2)}; grammar accepted raw ${rows.filter((r) => r.grammarRaw.startsWith('ACCEPT')).length}, suppressed ${rows.filter((r) => r.grammarSuppressed.startsWith('ACCEPT')).length}`);
mkdirSync('bench/results', { recursive: true });
writeFileSync(`bench/results/cafe-question${tuning ? '-tuning' : ''}.json`, JSON.stringify({ date: new Date().toISOString(), suppressor: SUPPRESSOR, rows }, null, 2) + '\n');
