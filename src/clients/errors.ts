// Errors of remote engines: a SoundFlowError with a stable code, plus whether retrying the same
// request could succeed (timeouts, 429, 5xx, dropped connections) and the HTTP status if any.
import { SoundFlowError } from '../util/errors.ts';
import type { ErrorCode, RemoteKind } from '../error-codes.ts';

export class EngineError extends SoundFlowError {
  readonly retryable: boolean;
  readonly status?: number;
  constructor(code: ErrorCode, message: string, opts: { retryable: boolean; status?: number; cause?: unknown }) {
    // Every engine failure leaves the session running: it falls back to the offline path.
    super(code, message, { recoverable: true, cause: opts.cause });
    this.name = 'EngineError';
    this.retryable = opts.retryable;
    this.status = opts.status;
  }
}

/** Maps an HTTP error status to an EngineError; `what` names the engine in messages ("llm", "asr"). */
export function httpError(what: RemoteKind, status: number, body: string): EngineError {
  const detail = body.replace(/\s+/g, ' ').trim().slice(0, 300);
  if (status === 429) return new EngineError(`${what}_rate_limited`, `${what} endpoint rate-limited the request (429)${detail ? `: ${detail}` : ''}`, { retryable: true, status });
  if (status === 401 || status === 403) return new EngineError(`${what}_unauthorized`, `${what} endpoint refused the credentials (${status})`, { retryable: false, status });
  if (status >= 500) return new EngineError(`${what}_server_error`, `${what} endpoint failed (${status})${detail ? `: ${detail}` : ''}`, { retryable: true, status });
  return new EngineError(`${what}_bad_request`, `${what} endpoint rejected the request (${status})${detail ? `: ${detail}` : ''}`, { retryable: false, status });
}
