// The music corpus recipe: which songs to render. A song = one chart (charts.ts), one groove variant of
// its style (styles.ts), a key, a tempo and a synth gain, all drawn from a seeded RNG, so the same seed
// gives the same songs. Split: a song is "test" when its chart is a held-out chart; test songs also use
// only held-out groove variants (≈30 % of each style's variants, chosen by hash), training songs only
// the others. So the test measures songs and groove variants the classifier never heard.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { hash32, makeRng, type Random } from '../../util/rng.ts';
import { SoundFlowError } from '../../util/errors.ts';
import { CHARTS, isTestChart, type Chart } from './charts.ts';
import { CLASSICAL_VOICES, STYLE_RECIPES, type MusicStyle, type StyleRecipe } from './styles.ts';

export const MMA_LIB_DIR = '/usr/share/mma/lib';

export interface GrooveVariant {
  /** "stdlib/swing". */
  file: string;
  /** MMA groove name ("Swing1Walk"). */
  groove: string;
  /** Classical variants: the GM voice the arpeggio and chords play on. */
  voice?: string;
}

export interface SongPlan {
  id: string;
  style: MusicStyle;
  split: 'train' | 'test';
  chart: string;
  variant: GrooveVariant;
  tempo: number;
  /** Semitones from C (MMA Transpose). */
  transpose: number;
  /** fluidsynth master gain. */
  gain: number;
  reverb: boolean;
  seconds: number;
  /** Classical only: MMA arpeggio options. */
  bass?: boolean;
  direction?: 'Up' | 'Down' | 'Both';
}

export interface PlanOptions {
  songsPerStyle: { train: number; test: number };
  seconds: number;
  seed: number;
  libDir: string;
}

export const DEFAULT_PLAN: PlanOptions = { songsPerStyle: { train: 44, test: 8 }, seconds: 30, seed: 1, libDir: MMA_LIB_DIR };

/** Training songs drawn from the first stream, before the test songs (see planSongs). */
const BASE_TRAIN = 20;

const SKIP_GROOVE = /intro|end|fill|break/i;

/** Steady groove names a library file defines (DefGroove lines), without intros, endings and fills. */
export function grooveNames(file: string, libDir = MMA_LIB_DIR): string[] {
  let text: string;
  try {
    text = readFileSync(join(libDir, `${file}.mma`), 'latin1');
  } catch (err) {
    throw new SoundFlowError('missing_dependency', `MMA groove file ${file}.mma not found in ${libDir} (apt-get install mma)`, { cause: err });
  }
  const names = [...text.matchAll(/^\s*DefGroove\s+(\S+)/gim)].map((m) => m[1]).filter((n) => !SKIP_GROOVE.test(n));
  return [...new Set(names)];
}

/** Every variant of a style: each groove of each file (× voice for classical). */
export function styleVariants(r: StyleRecipe, libDir = MMA_LIB_DIR): GrooveVariant[] {
  const out: GrooveVariant[] = [];
  for (const file of r.files) {
    for (const groove of grooveNames(file, libDir)) {
      if (r.style === 'classical') for (const voice of CLASSICAL_VOICES) out.push({ file, groove, voice });
      else out.push({ file, groove });
    }
  }
  return out;
}

export const variantKey = (v: GrooveVariant): string => `${v.file}:${v.groove}${v.voice ? `:${v.voice}` : ''}`;

/** ≈30 % of variants are test-only, by a hash of their name (stable across runs and subsets). */
export function isTestVariant(v: GrooveVariant): boolean {
  return hash32(`music-variant:${variantKey(v)}`) % 10 < 3;
}

const pick = <T>(rng: Random, xs: readonly T[]): T => xs[Math.floor(rng() * xs.length)];

/** Chooses a variant file-first, so a file with 23 variants is not 23× as likely as one with 1. */
function pickVariant(rng: Random, variants: GrooveVariant[]): GrooveVariant {
  const files = [...new Set(variants.map((v) => v.file))];
  const file = pick(rng, files);
  return pick(rng, variants.filter((v) => v.file === file));
}

export function planSongs(partial: Partial<PlanOptions> = {}, styles: readonly StyleRecipe[] = STYLE_RECIPES): SongPlan[] {
  const o = { ...DEFAULT_PLAN, ...partial };
  const songs: SongPlan[] = [];
  for (const r of styles) {
    const variants = styleVariants(r, o.libDir);
    const charts = CHARTS.filter((ch) => r.charts.includes(ch.family));
    // The first BASE_TRAIN training songs and the test songs come from one stream (the first recipe);
    // training songs beyond them from a second stream, so adding them changes no existing song.
    const first = makeRng(hash32(`music:${r.style}:${o.seed}`));
    const extra = makeRng(hash32(`music:${r.style}:extra:${o.seed}`));
    const draws: { split: 'train' | 'test'; i: number; rng: Random }[] = [];
    for (let i = 0; i < Math.min(BASE_TRAIN, o.songsPerStyle.train); i++) draws.push({ split: 'train', i, rng: first });
    for (let i = 0; i < o.songsPerStyle.test; i++) draws.push({ split: 'test', i, rng: first });
    for (let i = BASE_TRAIN; i < o.songsPerStyle.train; i++) draws.push({ split: 'train', i, rng: extra });
    for (const { split, i, rng } of draws) {
      const vs = variants.filter((v) => isTestVariant(v) === (split === 'test'));
      const cs = charts.filter((ch: Chart) => isTestChart(ch) === (split === 'test'));
      if (!vs.length || !cs.length) throw new SoundFlowError('recipe_invalid', `style ${r.style} has no ${split} ${vs.length ? 'charts' : 'groove variants'}`);
      const variant = pickVariant(rng, vs);
      const song: SongPlan = {
        id: `${r.style}-${split}-${String(i).padStart(3, '0')}`,
        style: r.style,
        split,
        chart: pick(rng, cs).id,
        variant,
        tempo: Math.round(r.tempo[0] + (r.tempo[1] - r.tempo[0]) * rng()),
        transpose: Math.floor(rng() * 12) - 5,
        gain: +(0.25 + 0.6 * rng()).toFixed(2),
        reverb: rng() < 0.6,
        seconds: o.seconds,
      };
      if (r.style === 'classical') {
        song.bass = rng() < 0.5;
        song.direction = pick(rng, ['Up', 'Down', 'Both'] as const);
      }
      songs.push(song);
    }
  }
  return songs;
}
