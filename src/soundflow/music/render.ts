// Renders a planned song: chord chart → MMA source → MIDI (mma) → 16 kHz audio (fluidsynth with the
// FluidR3 General MIDI soundfont from fluid-soundfont-gm) → mono Float32 trimmed to the song length.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SoundFlowError } from '../../util/errors.ts';
import { hash32 } from '../../util/rng.ts';
import { CHARTS } from './charts.ts';
import type { SongPlan } from './plan.ts';

export const SOUNDFONT = '/usr/share/sounds/sf2/FluidR3_GM.sf2';
const SR = 16000;

export interface RenderOptions {
  /**
   * MMA's humanising seed: default a hash of the song id (every rendering identical); a number for another
   * humanised performance of the same song; 'clock' for MMA's own clock seeding (unreproducible).
   */
  seed?: number | 'clock';
}

/** The MMA source of a song: enough bars for its length even in 3/4 at its tempo. */
export function songToMma(song: SongPlan, opts: RenderOptions = {}): string {
  const chart = CHARTS.find((c) => c.id === song.chart);
  if (!chart) throw new SoundFlowError('recipe_invalid', `unknown chart ${song.chart}`);
  const bars = Math.ceil((song.seconds * song.tempo) / 60 / 3) + 2;
  const lines = [`// ${song.id}: ${song.style}, chart ${song.chart}, ${song.variant.file} ${song.variant.groove}`];
  // MMA humanises timing and velocity with Python's random, seeded from the clock unless told: without a
  // fixed seed every rendering of a song differs, and a test on one (the alarm detector's) can flip.
  const seed = opts.seed ?? hash32(`render:${song.id}`) % 1_000_000_007;
  if (seed !== 'clock') {
    if (!Number.isInteger(seed) || seed < 0) throw new SoundFlowError('invalid_argument', `render seed must be a non-negative integer or 'clock', got ${seed}`);
    lines.push(`RndSeed ${seed}`);
  }
  if (song.bass !== undefined) lines.push(`Set Bass ${song.bass ? '1' : '-'}`);
  if (song.direction) lines.push(`Set Direction ${song.direction}`);
  lines.push(`Use ${song.variant.file}`, `Groove ${song.variant.groove}`);
  if (song.variant.voice) lines.push(`Arpeggio Voice ${song.variant.voice}`, `AllTracks Volume mf`);
  lines.push(`Tempo ${song.tempo}`, `Transpose ${song.transpose}`);
  for (let i = 0; i < bars; i++) lines.push(`${i + 1} ${chart.bars[i % chart.bars.length]}`);
  return lines.join('\n') + '\n';
}

function run(cmd: string, args: string[], what: string): void {
  const r = spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 16 << 20 });
  if (r.error) throw new SoundFlowError('missing_dependency', `${cmd} not available (apt-get install mma fluidsynth fluid-soundfont-gm): ${r.error.message}`);
  if (r.status !== 0) throw new SoundFlowError('recipe_invalid', `${what}: ${cmd} exited ${r.status}: ${(r.stderr || r.stdout).trim().split('\n').slice(-3).join(' / ')}`);
}

/** Renders one song to mono 16 kHz samples (exactly song.seconds long; silence-padded if shorter). */
export function renderSong(song: SongPlan, soundfont = SOUNDFONT, opts: RenderOptions = {}): Float32Array {
  const dir = mkdtempSync(join(tmpdir(), 'soundflow-mma-'));
  try {
    writeFileSync(join(dir, 'song.mma'), songToMma(song, opts));
    run('mma', ['-f', join(dir, 'song.mid'), join(dir, 'song.mma')], `song ${song.id}`);
    run('fluidsynth', ['-ni', '-q', '-g', String(song.gain), '-r', String(SR), '-R', song.reverb ? '1' : '0', '-C', '0', '-T', 'raw', '-O', 's16', '-F', join(dir, 'song.raw'), soundfont, join(dir, 'song.mid')], `song ${song.id}`);
    const raw = readFileSync(join(dir, 'song.raw'));
    const pcm = new Int16Array(raw.buffer, raw.byteOffset, raw.byteLength >> 1);
    const n = Math.round(song.seconds * SR);
    const out = new Float32Array(n);
    // fluidsynth writes interleaved stereo; average the channels.
    for (let i = 0; i < n && 2 * i + 1 < pcm.length; i++) out[i] = (pcm[2 * i] + pcm[2 * i + 1]) / 65536;
    return out;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
