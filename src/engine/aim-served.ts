// A served Audio-Interaction model (the reference web demo's protocol) as an Engine, so SoundFlow's
// server, CLI and UI can sit in front of the real 3B model on a GPU box:
//   POST /audio       one 400 ms frame of PCM16 LE mono 16 kHz; 204, or 409 while the model replies
//   POST /audio_end   a hint that the microphone went quiet (the model decides by itself)
//   GET  /stream      SSE: decoded text pieces ("\n" escaped as "\\n") and the markers <|busy|> (reply
//                     started), <|end|> (reply done), <|cache_cleared|> (the server reset its context)
// The reference server keeps one global model session, so this engine allows one session at a time.
import { randomUUID } from 'node:crypto';
import { floatToPcm16, levelDb, pcm16ToBytes, unitToPcm16 } from '../audio/pcm.ts';
import { Chunker } from '../audio/chunker.ts';
import { EMOTIONS, type Emotion, type SessionEvent, type SessionState } from '../events.ts';
import type { Engine, Session } from './types.ts';
import { resolveOptions, type SessionOptions } from './options.ts';
import { CHUNK_SAMPLES, SAMPLE_RATE } from '../audio/chunk.ts';
import { EspeakTts, synthesizeAll } from '../response/tts/index.ts';
import { AsyncQueue, QueueClosedError } from '../util/queue.ts';
import { SoundFlowError, errorMessage } from '../util/errors.ts';
import { EngineError } from '../clients/errors.ts';
import { endpoint, TimedFetch } from '../clients/http.ts';
import { parseSse } from '../clients/sse.ts';

export const BUSY = '<|busy|>';
export const END = '<|end|>';
export const CACHE_CLEARED = '<|cache_cleared|>';

export interface AimServedOptions {
  /** Server root, e.g. "http://gpu-box:5001". */
  baseUrl: string;
  /** Per POST and for connecting the stream (default 10 s). */
  timeoutMs?: number;
  /** How long the SSE stream may stay silent (the reference sends a keepalive every 15 s; default 45 s). */
  streamIdleMs?: number;
  /** After a frame is accepted, how long to wait for <|busy|> to attribute the reply to it (default 40 ms). */
  busyGraceMs?: number;
  /** end() waits this long for a reply in progress (default 60 s). */
  replyTimeoutMs?: number;
  /** Reconnection attempts when /stream drops (default 3, 250 ms apart). */
  reconnectAttempts?: number;
  reconnectDelayMs?: number;
}

export class AimServedEngine implements Engine {
  readonly name = 'aim-served';
  private active: AimServedSession | null = null;

  constructor(private readonly opts: AimServedOptions) {
    endpoint(opts.baseUrl, 'audio'); // validates the URL now rather than at first use
  }

  async createSession(options: Partial<SessionOptions> = {}): Promise<Session> {
    if (this.active && !this.active.finished) {
      throw new SoundFlowError('engine_busy', 'the served model has one global session; end the current session first', { recoverable: true });
    }
    const session = new AimServedSession(this.opts, resolveOptions(options), () => {
      if (this.active === session) this.active = null;
    });
    this.active = session;
    try {
      await session.start();
    } catch (err) {
      session.close();
      throw err;
    }
    return session;
  }

  async close(): Promise<void> {
    this.active?.close();
    this.active = null;
  }
}

interface Reply {
  id: string;
  text: string;
  started: boolean;
  emotion: Emotion;
  cancelled: boolean;
}

const EMOTION_TAG = new RegExp(`^\\s*(?:<\\|(${EMOTIONS.join('|')})\\|>|<(${EMOTIONS.join('|')})>|\\[(${EMOTIONS.join('|')})\\])\\s*`, 'i');

/** Share of 20 ms frames louder than -45 dBFS: a crude stand-in for VAD (the server runs none for us). */
function activeFraction(frame: Int16Array): number {
  let n = 0;
  let loud = 0;
  for (let i = 0; i + 320 <= frame.length; i += 320, n++) if (levelDb(frame.subarray(i, i + 320)) > -45) loud++;
  return n ? loud / n : 0;
}

class AimServedSession implements Session {
  readonly id = `aim_${randomUUID().slice(0, 8)}`;
  finished = false;
  private readonly events = new AsyncQueue<SessionEvent>();
  private readonly frames: AsyncQueue<{ pcm: Int16Array; padded: boolean }>;
  /** The one chunker (src/audio/chunker.ts) cuts frames; PCM16 goes through it and back exactly. */
  private readonly chunker = new Chunker();
  private chunkIndex = 0;
  private state: SessionState = 'listening';
  private reply: Reply | null = null;
  private replies = 0;
  private busyWaiters: (() => void)[] = [];
  private busyStamp = 0;
  private replyDone: (() => void)[] = [];
  private stream: TimedFetch | null = null;
  private streamLoop: Promise<void> = Promise.resolve();
  private worker: Promise<void> = Promise.resolve();
  private instructing: Promise<void> = Promise.resolve();
  private ending = false;
  private closed = false;
  private readonly ctl = new AbortController();
  /** Context resets reported by the server (<|cache_cleared|>). */
  cacheClears = 0;

  constructor(
    private readonly opts: AimServedOptions,
    private readonly options: SessionOptions,
    private readonly onFinish: () => void,
  ) {
    this.frames = new AsyncQueue(options.queueCapacity);
  }

  private get t(): number {
    return (this.chunkIndex * CHUNK_SAMPLES) / SAMPLE_RATE;
  }

  async start(): Promise<void> {
    // Subscribe before the first frame so no <|busy|> is missed.
    await this.connectStream();
    this.emit({ type: 'session.started', sessionId: this.id, engine: 'aim-served', sampleRate: SAMPLE_RATE, chunkMs: (CHUNK_SAMPLES / SAMPLE_RATE) * 1000, mode: this.options.mode });
    this.worker = this.runFrames();
    for (const text of this.options.instructions) this.instruct(text);
  }

  // ---- input -------------------------------------------------------------------------------

  async push(pcm: Float32Array | Int16Array): Promise<void> {
    if (this.closed || this.ending) throw new SoundFlowError('session_closed', 'push after end() or close()', { recoverable: false });
    if (!(pcm instanceof Float32Array || pcm instanceof Int16Array)) throw new SoundFlowError('invalid_input', 'push: audio must be Float32Array or Int16Array', { recoverable: true });
    const samples = pcm instanceof Float32Array ? floatToPcm16(pcm) : pcm;
    try {
      for (const c of this.chunker.push(samples)) await this.frames.put({ pcm: unitToPcm16(c.pcm), padded: false });
    } catch (err) {
      if (err instanceof QueueClosedError) throw new SoundFlowError('session_closed', 'session closed while pushing', { recoverable: false });
      throw err;
    }
  }

  instruct(text: string): void {
    // The served model only hears audio: speak the instruction into the stream.
    this.instructing = this.instructing.then(async () => {
      if (this.closed || this.ending) return;
      try {
        const speech = await synthesizeAll(new EspeakTts({ voice: this.options.voice }), String(text), { sampleRate: SAMPLE_RATE, signal: this.ctl.signal });
        await this.push(speech);
        await this.push(new Int16Array(Math.round(0.8 * SAMPLE_RATE)));
      } catch (err) {
        if (!this.closed) this.emit({ type: 'error', code: err instanceof SoundFlowError ? err.code : 'instruction_failed', message: `instruction not sent: ${errorMessage(err)}`, recoverable: true });
      }
    });
  }

  private async runFrames(): Promise<void> {
    for await (const frame of this.frames) {
      if (this.closed) return;
      await this.sendFrame(frame.pcm);
    }
  }

  private async sendFrame(pcm: Int16Array): Promise<void> {
    const index = this.chunkIndex++;
    const base = { type: 'chunk' as const, index, t: this.t, speech: activeFraction(pcm), levelDb: levelDb(pcm) };
    const stampBefore = this.busyStamp;
    const req = new TimedFetch({ timeoutMs: this.opts.timeoutMs ?? 10_000, signal: this.ctl.signal, what: 'aim' });
    let status: number;
    try {
      const res = await fetch(endpoint(this.opts.baseUrl, 'audio'), {
        method: 'POST',
        headers: { 'content-type': 'application/octet-stream' },
        body: new Uint8Array(pcm16ToBytes(pcm)),
        signal: (req.arm(), req.signal),
      });
      status = res.status;
      await res.arrayBuffer().catch(() => undefined);
    } catch (err) {
      if (this.closed) return;
      const e = req.translate(err);
      this.emit({ type: 'error', code: e instanceof SoundFlowError ? e.code : 'aim_connection', message: errorMessage(e), recoverable: true });
      this.emit({ ...base, decision: 'silent', reason: 'server-error', state: this.state });
      return;
    } finally {
      req.done();
    }
    if (status === 409) {
      // The reference server cannot listen while it talks; the frame is lost, as with its own client.
      this.emit({ ...base, decision: 'silent', reason: 'busy:frame-dropped', state: 'speaking' });
      return;
    }
    if (status < 200 || status >= 300) {
      this.emit({ type: 'error', code: status >= 500 ? 'aim_server_error' : 'aim_bad_request', message: `served model answered ${status} to a frame`, recoverable: true });
      this.emit({ ...base, decision: 'silent', reason: 'server-error', state: this.state });
      return;
    }
    // <|busy|> travels on the SSE connection; it is sent before the POST returns but may arrive after.
    if (this.busyStamp === stampBefore) await this.waitBusy(this.opts.busyGraceMs ?? 40);
    const began = this.busyStamp !== stampBefore;
    this.emit({ ...base, decision: began ? 'respond' : 'silent', reason: began ? 'model:text_begin' : 'model:keep_silence', state: began ? 'speaking' : this.state });
  }

  private waitBusy(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.busyWaiters.push(done);
    });
  }

  // ---- output stream -----------------------------------------------------------------------

  private async connectStream(): Promise<void> {
    const req = new TimedFetch({ timeoutMs: this.opts.timeoutMs ?? 10_000, idleMs: this.opts.streamIdleMs ?? 45_000, signal: this.ctl.signal, what: 'aim' });
    const res = await req.fetch(endpoint(this.opts.baseUrl, 'stream'), { headers: { accept: 'text/event-stream' } });
    if (!(res.headers.get('content-type') ?? '').includes('text/event-stream')) {
      req.abort();
      throw new EngineError('aim_bad_response', '/stream is not an event stream', { retryable: false });
    }
    this.stream = req;
    this.streamLoop = this.readStream(req.chunks(res), req);
  }

  private async readStream(body: AsyncIterable<Uint8Array>, req: TimedFetch): Promise<void> {
    let failure: unknown = null;
    try {
      for await (const ev of parseSse(body)) this.onMessage(ev.data.replace(/\\n/g, '\n'));
    } catch (err) {
      failure = err;
    }
    req.done();
    if (this.closed || this.finished) return;
    // The stream dropped: whatever reply was running lost pieces; reconnect.
    this.endReply(true);
    this.emit({ type: 'error', code: 'aim_stream_dropped', message: `served model stream dropped${failure ? `: ${errorMessage(failure)}` : ''}; reconnecting`, recoverable: true });
    const attempts = this.opts.reconnectAttempts ?? 3;
    for (let i = 0; i < attempts && !this.closed; i++) {
      await new Promise((r) => setTimeout(r, this.opts.reconnectDelayMs ?? 250));
      if (this.closed) return;
      try {
        await this.connectStream();
        return;
      } catch {
        /* next attempt */
      }
    }
    if (this.closed) return;
    this.emit({ type: 'error', code: 'aim_unreachable', message: `served model stream lost after ${attempts} reconnection attempts`, recoverable: false });
    this.close();
  }

  private onMessage(data: string): void {
    if (data === BUSY) {
      if (!this.reply) this.beginReply();
      return;
    }
    if (data === END) {
      this.endReply(false);
      return;
    }
    if (data === CACHE_CLEARED) {
      this.cacheClears++;
      this.endReply(true);
      return;
    }
    // A piece with no <|busy|> before it (we joined mid-reply): treat it as a reply all the same.
    if (!this.reply) this.beginReply();
    const r = this.reply!;
    if (r.cancelled) return;
    let piece = data;
    if (!r.started) {
      const m = piece.match(EMOTION_TAG);
      if (m) {
        r.emotion = (m[1] ?? m[2] ?? m[3]).toLowerCase() as Emotion;
        piece = piece.slice(m[0].length);
        if (!piece) return;
      }
      this.startReply(r);
    }
    r.text += piece;
    this.emit({ type: 'response.text', id: r.id, delta: piece });
  }

  private beginReply(): void {
    this.reply = { id: `${this.id}_r${++this.replies}`, text: '', started: false, emotion: 'normal', cancelled: false };
    this.state = 'speaking';
    this.busyStamp++;
    for (const w of this.busyWaiters.splice(0)) w();
  }

  private startReply(r: Reply): void {
    r.started = true;
    this.emit({ type: 'response.start', id: r.id, t: this.t, task: 'chat', emotion: r.emotion });
  }

  private endReply(interrupted: boolean): void {
    const r = this.reply;
    this.reply = null;
    this.state = 'listening';
    if (r && !r.cancelled) {
      if (!r.started) this.startReply(r);
      this.emit({ type: 'response.end', id: r.id, t: this.t, text: r.text, interrupted });
    }
    for (const d of this.replyDone.splice(0)) d();
  }

  cancelResponse(): void {
    const r = this.reply;
    if (!r || r.cancelled) return;
    // The server cannot be stopped mid-reply: we close the reply for our client and drop the rest.
    if (!r.started) this.startReply(r);
    this.emit({ type: 'response.end', id: r.id, t: this.t, text: r.text, interrupted: true });
    r.cancelled = true;
  }

  // ---- lifecycle ---------------------------------------------------------------------------

  async end(): Promise<void> {
    if (this.ending || this.closed) return;
    await this.instructing;
    this.ending = true;
    const last = this.chunker.flush();
    if (last) await this.frames.put({ pcm: unitToPcm16(last.pcm), padded: true }).catch(() => {});
    this.frames.close();
    await this.worker;
    if (this.closed) return;
    await fetch(endpoint(this.opts.baseUrl, 'audio_end'), { method: 'POST', signal: AbortSignal.any([this.ctl.signal, AbortSignal.timeout(this.opts.timeoutMs ?? 10_000)]) })
      .then((r) => r.arrayBuffer())
      .catch(() => undefined);
    if (this.reply) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, this.opts.replyTimeoutMs ?? 60_000);
        this.replyDone.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
      if (this.reply) this.endReply(true);
    }
    this.finish();
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.frames.close();
    this.frames.clear();
    if (this.reply) this.endReply(true);
    this.finish();
  }

  private finish(): void {
    if (this.finished) return;
    this.finished = true;
    this.closed = true;
    this.ctl.abort(new SoundFlowError('aborted', 'session closed', { recoverable: true }));
    this.stream?.abort();
    this.emit({ type: 'session.ended', t: this.t, chunks: this.chunkIndex });
    this.events.close();
    this.onFinish();
  }

  private emit(ev: SessionEvent): void {
    this.events.tryPut(ev);
  }

  [Symbol.asyncIterator](): AsyncIterator<SessionEvent> {
    return this.events[Symbol.asyncIterator]();
  }
}
