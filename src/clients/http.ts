// fetch with the two limits a streaming client needs: time to the response headers and idle time
// between body chunks. Either one aborts the request with a retryable `<what>_timeout` EngineError;
// the caller's AbortSignal aborts with a non-retryable `aborted` error.
import type { RemoteKind } from '../error-codes.ts';
import { SoundFlowError } from '../util/errors.ts';
import { EngineError, httpError } from './errors.ts';

export interface TimedRequest {
  /** Stop waiting (headers or the next body chunk) after this long. */
  timeoutMs: number;
  /** Limit between body chunks, when it differs from timeoutMs (SSE with sparse keepalives). */
  idleMs?: number;
  signal?: AbortSignal;
  /** Engine name for error codes/messages. */
  what: RemoteKind;
}

/** Joins a base URL ("http://h:1/v1" or ".../v1/") and a relative path ("chat/completions"). */
export function endpoint(baseUrl: string, path: string): string {
  let url: URL;
  try {
    url = new URL(baseUrl.endsWith('/') ? baseUrl : `${baseUrl}/`);
  } catch {
    throw new SoundFlowError('invalid_argument', `invalid base URL ${JSON.stringify(baseUrl)}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new SoundFlowError('invalid_argument', `base URL must be http(s), got ${url.protocol}`);
  return new URL(path.replace(/^\//, ''), url).toString();
}

export class TimedFetch {
  private readonly ctl = new AbortController();
  private timer: NodeJS.Timeout | undefined;
  private readonly onUserAbort = () => this.ctl.abort(new SoundFlowError('aborted', `${this.req.what} request aborted`, { recoverable: true }));

  constructor(private readonly req: TimedRequest) {
    if (req.signal?.aborted) this.onUserAbort();
    else req.signal?.addEventListener('abort', this.onUserAbort, { once: true });
  }

  get signal(): AbortSignal {
    return this.ctl.signal;
  }

  /** (Re)starts the idle timer; call it whenever data arrives. */
  arm(ms = this.req.timeoutMs): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(
      () => this.ctl.abort(new EngineError(`${this.req.what}_timeout`, `${this.req.what} endpoint did not answer within ${ms} ms`, { retryable: true })),
      ms,
    );
  }

  /** Performs the request; non-2xx statuses become EngineErrors. The idle timer stays armed for the body. */
  async fetch(url: string, init: RequestInit): Promise<Response> {
    this.arm();
    let res: Response;
    try {
      res = await fetch(url, { ...init, signal: this.ctl.signal });
    } catch (err) {
      this.done();
      throw this.translate(err);
    }
    if (!res.ok) {
      const body = await res.text().catch(() => '');
      this.done();
      throw httpError(this.req.what, res.status, body);
    }
    return res;
  }

  /** Reads the body chunk by chunk, re-arming the idle timer per chunk. */
  async *chunks(res: Response): AsyncGenerator<Uint8Array> {
    if (!res.body) return;
    const reader = res.body.getReader();
    try {
      for (;;) {
        this.arm(this.req.idleMs);
        let r: ReadableStreamReadResult<Uint8Array>;
        try {
          r = await reader.read();
        } catch (err) {
          throw this.translate(err);
        }
        if (r.done) return;
        yield r.value;
      }
    } finally {
      this.done();
      reader.cancel().catch(() => {});
    }
  }

  /** Our own abort reasons pass through; network failures become retryable connection errors. */
  translate(err: unknown): Error {
    const reason = this.ctl.signal.aborted ? this.ctl.signal.reason : undefined;
    if (reason instanceof SoundFlowError) return reason;
    if (err instanceof SoundFlowError) return err;
    const cause = (err as { cause?: { code?: string; message?: string } })?.cause;
    const detail = cause?.code ?? cause?.message ?? (err instanceof Error ? err.message : String(err));
    return new EngineError(`${this.req.what}_connection`, `${this.req.what} endpoint connection failed: ${detail}`, { retryable: true, cause: err });
  }

  done(): void {
    clearTimeout(this.timer);
    this.req.signal?.removeEventListener('abort', this.onUserAbort);
  }

  /** Aborts the request (e.g. the consumer stopped iterating). */
  abort(): void {
    this.done();
    if (!this.ctl.signal.aborted) this.ctl.abort(new SoundFlowError('aborted', `${this.req.what} request aborted`, { recoverable: true }));
  }
}
