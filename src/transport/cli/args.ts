// Flag parsing for every CLI command: node's own parseArgs (strict: unknown flags are errors), with
// its errors turned into `invalid_argument` and small checked conversions for numeric flags.
import { parseArgs, type ParseArgsConfig } from 'node:util';

type ParseArgsOptionsConfig = NonNullable<ParseArgsConfig['options']>;
import { errorMessage, SoundFlowError } from '../../util/errors.ts';

/** Parses `args` against `options`; a bad flag is an `invalid_argument` error carrying `usage`. */
export function parseFlags<const O extends ParseArgsOptionsConfig>(args: string[], options: O, usage = '') {
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
