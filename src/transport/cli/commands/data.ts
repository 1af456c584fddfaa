// `soundflow data build|scenes|eval-set`: the StreamAudio-style data builder and the synthetic scene generator.
import { build } from '../../../soundflow/data/build.ts';
import { checkKnown, int, parseArgs, str } from '../../../soundflow/data/args.ts';
import { SoundFlowError } from '../../../util/errors.ts';

const USAGE = `usage:
  soundflow data build --input IN.jsonl --noise NOISE_DIR|silence --out OUT_DIR [--seed N] [--limit N] [--features] [--jobs N] [--quiet]
  soundflow data scenes --out DIR --n N [--seed S] [--split train|test] [--sounds synth|corpus[:MANIFEST]] [--recipe SCENES.jsonl]
  soundflow data eval-set [--name v1] [--out DIR]   (scenes + build of the fixed eval set from data/eval/NAME)`;

export async function run(args: string[]): Promise<number> {
  const [sub, ...rest] = args;
  if (sub === 'build') {
    const a = parseArgs(rest, ['features', 'quiet']);
    checkKnown(a, ['input', 'noise', 'out', 'seed', 'limit', 'features', 'jobs', 'quiet']);
    const summary = await build({
      input: str(a, 'input', true)!,
      noise: str(a, 'noise', true)!,
      out: str(a, 'out', true)!,
      seed: int(a, 'seed'),
      limit: int(a, 'limit', 1),
      features: a.flags.has('features'),
      jobs: int(a, 'jobs'),
      log: a.flags.has('quiet') ? null : process.stderr,
    });
    process.stdout.write(`${summary.output}\n`);
    return summary.built + summary.cached > 0 || summary.input === 0 ? 0 : 1;
  }
  if (sub === 'scenes' || sub === 'eval-set') {
    const { runScenesCommand } = await import('../../../soundflow/data/scenes-cli.ts');
    return runScenesCommand(sub, rest);
  }
  if (!sub || sub === '--help' || sub === 'help') {
    process.stdout.write(USAGE + '\n');
    return sub ? 0 : 2;
  }
  throw new SoundFlowError('invalid_argument', `unknown data subcommand "${sub}"\n${USAGE}`);
}
