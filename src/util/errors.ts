// Errors that cross a stage boundary carry a stable code (surfaced as `error` events and CLI messages)
// and whether the session can go on after them.

import type { ErrorCode } from '../error-codes.ts';

export type { ErrorCode } from '../error-codes.ts';

export class SoundFlowError extends Error {
  readonly code: ErrorCode;
  readonly recoverable: boolean;
  constructor(code: ErrorCode, message: string, opts: { recoverable?: boolean; cause?: unknown } = {}) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = 'SoundFlowError';
    this.code = code;
    this.recoverable = opts.recoverable ?? false;
  }
}

/** Raised when a Debian package the project relies on is absent; names the package and the fix. */
export class MissingDependencyError extends SoundFlowError {
  constructor(what: string, debianPackage: string) {
    super(
      'missing_dependency',
      `${what} not found: install the Debian package "${debianPackage}" (run: bash scripts/setup.sh)`,
    );
  }
}

export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
