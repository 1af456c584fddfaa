// Per-stage cost of a chunk's perception and sound work on the loop bench's sound-heavy stream, each
// component alone (log-mel, Silero VAD, sound model, acoustic context, input guard, alarm detector and its
// state, sound-event layer): wall time per chunk as the minimum over rounds (so preemption by other jobs
// drops out and what is left is the work's own spikes), the mean, and the young-generation bytes each
// allocates per chunk. With --base DIR (a checkout of another commit, e.g. a detached worktree of main)
// both trees run on the same audio in this process, and their outputs are compared (a digest of every
// component's output per chunk): a speed-up that changes an output shows here.
//   node --import tsx bench/perception-stages.ts [--base /path/to/main] [--rounds 5] [--seconds 60]
import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import v8 from 'node:v8';
import { soundHeavy } from './streams.ts';

const { values } = parseArgs({ options: { base: { type: 'string' }, rounds: { type: 'string', default: '5' }, seconds: { type: 'string', default: '60' } } });
const rounds = Math.max(2, Number(values.rounds));
const audio = soundHeavy(Number(values.seconds));
const n = Math.floor(audio.length / 6400);
const chunks = Array.from({ length: n }, (_, i) => audio.slice(i * 6400, (i + 1) * 6400));
const STAGES = ['log-mel', 'VAD', 'sound model', 'context', 'guard', 'alarm', 'alarm state', 'events'] as const;
type Stage = (typeof STAGES)[number];
const young = () => v8.getHeapSpaceStatistics().find((s) => s.space_name === 'new_space')!.space_used_size;

async function measure(root: string): Promise<{ best: Record<Stage, number[]>; mean: Record<Stage, number>; alloc: Record<Stage, number>; digest: string }> {
  const src = (p: string) => import(resolve(root, 'src', p));
  const { LogMel, FRAMES_PER_CHUNK } = await src('perception/features.ts');
  const { AlarmDetector } = await src('perception/sounds/alarm.ts');
  const { SoundEventTracker } = await src('perception/sounds/events.ts');
  const { AcousticContext } = await src('perception/acoustic-context.ts');
  const { InputGuard } = await src('perception/sounds/input-guard.ts');
  const { SoundClassifier } = await src('perception/sounds/classifier.ts');
  const { SileroVad } = await src('perception/vad.ts');
  const { inThreadModels } = await src('perception/chunk-models.ts');
  const best = Object.fromEntries(STAGES.map((k) => [k, new Array<number>(n).fill(Infinity)])) as Record<Stage, number[]>;
  const mean = Object.fromEntries(STAGES.map((k) => [k, 0])) as Record<Stage, number>;
  // Young-generation growth per stage call; a call during which a scavenge ran shows a drop and is left out.
  const allocs = Object.fromEntries(STAGES.map((k) => [k, [] as number[]])) as Record<Stage, number[]>;
  let digest = '';
  for (let r = 0; r < rounds; r++) {
    const hash = createHash('sha1');
    const mel = new LogMel();
    const vad = await SileroVad.create();
    const cls = await SoundClassifier.load();
    const models = inThreadModels();
    const ctx = new AcousticContext();
    const guard = new InputGuard();
    const alarm = new AlarmDetector();
    const events = new SoundEventTracker({ classes: cls.classes, thresholds: cls.thresholds });
    for (let i = 0; i < n; i++) {
      const pcm = chunks[i];
      const t: Partial<Record<Stage, number>> = {};
      const a: Partial<Record<Stage, number>> = {};
      const stage = async <T>(k: Stage, f: () => T | Promise<T>): Promise<T> => {
        const y0 = young();
        const t0 = performance.now();
        const out = await f();
        t[k] = performance.now() - t0;
        a[k] = young() - y0;
        return out;
      };
      const m = await stage('log-mel', () => mel.process(pcm));
      const v = await stage('VAD', () => vad.process(pcm));
      const probs = await stage('sound model', () => models.sounds(cls.window(m)));
      const ac = await stage('context', () => ctx.update(m, FRAMES_PER_CHUNK, v.probs, pcm));
      const g = await stage('guard', () => guard.check(pcm, m));
      const al = await stage('alarm', () => alarm.process(pcm, (i + 1) * 0.4));
      const st = await stage('alarm state', () => [alarm.state(), alarm.state() === 'inconsistent' ? alarm.beeping() : null]);
      const evs = await stage('events', () => events.update({ t: (i + 1) * 0.4, mel: m, probs, speech: 0 }));
      for (const k of STAGES) {
        best[k][i] = Math.min(best[k][i], t[k]!);
        if (r > 0) mean[k] += t[k]! / n / (rounds - 1);
        if (r > 0 && a[k]! >= 0) allocs[k].push(a[k]!);
      }
      hash.update(JSON.stringify([Array.from(m), v, Array.from(probs), ac.levelDb, ac.noiseFloorDb, ac.snrDb, Array.from(ac.excessDb), ac.onsetFrames, g, al, st, evs.map((e: { label: string; onset: number; offset: number; p: number }) => [e.label, e.onset, e.offset, e.p])]));
    }
    const d = hash.digest('hex');
    if (digest && d !== digest) throw new Error(`${root}: outputs differ between rounds`);
    digest = d;
  }
  const alloc = Object.fromEntries(STAGES.map((k) => [k, allocs[k].reduce((x, y) => x + y, 0) / Math.max(1, allocs[k].length)])) as Record<Stage, number>;
  return { best, mean, alloc, digest };
}

const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.ceil((p / 100) * xs.length) - 1)];
const roots = values.base ? { base: values.base, this: process.cwd() } : { this: process.cwd() };
const results: Record<string, Awaited<ReturnType<typeof measure>>> = {};
for (const [name, root] of Object.entries(roots)) results[name] = await measure(root);
console.log(`\nPer-stage cost per 0.4 s chunk, sound-heavy stream (${n} chunks, ${rounds} rounds; load average ${loadavg()[0].toFixed(1)})\n`);
console.log(`| stage | ${Object.keys(results).map((k) => `${k}: mean | min-over-rounds p50 / p99 / max | KiB allocated`).join(' | ')} |`);
console.log(`|---|${Object.keys(results).map(() => '---|---|---').join('|')}|`);
for (const k of STAGES) {
  const cells = Object.values(results).map((r) => `${r.mean[k].toFixed(3)} ms | ${pct(r.best[k], 50).toFixed(3)} / ${pct(r.best[k], 99).toFixed(3)} / ${Math.max(...r.best[k]).toFixed(3)} ms | ${Number.isFinite(r.alloc[k]) ? (r.alloc[k] / 1024).toFixed(1) : '–'}`);
  console.log(`| ${k} | ${cells.join(' | ')} |`);
}
const total = (r: (typeof results)[string]) => r.best['log-mel'].map((_, i) => STAGES.reduce((a, k) => a + r.best[k][i], 0));
console.log(`| all stages | ${Object.values(results).map((r) => `${STAGES.reduce((a, k) => a + r.mean[k], 0).toFixed(2)} ms | ${pct(total(r), 50).toFixed(2)} / ${pct(total(r), 99).toFixed(2)} / ${Math.max(...total(r)).toFixed(2)} ms | ${(STAGES.reduce((a, k) => a + (Number.isFinite(r.alloc[k]) ? r.alloc[k] : 0), 0) / 1024).toFixed(0)}`).join(' | ')} |`);
if (values.base) console.log(`\noutputs (every stage, every chunk): ${results.base.digest === results.this.digest ? 'identical' : 'DIFFERENT'} (${results.this.digest.slice(0, 12)})`);
mkdirSync('bench/results', { recursive: true });
const summary = Object.fromEntries(Object.entries(results).map(([name, r]) => [name, Object.fromEntries(STAGES.map((k) => [k, { meanMs: r.mean[k], minP50Ms: pct(r.best[k], 50), minP99Ms: pct(r.best[k], 99), minMaxMs: Math.max(...r.best[k]), allocKiB: r.alloc[k] / 1024 }]))]));
writeFileSync('bench/results/perception-stages.json', JSON.stringify({ date: new Date().toISOString(), loadAverage: loadavg(), chunks: n, rounds, ...(values.base ? { outputsIdentical: results.base.digest === results.this.digest } : {}), stages: summary }, null, 2) + '\n');
console.log('wrote bench/results/perception-stages.json');
process.exit(0);
