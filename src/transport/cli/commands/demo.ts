// `soundflow demo`: the two-minute tour. Streams a bundled recording (a spoken question, a smoke alarm,
// a request to translate, ...) through the embedded engine and shows the live timeline.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { HelpRequested, helpText, wantsHelp } from '../args.ts';
import { run as runFile, RUN_DOCS, RUN_OPTIONS } from './run.ts';

export async function run(args: string[]): Promise<number> {
  if (wantsHelp(args)) {
    const usage = 'usage: soundflow demo [run options]\n  streams assets/demo.flac like `soundflow run assets/demo.flac --tail 2 --speak demo-replies.wav`; takes every run option.';
    throw new HelpRequested(helpText(usage, RUN_OPTIONS, RUN_DOCS));
  }
  const file = fileURLToPath(new URL('../../../../assets/demo.flac', import.meta.url));
  if (!existsSync(file)) {
    process.stderr.write(`demo audio missing at ${file}; regenerate it with: node scripts/make-demo-audio.ts\n`);
    return 1;
  }
  process.stdout.write(`Streaming ${file} through SoundFlow (replies are written to demo-replies.wav)\n\n`);
  return runFile([file, '--tail', '2', '--speak', 'demo-replies.wav', ...args]);
}
