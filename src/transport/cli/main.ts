// CLI entry: `soundflow <command> ...`. Each command lives in its own module, imported lazily so that
// `soundflow run` never pays for the server or the trainer.
import { errorMessage, SoundFlowError } from '../../util/errors.ts';
import { HelpRequested } from './args.ts';
import { asrNoiseFloorFromEnv, heapTrimFromEnv } from '../env.ts';

type CommandModule = { run(args: string[]): Promise<number> };

const COMMANDS: Record<string, { load: () => Promise<CommandModule>; help: string[] }> = {
  run: { load: () => import('./commands/run.ts'), help: ['run <file|-> [options]        stream audio through a session: live timeline or --json events'] },
  demo: { load: () => import('./commands/demo.ts'), help: ['demo [run options]            the bundled recording through a session, replies to demo-replies.wav'] },
  serve: { load: () => import('./commands/serve.ts'), help: ['serve [options]               WebSocket server (native + OpenAI Realtime) and the browser page'] },
  corpus: {
    load: () => import('./commands/corpus.ts'),
    help: ['corpus build [options]        the real sound corpus from Debian packages', 'corpus list [--dir DIR]       what the corpus holds', 'corpus music [options]        the music-style corpus (MMA grooves rendered with fluidsynth)'],
  },
  train: { load: () => import('./commands/train.ts'), help: ['train sounds [options]        the sound-event model', 'train decision [options]      the learned chunk-level decision model', 'train music [options]         the music-style classifier'] },
  data: {
    load: () => import('./commands/data.ts'),
    help: ['data scenes [options]         StreamAudio-format scenes', 'data build [options]          the 4-step stream builder', 'data eval-set [options]       the fixed evaluation sets'],
  },
  eval: { load: () => import('./commands/eval.ts'), help: ['eval --data DIR [options]     scores decision policies side by side'] },
};

function usage(): string {
  return [
    'usage: soundflow <command> [options]',
    '',
    ...Object.values(COMMANDS).flatMap((c) => c.help.map((h) => '  ' + h)),
    '',
    '  soundflow <command> [<subcommand>] --help   every option of a command',
    '  soundflow --version                         the installed version',
  ].join('\n');
}

export async function main(argv: string[]): Promise<number> {
  const [first, ...more] = argv;
  // `soundflow help run` is `soundflow run --help`.
  const [name, ...rest] = first === 'help' && more.length ? [more[0], ...more.slice(1), '--help'] : argv;
  if (name === '--version' || name === '-v' || name === 'version') {
    const { readFileSync } = await import('node:fs');
    // package.json sits three levels up from both src/transport/cli and dist/transport/cli.
    process.stdout.write(JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')).version + '\n');
    return 0;
  }
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(usage() + '\n');
    return name ? 0 : 2;
  }
  const cmd = COMMANDS[name];
  if (!cmd) {
    process.stderr.write(`soundflow: unknown command "${name}"\n${usage()}\n`);
    return 2;
  }
  try {
    const floor = asrNoiseFloorFromEnv();
    if (floor !== undefined) (await import('../../perception/asr/pocketsphinx.ts')).setRecognizerNoiseFloor(floor);
    const trim = heapTrimFromEnv();
    if (trim !== undefined) (await import('../../perception/asr/native-heap.ts')).setNativeHeapTrim(trim);
    return await (await cmd.load()).run(rest);
  } catch (err) {
    if (err instanceof HelpRequested) {
      process.stdout.write(err.text + '\n');
      return 0;
    }
    const code = err instanceof SoundFlowError ? ` [${err.code}]` : '';
    process.stderr.write(`soundflow ${name}: ${errorMessage(err)}${code}\n`);
    return 1;
  }
}
