// Assertions that code fails the project's way: a SoundFlowError with the expected stable code.
import assert from 'node:assert/strict';
import { SoundFlowError } from '../../src/util/errors.ts';

export function expectCode(fn: () => unknown, code: string): void {
  assert.throws(fn, (e: unknown) => e instanceof SoundFlowError && e.code === code, `expected SoundFlowError ${code}`);
}

/** Awaits `p`, which must reject with SoundFlowError `code`; returns the error for further checks. */
export async function expectCodeAsync(p: Promise<unknown>, code: string): Promise<SoundFlowError> {
  let caught: unknown;
  try {
    await p;
  } catch (e) {
    caught = e;
  }
  assert.ok(caught instanceof SoundFlowError, `expected SoundFlowError ${code}, got ${String(caught)}`);
  assert.equal(caught.code, code, caught.message);
  return caught;
}
