// Counting benchmark (not run by tests): n = 1–8 repeats of a sound, event lengths 0.2–1.5 s, gaps
// 0.3–3 s, over recorded ambience at 20 and 10 dB SNR, through the same path a session uses (log-mel →
// sound model → event layer → EventCounter). Scores exact count match and whether every count came within
// one chunk of its event's end. Sounds:
// - class counting: held-out real knocks (minetest place_node_hard.2) and barks (qabcs dog.ogg, first bark);
// - "count this sound": held-out recordings cut to 0.2–1.5 s (a sound the user names by example).
// Run: npm run bench -- counting   (needs the corpus: node bin/soundflow.js corpus build)
// Tuning: COUNTING_SET=tune uses other recordings (train/val split: swamp bed, other knock and bark,
// other "this sound" sources) and another seed, so the reported set is never the one tuned on; it
// writes bench/results/counting-tune.json. COUNTING_DEBUG=N prints the first N failed or late trials
// (COUNTING_DEBUG_MATCH=REGEX picks them; COUNTING_DEBUG_TOP=1 adds the model's top three classes of every
// loud event), COUNTING_ONLY=REGEX runs only the matching trials. COUNTING_LATE=1 prints the late counts
// by cause (what found them: event, event-retro, example, repeat, retro; chunks late; sound and SNR) and
// writes them, one JSON line each, to bench/results/counting[-tune]-late.json (not committed).
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SoundClassifier } from '../src/perception/sounds/classifier.ts';
import { EventCounter, THIS_SOUND } from '../src/perception/sounds/counter.ts';
import { LogMel } from '../src/perception/features.ts';
import { profileSimilarity } from '../src/perception/sounds/segmenter.ts';
import { DEFAULT_CORPUS_DIR } from '../src/soundflow/corpus/build.ts';
import { readManifest } from '../src/soundflow/corpus/manifest.ts';
import { readWav } from '../src/soundflow/corpus/convert.ts';
import { makeRng, uniform, type Random } from '../src/util/rng.ts';

const SR = 16000;
const CHUNK = 6400;
const corpus = process.env.SOUNDFLOW_CORPUS ?? DEFAULT_CORPUS_DIR;
const manifest = readManifest(join(corpus, 'manifest.json'));
const TUNE = process.env.COUNTING_SET === 'tune';
const file = (cls: string, re: RegExp, tuneRe?: RegExp) => {
  const e = manifest.entries.find((x) => x.cls === cls && (TUNE ? x.split !== 'test' && (tuneRe ?? /./).test(x.id) : x.split === 'test' && re.test(x.id)));
  if (!e) throw new Error(`no held-out ${cls} matching ${re}`);
  return readWav(join(corpus, e.file));
};
const rms = (x: Float32Array) => Math.sqrt(x.reduce((s, v) => s + v * v, 0) / Math.max(1, x.length)) || 1e-9;

/** The loudest `len` seconds of x (10 ms fades), so a cut holds the sound and not its silence. */
function loudest(x: Float32Array, len: number): Float32Array {
  const n = Math.min(x.length, Math.round(len * SR));
  let best = 0;
  let bestE = -1;
  for (let s = 0; s + n <= x.length; s += 160) {
    let e = 0;
    for (let i = s; i < s + n; i += 4) e += x[i] * x[i];
    if (e > bestE) {
      bestE = e;
      best = s;
    }
  }
  const out = x.slice(best, best + n);
  const f = Math.min(160, n >> 2);
  for (let i = 0; i < f; i++) {
    out[i] *= i / f;
    out[n - 1 - i] *= i / f;
  }
  return out;
}

// Tuning alternates a steady bed (swamp) and birdsong (gnome-pomodoro birds, train split).
const beds = TUNE ? [file('ambient', /country/, /swamp/), file('birds', /./, /pomodoro/)] : [file('ambient', /country/)];
let trialNo = 0;
const knock = file('door_knock', /place_node_hard/, /place_node_hard\.1/);
const bark = file('dog_bark', /noises\/dog\.ogg$/, /misc\/dog\.wav$/).slice(0, Math.round(0.3 * SR));
// "This sound" sources: held-out recordings of several kinds, cut to the trial's event length.
// Continuous sounds, so that a cut of any length is one sound (typing or a ringing phone would be many).
const templates = [
  ['siren', file('siren', /./, /firetruck/)],
  ['kettle', file('kettle_whistle', /./, /whistle/)],
  ['water', file('water', /./, /river_loop/)],
  ['scream', file('scream', /./, /scream1/)],
  ['applause', file('applause', /./, /circuslinux.*applause/)],
] as const;

const clf = await SoundClassifier.load();
const thresholds = clf.thresholds;

interface Trial {
  mode: string;
  snr: number;
  n: number;
  len: number;
  ok: boolean;
  timely: boolean;
  /** timely, with the counts spoken one per chunk as a session does. */
  timelyReplies: boolean;
  counted: number;
  /** Failure modes: true events never counted, counts of no event, events counted twice, counts spanning several events, counts > 1 chunk late. */
  modes: { missed: number; extra: number; double: number; merged: number; late: number };
}

const ONLY = process.env.COUNTING_ONLY ? new RegExp(process.env.COUNTING_ONLY) : null;
function trial(rng: Random, mode: string, label: string, ev: Float32Array, n: number, snr: number): Trial | null {
  const len = ev.length / SR;
  const gaps = Array.from({ length: n }, () => uniform(rng, 0.3, 3));
  // 3 s of the bed before counting starts (as while the instruction is given): heard, never counted.
  const LEAD = 3;
  const total = LEAD + 1.3 + n * len + gaps.reduce((a, b) => a + b, 0) + 1.2;
  const bed = beds[Math.floor(trialNo++ / 6) % beds.length]; // every sound kind meets every bed
  const off = Math.floor(rng() * Math.max(1, bed.length - total * SR));
  const x = Float32Array.from({ length: Math.round(total * SR) }, (_, i) => bed[(off + i) % bed.length]);
  const bedRms = rms(x);
  const ends: number[] = [];
  let t = LEAD + 0.3 + uniform(rng, 0, 1.0);
  for (let k = 0; k < n; k++) {
    if (k === n - 1) gaps[k] = Math.max(gaps[k], 1.0); // room for the last event to end inside the stream
    const g = (bedRms * Math.pow(10, (snr + uniform(rng, -1, 1)) / 20)) / rms(ev);
    const at = Math.round(t * SR);
    for (let i = 0; i < ev.length && at + i < x.length; i++) x[at + i] += g * ev[i];
    ends.push(t + len);
    t += len + gaps[k];
  }
  // COUNTING_ONLY=REGEX runs only the matching trials ("this sound.*10dB"); the others are drawn the same.
  if (ONLY && !ONLY.test(`${mode} ${snr}dB`)) return null;
  const counter = new EventCounter({ label });
  const lm = new LogMel();
  clf.reset();
  const countChunks: number[] = [];
  const seen: string[] = [];
  const heard: [number, number][] = [];
  let tplProfile: Float32Array | null = null;
  for (let i = 0; i < x.length; i += CHUNK) {
    const pcm = new Float32Array(CHUNK);
    pcm.set(x.subarray(i, i + CHUNK));
    const mel = lm.process(pcm);
    const probs = clf.classify(mel);
    const tEnd = (i + CHUNK) / SR;
    const r = counter.update({ mel, probs, classes: clf.classes, thresholds, t: tEnd, countFrom: LEAD });
    for (let k = 0; k < r.newEvents; k++) countChunks.push(i / CHUNK);
    for (const e of r.events) {
      heard.push([e.onset, e.offset]);
      // Debug only: the counter's current example/first instance (private), to print each event's likeness to it.
      tplProfile = (counter as unknown as { template: { profile: Float32Array } | null }).template?.profile ?? tplProfile;
      const ci = clf.classes.indexOf(label);
      const topK = process.env.COUNTING_DEBUG_TOP && e.snrDb >= 38 ? `{${[...e.probs].map((p, i) => [p, i] as const).sort((a, b) => b[0] - a[0]).slice(0, 3).map(([p, i]) => `${clf.classes[i]}:${p.toFixed(2)}`).join(',')}}` : '';
      seen.push(`${e.onset}-${e.offset}/${e.snrDb.toFixed(0)}${topK}${ci >= 0 ? `p${e.probs[ci].toFixed(2)}` : ''}${tplProfile ? `~${profileSimilarity(e.profile, tplProfile).toFixed(2)}` : ''}`);
    }
  }
  const ok = counter.count === n;
  // Failure modes: match counted events (by their spans) to the true events.
  const spans = ends.map((e) => [e - len, e] as const);
  // Counts are of segmented events or of runs of frames (repeats.ts): the counter keeps the latest spans.
  const countedSpans = counter.times.map((off) => [counter.spans.find((s) => s.offset === off)?.onset ?? off - 0.01, off] as const);
  const hits = (a: readonly [number, number], b: readonly [number, number]) => a[0] < b[1] + 0.05 && b[0] < a[1] + 0.05;
  const per = spans.map((s) => countedSpans.filter((c) => hits(c, s)).length);
  const modes = {
    missed: per.filter((k) => k === 0).length,
    double: per.filter((k) => k > 1).length,
    extra: countedSpans.filter((c) => !spans.some((s) => hits(c, s))).length,
    merged: countedSpans.filter((c) => spans.filter((s) => hits(c, s)).length > 1).length,
    late: spans.filter((s, k) => per[k] > 0 && countChunks[k] !== undefined && countChunks[k] > Math.floor(s[1] / 0.4) + 1).length,
  };
  // Per late count (COUNTING_LATE=1): what found it, how late, the event's length, gaps and stretch.
  if (LATE) {
    spans.forEach((s, k) => {
      const j = countedSpans.findIndex((c) => hits(c, s));
      if (j < 0 || countChunks[j] === undefined) return;
      const late = countChunks[j] - (Math.floor(s[1] / 0.4) + 1);
      lateLog.push({ mode, snr, n, k, len: +len.toFixed(2), gapBefore: k ? +(s[0] - spans[k - 1][1]).toFixed(2) : null, gapAfter: k < n - 1 ? +(spans[k + 1][0] - s[1]).toFixed(2) : null, source: counter.sources[j], late, stretch: +(countedSpans[j][1] - s[1]).toFixed(2), ok });
    });
  }
  // Timing: the k-th count within one chunk after the chunk where the k-th event ends.
  // (A count may come before the recording's last sample: its quiet tail is not part of the event.)
  const timely = ok && ends.every((e, k) => countChunks[k] <= Math.floor(e / 0.4) + 1 && countChunks[k] >= Math.floor((e - len) / 0.4));
  // As a session says them: one count per reply, a second count found in the same chunk waits a chunk.
  const replyChunks: number[] = [];
  countChunks.forEach((c, k) => replyChunks.push(k ? Math.max(c, replyChunks[k - 1] + 1) : c));
  const timelyReplies = ok && ends.every((e, k) => replyChunks[k] <= Math.floor(e / 0.4) + 1);
  if ((!ok || !timely) && process.env.COUNTING_DEBUG && new RegExp(process.env.COUNTING_DEBUG_MATCH ?? '.').test(`${mode} ${snr}dB`) && debugLeft-- > 0) console.log(`${mode} ${snr}dB n=${n}: events at ${ends.map((e) => (e - len).toFixed(2)).join(',')}; counted at ${counter.times.join(',')} (chunks ${countChunks.join(',')}); heard ${seen.join(' ')}${counter.runs.length ? `; runs ${counter.runs.map((r) => `${r.onset}-${r.offset}/${r.score.toFixed(2)}`).join(' ')}` : ''}`);
  return { mode, snr, n, len: +len.toFixed(2), ok, timely, timelyReplies, counted: counter.count, modes };
}

let debugLeft = Number(process.env.COUNTING_DEBUG ?? 0) || 0;
const LATE = !!process.env.COUNTING_LATE;
const lateLog: { mode: string; snr: number; n: number; k: number; len: number; gapBefore: number | null; gapAfter: number | null; source: string; late: number; stretch: number; ok: boolean }[] = [];
const drawn: (Trial | null)[] = [];
const rng = makeRng(TUNE ? 777 : 4242);
const LENGTHS = [0.2, 0.5, 1.0, 1.5];
for (const snr of [20, 10]) {
  for (let n = 1; n <= 8; n++) {
    for (let rep = 0; rep < 2; rep++) {
      drawn.push(trial(rng, 'knock (class)', 'door_knock', knock, n, snr));
      drawn.push(trial(rng, 'dog bark (class)', 'dog_bark', bark, n, snr));
      for (const len of LENGTHS) {
        const [name, src] = templates[(n + rep + LENGTHS.indexOf(len)) % templates.length];
        drawn.push(trial(rng, `this sound ${len}s`, THIS_SOUND, loudest(src, len), n, snr));
        void name;
      }
    }
  }
}

const trials = drawn.filter((t): t is Trial => t !== null);
const group = (f: (t: Trial) => boolean) => {
  const sel = trials.filter(f);
  if (!sel.length) return { trials: 0, failureModes: null, exact: NaN, timely: NaN, timelyReplies: NaN };
  const m = { missed: 0, extra: 0, double: 0, merged: 0, late: 0 };
  for (const t of sel) for (const k of Object.keys(m) as (keyof typeof m)[]) m[k] += t.modes[k];
  return { trials: sel.length, failureModes: m, exact: +(sel.filter((t) => t.ok).length / sel.length).toFixed(3), timely: +(sel.filter((t) => t.timely).length / sel.length).toFixed(3), timelyReplies: +(sel.filter((t) => t.timelyReplies).length / sel.length).toFixed(3) };
};
const modes = [...new Set(trials.map((t) => t.mode))];
const result = {
  overall: { '20dB': group((t) => t.snr === 20), '10dB': group((t) => t.snr === 10) },
  byMode: Object.fromEntries(modes.map((m) => [m, { '20dB': group((t) => t.mode === m && t.snr === 20), '10dB': group((t) => t.mode === m && t.snr === 10) }])),
  byN: Object.fromEntries(Array.from({ length: 8 }, (_, i) => [i + 1, { '20dB': group((t) => t.n === i + 1 && t.snr === 20), '10dB': group((t) => t.n === i + 1 && t.snr === 10) }])),
  failures: trials.filter((t) => !t.ok).map((t) => `${t.mode} ${t.snr}dB n=${t.n} counted ${t.counted}`),
};
// A partial run (COUNTING_ONLY) writes no result file.
if (!ONLY) {
  mkdirSync('bench/results', { recursive: true });
  writeFileSync(`bench/results/counting${TUNE ? '-tune' : ''}.json`, JSON.stringify(result, null, 1) + '\n');
}
console.log(`counting${TUNE ? ' (tuning set)' : ''}: ${trials.length} trials (n = 1–8, gaps 0.3–3 s, recorded ${TUNE ? 'swamp/birdsong' : 'birdsong'} ambience)`);
console.log('sound                     exact@20dB  timely@20dB  exact@10dB  timely@10dB');
for (const m of modes) {
  const r = result.byMode[m];
  console.log(`${m.padEnd(25)} ${r['20dB'].exact.toFixed(3).padStart(10)}  ${r['20dB'].timely.toFixed(3).padStart(11)}  ${r['10dB'].exact.toFixed(3).padStart(10)}  ${r['10dB'].timely.toFixed(3).padStart(11)}`);
}
console.log(`${'all'.padEnd(25)} ${result.overall['20dB'].exact.toFixed(3).padStart(10)}  ${result.overall['20dB'].timely.toFixed(3).padStart(11)}  ${result.overall['10dB'].exact.toFixed(3).padStart(10)}  ${result.overall['10dB'].timely.toFixed(3).padStart(11)}`);
console.log(`timely with one count per reply per chunk (as a session speaks them): ${result.overall['20dB'].timelyReplies.toFixed(3)} @20dB, ${result.overall['10dB'].timelyReplies.toFixed(3)} @10dB`);
console.log('failure modes (events) @20dB / @10dB:');
for (const m of modes) console.log(`  ${m.padEnd(23)} ${JSON.stringify(result.byMode[m]['20dB'].failureModes)} / ${JSON.stringify(result.byMode[m]['10dB'].failureModes)}`);
if (result.failures.length) console.log(`misses: ${result.failures.slice(0, 30).join('; ')}${result.failures.length > 30 ? ' …' : ''}`);
if (LATE) {
  const late = lateLog.filter((r) => r.late > 0);
  console.log(`late counts: ${late.length} of ${lateLog.length} counted events`);
  const by = (f: (r: (typeof late)[number]) => string) => Object.entries(late.reduce<Record<string, number>>((m, r) => ((m[f(r)] = (m[f(r)] ?? 0) + 1), m), {})).map(([k, v]) => `${k}:${v}`).join(' ');
  console.log(`  by source: ${by((r) => r.source)}\n  by chunks late: ${by((r) => String(r.late))}\n  by mode: ${by((r) => `${r.mode}@${r.snr}`)}`);
  writeFileSync(`bench/results/counting${TUNE ? '-tune' : ''}-late.json`, late.map((r) => JSON.stringify(r)).join('\n') + '\n');
}
if (!ONLY) console.log(`wrote bench/results/counting${TUNE ? '-tune' : ''}.json`);
