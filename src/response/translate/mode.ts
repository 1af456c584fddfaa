// Reads an Apertium .mode file (a shell pipeline) into argv lists we can spawn ourselves, with -z
// on every stage: that makes each stage flush on "\0", which the `apertium` wrapper does not do
// for plain text (it buffers until EOF), so one process chain can serve sentence after sentence.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { MissingDependencyError, SoundFlowError } from '../../util/errors.ts';

/** Where Debian's apertium-* packages install their modes. */
export const MODES_DIR = '/usr/share/apertium/modes';

/** Splits one shell command into words, honouring single and double quotes. */
function shellWords(cmd: string): string[] {
  const words: string[] = [];
  let cur = '';
  let has = false;
  let quote: '"' | "'" | null = null;
  for (const ch of cmd) {
    if (quote) {
      if (ch === quote) quote = null;
      else cur += ch;
    } else if (ch === '"' || ch === "'") {
      quote = ch;
      has = true;
    } else if (/\s/.test(ch)) {
      if (has || cur) words.push(cur);
      cur = '';
      has = false;
    } else {
      cur += ch;
      has = true;
    }
  }
  if (has || cur) words.push(cur);
  return words;
}

/** Splits on unquoted pipes. */
function splitPipes(line: string): string[] {
  const parts: string[] = [];
  let cur = '';
  let quote: string | null = null;
  for (const ch of line) {
    if (quote) {
      if (ch === quote) quote = null;
    } else if (ch === '"' || ch === "'") quote = ch;
    else if (ch === '|') {
      parts.push(cur);
      cur = '';
      continue;
    }
    cur += ch;
  }
  parts.push(cur);
  return parts.map((p) => p.trim()).filter(Boolean);
}

/**
 * The stages of a mode as argv lists. `$1` (the generator's unknown-word option) becomes -n, so
 * unknown words come out without "*" marks (they are read aloud); `$2` (tagger options) is dropped.
 */
export function modeStages(mode: string, debianPackage?: string): string[][] {
  const file = join(MODES_DIR, `${mode}.mode`);
  if (!existsSync(file)) {
    if (debianPackage) throw new MissingDependencyError(`Apertium mode ${mode}`, debianPackage);
    throw new SoundFlowError('translation_unavailable', `Apertium mode ${mode} not found in ${MODES_DIR}`);
  }
  const line = readFileSync(file, 'utf8').split('\n').map((l) => l.trim()).filter(Boolean).join(' ');
  const stages = splitPipes(line).map((stage) => {
    const words = shellWords(stage).flatMap((w) => (w === '$1' ? ['-n'] : w === '$2' ? [] : [w]));
    if (!words.length) throw new SoundFlowError('translation_unavailable', `bad Apertium mode file ${file}`);
    return [words[0], '-z', ...words.slice(1)];
  });
  if (!stages.length) throw new SoundFlowError('translation_unavailable', `empty Apertium mode file ${file}`);
  return stages;
}
