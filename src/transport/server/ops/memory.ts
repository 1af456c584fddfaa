// Giving freed native memory back to the OS. Sessions allocate in native code (pocketsphinx decoding,
// onnxruntime, tfjs) from libuv and onnx worker threads; glibc keeps what they free in per-thread
// arenas, so after a burst of sessions RSS stays at its peak although nothing is in use (measured:
// +400 MB after 200 short sessions with a flat JS heap). malloc_trim(0) releases it. Linux/glibc only;
// elsewhere a no-op.
import koffi from 'koffi';

let trim: ((pad: number) => number) | null | undefined;

function load(): ((pad: number) => number) | null {
  if (trim !== undefined) return trim;
  trim = null;
  if (process.platform !== 'linux') return trim;
  try {
    // koffi is already a dependency (pocketsphinx bindings); libc is always there on glibc systems.
    const fn = koffi.load('libc.so.6').func('int malloc_trim(size_t pad)');
    trim = (pad: number) => Number(fn(pad));
  } catch {
    trim = null; // musl or no koffi: nothing to do
  }
  return trim;
}

/** Returns free heap pages to the OS; true when glibc released something. */
export function trimNativeHeap(): boolean {
  const fn = load();
  return fn ? fn(0) === 1 : false;
}

/**
 * Trims a little after sessions close (they free their native buffers on their own queues), at most
 * once per `minIntervalMs`: a trim walks every arena, a few ms of main thread, so never per session.
 */
export class HeapTrimmer {
  private timer?: NodeJS.Timeout;
  private last = 0;
  /** Trims done (for tests and the bench). */
  count = 0;

  constructor(
    private readonly delayMs = 2000,
    private readonly minIntervalMs = 10_000,
  ) {}

  sessionClosed(): void {
    if (this.timer) return;
    const wait = Math.max(this.delayMs, this.last + this.minIntervalMs - Date.now());
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.last = Date.now();
      this.count++;
      trimNativeHeap();
    }, wait);
    this.timer.unref();
  }

  stop(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }
}
