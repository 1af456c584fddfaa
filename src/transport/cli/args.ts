// Flag parsing for every CLI command: node's own parseArgs (strict: unknown flags are errors), with
// its errors turned into `invalid_argument` and small checked conversions for numeric flags.
import { parseArgs, type ParseArgsConfig } from 'node:util';

type ParseArgsOptionsConfig = NonNullable<ParseArgsConfig['options']>;
import { errorMessage, SoundFlowError } from '../../util/errors.ts';

/** `--help`/`-h` was given: main prints `text` (the usage and every flag the command accepts) and exits 0. */
export class HelpRequested extends Error {
  constructor(readonly text: string) {
    super('help requested');
  }
}

/** One line of description per flag, keyed like the options. */
export type FlagDocs = Record<string, string>;

/** The command's usage followed by every flag of its parser config (so the list cannot drift from what is accepted). */
export function helpText(usage: string, options: ParseArgsOptionsConfig, docs: FlagDocs = {}): string {
  const rows: [string, string][] = [];
  for (const [name, o] of Object.entries(options)) {
    if (name === 'help') continue;
    const flag = `${o.short ? `-${o.short}, ` : '    '}--${name}${o.type === 'string' ? ' <value>' : ''}`;
    const notes = [docs[name] ?? ''];
    const d = o.default;
    if (d !== undefined && d !== false && !(Array.isArray(d) && d.length === 0)) notes.push(`(default: ${Array.isArray(d) ? d.join(',') : d})`);
    if (o.multiple) notes.push('(repeatable)');
    rows.push([flag, notes.filter(Boolean).join(' ')]);
  }
  rows.push(['-h, --help', 'this help']);
  const w = Math.max(...rows.map(([f]) => f.length));
  return [usage.trimEnd(), '', 'options:', ...rows.map(([f, d]) => `  ${f.padEnd(w)}  ${d}`.trimEnd())].join('\n');
}

/** True when the arguments ask for help. */
export function wantsHelp(args: readonly string[]): boolean {
  return args.includes('--help') || args.includes('-h');
}

/**
 * Parses `args` against `options`; a bad flag is an `invalid_argument` error carrying `usage`.
 * `--help`/`-h` anywhere throws HelpRequested with the usage and every flag (described by `docs`).
 */
export function parseFlags<const O extends ParseArgsOptionsConfig>(
  args: string[],
  options: O,
  usage = '',
  docs: FlagDocs = {},
): ReturnType<typeof parseArgs<{ args: string[]; options: O; allowPositionals: true; strict: true }>> {
  if (wantsHelp(args)) throw new HelpRequested(helpText(usage, options, docs));
  try {
    return parseArgs({ args, options, allowPositionals: true, strict: true });
  } catch (err) {
    throw new SoundFlowError('invalid_argument', usage ? `${errorMessage(err)}\n${usage}` : errorMessage(err));
  }
}

/** A required string flag. */
export function required(value: string | undefined, name: string): string {
  if (value === undefined || value === '') throw new SoundFlowError('invalid_argument', `--${name} is required`);
  return value;
}

/** An integer flag >= min, or undefined when absent. */
export function intFlag(value: string | undefined, name: string, min = 0): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (value.trim() === '' || !Number.isInteger(n) || n < min) throw new SoundFlowError('invalid_argument', `--${name} must be an integer >= ${min}, got "${value}"`);
  return n;
}
