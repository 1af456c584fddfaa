// One real-time client session over the native /ws protocol, as the server benches drive it: opens the
// socket, starts the session, streams PCM16 in 100 ms frames at real-time pace and measures what a client
// sees. Shared by bench/knee.ts, bench/server.ts, bench/server-hostile.ts and bench/idle.ts.
//  - chunk latency: the `chunk` event's arrival minus the moment the chunk's last sample left the client;
//    over 400 ms (the next chunk's worth of audio) it missed its deadline;
//  - turn-taking: the last sample of a question sent → the first `response.audio` of the next reply;
//  - decision → audio: the `chunk` event with `respond` → that reply's first audio.
import WebSocket from 'ws';
import { CHUNK_MS, CHUNK_SAMPLES, SAMPLE_RATE } from '../audio/chunk.ts';

export interface WsSessionOptions {
  /** Sample indices where each question's speech ends (turn-taking is measured from there). */
  questionEnds?: number[];
  /** Samples per frame sent (a browser worklet sends 100 ms). */
  frameSamples?: number;
  /** Wait before `end`, ms, so the last chunk's event arrives on its own (end pads and flushes at once). */
  tailMs?: number;
  /** A reply counts as the answer to a question only this soon after it, ms (Infinity: any later reply). */
  turnWindowMs?: number;
  /** Start the stream this many ms after connecting (staggers concurrent sessions). */
  delayMs?: number;
  /** Fields of the `session.update` that starts the session. */
  update?: Record<string, unknown>;
  /** Called once the session has started; streaming waits for `startAfter` (e.g. all sessions started). */
  onStarted?: () => void;
  startAfter?: Promise<unknown>;
  /** Stop streaming early once `done` turns true (checked before each frame). */
  until?: { done: boolean };
}

export interface WsSessionResult {
  chunkLatencyMs: number[];
  /** Chunk indices whose event came later than CHUNK_MS after their last sample was sent. */
  missedAt: number[];
  missed: number;
  /** Worst latency among the last 3 chunks: a growing backlog shows here. */
  tailLatencyMs: number;
  /** session.update → session.started (model set-up; streaming starts after it). */
  setupMs: number;
  chunks: number;
  replies: number;
  decisionToAudioMs: number[];
  turnTakingMs: number[];
  /** Error codes the server sent. */
  errors: string[];
  /** The engine session's id (session.started), to find its chunks in a server-side trace. */
  sessionId?: string;
  /** Per chunk index: the client-side latency, ms (chunks whose event came). */
  latencyAt: Map<number, number>;
}

/** Opens a WebSocket and resolves once it is open. */
export function openWs(url: string, protocols?: string | string[]): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, protocols);
    ws.once('open', () => resolve(ws));
    ws.once('error', reject);
  });
}

/** Streams `audio` (PCM16, 16 kHz) through one /ws session at real-time pace; resolves after the close. */
export async function streamWsSession(url: string, audio: Int16Array, o: WsSessionOptions = {}): Promise<WsSessionResult> {
  const frame = o.frameSamples ?? 1600;
  const questionEnds = [...(o.questionEnds ?? [])].sort((a, b) => a - b);
  const turnWindow = o.turnWindowMs ?? Infinity;
  if (o.delayMs) await new Promise((r) => setTimeout(r, o.delayMs));
  const r: WsSessionResult = { chunkLatencyMs: [], missedAt: [], missed: 0, tailLatencyMs: 0, setupMs: 0, chunks: 0, replies: 0, decisionToAudioMs: [], turnTakingMs: [], errors: [], latencyAt: new Map() };
  const ws = await openWs(url);
  const chunkSentAt: number[] = [];
  const endSentAt: number[] = [];
  let answered = 0;
  let respondAt: number | undefined;
  const awaiting = new Set<string>();
  let onStarted: () => void = () => undefined;
  const started = new Promise<void>((res) => (onStarted = res));
  ws.on('message', (data, isBinary) => {
    if (isBinary) return;
    const now = performance.now();
    const ev = JSON.parse(data.toString()) as { type: string; index?: number; decision?: string; id?: string; code?: string; sessionId?: string };
    if (ev.type === 'session.started') {
      r.sessionId = ev.sessionId;
      onStarted();
    }
    else if (ev.type === 'chunk') {
      r.chunks++;
      const sent = chunkSentAt[ev.index!];
      if (sent !== undefined) {
        const lat = now - sent;
        r.chunkLatencyMs.push(lat);
        r.latencyAt.set(ev.index!, lat);
        if (lat > CHUNK_MS) {
          r.missed++;
          r.missedAt.push(ev.index!);
        }
      }
      if (ev.decision === 'respond') respondAt = now;
    } else if (ev.type === 'response.start') {
      r.replies++;
      awaiting.add(ev.id!);
    } else if (ev.type === 'response.audio' && awaiting.delete(ev.id!)) {
      if (respondAt !== undefined) r.decisionToAudioMs.push(now - respondAt);
      respondAt = undefined;
      // The latest question whose end has been sent and not answered yet.
      const k = endSentAt.length - 1;
      if (k >= answered && now - endSentAt[k] < turnWindow) {
        r.turnTakingMs.push(now - endSentAt[k]);
        answered = k + 1;
      }
    } else if (ev.type === 'error') r.errors.push(ev.code ?? 'error');
  });
  const closed = new Promise<void>((res) => ws.once('close', () => res()));
  const s0 = performance.now();
  ws.send(JSON.stringify({ type: 'session.update', ...(o.update ?? {}) }));
  await Promise.race([started, closed]);
  r.setupMs = performance.now() - s0;
  o.onStarted?.();
  if (o.startAfter) await o.startAfter;
  const t0 = performance.now();
  let q = 0;
  for (let i = 0; i < audio.length && ws.readyState === WebSocket.OPEN && !o.until?.done; i += frame) {
    const part = audio.subarray(i, i + frame);
    ws.send(Buffer.from(part.buffer, part.byteOffset, part.byteLength));
    const sentEnd = i + part.length;
    const now = performance.now();
    if (sentEnd % CHUNK_SAMPLES === 0) chunkSentAt[sentEnd / CHUNK_SAMPLES - 1] = now;
    while (q < questionEnds.length && sentEnd >= questionEnds[q]) endSentAt[q++] = now;
    const due = t0 + (sentEnd / SAMPLE_RATE) * 1000;
    await new Promise((res) => setTimeout(res, Math.max(0, due - performance.now())));
  }
  await new Promise((res) => setTimeout(res, o.tailMs ?? 800));
  r.tailLatencyMs = r.chunkLatencyMs.length ? Math.max(...r.chunkLatencyMs.slice(-3)) : NaN;
  if (ws.readyState === WebSocket.OPEN) ws.send(JSON.stringify({ type: 'end' }));
  await closed;
  return r;
}

/** p-th percentile (nearest rank below), NaN for no samples. */
export function percentile(xs: number[], p: number): number {
  if (!xs.length) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
}
