// Bounded cost per client message. `JSON.parse` of hostile input is the expensive step (4 MB of `[`
// took ~1.4 s of main-thread time), so text messages are first scanned byte by byte: nesting depth and
// the number of values are counted without building anything, and the scan stops at the first byte
// over a limit. Only messages that pass are decoded and parsed. A per-connection budget then bounds
// what one client can make the main thread do per second (bytes received, handler time): over it,
// the socket is paused until the budget refills, so TCP slows the client instead of everyone else.
import { SoundFlowError } from '../../util/errors.ts';

export interface JsonShapeLimits {
  /** Deepest `[`/`{` nesting accepted (real client events need < 10). */
  maxDepth: number;
  /** Most values (separators `,`/`:` plus one) accepted; audio travels as one long string, not many values. */
  maxValues: number;
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_SQ = 0x5b;
const CLOSE_SQ = 0x5d;
const OPEN_CURLY = 0x7b;
const CLOSE_CURLY = 0x7d;
const COMMA = 0x2c;
const COLON = 0x3a;

/**
 * Checks the shape of a UTF-8 JSON text without parsing it; throws a recoverable SoundFlowError
 * (`message_too_deep` / `message_too_complex`) at the first byte past a limit. Multi-byte UTF-8
 * sequences never contain ASCII bytes, so scanning bytes is exact. Not a validator: JSON.parse still
 * rejects malformed text afterwards; this only guarantees that parse cost stays linear and small.
 */
export function checkJsonShape(buf: Uint8Array, limits: JsonShapeLimits): void {
  let depth = 0;
  let values = 1;
  const bytes = Buffer.isBuffer(buf) ? buf : Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength);
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i];
    switch (b) {
      case QUOTE:
        // Jump to the closing quote with a native search (audio travels as megabytes of base64 in one
        // string); a quote preceded by an odd number of backslashes is escaped, search on.
        for (;;) {
          const q = bytes.indexOf(QUOTE, i + 1);
          if (q < 0) return; // unterminated: JSON.parse rejects it, cheaply
          let k = q - 1;
          while (bytes[k] === BACKSLASH) k--;
          i = q;
          if ((q - 1 - k) % 2 === 0) break;
        }
        break;
      case OPEN_SQ:
      case OPEN_CURLY:
        if (++depth > limits.maxDepth) {
          throw new SoundFlowError('message_too_deep', `JSON nesting deeper than ${limits.maxDepth} levels`, { recoverable: true });
        }
        break;
      case CLOSE_SQ:
      case CLOSE_CURLY:
        depth--;
        break;
      case COMMA:
      case COLON:
        if (++values > limits.maxValues) {
          throw new SoundFlowError('message_too_complex', `JSON message with more than ${limits.maxValues} values`, { recoverable: true });
        }
        break;
    }
  }
}

/** A token bucket that may go negative: the debt is how long the client must wait. */
class Bucket {
  private level: number;
  private last: number;
  constructor(
    private readonly ratePerS: number,
    private readonly burst: number,
    private readonly now: () => number,
  ) {
    this.level = burst;
    this.last = now();
  }

  /** Spends `amount`; returns ms until the bucket is back at zero (0 when not in debt). */
  spend(amount: number): number {
    const t = this.now();
    this.level = Math.min(this.burst, this.level + ((t - this.last) / 1000) * this.ratePerS);
    this.last = t;
    this.level -= amount;
    return this.level >= 0 ? 0 : (-this.level / this.ratePerS) * 1000;
  }
}

export interface BudgetLimits {
  /** Inbound bytes per second, sustained, and the burst above it. */
  inboundBytesPerSecond: number;
  inboundBurstBytes: number;
  /** Main-thread ms spent in this connection's message handlers per second, and the burst above it. */
  handlerMsPerSecond: number;
  handlerBurstMs: number;
}

/** One connection's budget: charge each message, get back how long to pause reading (0 = go on). */
export class ConnectionBudget {
  private readonly bytes: Bucket;
  private readonly ms: Bucket;
  /** Times the connection was paused for being over budget. */
  throttled = 0;

  constructor(limits: BudgetLimits, now: () => number = () => performance.now()) {
    this.bytes = new Bucket(limits.inboundBytesPerSecond, limits.inboundBurstBytes, now);
    this.ms = new Bucket(limits.handlerMsPerSecond, limits.handlerBurstMs, now);
  }

  charge(bytes: number, handlerMs: number): number {
    const wait = Math.max(this.bytes.spend(bytes), this.ms.spend(handlerMs));
    if (wait > 0) this.throttled++;
    return wait;
  }
}

/**
 * Pauses a socket for several independent reasons (inbound audio backlog, budget debt): reading
 * resumes only when none is left, so one reason ending cannot undo another's pause.
 */
export class PauseGate {
  private readonly reasons = new Set<string>();
  constructor(private readonly target: { pause(): void; resume(): void }) {}

  get isPaused(): boolean {
    return this.reasons.size > 0;
  }

  pause(reason: string): void {
    if (this.reasons.size === 0) this.target.pause();
    this.reasons.add(reason);
  }

  resume(reason: string): void {
    if (!this.reasons.delete(reason) || this.reasons.size > 0) return;
    this.target.resume();
  }

  /** The view SessionLink uses for its backlog pause. */
  for(reason: string): { pause(): void; resume(): void; readonly isPaused: boolean } {
    const reasons = this.reasons;
    return {
      pause: () => this.pause(reason),
      resume: () => this.resume(reason),
      get isPaused() {
        return reasons.has(reason);
      },
    };
  }
}
