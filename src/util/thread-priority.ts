// Recognition runs on libuv's thread pool (koffi async calls), per-chunk perception and the sockets on the
// event loop. On two cores four decoding threads and the event loop share the CPU as equals, so a chunk
// that arrives while utterances are being decoded waits in the run queue (7–42 ms measured, round 13 of
// docs/notes/server.md). Lowering the pool threads' priority lets the event loop run first; decoding
// still gets every cycle the loop leaves idle. Linux only: setpriority(PRIO_PROCESS, tid) names one thread.
// Lowering a priority needs no privilege; anything unsupported leaves the threads as they were.
import koffi from 'koffi';

interface Libc {
  gettid: ((...a: unknown[]) => number) & { async: (...a: unknown[]) => void };
  setpriority: (which: number, who: number, prio: number) => number;
  getpriority: (which: number, who: number) => number;
}

let libc: Libc | null | undefined;

function bind(): Libc | null {
  if (libc !== undefined) return libc;
  libc = null;
  if (process.platform !== 'linux') return libc;
  try {
    const lib = koffi.load('libc.so.6');
    libc = {
      gettid: lib.func('int gettid(void)') as Libc['gettid'],
      setpriority: lib.func('int setpriority(int which, uint32_t who, int prio)') as Libc['setpriority'],
      getpriority: lib.func('int getpriority(int which, uint32_t who)') as Libc['getpriority'],
    };
  } catch {
    libc = null; // no glibc gettid (< 2.30) or not glibc: leave priorities alone
  }
  return libc;
}

const PRIO_PROCESS = 0;
const lowered = new Set<number>();

/** Thread ids of the pool threads lowered so far (for tests and diagnostics). */
export function loweredPoolThreads(): readonly number[] {
  return [...lowered];
}

/** A thread's nice value (Linux), or null when it cannot be read. */
export function threadNice(tid: number): number | null {
  const c = bind();
  if (!c) return null;
  return c.getpriority(PRIO_PROCESS, tid);
}

/**
 * Lowers the priority (raises the nice value by `nice`) of libuv's pool threads. The pool hands jobs to
 * whichever thread is free, so bursts of tiny jobs (each returns its thread's id) reach every thread; they
 * stop after two bursts that found no new thread (the pool's size is not known here: UV_THREADPOOL_SIZE).
 * Returns the threads lowered by this call. Safe to call again (threads already lowered are left alone).
 */
export async function lowerPoolPriority(nice: number, bursts = 12): Promise<number[]> {
  const c = bind();
  if (!c || nice <= 0) return [];
  const mainTid = process.pid;
  const fresh: number[] = [];
  for (let b = 0, idle = 0; b < bursts && idle < 2; b++) {
    const tids = await Promise.all(
      Array.from({ length: 32 }, () => new Promise<number>((resolve) => c.gettid.async((err: unknown, tid: number) => resolve(err ? -1 : tid)))),
    );
    const before = fresh.length;
    for (const tid of new Set(tids)) {
      if (tid <= 0 || tid === mainTid || lowered.has(tid)) continue;
      const now = c.getpriority(PRIO_PROCESS, tid);
      if (c.setpriority(PRIO_PROCESS, tid, Math.min(19, now + nice)) === 0) {
        lowered.add(tid);
        fresh.push(tid);
      }
    }
    idle = fresh.length > before || lowered.size === 0 ? 0 : idle + 1;
  }
  return fresh;
}
