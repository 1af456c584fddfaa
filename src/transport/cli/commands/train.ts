// `soundflow train sounds|decision`: each trainer lives in src/soundflow/train and is imported lazily.
import { SoundFlowError } from '../../../util/errors.ts';

const USAGE = `usage: soundflow train sounds [options]    the sound-event model (see --help)
       soundflow train decision [options]  the learned per-chunk decision policy
       soundflow train music [options]     the music-style classifier (after "soundflow corpus music")`;

type Trainer = (args: string[]) => Promise<number>;

const TRAINERS: Record<string, () => Promise<Trainer>> = {
  sounds: async () => (await import('../../../soundflow/train/sounds.ts')).runTrainSounds,
  music: async () => (await import('../../../soundflow/train/music.ts')).runTrainMusic,
  // Added by the decision-policy work: src/soundflow/train/decision.ts exports `run(args)`.
  decision: async () => {
    let mod: { run?: Trainer; runTrainDecision?: Trainer };
    try {
      mod = await import('../../../soundflow/train/decision.ts' as string);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ERR_MODULE_NOT_FOUND' || !String((err as Error).message).includes('train/decision.ts')) throw err;
      throw new SoundFlowError('not_implemented', 'the decision trainer is not in this build (src/soundflow/train/decision.ts)');
    }
    const fn = mod.run ?? mod.runTrainDecision;
    if (!fn) throw new SoundFlowError('not_implemented', 'src/soundflow/train/decision.ts exports no run(args)');
    return fn;
  },
};

export async function run(args: string[]): Promise<number> {
  const [what, ...rest] = args;
  if (!what || what === '--help' || what === '-h') {
    process.stdout.write(USAGE + '\n');
    return what ? 0 : 2;
  }
  const load = TRAINERS[what];
  if (!load) throw new SoundFlowError('bad_args', `unknown trainer "${what}"\n${USAGE}`);
  return (await load())(rest);
}
