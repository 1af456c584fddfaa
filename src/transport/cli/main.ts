// CLI entry: `soundflow <command> ...`. Each command lives in its own module, imported lazily so that
// `soundflow run` never pays for the server or the trainer.
import { errorMessage, SoundFlowError } from '../../util/errors.ts';

type CommandModule = { run(args: string[]): Promise<number> };

const COMMANDS: Record<string, { load: () => Promise<CommandModule>; help: string }> = {
  run: { load: () => import('./commands/run.ts'), help: 'run <file|-> [--json] [--instruction T] [--speak out.wav] [--realtime] [--tail S]' },
  demo: { load: () => import('./commands/demo.ts'), help: 'demo: transcribe and answer a bundled spoken question' },
  serve: { load: () => import('./commands/serve.ts'), help: 'serve [--port P] [--host H]: WebSocket server + browser page' },
  corpus: { load: () => import('./commands/corpus.ts'), help: 'corpus build|list|music: the real sound corpus from Debian packages; the music-style corpus' },
  train: { load: () => import('./commands/train.ts'), help: 'train sounds|decision|music' },
  data: { load: () => import('./commands/data.ts'), help: 'data build --input IN.jsonl --noise DIR --out DIR [--seed N]' },
  eval: { load: () => import('./commands/eval.ts'), help: 'eval --data DIR --policy rules|learned|server_vad|never|always [--json]' },
};

function usage(): string {
  return ['usage: soundflow <command> [options]', '', ...Object.values(COMMANDS).map((c) => '  ' + c.help)].join('\n');
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
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
    return await (await cmd.load()).run(rest);
  } catch (err) {
    const code = err instanceof SoundFlowError ? ` [${err.code}]` : '';
    process.stderr.write(`soundflow ${name}: ${errorMessage(err)}${code}\n`);
    return 1;
  }
}
