// A small WebSocket test client: records every message, waits for the one you want, reports the close.
import WebSocket, { type ClientOptions } from 'ws';

export interface Received {
  /** Parsed JSON for text frames; undefined for binary ones. */
  json?: any;
  binary?: Buffer;
  at: number;
}

export class TestClient {
  readonly ws: WebSocket;
  readonly messages: Received[] = [];
  readonly opened: Promise<void>;
  readonly closed: Promise<{ code: number; reason: string }>;
  private waiters: { pred: (m: Received) => boolean; resolve: (m: Received) => void }[] = [];

  constructor(url: string, protocols?: string | string[], opts: ClientOptions = {}) {
    this.ws = new WebSocket(url, protocols, opts);
    this.opened = new Promise((resolve, reject) => {
      this.ws.once('open', () => resolve());
      this.ws.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
      this.ws.once('error', reject);
    });
    this.closed = new Promise((resolve) => this.ws.once('close', (code, reason) => resolve({ code, reason: reason.toString() })));
    this.ws.on('message', (data, isBinary) => {
      const buf = Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data as Buffer);
      const m: Received = isBinary ? { binary: buf, at: performance.now() } : { json: JSON.parse(buf.toString()), at: performance.now() };
      this.messages.push(m);
      this.waiters = this.waiters.filter((w) => (w.pred(m) ? (w.resolve(m), false) : true));
    });
  }

  events(type?: string): any[] {
    return this.messages.filter((m) => m.json && (!type || m.json.type === type)).map((m) => m.json);
  }

  /** Resolves with the first message (already received or future) matching `pred`. */
  waitFor(pred: (j: any) => boolean, timeoutMs = 30_000, what = 'message'): Promise<any> {
    const p = (m: Received) => m.json !== undefined && pred(m.json);
    const hit = this.messages.find(p);
    if (hit) return Promise.resolve(hit.json);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`timed out waiting for ${what}; got ${this.events().map((e) => e.type).join(',')}`)), timeoutMs);
      this.waiters.push({ pred: p, resolve: (m) => (clearTimeout(timer), resolve(m.json)) });
    });
  }

  waitType(type: string, timeoutMs?: number): Promise<any> {
    return this.waitFor((j) => j.type === type, timeoutMs, type);
  }

  send(obj: unknown): void {
    this.ws.send(typeof obj === 'string' ? obj : JSON.stringify(obj));
  }
}

/** Sends 16 kHz PCM16 as binary frames of `frameSamples`, optionally paced at real time. */
export async function streamPcm(ws: WebSocket, pcm: Int16Array, opts: { frameSamples?: number; realtime?: boolean; rate?: number } = {}): Promise<void> {
  const n = opts.frameSamples ?? 1600;
  const rate = opts.rate ?? 16000;
  const t0 = performance.now();
  for (let i = 0; i < pcm.length; i += n) {
    const part = pcm.subarray(i, Math.min(pcm.length, i + n));
    ws.send(Buffer.from(part.buffer, part.byteOffset, part.byteLength));
    if (opts.realtime) {
      const due = t0 + ((i + n) / rate) * 1000;
      await new Promise((r) => setTimeout(r, Math.max(0, due - performance.now())));
    } else if ((i / n) % 20 === 0) {
      await new Promise((r) => setImmediate(r));
    }
  }
}
