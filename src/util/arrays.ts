// Empty arrays for per-session state that V8's optimised code will find in the same shape as the last
// session's. A fresh `[]` starts in the small-integer elements kind and turns generic on its first
// object push; code optimised on the previous session's (already generic) array then meets a
// different map and deoptimises at every session start, and is compiled again during that session's
// first chunks (docs/notes/server.md, round 15). Starting generic avoids the round trip.

/** An empty array already in V8's generic (object) elements kind. */
export function objectArray<T>(): T[] {
  const a = [null] as unknown as T[];
  a.length = 0;
  return a;
}
