// A promise whose outcome can be looked at without waiting, and a bounded wait for it: a decision that
// may not wait past its budget takes a result only if it is there by then (src/engine/session.ts).

export interface Tracked<T> {
  readonly promise: Promise<T>;
  /** True once the promise has settled (fulfilled; a rejection counts as settled with `failed`). */
  settled: boolean;
  failed: boolean;
  value?: T;
}

export function track<T>(promise: Promise<T>): Tracked<T> {
  const t: Tracked<T> = { promise, settled: false, failed: false };
  promise.then(
    (v) => {
      t.value = v;
      t.settled = true;
    },
    () => {
      t.failed = true;
      t.settled = true;
    },
  );
  return t;
}

/**
 * Waits at most `ms` (Infinity: until it settles; ≤ 0: not at all) and says whether it settled. Never
 * rejects: a failed promise counts as settled (the caller reads `failed`).
 */
export async function settledWithin(t: Tracked<unknown>, ms: number): Promise<boolean> {
  if (t.settled) return true;
  if (ms === Infinity) {
    await t.promise.catch(() => undefined);
    return true;
  }
  if (!(ms > 0)) return false;
  let timer: NodeJS.Timeout | undefined;
  const ok = await Promise.race([
    t.promise.then(() => true, () => true),
    new Promise<boolean>((r) => (timer = setTimeout(() => r(false), ms))),
  ]);
  clearTimeout(timer);
  // The promise's own bookkeeping callback runs before the race's, so `settled` agrees with `ok`.
  return ok || t.settled;
}
