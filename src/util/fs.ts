// Atomic file writes: a file that exists is always complete (resumable builders and parallel readers rely on it).
import { renameSync, writeFileSync } from 'node:fs';

/** A private sibling name for `path` (same extension, so tools still infer the format). */
export function partName(path: string): string {
  return path.replace(/(\.\w+)?$/, (ext) => `.part-${process.pid}-${Math.random().toString(36).slice(2, 8)}${ext || ''}`);
}

/** Writes through a private sibling and a rename. */
export function writeFileAtomic(path: string, data: Uint8Array | string): void {
  const part = partName(path);
  writeFileSync(part, data);
  renameSync(part, path);
}
