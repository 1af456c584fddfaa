// Gives the C heap's freed pages back to the OS now and then. pocketsphinx builds its lattices, word
// histories and n-best lists with malloc on koffi's worker threads and frees them at each utterance's
// end; glibc keeps those pages in its arenas instead of returning them, so a long session's RSS climbs
// to the high-water mark of every arena (1 h soak, one session: 443 → 1025 MiB while the JS heap stayed
// at ~55 MiB; MALLOC_ARENA_MAX=2 did not stop it; malloc_trim(0) every 10 s held it at ~480 MiB).
// The heap is the process's, not an engine's, so the setting is process-wide like the heap itself.
import koffi from 'koffi';
import { chunkTraceSink } from '../../util/chunk-trace.ts';

type AsyncFn = { async: (...args: unknown[]) => void };

const DEFAULT_INTERVAL_MS = 10_000;

let fn: AsyncFn | null | undefined; // undefined: not looked up yet; null: no glibc (musl, macOS)
let intervalMs: number | null = DEFAULT_INTERVAL_MS;
let last = -Infinity;
let running = false;
let trims = 0;

function trimFn(): AsyncFn | null {
  if (fn !== undefined) return fn;
  try {
    fn = koffi.load('libc.so.6').func('int malloc_trim(size_t pad)') as unknown as AsyncFn;
  } catch {
    fn = null;
  }
  return fn;
}

/**
 * How often at most the heap is trimmed after recognition work (ms; null: never). Default 10 s: one
 * trim walks every arena on a koffi worker thread, so it stays off the event loop.
 */
export function setNativeHeapTrim(ms: number | null): void {
  if (ms !== null && !(ms >= 0)) throw new RangeError(`native heap trim interval must be >= 0 or null, got ${ms}`);
  intervalMs = ms;
  last = -Infinity;
}

/** Called after a decoder finishes an utterance: trims the heap if the interval has passed. */
export function afterRecognition(now = performance.now()): void {
  if (intervalMs === null || running || now - last < intervalMs) return;
  const f = trimFn();
  if (!f) return;
  last = now;
  running = true;
  f.async(0, () => {
    running = false;
    trims++;
    chunkTraceSink()?.write({ kind: 'trim', at: now, ms: Math.round((performance.now() - now) * 10) / 10 });
  });
}

/** Trims done since the process started (for tests and benches). */
export function nativeHeapTrims(): number {
  return trims;
}
