// Renders scene specs to audio: TTS for speech (espeak-ng, flite), synthetic or corpus recordings for
// sounds, ambience beds for the noise library. Writes DIR/clips/*.wav, DIR/noise/*.wav and
// DIR/input.jsonl in the StreamAudio-2M row shape (plus our `task` and `pauses` fields).
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { MissingDependencyError, SoundFlowError } from '../../util/errors.ts';
import { decodeFile } from '../../audio/decode.ts';
import { concatSamples } from '../../audio/pcm.ts';
import { writeFileAtomic } from '../../util/fs.ts';
import { writeWavFile } from '../../audio/wav.ts';
import { createRng } from '../../util/rng.ts';
import type { SceneSpec, SceneTurn, Voice } from './scenes.ts';
import { AMBIENCE, synthSound } from './synth.ts';
import { SAMPLE_RATE } from '../../audio/chunk.ts';


export interface CorpusClip {
  path: string;
  cls: string;
  split?: string;
}

/** Where sound turns come from: synthesis, or recorded clips of a split of the corpus (synthesis fills gaps). */
export type SoundSource = { kind: 'synth' } | { kind: 'corpus'; clips: CorpusClip[]; split: string };

/**
 * Reads the corpus manifest (src/soundflow/corpus/manifest.ts: `{entries: [{file, cls, split}]}`, files
 * relative to the manifest). Also accepted: a JSON array or JSONL of such entries (`path`/`class`/`label` too).
 */
export function loadCorpusManifest(path: string): CorpusClip[] {
  if (!existsSync(path)) throw new SoundFlowError('corpus_missing', `corpus manifest ${path} not found (build it with: soundflow corpus build)`);
  const text = readFileSync(path, 'utf8');
  let entries: Record<string, unknown>[];
  try {
    const j = JSON.parse(text);
    entries = Array.isArray(j) ? j : (j.entries ?? j.items ?? j.clips ?? j.files ?? []);
  } catch {
    entries = text.split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l));
  }
  const base = dirname(resolve(path));
  return entries.flatMap((e) => {
    const p = e.path ?? e.file ?? e.audio;
    const c = e.cls ?? e.class ?? e.label;
    if (typeof p !== 'string' || typeof c !== 'string') return [];
    return [{ path: resolve(base, p), cls: c, split: typeof e.split === 'string' ? e.split : undefined }];
  });
}

function run(cmd: string, args: string[], pkg: string): Promise<void> {
  return new Promise((res, rej) =>
    execFile(cmd, args, { maxBuffer: 1 << 26 }, (err, _o, stderr) => {
      if (err && (err as NodeJS.ErrnoException).code === 'ENOENT') rej(new MissingDependencyError(cmd, pkg));
      else if (err) rej(new SoundFlowError('tts_failed', `${cmd} failed: ${String(stderr).trim() || err.message}`));
      else res();
    }),
  );
}

/** One TTS utterance at 16 kHz, leading/trailing silence trimmed so a turn ends where its speech ends. */
export async function tts(text: string, voice: Voice, rate: number): Promise<Float32Array> {
  const dir = mkdtempSync(join(tmpdir(), 'sf-tts-'));
  const wav = join(dir, 'u.wav');
  try {
    if (voice.engine === 'espeak-ng') await run('espeak-ng', ['-v', voice.name, '-s', String(rate), '-w', wav, text], 'espeak-ng');
    else {
      // flite's duration stretch: >1 is slower; map words-per-minute around 160 onto it.
      const stretch = (160 / rate).toFixed(2);
      await run('flite', ['-voice', voice.name, '--setf', `duration_stretch=${stretch}`, '-t', text, '-o', wav], 'flite');
    }
    return trimSilence(await decodeFile(wav));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Cuts leading/trailing audio below -50 dBFS (10 ms frames), keeping a 30 ms margin. */
export function trimSilence(x: Float32Array, thresholdDb = -50): Float32Array {
  const hop = 160;
  const thr = Math.pow(10, thresholdDb / 20);
  const loud = (f: number) => {
    let s = 0;
    for (let i = f * hop; i < Math.min(x.length, (f + 1) * hop); i++) s += x[i] * x[i];
    return Math.sqrt(s / hop) > thr;
  };
  const frames = Math.ceil(x.length / hop);
  let a = 0;
  while (a < frames && !loud(a)) a++;
  let b = frames - 1;
  while (b > a && !loud(b)) b--;
  if (a >= frames) return x;
  const margin = 480;
  return x.slice(Math.max(0, a * hop - margin), Math.min(x.length, (b + 1) * hop + margin));
}

/** Scales speech to a common RMS (about -20 dBFS) so voices and engines are comparably loud. */
function level(x: Float32Array, targetRms = 0.1): Float32Array {
  let s = 0;
  for (const v of x) s += v * v;
  const r = Math.sqrt(s / Math.max(1, x.length));
  if (r > 0) {
    let peak = 0;
    for (const v of x) peak = Math.max(peak, Math.abs(v));
    const g = Math.min(targetRms / r, 0.95 / peak);
    for (let i = 0; i < x.length; i++) x[i] *= g;
  }
  return x;
}

/** The corpus file a sound turn uses, or 'synth' when the source is synthesis or lacks the class. */
function soundOrigin(turn: Extract<SceneTurn, { kind: 'sound' }>, source: SoundSource): string {
  if (source.kind !== 'corpus') return 'synth';
  const pool = source.clips.filter((c) => c.cls === turn.cls && (c.split === undefined || c.split === source.split));
  return pool.length ? createRng(turn.seed).pick(pool).path : 'synth';
}

/**
 * A sound turn's clip, its trailing silence cut (like TTS turns): the turn's label sits at its last
 * sample, so a clip that ends half a second after its knock would put the expected count there.
 */
async function soundClip(turn: Extract<SceneTurn, { kind: 'sound' }>, origin: string): Promise<Float32Array> {
  if (origin === 'synth') return trimTrailing(synthSound(turn.cls, turn.seed, turn.events));
  const x = await decodeFile(origin);
  // Long recordings are cut to 4 s: a turn is one sound event, not a soundscape.
  return trimTrailing(x.length > 4 * SAMPLE_RATE ? x.slice(0, 4 * SAMPLE_RATE) : x);
}

function trimTrailing(x: Float32Array, thresholdDb = -50): Float32Array {
  const hop = 160;
  const thr = Math.pow(10, thresholdDb / 20);
  // Only the end moves (onsets stay where the recipe put them), with trimSilence's 30 ms margin.
  for (let f = Math.ceil(x.length / hop) - 1; f >= 0; f--) {
    let e = 0;
    for (let i = f * hop; i < Math.min(x.length, (f + 1) * hop); i++) e += x[i] * x[i];
    if (Math.sqrt(e / hop) > thr) return x.slice(0, Math.min(x.length, (f + 1) * hop + 480));
  }
  return x; // silent: kept as it is
}

interface RenderedTurn {
  user: string;
  assistant: string;
  emotion: string;
  scene_type: string;
  audio_path: string;
  task?: string;
  pauses?: [number, number][];
  source?: string;
}

/** Renders one spec's turns to clips/<id>-<k>.wav; existing clips are kept (resume). */
async function renderScene(spec: SceneSpec, dir: string, source: SoundSource): Promise<RenderedTurn[]> {
  const out: RenderedTurn[] = [];
  for (const [k, t] of spec.turns.entries()) {
    // Sound clips (trimmed, optionally fixed to N events: recipe 2) get their own file names, so a cached
    // clip of the old recipe is never reused.
    const rel = t.kind === 'sound' ? `clips/${spec.id}-${k}-s2${t.events ? `-${t.events}ev` : ''}.wav` : `clips/${spec.id}-${k}.wav`;
    const path = join(dir, rel);
    const row: RenderedTurn = { user: '', assistant: t.assistant, emotion: t.emotion, scene_type: t.kind === 'sound' ? `sound:${t.cls}` : t.kind, audio_path: rel };
    let audio: Float32Array | null = null;
    if (t.kind === 'speech') {
      row.user = t.parts.map((p) => p.text).join(' ');
      const segs: Float32Array[] = [];
      const pauses: [number, number][] = [];
      let pos = 0;
      for (const [j, p] of t.parts.entries()) {
        const s = level(await tts(p.text, t.voice, t.rate));
        segs.push(s);
        pos += s.length;
        if (p.pauseAfter && j < t.parts.length - 1) {
          const gap = Math.round(p.pauseAfter * SAMPLE_RATE);
          segs.push(new Float32Array(gap));
          pauses.push([pos / SAMPLE_RATE, (pos + gap) / SAMPLE_RATE]);
          pos += gap;
        }
      }
      if (pauses.length) row.pauses = pauses;
      audio = concatSamples(segs);
    } else if (t.kind === 'talk') {
      row.user = t.lines.map((l) => l.text).join(' / ');
      const segs: Float32Array[] = [];
      for (const l of t.lines) segs.push(level(await tts(l.text, l.voice, 165), 0.06), new Float32Array(0.3 * SAMPLE_RATE));
      audio = concatSamples(segs.slice(0, -1));
    } else {
      row.user = `<sound: ${t.cls}>`;
      row.source = soundOrigin(t, source);
      if (!existsSync(path)) audio = await soundClip(t, row.source);
    }
    if ('task' in t && t.task) row.task = t.task;
    if (audio && !existsSync(path)) writeWavFile(path, audio);
    out.push(row);
  }
  return out;
}

export interface RenderSummary {
  streams: number;
  input: string;
  noiseDir: string;
}

/** Renders all specs (sequentially: TTS processes already use the CPU) and writes input.jsonl + noise/. */
export async function renderScenes(specs: SceneSpec[], dir: string, source: SoundSource, onScene?: () => void): Promise<RenderSummary> {
  mkdirSync(join(dir, 'clips'), { recursive: true });
  const noiseDir = join(dir, 'noise');
  mkdirSync(noiseDir, { recursive: true });
  for (const [name, make] of Object.entries(AMBIENCE)) {
    const p = join(noiseDir, `${name}.wav`);
    if (!existsSync(p)) writeWavFile(p, make(createRng(`ambience/${name}`)));
  }
  const lines: string[] = [];
  for (const spec of specs) {
    const turns = await renderScene(spec, dir, source);
    lines.push(JSON.stringify({ id: spec.id, stream_scene_type: spec.type, scene: spec.scene, split: spec.split, num_turns: turns.length, turns }));
    onScene?.();
  }
  const input = join(dir, 'input.jsonl');
  writeFileAtomic(input, lines.join('\n') + '\n');
  writeFileAtomic(join(dir, 'scenes.jsonl'), specs.map((s) => JSON.stringify(s)).join('\n') + '\n');
  return { streams: specs.length, input, noiseDir };
}
