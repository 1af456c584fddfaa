// `soundflow train sounds|decision|music`: flags parsed here; each trainer lives in src/soundflow/train and is
// imported lazily (tfjs is heavy).
import { writeFileSync } from 'node:fs';
import { SoundFlowError } from '../../../util/errors.ts';
import { intFlag, parseFlags } from '../args.ts';
import type { TrainSoundsOptions } from '../../../soundflow/train/sounds.ts';

type TrainingBudget = Pick<TrainSoundsOptions, 'epochs' | 'examplesPerEpoch' | 'batch' | 'hidden' | 'seed'>;

const USAGE = `usage: soundflow train sounds [options]    the sound-event model (see --help)
       soundflow train decision [options]  the learned per-chunk decision policy
       soundflow train music [options]     the music-style classifier (after "soundflow corpus music")`;

const MUSIC_USAGE = `usage: soundflow train music [--dir DIR] [--out DIR] [--epochs N] [--hidden N] [--seed N] [--no-docs]`;

const SOUNDS_USAGE = `usage: soundflow train sounds [--corpus DIR] [--out DIR] [--epochs N] [--examples N] [--batch N] [--hidden N] [--seed N]
         [--augment base|strong|source] [--no-docs]
       soundflow train sounds --lopo [--folds K] [--fold I] [--augment base|strong|source] [--epochs N] [--examples N] [--json FILE]
  --lopo: leave-one-package-out evaluation of the recipe (K models, each trained without one fold of
  source packages and scored on them); writes no weights. Defaults for --lopo: 4 folds, 4 epochs × 8000.`;

const DECISION_USAGE = `usage: soundflow train decision [--data DIR] [--scenes N] [--scene-seed N] [--cache DIR] [--out DIR]
         [--window N] [--hidden 24] [--epochs N] [--batch N] [--seed N] [--tolerance N] [--jobs N]
         [--eval DIR | --no-eval] [--redump]
  Builds train-split scenes into --data when absent, dumps perception + rule features (cached;
  --redump after changing perception or the rules),
  trains the MLP (tfjs wasm), writes OUT/model.json, report.json, loss.svg; compares rules vs learned
  on the eval set (default .cache/eval/v1, when built).`;

const TRAINERS: Record<string, (args: string[]) => Promise<number>> = { sounds, decision, music };

export async function run(args: string[]): Promise<number> {
  const [what, ...rest] = args;
  if (!what || what === '--help' || what === '-h') {
    process.stdout.write(USAGE + '\n');
    return what ? 0 : 2;
  }
  const trainer = TRAINERS[what];
  if (!trainer) throw new SoundFlowError('invalid_argument', `unknown trainer "${what}"\n${USAGE}`);
  return trainer(rest);
}

async function sounds(args: string[]): Promise<number> {
  const { values } = parseFlags(args, {
    corpus: { type: 'string' }, out: { type: 'string' }, epochs: { type: 'string' }, examples: { type: 'string' },
    batch: { type: 'string' }, hidden: { type: 'string' }, seed: { type: 'string' }, 'no-docs': { type: 'boolean' }, help: { type: 'boolean', short: 'h' },
    augment: { type: 'string' }, lopo: { type: 'boolean' }, folds: { type: 'string' }, fold: { type: 'string' }, json: { type: 'string' },
  }, SOUNDS_USAGE);
  const augment = values.augment ?? 'base';
  if (augment !== 'base' && augment !== 'strong' && augment !== 'source') throw new SoundFlowError('invalid_argument', `--augment must be base, strong or source, got "${augment}"`);
  // The training budget flags mean the same for one model and for each leave-one-package-out fold.
  const budget = (d: TrainingBudget): TrainingBudget => ({
    epochs: intFlag(values.epochs, 'epochs', 1) ?? d.epochs,
    examplesPerEpoch: intFlag(values.examples, 'examples', 256) ?? d.examplesPerEpoch,
    batch: intFlag(values.batch, 'batch', 1) ?? d.batch,
    hidden: intFlag(values.hidden, 'hidden', 4) ?? d.hidden,
    seed: intFlag(values.seed, 'seed', 0) ?? d.seed,
  });
  if (values.lopo) {
    const { DEFAULT_LOPO_OPTIONS: L, runLopo, lopoTable } = await import('../../../soundflow/train/sounds-lopo.ts');
    const r = await runLopo({
      corpusDir: values.corpus ?? L.corpusDir,
      folds: intFlag(values.folds, 'folds', 2) ?? L.folds,
      ...budget(L),
      augment,
      onlyFold: intFlag(values.fold, 'fold', 1),
      // Partial results after each fold, so a long run can be read while it goes.
      onFold: (partial) => { if (values.json) writeFileSync(values.json, JSON.stringify(partial, null, 1) + '\n'); },
    });
    if (values.json) writeFileSync(values.json, JSON.stringify(r, null, 1) + '\n');
    process.stdout.write(lopoTable(r) + '\n');
    return 0;
  }
  const { DEFAULT_TRAIN_OPTIONS: D, trainSounds } = await import('../../../soundflow/train/sounds.ts');
  await trainSounds({
    corpusDir: values.corpus ?? D.corpusDir,
    outDir: values.out ?? D.outDir,
    ...budget(D),
    augment,
    docsDir: values['no-docs'] ? null : 'docs',
  });
  return 0;
}

async function decision(args: string[]): Promise<number> {
  const { values, positionals } = parseFlags(args, {
    data: { type: 'string' }, scenes: { type: 'string' }, 'scene-seed': { type: 'string' }, cache: { type: 'string' },
    out: { type: 'string' }, window: { type: 'string' }, hidden: { type: 'string' }, epochs: { type: 'string' },
    batch: { type: 'string' }, seed: { type: 'string' }, tolerance: { type: 'string' }, jobs: { type: 'string' },
    eval: { type: 'string' }, 'no-eval': { type: 'boolean' }, redump: { type: 'boolean' }, help: { type: 'boolean', short: 'h' },
  }, DECISION_USAGE);
  if (positionals.length) throw new SoundFlowError('invalid_argument', `unexpected argument "${positionals[0]}"\n${DECISION_USAGE}`);
  const { DEFAULT_DECISION_OPTIONS: D, trainDecision } = await import('../../../soundflow/train/decision.ts');
  const hiddenSpec = values.hidden;
  const hidden = hiddenSpec ? hiddenSpec.split(',').map(Number) : D.hidden;
  if (!hidden.length || hidden.some((h) => !Number.isInteger(h) || h < 1 || h > 256)) throw new SoundFlowError('invalid_argument', `--hidden must be comma-separated sizes 1..256, got "${hiddenSpec}"`);
  await trainDecision({
    data: values.data ?? D.data,
    scenes: intFlag(values.scenes, 'scenes', 10) ?? D.scenes,
    sceneSeed: intFlag(values['scene-seed'], 'scene-seed') ?? D.sceneSeed,
    cache: values.cache ?? D.cache,
    redump: values.redump === true,
    out: values.out ?? D.out,
    window: intFlag(values.window, 'window', 1) ?? D.window,
    hidden,
    epochs: intFlag(values.epochs, 'epochs', 1) ?? D.epochs,
    batch: intFlag(values.batch, 'batch', 1) ?? D.batch,
    seed: intFlag(values.seed, 'seed') ?? D.seed,
    tolerance: intFlag(values.tolerance, 'tolerance') ?? D.tolerance,
    jobs: intFlag(values.jobs, 'jobs', 1) ?? D.jobs,
    evalData: values['no-eval'] ? null : (values.eval ?? D.evalData),
  });
  return 0;
}

async function music(args: string[]): Promise<number> {
  const { values } = parseFlags(args, {
    dir: { type: 'string' }, out: { type: 'string' }, epochs: { type: 'string' }, hidden: { type: 'string' }, seed: { type: 'string' },
    'no-docs': { type: 'boolean' }, help: { type: 'boolean', short: 'h' },
  }, MUSIC_USAGE);
  const { DEFAULT_TRAIN_MUSIC: D, trainMusic } = await import('../../../soundflow/train/music.ts');
  await trainMusic({
    dir: values.dir ?? D.dir,
    outDir: values.out ?? D.outDir,
    epochs: intFlag(values.epochs, 'epochs', 1) ?? D.epochs,
    hidden: intFlag(values.hidden, 'hidden', 4) ?? D.hidden,
    seed: intFlag(values.seed, 'seed', 0) ?? D.seed,
    docsDir: values['no-docs'] ? null : D.docsDir,
  });
  return 0;
}
