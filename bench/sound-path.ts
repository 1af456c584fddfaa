// Per-chunk cost of the whole sound path (not run by tests): sound model, alarm detector, input guard,
// event layer and reply policy (SoundWatcher.onChunk, which runs the detector, guard and event layer),
// on 3 minutes of mixed audio (recorded ambience, appliance beeps, a T3 alarm, speech). The log-mel is
// shared with VAD and ASR and is listed apart. The machine is shared (wall times swing with other jobs),
// so each stage is timed in this process's CPU time (process.cpuUsage, µs), not only on the wall clock.
// Run: npm run bench -- sound-path
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { LogMel } from '../src/perception/features.ts';
import { SoundClassifier } from '../src/perception/sounds/classifier.ts';
import { SoundWatcher } from '../src/decision/sound-watcher.ts';
import { TaskManager } from '../src/decision/task-manager.ts';
import type { Percept } from '../src/perception/types.ts';
import { patternSignal, T3_CYCLE, APPLIANCE_PATTERNS } from '../src/soundflow/corpus/alarm-patterns.ts';
import { DEFAULT_CORPUS_DIR } from '../src/soundflow/corpus/build.ts';
import { readManifest } from '../src/soundflow/corpus/manifest.ts';
import { readWav } from '../src/soundflow/corpus/convert.ts';
import { makeRng } from '../src/util/rng.ts';

const SR = 16000;
const CHUNK = 6400;
const corpus = process.env.SOUNDFLOW_CORPUS ?? DEFAULT_CORPUS_DIR;
const entries = readManifest(join(corpus, 'manifest.json')).entries.filter((e) => e.split === 'test' && ['ambient', 'birds', 'speech', 'dog_bark', 'door_knock', 'cough', 'traffic'].includes(e.cls));
const parts: Float32Array[] = entries.map((e) => readWav(join(corpus, e.file)));
const rng = makeRng(3);
parts.push(patternSignal(T3_CYCLE, 3, { freqHz: 3200, wave: 'square', levelDbfs: -20 }).x);
for (const p of APPLIANCE_PATTERNS) {
  const { timing, repeats } = p.make(rng);
  parts.push(patternSignal(timing, repeats, { freqHz: 3000, wave: 'sine', levelDbfs: -20 }).x);
}
const n = 180 * SR;
const x = new Float32Array(n);
for (let o = 0, k = 0; o < n; k++) {
  const p = parts[k % parts.length];
  x.set(p.subarray(0, Math.min(p.length, n - o)), o);
  o += p.length;
}

const clf = await SoundClassifier.load();
const lm = new LogMel();
const watcher = new SoundWatcher(new TaskManager(), true);
const cpuMs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};
const melMs: number[] = [];
const modelMs: number[] = [];
const restMs: number[] = [];
for (let i = 0, idx = 0; i < n; i += CHUNK, idx++) {
  const pcm = new Float32Array(CHUNK);
  pcm.set(x.subarray(i, i + CHUNK));
  const t = (i + CHUNK) / SR;
  const t0 = cpuMs();
  const mel = lm.process(pcm);
  const t1 = cpuMs();
  const probs = clf.classify(mel);
  const t2 = cpuMs();
  const p = { chunk: { index: idx, start: t - 0.4, t, pcm, padded: false }, mel, vadProbs: [], speech: 0, levelDb: -40, snrDb: 0, speechStarted: false, speechEnded: false, inSpeech: false, silenceMs: 0, sounds: { classes: clf.classes, probs, thresholds: clf.thresholds } } as unknown as Percept;
  watcher.onChunk(p, false);
  const t3 = cpuMs();
  melMs.push(t1 - t0);
  modelMs.push(t2 - t1);
  restMs.push(t3 - t2);
}
const stat = (a: number[]) => {
  const s = [...a].sort((p, q) => p - q);
  return { mean: +(a.reduce((p, q) => p + q, 0) / a.length).toFixed(3), p50: +s[s.length >> 1].toFixed(3), p99: +s[Math.floor(s.length * 0.99)].toFixed(3) };
};
const total = modelMs.map((v, i) => v + restMs[i]);
const result = { chunks: modelMs.length, logMelShared: stat(melMs), soundModel: stat(modelMs), detectorGuardEventsPolicy: stat(restMs), soundPathTotal: stat(total) };
mkdirSync('bench/results', { recursive: true });
writeFileSync('bench/results/sound-path.json', JSON.stringify(result, null, 1) + '\n');
console.log(`sound path per 0.4 s chunk, CPU time (${result.chunks} chunks, 3 min mixed audio; machine shared)`);
console.log('stage                                         mean     p50      p99   (ms)');
for (const [name, s] of [['log-mel (shared with VAD/ASR)', result.logMelShared], ['sound model', result.soundModel], ['alarm detector + guard + events + policy', result.detectorGuardEventsPolicy], ['whole sound path (model + the rest)', result.soundPathTotal]] as const) {
  console.log(`${name.padEnd(44)} ${s.mean.toFixed(2).padStart(6)}  ${s.p50.toFixed(2).padStart(6)}  ${s.p99.toFixed(2).padStart(7)}`);
}
console.log('wrote bench/results/sound-path.json');
