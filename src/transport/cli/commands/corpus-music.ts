// `soundflow corpus music`: renders the music-style corpus (MMA grooves through fluidsynth), see
// src/soundflow/music.
import { SoundFlowError } from '../../../util/errors.ts';
import { intFlag, parseFlags } from '../args.ts';
import { buildMusicCorpus, DEFAULT_MUSIC_DIR } from '../../../soundflow/music/corpus.ts';
import { DEFAULT_PLAN } from '../../../soundflow/music/plan.ts';

export const MUSIC_USAGE = `usage: soundflow corpus music [--dir DIR] [--train N] [--test N] [--seconds S] [--seed N]
  music  renders N songs per style and split (default ${DEFAULT_PLAN.songsPerStyle.train} train + ${DEFAULT_PLAN.songsPerStyle.test} test, ${DEFAULT_PLAN.seconds} s each) from
         chord charts through MMA grooves and fluidsynth into DIR/wav (default ${DEFAULT_MUSIC_DIR}); writes
         DIR/songs.json and models/music/songs.json (the recipe of every song and its split).`;

export async function runCorpusMusic(args: string[]): Promise<number> {
  const { values } = parseFlags(args, {
    dir: { type: 'string' }, train: { type: 'string' }, test: { type: 'string' }, seconds: { type: 'string' }, seed: { type: 'string' }, help: { type: 'boolean', short: 'h' },
  }, MUSIC_USAGE);
  const seconds = values.seconds === undefined ? DEFAULT_PLAN.seconds : Number(values.seconds);
  if (!Number.isFinite(seconds) || seconds < 4) throw new SoundFlowError('invalid_argument', `--seconds must be a number >= 4, got "${values.seconds}"`);
  const full = values.train === undefined && values.test === undefined && values.seconds === undefined && values.seed === undefined;
  buildMusicCorpus({
    dir: values.dir ?? DEFAULT_MUSIC_DIR,
    plan: {
      songsPerStyle: { train: intFlag(values.train, 'train', 1) ?? DEFAULT_PLAN.songsPerStyle.train, test: intFlag(values.test, 'test', 1) ?? DEFAULT_PLAN.songsPerStyle.test },
      seconds,
      seed: intFlag(values.seed, 'seed', 0) ?? DEFAULT_PLAN.seed,
    },
    // Only the default recipe is the committed one.
    recipeOut: full ? 'models/music/songs.json' : null,
  });
  return 0;
}
