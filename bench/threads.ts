// CPU time of this process's threads, for benches that must tell the main thread's own work from the
// recogniser's (libuv pool) and V8's helper threads. Linux only (/proc, clock_gettime through koffi).
import { readFileSync, readdirSync } from 'node:fs';
import koffi from 'koffi';

// Registers the struct type by name for the declaration below.
koffi.struct('sf_timespec', { tv_sec: 'int64', tv_nsec: 'int64' });
const clockGettime = koffi.load('libc.so.6').func('int clock_gettime(int clk, _Out_ sf_timespec *ts)');
const CLOCK_THREAD_CPUTIME_ID = 3;
const pid = process.pid;

/** CPU time of the calling thread, ms, exact (schedstat lags by up to a tick for the thread reading it). */
export function threadCpuMs(): number {
  const ts = { tv_sec: 0, tv_nsec: 0 };
  clockGettime(CLOCK_THREAD_CPUTIME_ID, ts);
  return Number(ts.tv_sec) * 1000 + Number(ts.tv_nsec) / 1e6;
}

/** utime + stime in ms: the main thread's, and the whole process's (workers and libuv's pool included); 10 ms ticks. */
export function processCpuMs(): { main: number; all: number } {
  const ticks = (path: string) => {
    const f = readFileSync(path, 'utf8').split(') ')[1].split(' ');
    return (Number(f[11]) + Number(f[12])) * 10;
  };
  return { main: ticks(`/proc/${pid}/task/${pid}/stat`), all: ticks(`/proc/${pid}/stat`) };
}

/** How long the main thread has sat runnable but not running, ms (its run-queue wait, /proc schedstat). */
export function mainRunQueueWaitMs(): number {
  return Number(readFileSync(`/proc/${pid}/task/${pid}/schedstat`, 'utf8').split(' ')[1]) / 1e6;
}

/** CPU time of each thread of this process but the main one, ms, keyed `name#tid` (/proc comm and schedstat). */
export function otherThreadsCpuByThread(): Map<string, number> {
  const m = new Map<string, number>();
  for (const t of readdirSync(`/proc/${pid}/task`)) {
    if (t === String(pid)) continue;
    try {
      const name = readFileSync(`/proc/${pid}/task/${t}/comm`, 'utf8').trim();
      m.set(`${name}#${t}`, Number(readFileSync(`/proc/${pid}/task/${t}/schedstat`, 'utf8').split(' ')[0]) / 1e6);
    } catch {
      // the thread ended meanwhile
    }
  }
  return m;
}

/** CPU time of every thread of this process but the main one, ms. */
export function otherThreadsCpuMs(): number {
  let s = 0;
  for (const ms of otherThreadsCpuByThread().values()) s += ms;
  return s;
}

/**
 * Waits until the other threads (the recogniser's work of earlier streams) use under 5% of a core over
 * half a second, at most `maxMs`; returns how long that took and the CPU they used meanwhile.
 */
export async function otherThreadsIdle(maxMs = 30_000): Promise<{ ms: number; cpuMs: number }> {
  const t0 = performance.now();
  const c0 = otherThreadsCpuMs();
  let prev = c0;
  while (performance.now() - t0 < maxMs) {
    await new Promise((r) => setTimeout(r, 500));
    const c = otherThreadsCpuMs();
    if (c - prev < 25) break;
    prev = c;
  }
  return { ms: performance.now() - t0, cpuMs: otherThreadsCpuMs() - c0 };
}
