// `soundflow corpus music`: renders the music-style corpus (MMA grooves through fluidsynth), see
// src/soundflow/music.
import { parseArgs } from 'node:util';
import { SoundFlowError } from '../../../util/errors.ts';
import { buildMusicCorpus, DEFAULT_MUSIC_DIR } from '../../../soundflow/music/corpus.ts';
import { DEFAULT_PLAN } from '../../../soundflow/music/plan.ts';

export const MUSIC_USAGE = `usage: soundflow corpus music [--dir DIR] [--train N] [--test N] [--seconds S] [--seed N]
  music  renders N songs per style and split (default ${DEFAULT_PLAN.songsPerStyle.train} train + ${DEFAULT_PLAN.songsPerStyle.test} test, ${DEFAULT_PLAN.seconds} s each) from
         chord charts through MMA grooves and fluidsynth into DIR/wav (default ${DEFAULT_MUSIC_DIR}); writes
         DIR/songs.json and models/music/songs.json (the recipe of every song and its split).`;

export async function runCorpusMusic(args: string[]): Promise<number> {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({ args, options: { dir: { type: 'string' }, train: { type: 'string' }, test: { type: 'string' }, seconds: { type: 'string' }, seed: { type: 'string' }, help: { type: 'boolean', short: 'h' } } }));
  } catch (err) {
    throw new SoundFlowError('invalid_argument', `${(err as Error).message}\n${MUSIC_USAGE}`);
  }
  if (values.help) {
    process.stdout.write(MUSIC_USAGE + '\n');
    return 0;
  }
  const num = (k: string, def: number, min: number): number => {
    if (values[k] === undefined) return def;
    const v = Number(values[k]);
    if (!Number.isFinite(v) || v < min) throw new SoundFlowError('invalid_argument', `--${k} must be a number >= ${min}`);
    return v;
  };
  const full = values.train === undefined && values.test === undefined && values.seconds === undefined && values.seed === undefined;
  buildMusicCorpus({
    dir: (values.dir as string) ?? DEFAULT_MUSIC_DIR,
    plan: {
      songsPerStyle: { train: Math.round(num('train', DEFAULT_PLAN.songsPerStyle.train, 1)), test: Math.round(num('test', DEFAULT_PLAN.songsPerStyle.test, 1)) },
      seconds: num('seconds', DEFAULT_PLAN.seconds, 4),
      seed: Math.round(num('seed', DEFAULT_PLAN.seed, 0)),
    },
    // Only the default recipe is the committed one.
    recipeOut: full ? 'models/music/songs.json' : null,
  });
  return 0;
}
