// The project's one seeded PRNG (mulberry32) and string hash (FNV-1a), so synthesised audio, corpus
// splits, scene layouts and augmentation are reproducible byte for byte. The exact sequences are part of
// built data sets (splits, plans, WAVs): change nothing here without rebuilding and saying so.

/** A uniform source in [0, 1). */
export type Random = () => number;

/** Stable 32-bit FNV-1a hash of a string (seeds and splits must not depend on run order). */
export function hash32(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** mulberry32: tiny, fast, full 2^32 period; plenty for sampling noise, layouts and synthesis. */
export function makeRng(seed: number): Random {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export const uniform = (rng: Random, lo: number, hi: number): number => lo + (hi - lo) * rng();
/** Uniform integer in [lo, hiIncl]. */
export const randInt = (rng: Random, lo: number, hiIncl: number): number => lo + Math.floor(rng() * (hiIncl - lo + 1));
export const pick = <T>(rng: Random, xs: readonly T[]): T => xs[Math.floor(rng() * xs.length)];

/** Standard normal via Box–Muller (two draws). */
export function gauss(rng: Random): number {
  const u = Math.max(1e-12, rng());
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rng());
}

/** The same generator as an object, for code that passes one stream of draws around. */
export interface Rng {
  /** Uniform in [0, 1). */
  next(): number;
  /** Uniform integer in [lo, hi] (both inclusive). */
  int(lo: number, hi: number): number;
  /** Throws on an empty list (unlike the bare `pick`, which returns undefined). */
  pick<T>(xs: readonly T[]): T;
  /** Fisher-Yates on a copy. */
  shuffle<T>(xs: readonly T[]): T[];
}

/** A seeded generator; a string seed is hashed first. */
export function createRng(seed: number | string): Rng {
  const next = makeRng(typeof seed === 'string' ? hash32(seed) : seed);
  const int = (lo: number, hi: number) => randInt(next, lo, hi);
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

/** The generator for one stream of a data build, from (seed, stream id): independent of worker count and order. */
export function streamRng(seed: number, streamId: string): Rng {
  return createRng((hash32(streamId) ^ Math.imul(seed >>> 0, 0x9e3779b1)) >>> 0);
}
