// `soundflow data build|scenes|eval-set`: the StreamAudio-style data builder and the synthetic scene generator.
import { resolve } from 'node:path';
import { build } from '../../../soundflow/data/build.ts';
import { SoundFlowError } from '../../../util/errors.ts';
import { Progress } from '../../../util/progress.ts';
import { intFlag, parseFlags, required } from '../args.ts';

const USAGE = `usage:
  soundflow data build --input IN.jsonl --noise NOISE_DIR|silence --out OUT_DIR [--seed N] [--limit N] [--features] [--jobs N] [--quiet]
  soundflow data scenes --out DIR --n N [--seed S] [--split train|test] [--sounds synth|corpus[:MANIFEST]] [--recipe SCENES.jsonl]
  soundflow data eval-set [--name v1] [--out DIR]   (scenes + build of the fixed eval set from data/eval/NAME)`;

export async function run(args: string[]): Promise<number> {
  const [sub, ...rest] = args;
  if (sub === 'build') {
    const { values } = parseFlags(rest, {
      input: { type: 'string' }, noise: { type: 'string' }, out: { type: 'string' }, seed: { type: 'string' },
      limit: { type: 'string' }, features: { type: 'boolean' }, jobs: { type: 'string' }, quiet: { type: 'boolean' },
    }, USAGE);
    const summary = await build({
      input: required(values.input, 'input'),
      noise: required(values.noise, 'noise'),
      out: required(values.out, 'out'),
      seed: intFlag(values.seed, 'seed'),
      limit: intFlag(values.limit, 'limit', 1),
      features: values.features === true,
      jobs: intFlag(values.jobs, 'jobs'),
      log: values.quiet ? null : process.stderr,
    });
    process.stdout.write(`${summary.output}\n`);
    return summary.built + summary.cached > 0 || summary.input === 0 ? 0 : 1;
  }
  if (sub === 'scenes' || sub === 'eval-set') return scenes(sub, rest);
  if (!sub || sub === '--help' || sub === 'help') {
    process.stdout.write(USAGE + '\n');
    return sub ? 0 : 2;
  }
  throw new SoundFlowError('invalid_argument', `unknown data subcommand "${sub}"\n${USAGE}`);
}

async function scenes(sub: 'scenes' | 'eval-set', args: string[]): Promise<number> {
  const { buildEvalSet, readSpecs, soundSource } = await import('../../../soundflow/data/eval-set.ts');
  if (sub === 'eval-set') {
    const { values } = parseFlags(args, { name: { type: 'string' }, out: { type: 'string' }, quiet: { type: 'boolean' } }, USAGE);
    const dir = await buildEvalSet(values.name ?? 'v1', values.out, values.quiet ? null : process.stderr);
    process.stdout.write(dir + '\n');
    return 0;
  }
  const { values } = parseFlags(args, {
    out: { type: 'string' }, n: { type: 'string' }, seed: { type: 'string' }, split: { type: 'string' },
    sounds: { type: 'string' }, recipe: { type: 'string' }, quiet: { type: 'boolean' },
  }, USAGE);
  const log = values.quiet ? null : process.stderr;
  const out = required(values.out, 'out');
  const split = (values.split ?? 'train') as 'train' | 'test';
  if (split !== 'train' && split !== 'test') throw new SoundFlowError('invalid_argument', `--split must be train or test`);
  const { generateScenes } = await import('../../../soundflow/data/scenes.ts');
  const { renderScenes } = await import('../../../soundflow/data/render.ts');
  const specs = values.recipe ? readSpecs(values.recipe) : generateScenes({ n: intFlag(values.n, 'n', 1) ?? 10, seed: intFlag(values.seed, 'seed') ?? 0, split });
  const progress = new Progress(specs.length, 'render', log ?? process.stderr, Boolean(log));
  const r = await renderScenes(specs, resolve(out), soundSource(values.sounds ?? 'auto', split), () => progress.tick());
  process.stdout.write(`${r.input}\n`);
  log?.write(`scenes: ${r.streams} streams -> ${r.input}; noise library ${r.noiseDir}\n`);
  return 0;
}
