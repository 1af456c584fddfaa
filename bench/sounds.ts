// Sound-event benchmark (not run by tests): per-class test-split metrics at several SNRs, false
// replies per hour of ambience, counting exact-match for 1–5 repeats at several SNRs, per-chunk latency.
// Run: node --import tsx bench/sounds.ts   (needs the corpus: node bin/soundflow.js corpus build)
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SoundClassifier } from '../src/perception/sounds/classifier.ts';
import { analyseSignal } from '../src/perception/sounds/stream.ts';
import { EventCounter } from '../src/perception/sounds/counter.ts';
import { SoundResponder } from '../src/decision/sound-policy.ts';
import { DEFAULT_CORPUS_DIR } from '../src/soundflow/corpus/build.ts';
import { readManifest } from '../src/soundflow/corpus/manifest.ts';
import { makeRng, uniform } from '../src/util/rng.ts';
import { loadClips } from '../src/soundflow/train/sounds-data.ts';
import { buildEvalSet, evaluate, scoreSet } from '../src/soundflow/train/sounds-eval.ts';
import { SoundNet } from '../src/perception/sounds/model.ts';
import { SAMPLE_RATE } from '../src/audio/chunk.ts';

const corpus = process.env.SOUNDFLOW_CORPUS ?? DEFAULT_CORPUS_DIR;
const manifest = readManifest(join(corpus, 'manifest.json'));
const clf = await SoundClassifier.load();
const net = (clf as unknown as { net: SoundNet }).net;
const test = loadClips(corpus, manifest.entries, 'test');
const thresholds = Array.from(clf.thresholds);

// 1. Per-class metrics at several SNRs.
const perSnr: Record<string, ReturnType<typeof evaluate>> = {};
for (const snr of [20, 10, 0]) {
  const set = buildEvalSet(clf.classes, test, { snrDb: snr, seed: 13 });
  perSnr[snr] = evaluate(clf.classes, scoreSet(net, set), set.label, thresholds);
}

// 2. False replies per hour over ambience-like recordings (test and val splits, classes that must stay
// silent): the set (birds, rain, wind, water, traffic, typing, room tone) and a wider one that
// adds speech, music, applause, footsteps, clocks.
const val = loadClips(corpus, manifest.entries, 'val');
const AMBIENT_SET = ['birds', 'rain', 'wind', 'water', 'traffic', 'typing', 'ambient'];
const WIDE_SET = [...AMBIENT_SET, 'applause', 'music', 'speech', 'clock_tick', 'footsteps'];
const latencies: number[] = [];
function falseReplies(classes: string[]): { minutes: number; replies: { t: number; label: string }[]; perHour: number } {
  const parts: Float32Array[] = [];
  for (const split of [test, val]) for (const c of classes) for (const clip of split.get(c) ?? []) parts.push(clip.x);
  const n = parts.reduce((k, x) => k + x.length, 0);
  const amb = new Float32Array(n);
  let o = 0;
  for (const x of parts) {
    amb.set(x, o);
    o += x.length;
  }
  const responder = new SoundResponder({ classes: clf.classes, thresholds: clf.thresholds });
  const replies: { t: number; label: string }[] = [];
  const chunks = analyseSignal(amb, clf);
  for (const c of chunks) {
    const r = responder.update(c.probs, { t: c.t });
    if (r) replies.push({ t: +c.t.toFixed(1), label: r.label });
  }
  if (!latencies.length) {
    clf.reset();
    for (const c of chunks.slice(0, 500)) {
      const t0 = performance.now();
      clf.classify(c.mel);
      latencies.push(performance.now() - t0);
    }
  }
  const minutes = n / SAMPLE_RATE / 60;
  return { minutes: +minutes.toFixed(1), replies, perHour: +(replies.length / (minutes / 60)).toFixed(2) };
}
const ambientOnly = falseReplies(AMBIENT_SET);
const wide = falseReplies(WIDE_SET);

// 3. Counting exact match: n repeats (1..5) of a held-out event at several SNRs over recorded ambience.
const bed = (test.get('ambient') ?? []).find((c) => c.entry.id.includes('country'))?.x ?? new Float32Array(60 * SAMPLE_RATE);
const counting: Record<string, Record<string, number>> = {};
for (const label of ['door_knock', 'dog_bark']) {
  const events = (test.get(label) ?? []).filter((c) => c.x.length < 0.8 * SAMPLE_RATE);
  if (!events.length) continue;
  counting[label] = {};
  for (const snr of [20, 10, 5]) {
    let ok = 0;
    let trials = 0;
    const rng = makeRng(99);
    for (let n = 1; n <= 5; n++) {
      for (let rep = 0; rep < 4; rep++) {
        const len = Math.round((1 + n * 1.1) * SAMPLE_RATE);
        const off = Math.floor(rng() * (bed.length - len));
        const x = bed.slice(off, off + len);
        const bedRms = Math.sqrt(x.reduce((s, v) => s + v * v, 0) / x.length) || 1e-4;
        let t = 0.5 + uniform(rng, 0, 0.2);
        for (let k = 0; k < n; k++) {
          const ev = events[Math.floor(rng() * events.length)].x;
          const evRms = Math.sqrt(ev.reduce((s, v) => s + v * v, 0) / ev.length);
          const g = (bedRms * Math.pow(10, snr / 20)) / evRms;
          const at = Math.round(t * SAMPLE_RATE);
          for (let i = 0; i < ev.length && at + i < x.length; i++) x[at + i] += g * ev[i];
          t += uniform(rng, 0.7, 1.1);
        }
        const counter = new EventCounter({ label });
        let count = 0;
        for (const c of analyseSignal(x, clf)) count = counter.update({ ...c, classes: clf.classes }).count;
        if (count === n) ok++;
        trials++;
      }
    }
    counting[label][`${snr}dB`] = +(ok / trials).toFixed(3);
  }
}

latencies.sort((a, b) => a - b);
const result = {
  model: 'models/sounds',
  testMetrics: Object.fromEntries(Object.entries(perSnr).map(([snr, r]) => [`${snr}dB`, { macroF1: +r.macroF1.toFixed(3), top1: +r.top1Accuracy.toFixed(3), chunks: r.chunks, perClass: r.perClass.map((m) => ({ ...m, precision: +m.precision.toFixed(3), recall: +m.recall.toFixed(3), f1: +m.f1.toFixed(3) })) }])),
  falseReplies: { ambience: ambientOnly, ambiencePlusSpeechMusic: wide },
  countingExactMatch: counting,
  latencyMs: { mean: +(latencies.reduce((a, b) => a + b, 0) / latencies.length).toFixed(3), p95: +latencies[Math.floor(latencies.length * 0.95)].toFixed(3) },
};
mkdirSync('bench/results', { recursive: true });
writeFileSync('bench/results/sounds.json', JSON.stringify(result, null, 1) + '\n');

const r20 = perSnr[20];
console.log('class            P@20dB  R@20dB  F1@20dB  F1@10dB  F1@0dB');
r20.perClass.forEach((m, i) => {
  const f = (snr: number) => (perSnr[snr].perClass[i].support ? perSnr[snr].perClass[i].f1.toFixed(2) : '  – ');
  console.log(`${m.label.padEnd(16)} ${m.support ? m.precision.toFixed(2) : ' – '}    ${m.support ? m.recall.toFixed(2) : ' – '}    ${f(20)}     ${f(10)}     ${f(0)}`);
});
console.log(`macro-F1: 20 dB ${perSnr[20].macroF1.toFixed(3)}, 10 dB ${perSnr[10].macroF1.toFixed(3)}, 0 dB ${perSnr[0].macroF1.toFixed(3)}`);
for (const [name, r] of [['ambience (birds/rain/wind/water/traffic/typing/room)', ambientOnly], ['+ speech/music/applause/footsteps/clocks', wide]] as const) {
  console.log(`false replies, ${name}: ${r.replies.length} in ${r.minutes} min = ${r.perHour} per hour ${r.replies.length ? JSON.stringify(r.replies) : ''}`);
}
console.log(`counting exact match (1–5 repeats): ${JSON.stringify(counting)}`);
console.log(`latency per chunk: mean ${result.latencyMs.mean} ms, p95 ${result.latencyMs.p95} ms`);
console.log('wrote bench/results/sounds.json');
