// A small seeded PRNG so builds are reproducible byte for byte. Every stream gets its own generator
// derived from (seed, stream id), so results do not depend on worker count or scheduling order.

/** 32-bit FNV-1a of a string: used only to mix a stream's id into the seed. */
export function hash32(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

export interface Rng {
  /** Uniform in [0, 1). */
  next(): number;
  /** Uniform integer in [lo, hi] (both inclusive). */
  int(lo: number, hi: number): number;
  pick<T>(xs: readonly T[]): T;
  /** Fisher-Yates on a copy. */
  shuffle<T>(xs: readonly T[]): T[];
}

/** mulberry32: tiny, fast, full 2^32 period; plenty for sampling noise slices and scene layouts. */
export function createRng(seed: number | string): Rng {
  let a = (typeof seed === 'string' ? hash32(seed) : seed) >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (lo: number, hi: number) => lo + Math.floor(next() * (hi - lo + 1));
  return {
    next,
    int,
    pick: (xs) => {
      if (!xs.length) throw new RangeError('pick from an empty list');
      return xs[int(0, xs.length - 1)];
    },
    shuffle: (xs) => {
      const out = [...xs];
      for (let i = out.length - 1; i > 0; i--) {
        const j = int(0, i);
        [out[i], out[j]] = [out[j], out[i]];
      }
      return out;
    },
  };
}

/** The generator for one stream of a build. */
export function streamRng(seed: number, streamId: string): Rng {
  return createRng((hash32(streamId) ^ Math.imul(seed >>> 0, 0x9e3779b1)) >>> 0);
}
