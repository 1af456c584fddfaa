// Tiny flag parser shared by the data and eval commands: `--name value`, `--name=value`, bare `--flag`.
import { SoundFlowError } from '../../util/errors.ts';

export interface ParsedArgs {
  positional: string[];
  flags: Map<string, string | true>;
}

export function parseArgs(args: string[], booleans: string[] = []): ParsedArgs {
  const flags = new Map<string, string | true>();
  const positional: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (!a.startsWith('--')) {
      positional.push(a);
      continue;
    }
    const eq = a.indexOf('=');
    const name = eq > 0 ? a.slice(2, eq) : a.slice(2);
    if (eq > 0) flags.set(name, a.slice(eq + 1));
    else if (booleans.includes(name)) flags.set(name, true);
    else {
      const v = args[i + 1];
      if (v === undefined || v.startsWith('--')) throw new SoundFlowError('invalid_argument', `--${name} needs a value`);
      flags.set(name, v);
      i++;
    }
  }
  return { positional, flags };
}

export function str(a: ParsedArgs, name: string, required = false): string | undefined {
  const v = a.flags.get(name);
  if (v === true) throw new SoundFlowError('invalid_argument', `--${name} needs a value`);
  if (v === undefined && required) throw new SoundFlowError('invalid_argument', `--${name} is required`);
  return v;
}

export function int(a: ParsedArgs, name: string, min = 0): number | undefined {
  const v = str(a, name);
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < min) throw new SoundFlowError('invalid_argument', `--${name} must be an integer >= ${min}, got "${v}"`);
  return n;
}

export function checkKnown(a: ParsedArgs, known: string[]): void {
  for (const k of a.flags.keys()) if (!known.includes(k)) throw new SoundFlowError('invalid_argument', `unknown option --${k}`);
}
