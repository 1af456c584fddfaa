// Moved to src/util/rng.ts (one PRNG for the whole tree). Kept only so imports written before the
// move still resolve; import from util/rng.ts instead, and delete this file once nothing uses it.
export { gauss, hash32, makeRng, pick, randInt, uniform, type Random as Rng } from '../../util/rng.ts';
