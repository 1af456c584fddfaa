// The noise library of step 1: a directory of audio files from which leading-noise and tail slices are
// cut. Its index (file -> sample count at 16 kHz) is cached in the output dir so reruns skip the decode.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { SoundFlowError } from '../../util/errors.ts';
import { decodeFile } from '../../audio/decode.ts';
import { writeFileAtomic } from '../../util/fs.ts';

const AUDIO_EXT = /\.(wav|flac|ogg|oga|mp3|opus|m4a|aiff?|au)$/i;

export interface NoiseFile {
  path: string;
  samples: number;
  size: number;
  mtimeMs: number;
}

/** "silence" means no library: every slice is digital silence (handy for alignment checks). */
export type NoiseLibrary = { kind: 'silence' } | { kind: 'files'; dir: string; files: NoiseFile[] };

function listAudio(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    const st = statSync(p);
    if (st.isDirectory()) listAudio(p, out);
    else if (AUDIO_EXT.test(name)) out.push(p);
  }
  return out;
}

/**
 * Indexes the library, reusing `cachePath` entries whose size and mtime are unchanged. Files that do not
 * decode are left out with a warning through `warn`.
 */
export async function indexNoise(spec: string, cachePath: string | null, warn: (msg: string) => void): Promise<NoiseLibrary> {
  if (spec === 'silence') return { kind: 'silence' };
  const dir = resolve(spec);
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new SoundFlowError('noise_missing', `noise library ${spec} is not a directory`);
  const cached = new Map<string, NoiseFile>();
  if (cachePath && existsSync(cachePath)) {
    try {
      for (const f of JSON.parse(readFileSync(cachePath, 'utf8')).files as NoiseFile[]) cached.set(f.path, f);
    } catch {
      /* a broken cache is simply rebuilt */
    }
  }
  const files: NoiseFile[] = [];
  for (const path of listAudio(dir)) {
    const st = statSync(path);
    const hit = cached.get(path);
    if (hit && hit.size === st.size && hit.mtimeMs === st.mtimeMs) {
      files.push(hit);
      continue;
    }
    try {
      const x = await decodeFile(path);
      files.push({ path, samples: x.length, size: st.size, mtimeMs: st.mtimeMs });
    } catch (err) {
      warn(`noise file ${relative(dir, path)} ignored: ${(err as Error).message}`);
    }
  }
  if (files.length === 0) throw new SoundFlowError('noise_empty', `noise library ${spec} holds no decodable audio files`);
  if (cachePath) writeFileAtomic(cachePath, JSON.stringify({ dir, files }, null, 1) + '\n');
  return { kind: 'files', dir, files };
}

/** Throws a clear error unless some file can supply a slice of `need` samples. */
export function checkNoiseLength(lib: NoiseLibrary, need: number, sampleRate: number): void {
  if (lib.kind === 'silence') return;
  const longest = Math.max(...lib.files.map((f) => f.samples));
  if (longest < need) {
    throw new SoundFlowError(
      'noise_too_short',
      `noise library ${lib.dir} is too short: its longest file is ${(longest / sampleRate).toFixed(2)} s but slices need up to ${(need / sampleRate).toFixed(2)} s; add longer ambience recordings`,
    );
  }
}

/** Decoded noise, cached per process (each worker keeps its own). */
const cache = new Map<string, Promise<Float32Array>>();

export function loadNoise(path: string): Promise<Float32Array> {
  let p = cache.get(path);
  if (!p) {
    p = decodeFile(path);
    cache.set(path, p);
    p.catch(() => cache.delete(path));
  }
  return p;
}
