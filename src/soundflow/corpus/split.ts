// Train/val/test split by source file: a recording is never cut across splits. Within each
// (class, origin) group files are ordered by a stable hash of their id, so adding a class or a package
// does not reshuffle the others, and a subset build agrees with the full build.
import { hash32 } from '../../util/rng.ts';
import type { Split } from './manifest.ts';

export interface Splittable {
  id: string;
  cls: string;
  origin: string;
}

/** Test ≈ 20 %, val ≈ 15 %; a group of 2 gives 1 train + 1 test, a group of 1 stays in train. */
export function splitCounts(n: number): { test: number; val: number } {
  const test = n >= 2 ? Math.max(1, Math.round(0.2 * n)) : 0;
  const val = n >= 4 ? Math.max(1, Math.round(0.15 * n)) : 0;
  return { test, val };
}

export function assignSplits<T extends Splittable>(items: T[]): Map<string, Split> {
  const groups = new Map<string, T[]>();
  for (const it of items) {
    const k = `${it.cls}|${it.origin}`;
    const g = groups.get(k);
    if (g) g.push(it);
    else groups.set(k, [it]);
  }
  const out = new Map<string, Split>();
  for (const g of groups.values()) {
    g.sort((a, b) => hash32('split:' + a.id) - hash32('split:' + b.id) || (a.id < b.id ? -1 : 1));
    const { test, val } = splitCounts(g.length);
    g.forEach((it, i) => out.set(it.id, i < test ? 'test' : i < test + val ? 'val' : 'train'));
  }
  return out;
}
