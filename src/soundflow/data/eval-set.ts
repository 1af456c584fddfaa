// Scene recipes and sound sources for the scene renderer, and the fixed eval sets: a committed recipe
// under data/eval/NAME rendered and built into .cache/eval/NAME (`soundflow data eval-set`).
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { SoundFlowError } from '../../util/errors.ts';
import { build } from './build.ts';
import { Progress } from '../../util/progress.ts';
import { loadCorpusManifest, renderScenes, type SoundSource } from './render.ts';
import type { SceneSpec } from './scenes.ts';

export const DEFAULT_CORPUS_MANIFEST = '.cache/corpus/manifest.json';

/** "synth", "corpus" (default manifest) or "corpus:PATH". "auto": the corpus when its manifest exists. */
export function soundSource(spec: string, split: string): SoundSource {
  if (spec === 'synth') return { kind: 'synth' };
  if (spec === 'auto') return existsSync(DEFAULT_CORPUS_MANIFEST) ? soundSource('corpus', split) : { kind: 'synth' };
  if (spec === 'corpus' || spec.startsWith('corpus:')) {
    const path = spec === 'corpus' ? DEFAULT_CORPUS_MANIFEST : spec.slice('corpus:'.length);
    return { kind: 'corpus', clips: loadCorpusManifest(path), split };
  }
  throw new SoundFlowError('invalid_argument', `--sounds must be synth, auto, corpus or corpus:MANIFEST, got "${spec}"`);
}

export function readSpecs(path: string): SceneSpec[] {
  if (!existsSync(path)) throw new SoundFlowError('recipe_missing', `scene recipe ${path} not found`);
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((l) => l.trim())
    .map((l, i) => {
      try {
        return JSON.parse(l) as SceneSpec;
      } catch {
        throw new SoundFlowError('recipe_invalid', `${path}:${i + 1}: invalid JSON`);
      }
    });
}

export interface EvalSetRecipe {
  name: string;
  /** Seed for `data build` (noise slices). */
  buildSeed: number;
  /** How scenes.jsonl was generated (for regenerating a new version). */
  scenes: { n: number; seed: number; split: 'train' | 'test'; sounds: string };
}

/** Renders data/eval/NAME/scenes.jsonl and builds it; returns the built dir (holding streams.jsonl). */
export async function buildEvalSet(name: string, outDir?: string, log: NodeJS.WriteStream | null = process.stderr): Promise<string> {
  const recipeDir = resolve('data/eval', name);
  const recipePath = join(recipeDir, 'recipe.json');
  if (!existsSync(recipePath)) throw new SoundFlowError('recipe_missing', `no eval set "${name}": ${recipePath} not found`);
  const recipe = JSON.parse(readFileSync(recipePath, 'utf8')) as EvalSetRecipe;
  const specs = readSpecs(join(recipeDir, 'scenes.jsonl'));
  const out = resolve(outDir ?? join('.cache/eval', name));
  const inputDir = join(out, 'input');
  const progress = new Progress(specs.length, 'render', log ?? process.stderr, Boolean(log));
  // Sound sources are fixed in the spec (each sound turn's origin is decided at generation time).
  const r = await renderScenes(specs, inputDir, soundSource(recipe.scenes.sounds === 'synth' ? 'synth' : 'auto', recipe.scenes.split), () => progress.tick());
  await build({ input: r.input, noise: r.noiseDir, out, seed: recipe.buildSeed, log });
  return out;
}
