// Music-style benchmark (not run by tests): accuracy on the held-out rendered songs (charts and groove
// variants never trained on) for 3/4/6 s windows, clean and through noise, per style; and what it costs:
// one classification (features + network) and the per-chunk work of a pending style question.
// Run: npm run bench -- music   (needs the corpus: node bin/soundflow.js corpus music)
import { mkdirSync, writeFileSync } from 'node:fs';
import { MusicStyleClassifier, DEFAULT_MUSIC_MODEL } from '../src/perception/music/classifier.ts';
import { loadMusicModel } from '../src/perception/music/model.ts';
import { logMelOfSignal, MEL_BINS, FRAMES_PER_CHUNK } from '../src/perception/features.ts';
import { DEFAULT_MUSIC_DIR, loadSong, readSongs } from '../src/soundflow/music/corpus.ts';
import { MUSIC_STYLES } from '../src/soundflow/music/styles.ts';
import { addNoise, songFeatures } from '../src/soundflow/train/music-data.ts';
import { scoreSet, type MusicEval } from '../src/soundflow/train/music-eval.ts';
import { SoundQuestions } from '../src/decision/sound-questions.ts';
import { realMusic } from '../src/soundflow/music/real.ts';
import { makeRng } from '../src/util/rng.ts';
import type { Percept } from '../src/perception/types.ts';

const dir = process.env.SOUNDFLOW_MUSIC ?? DEFAULT_MUSIC_DIR;
const styles = [...MUSIC_STYLES];
const net = loadMusicModel(DEFAULT_MUSIC_MODEL);
const test = readSongs(dir).filter((s) => s.split === 'test');

const pct = (x: number) => `${(100 * x).toFixed(1)} %`;
const q = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(p * xs.length))];

// 1. Accuracy.
const runs: { name: string; e: MusicEval }[] = [];
for (const seconds of [3, 4, 6]) {
  const set = songFeatures(dir, test, styles, { seconds: [seconds, seconds], perSong: 0, hop: 2, noisy: false }, makeRng(3));
  runs.push({ name: `${seconds} s windows, clean`, e: scoreSet(net, set, styles) });
}
// Through noise: every song mixed with brown noise at 10 dB SNR (the noisy training copies used 6–30 dB).
const noisy = (() => {
  const rng = makeRng(9);
  let ok = 0;
  let n = 0;
  const clf = MusicStyleClassifier.load();
  for (const s of test) {
    const x = addNoise(loadSong(dir, s.id), 10, rng, true);
    const m = logMelOfSignal(x);
    for (let st = 0; st + 400 <= m.frames; st += 200) {
      const r = clf.classify(m.data.subarray(st * MEL_BINS, (st + 400) * MEL_BINS), 400);
      n++;
      if (r.style === s.style) ok++;
    }
  }
  return { accuracy: ok / n, windows: n };
})();

// 3. Real recordings: Debian's wesnoth-1.16-music (orchestral score: "classical" as a family), 4 s
// windows of each track's first 40 s.
const real = (() => {
  let tracks: Map<string, Float32Array>;
  try {
    tracks = realMusic();
  } catch (err) {
    console.error(`real music skipped: ${(err as Error).message}`);
    return null;
  }
  const clf = MusicStyleClassifier.load();
  const named = new Map<string, number>();
  let n = 0;
  let unsure = 0;
  const perTrack: Record<string, string> = {};
  for (const [name, x] of tracks) {
    const m = logMelOfSignal(x);
    const votes = new Map<string, number>();
    for (let st = 0; st + 400 <= m.frames; st += 400) {
      const r = clf.classify(m.data.subarray(st * MEL_BINS, (st + 400) * MEL_BINS), 400);
      const key = r.sure ? r.style : 'not sure';
      named.set(key, (named.get(key) ?? 0) + 1);
      votes.set(r.style, (votes.get(r.style) ?? 0) + 1);
      if (!r.sure) unsure++;
      n++;
    }
    perTrack[name] = [...votes].sort((a, b) => b[1] - a[1])[0]?.[0] ?? '';
  }
  return { tracks: tracks.size, windows: n, unsure: unsure / n, named: Object.fromEntries([...named].sort((a, b) => b[1] - a[1]).map(([k, v]) => [k, +(v / n).toFixed(3)])), perTrack };
})();

// 2. Cost: one classification of 4 s, and a pending question's per-chunk work.
const clf = MusicStyleClassifier.load();
const song = loadSong(dir, test[0].id);
const mel = logMelOfSignal(song);
const classifyMs: number[] = [];
for (let i = 0; i < 200; i++) {
  const st = (i * 37) % (mel.frames - 400);
  const t0 = performance.now();
  clf.classify(mel.data.subarray(st * MEL_BINS, (st + 400) * MEL_BINS), 400);
  classifyMs.push(performance.now() - t0);
}
const questions = new SoundQuestions(() => clf);
const chunkMs: number[] = [];
const idleMs: number[] = [];
const classes = ['music', 'ambient'];
const sounds = { classes, probs: Float32Array.from([0.2, 0.1]), thresholds: Float32Array.from([0.3, 0.5]) };
const chunks = Math.floor(mel.frames / FRAMES_PER_CHUNK);
for (let rep = 0; rep < 20; rep++) {
  questions.ask({ kind: 'music_style' }, rep * 100, 'what is the style of the music');
  for (let c = 0; c < chunks; c++) {
    const p = {
      chunk: { index: c, t: rep * 100 + (c + 1) * 0.4, pcm: song.subarray(c * 6400, (c + 1) * 6400), padded: false },
      mel: mel.data.subarray(c * FRAMES_PER_CHUNK * MEL_BINS, (c + 1) * FRAMES_PER_CHUNK * MEL_BINS),
      vadProbs: [], speech: 0, levelDb: -20, snrDb: 0, speechStarted: false, speechEnded: false, inSpeech: false, silenceMs: 0, sounds,
    } as unknown as Percept;
    const pending = questions.active.length > 0;
    const t0 = performance.now();
    questions.onChunk(p, false);
    (pending ? chunkMs : idleMs).push(performance.now() - t0);
  }
}

const table = [
  '| held-out test songs | windows | window accuracy | song accuracy | "not sure" | accuracy when sure |',
  '|---|---:|---:|---:|---:|---:|',
  ...runs.map(({ name, e }) => `| ${name} | ${e.windows} | ${pct(e.windowAccuracy)} | ${pct(e.songAccuracy)} | ${pct(e.unsureRate)} | ${pct(e.confidentAccuracy)} |`),
  `| 4 s windows, brown noise 10 dB SNR | ${noisy.windows} | ${pct(noisy.accuracy)} | | | |`,
].join('\n');
const perStyle = ['| style | songs | 4 s window accuracy | song accuracy |', '|---|---:|---:|---:|',
  ...runs[1].e.perStyle.map((s) => `| ${s.style} | ${s.songs} | ${pct(s.windowAccuracy)} | ${pct(s.songAccuracy)} |`)].join('\n');
const cost = ['| cost | p50 | p99 |', '|---|---:|---:|',
  `| one classification of 4 s (features + network) | ${q(classifyMs, 0.5).toFixed(2)} ms | ${q(classifyMs, 0.99).toFixed(2)} ms |`,
  `| per chunk while a style question is pending (incl. the one classification) | ${q(chunkMs, 0.5).toFixed(3)} ms | ${q(chunkMs, 0.99).toFixed(2)} ms |`,
  `| per chunk with no question pending | ${q(idleMs, 0.5).toFixed(3)} ms | ${q(idleMs, 0.99).toFixed(3)} ms |`].join('\n');
const realTable = real
  ? `Real recordings (${real.tracks} wesnoth-1.16-music tracks, ${real.windows} windows of 4 s): ${Object.entries(real.named).map(([k, v]) => `${k} ${pct(v)}`).join(', ')}`
  : 'Real recordings: skipped';
console.log(`\n${table}\n\n${realTable}\n\n${perStyle}\n\n${cost}\n\n(chance ${pct(1 / styles.length)}; load average ${(await import('node:os')).loadavg()[0].toFixed(1)} while measuring)`);
mkdirSync('bench/results', { recursive: true });
writeFileSync('bench/results/music.json', JSON.stringify({
  runs: runs.map(({ name, e }) => ({ name, windows: e.windows, windowAccuracy: e.windowAccuracy, songAccuracy: e.songAccuracy, unsureRate: e.unsureRate, confidentAccuracy: e.confidentAccuracy, perStyle: e.perStyle })),
  noisy10dB: noisy,
  real,
  costMs: { classifyP50: q(classifyMs, 0.5), classifyP99: q(classifyMs, 0.99), pendingChunkP50: q(chunkMs, 0.5), pendingChunkP99: q(chunkMs, 0.99), idleChunkP50: q(idleMs, 0.5), idleChunkP99: q(idleMs, 0.99) },
}, null, 1) + '\n');
