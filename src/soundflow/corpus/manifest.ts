// The corpus manifest: one entry per file used (recorded or synthesised), with provenance and split.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { SoundFlowError } from '../../util/errors.ts';

export type Split = 'train' | 'val' | 'test';

export interface CorpusEntry {
  /** Stable id: `<package>:<path in package>` or `synth:<kind>:<n>` or `tts:<voice>:<n>`. */
  id: string;
  /** WAV path relative to the corpus directory. */
  file: string;
  cls: string;
  /** Debian package, or "soundflow-synth" / "espeak-ng" for generated audio. */
  package: string;
  /** Path inside the package (or the generator recipe). */
  source: string;
  licence: string;
  seconds: number;
  split: Split;
  /** recorded or generated: splits are made within each origin so both sides see both. */
  origin: 'recorded' | 'generated';
}

export interface CorpusManifest {
  version: 1;
  createdBy: string;
  sampleRate: 16000;
  entries: CorpusEntry[];
  /** Files that matched a rule but could not be decoded or were silent. */
  skipped: { id: string; reason: string }[];
}

export function readManifest(path: string): CorpusManifest {
  if (!existsSync(path)) throw new SoundFlowError('corpus_missing', `no corpus manifest at ${path}: run "soundflow corpus build" first`);
  const m = JSON.parse(readFileSync(path, 'utf8')) as CorpusManifest;
  if (m.version !== 1 || !Array.isArray(m.entries)) throw new SoundFlowError('corpus_invalid', `${path} is not a corpus manifest`);
  return m;
}

export function writeManifest(path: string, m: CorpusManifest): void {
  writeFileSync(path, JSON.stringify(m, null, 1) + '\n');
}

/** Per class: file count and seconds per split. */
export function summarise(entries: CorpusEntry[]): Map<string, Record<Split, { files: number; seconds: number }>> {
  const out = new Map<string, Record<Split, { files: number; seconds: number }>>();
  for (const e of entries) {
    let s = out.get(e.cls);
    if (!s) out.set(e.cls, (s = { train: { files: 0, seconds: 0 }, val: { files: 0, seconds: 0 }, test: { files: 0, seconds: 0 } }));
    s[e.split].files++;
    s[e.split].seconds += e.seconds;
  }
  return out;
}
