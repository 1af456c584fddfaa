// Held-out corpus audio for the sound tests: builds (or reuses, from .cache/corpus) just the classes a
// test needs and returns their TEST-split recordings. Skips cleanly when apt-get download is impossible.
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { buildCorpus, DEFAULT_CORPUS_DIR } from '../src/soundflow/corpus/build.ts';
import { readWav } from '../src/soundflow/corpus/convert.ts';
import type { CorpusEntry } from '../src/soundflow/corpus/manifest.ts';
import { SoundFlowError } from '../src/util/errors.ts';

export interface HeldOut {
  entry: CorpusEntry;
  x: Float32Array;
}

/** Test-split files per class, or null (and the test is skipped) when the corpus cannot be fetched. */
export async function heldOut(t: TestContext, classes: string[]): Promise<Map<string, HeldOut[]> | null> {
  try {
    const m = await buildCorpus({ classes });
    const out = new Map<string, HeldOut[]>();
    for (const e of m.entries) {
      if (e.split !== 'test') continue;
      const list = out.get(e.cls) ?? [];
      list.push({ entry: e, x: readWav(join(DEFAULT_CORPUS_DIR, e.file)) });
      out.set(e.cls, list);
    }
    return out;
  } catch (err) {
    if (err instanceof SoundFlowError && err.code === 'download_failed') {
      t.skip(`corpus packages cannot be downloaded here (${err.message})`);
      return null;
    }
    throw err;
  }
}

/** The first held-out file of a class whose id matches `re` (or the first one). */
export function pickFile(files: Map<string, HeldOut[]>, cls: string, re?: RegExp): HeldOut {
  const list = files.get(cls) ?? [];
  const f = re ? list.find((h) => re.test(h.entry.id)) : list[0];
  if (!f) throw new Error(`no held-out ${cls} file${re ? ` matching ${re}` : ''}`);
  return f;
}

/** Copies `x` to a length, looping. */
export function loopTo(x: Float32Array, n: number): Float32Array {
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = x[i % x.length];
  return out;
}
