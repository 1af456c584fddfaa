// Small local HTTP servers that speak the protocols of SoundFlow's remote engines, on 127.0.0.1 only:
// OpenAI-compatible chat completions (SSE streaming) and audio transcriptions (multipart upload,
// transcribed for real by pocketsphinx), and the reference Audio-Interaction web demo (/audio,
// /audio_end, /stream). Each can be told to fail: HTTP errors, slow answers, dropped connections.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** What the server does with one request; requests without a scripted behaviour are answered normally. */
export type Behaviour =
  | { kind: 'ok' }
  | { kind: 'status'; status: number; body?: string }
  /** Wait before answering (longer than the client's timeout → timeout). */
  | { kind: 'delay'; ms: number }
  /** Destroy the socket without answering. */
  | { kind: 'drop' }
  /** Chat only: stream a few deltas, then destroy the socket before [DONE]. */
  | { kind: 'drop-mid-stream' }
  /** Chat only: stream a few deltas, then an SSE error object. */
  | { kind: 'error-in-stream' }
  /** Chat only: stall after the first delta for `ms`. */
  | { kind: 'stall-mid-stream'; ms: number };

export interface RecordedRequest {
  method: string;
  path: string;
  headers: IncomingMessage['headers'];
  body: Buffer;
}

export interface FakeServer {
  url: string;
  requests: RecordedRequest[];
  /** Behaviours for the next requests, consumed in order. */
  script: Behaviour[];
  close(): Promise<void>;
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    req.on('data', (d: Buffer) => parts.push(d));
    req.on('end', () => resolve(Buffer.concat(parts)));
    req.on('error', reject);
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Waits `ms`, or less if the client goes away first: a scripted delay never holds the test process open. */
function stall(res: ServerResponse, ms: number): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      res.off('close', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    res.on('close', done);
  });
}

async function listen(server: Server, sockets: Set<Socket>): Promise<string> {
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

function closer(server: Server, sockets: Set<Socket>): () => Promise<void> {
  return () =>
    new Promise((resolve) => {
      for (const s of sockets) s.destroy();
      server.close(() => resolve());
    });
}

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

// ---------------------------------------------------------------------------------------------
// OpenAI-compatible: /v1/chat/completions and /v1/audio/transcriptions

export interface FakeOpenAIOptions {
  /** Required bearer token, if any (401 otherwise). */
  apiKey?: string;
  /** The assistant's reply to a conversation (default: reads back the last user message). */
  reply?: (messages: { role: string; content: string }[]) => string;
  /** Delay between streamed deltas (ms). */
  deltaDelayMs?: number;
  /** Function calls to make instead of replying (null: reply with text). Gets the whole request body. */
  toolCalls?: (payload: { messages: unknown[]; tools?: unknown[] }) => { name: string; arguments: string }[] | null;
}

export interface FakeOpenAI extends FakeServer {
  /** What the transcription endpoint saw: WAV format of each upload and the form fields. */
  uploads: { sampleRate: number; channels: number; bits: number; seconds: number; fields: Record<string, string> }[];
}

export function defaultReply(messages: { role: string; content: string }[]): string {
  const last = [...messages].reverse().find((m) => m.role === 'user')?.content ?? '';
  const words = last.split(/\s+/).filter(Boolean).length;
  return `You said "${last}". That is ${words} words. Anything else?`;
}

/** Runs pocketsphinx's open decoder on a 16 kHz mono WAV: a real, if weak, transcription. */
export function pocketsphinxTranscribe(wav: Buffer): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'sf-fake-asr-'));
  const file = join(dir, 'in.wav');
  writeFileSync(file, wav);
  return new Promise((resolve, reject) => {
    execFile('pocketsphinx_continuous', ['-infile', file, '-logfn', '/dev/null'], { timeout: 120_000 }, (err, stdout) => {
      rmSync(dir, { recursive: true, force: true });
      if (err) reject(err);
      else resolve(stdout.trim().split('\n').join(' '));
    });
  });
}

function parseWavFormat(buf: Buffer): { sampleRate: number; channels: number; bits: number; seconds: number } | null {
  if (buf.length < 44 || buf.toString('ascii', 0, 4) !== 'RIFF' || buf.toString('ascii', 8, 12) !== 'WAVE') return null;
  let o = 12;
  let fmt: { sampleRate: number; channels: number; bits: number } | null = null;
  while (o + 8 <= buf.length) {
    const id = buf.toString('ascii', o, o + 4);
    const size = buf.readUInt32LE(o + 4);
    if (id === 'fmt ') fmt = { channels: buf.readUInt16LE(o + 10), sampleRate: buf.readUInt32LE(o + 12), bits: buf.readUInt16LE(o + 22) };
    if (id === 'data' && fmt) return { ...fmt, seconds: size / (fmt.sampleRate * fmt.channels * (fmt.bits / 8)) };
    o += 8 + size + (size & 1);
  }
  return null;
}

export async function startFakeOpenAI(opts: FakeOpenAIOptions = {}): Promise<FakeOpenAI> {
  const sockets = new Set<Socket>();
  const server = createServer();
  const fake: FakeOpenAI = { url: '', requests: [], script: [], uploads: [], close: closer(server, sockets) };
  server.on('request', async (req, res) => {
    // Taken as the request arrives, not once its body is in: a request its client abandons mid-upload
    // must still use up its own scripted behaviour, never leave it to the next request.
    const b = fake.script.shift() ?? { kind: 'ok' };
    const body = await readBody(req);
    fake.requests.push({ method: req.method ?? '', path: req.url ?? '', headers: req.headers, body });
    if (b.kind === 'drop') return req.socket.destroy();
    if (b.kind === 'delay') await stall(res, b.ms);
    if (b.kind === 'status') return json(res, b.status, { error: { message: b.body ?? `scripted ${b.status}`, type: 'server_error', code: b.status } });
    if (opts.apiKey && req.headers.authorization !== `Bearer ${opts.apiKey}`) return json(res, 401, { error: { message: 'invalid api key', code: 'invalid_api_key' } });
    if (req.method === 'POST' && req.url === '/v1/chat/completions') return chat(req, res, body, b);
    if (req.method === 'POST' && req.url === '/v1/audio/transcriptions') return transcription(req, res, body);
    json(res, 404, { error: { message: `no route ${req.method} ${req.url}` } });
  });

  async function chat(_req: IncomingMessage, res: ServerResponse, body: Buffer, b: Behaviour): Promise<void> {
    let payload: { model?: unknown; messages?: unknown; stream?: unknown };
    try {
      payload = JSON.parse(body.toString('utf8'));
    } catch {
      return json(res, 400, { error: { message: 'invalid JSON body' } });
    }
    const messages = payload.messages as { role: string; content: string }[];
    if (typeof payload.model !== 'string' || !Array.isArray(messages) || !messages.length) return json(res, 400, { error: { message: 'model and messages are required' } });
    const id = `chatcmpl-${Date.now()}`;
    const calls = opts.toolCalls?.(payload as { messages: unknown[]; tools?: unknown[] }) ?? null;
    if (calls?.length) return toolCallStream(res, id, String(payload.model), calls);
    const text = (opts.reply ?? defaultReply)(messages);
    if (payload.stream !== true) {
      return json(res, 200, { id, object: 'chat.completion', model: payload.model, choices: [{ index: 0, message: { role: 'assistant', content: text }, finish_reason: 'stop' }] });
    }
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
    const send = (delta: object, finish: string | null = null) =>
      res.write(`data: ${JSON.stringify({ id, object: 'chat.completion.chunk', model: payload.model, choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`);
    send({ role: 'assistant', content: '' });
    const pieces = text.match(/\S+\s*/g) ?? [];
    for (let i = 0; i < pieces.length; i++) {
      if (i === 2 && b.kind === 'drop-mid-stream') return void res.socket?.destroy();
      if (i === 2 && b.kind === 'error-in-stream') {
        res.write(`data: ${JSON.stringify({ error: { message: 'model overloaded', code: 'server_error' } })}\n\n`);
        return void res.end();
      }
      if (i === 1 && b.kind === 'stall-mid-stream') await stall(res, b.ms);
      if (res.destroyed) return;
      send({ content: pieces[i] });
      if (opts.deltaDelayMs) await sleep(opts.deltaDelayMs);
    }
    send({}, 'stop');
    res.write('data: [DONE]\n\n');
    res.end();
  }

  /** Streams function calls the way OpenAI does: id and name first, the arguments in fragments. */
  function toolCallStream(res: ServerResponse, id: string, model: string, calls: { name: string; arguments: string }[]): void {
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
    const send = (delta: object, finish: string | null = null) =>
      res.write(`data: ${JSON.stringify({ id, object: 'chat.completion.chunk', model, choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`);
    send({ role: 'assistant', content: null });
    calls.forEach((c, index) => {
      const half = Math.floor(c.arguments.length / 2);
      send({ tool_calls: [{ index, id: `call_${index}_${Date.now()}`, type: 'function', function: { name: c.name, arguments: c.arguments.slice(0, half) } }] });
      send({ tool_calls: [{ index, function: { arguments: c.arguments.slice(half) } }] });
    });
    send({}, 'tool_calls');
    res.write('data: [DONE]\n\n');
    res.end();
  }

  async function transcription(req: IncomingMessage, res: ServerResponse, body: Buffer): Promise<void> {
    const type = req.headers['content-type'] ?? '';
    if (!type.startsWith('multipart/form-data')) return json(res, 400, { error: { message: 'expected multipart/form-data' } });
    let form: FormData;
    try {
      form = await new Response(new Uint8Array(body), { headers: { 'content-type': type } }).formData();
    } catch {
      return json(res, 400, { error: { message: 'malformed multipart body' } });
    }
    const file = form.get('file');
    const model = form.get('model');
    if (!(file instanceof Blob) || typeof model !== 'string' || !model) return json(res, 400, { error: { message: 'file and model are required' } });
    const fmtName = form.get('response_format');
    if (fmtName !== null && fmtName !== 'json') return json(res, 400, { error: { message: `unsupported response_format ${String(fmtName)}` } });
    const wav = Buffer.from(await file.arrayBuffer());
    const fmt = parseWavFormat(wav);
    if (!fmt) return json(res, 400, { error: { message: 'file is not a WAV' } });
    const fields: Record<string, string> = {};
    form.forEach((v, k) => {
      if (typeof v === 'string') fields[k] = v;
    });
    fake.uploads.push({ ...fmt, fields });
    let text: string;
    try {
      text = await pocketsphinxTranscribe(wav);
    } catch (err) {
      return json(res, 500, { error: { message: `decoder failed: ${String(err)}` } });
    }
    json(res, 200, { text });
  }

  fake.url = await listen(server, sockets);
  return fake;
}

// ---------------------------------------------------------------------------------------------
// The reference Audio-Interaction web demo: POST /audio, POST /audio_end, GET /stream (SSE).

export interface FakeAimOptions {
  /** Frames louder than this (dBFS RMS) count as sound (default -35). */
  speechDb?: number;
  /** Quiet frames after sound that make the "model" reply (default 2). */
  silenceFrames?: number;
  /** Delay between reply pieces (ms, default 5). */
  pieceDelayMs?: number;
  /** Send <|cache_cleared|> after this many replies (the reference: 3). */
  clearAfterReplies?: number;
  /** Emotion tag piece sent first in each reply, e.g. "<|happy|>". */
  emotionTag?: string;
  /** Comment keepalive period (ms, default 15000 as the reference). */
  keepaliveMs?: number;
}

export interface FakeAim extends FakeServer {
  /** Frames accepted (204), in order; each the PCM16 bytes as posted. */
  frames: Buffer[];
  /** Frames refused with 409 while busy. */
  refused: number;
  audioEnds: number;
  /** Replies sent so far, as full text. */
  replies: string[];
  /** Index (into `frames`) of the frame that triggered each reply. */
  triggers: number[];
  /** Closes every open /stream connection (the client should reconnect). */
  dropStreams(): void;
  streamConnections: number;
}

export async function startFakeAim(opts: FakeAimOptions = {}): Promise<FakeAim> {
  const sockets = new Set<Socket>();
  const server = createServer();
  const clients = new Set<ServerResponse>();
  let busy = false;
  let soundFrames = 0;
  let quiet = 0;
  let soundSamples = 0;
  const fake: FakeAim = {
    url: '', requests: [], script: [], frames: [], refused: 0, audioEnds: 0, replies: [], triggers: [], streamConnections: 0,
    close: async () => {
      for (const c of clients) c.destroy();
      await closer(server, sockets)();
    },
    dropStreams: () => {
      for (const c of clients) c.socket?.destroy();
      clients.clear();
    },
  };
  const broadcast = (msg: string) => {
    for (const c of clients) c.write(`data: ${msg.replace(/\r/g, '').replace(/\n/g, '\\n')}\n\n`);
  };

  async function speak(seconds: number): Promise<void> {
    const text = `I heard ${seconds.toFixed(1)} seconds of sound.\nThat is all.`;
    if (opts.emotionTag) broadcast(opts.emotionTag);
    for (const piece of text.match(/\S+\s*/g) ?? []) {
      await sleep(opts.pieceDelayMs ?? 5);
      broadcast(piece);
    }
    fake.replies.push(text);
    broadcast('<|end|>');
    if (opts.clearAfterReplies && fake.replies.length % opts.clearAfterReplies === 0) broadcast('<|cache_cleared|>');
    busy = false;
  }

  server.on('request', async (req, res) => {
    const body = await readBody(req);
    fake.requests.push({ method: req.method ?? '', path: req.url ?? '', headers: req.headers, body });
    if (req.method === 'GET' && req.url === '/stream') {
      fake.streamConnections++;
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
      res.write(': connected\n\n');
      clients.add(res);
      const ka = setInterval(() => res.write(': keepalive\n\n'), opts.keepaliveMs ?? 15_000);
      res.on('close', () => {
        clearInterval(ka);
        clients.delete(res);
      });
      return;
    }
    if (req.method === 'POST' && req.url === '/audio_end') {
      fake.audioEnds++;
      res.writeHead(204).end();
      return;
    }
    if (req.method !== 'POST' || req.url !== '/audio') return void res.writeHead(404).end('not found');
    const b = fake.script.shift() ?? { kind: 'ok' };
    if (b.kind === 'drop') return void req.socket.destroy();
    if (b.kind === 'delay') await stall(res, b.ms);
    if (b.kind === 'status') return void res.writeHead(b.status).end(b.body ?? 'scripted error');
    if (busy) {
      fake.refused++;
      return void res.writeHead(409).end('not ready');
    }
    if (!body.length) return void res.writeHead(400).end('empty');
    if (body.length % 2) return void res.writeHead(400).end('odd byte count');
    fake.frames.push(body);
    let sum = 0;
    for (let i = 0; i < body.length; i += 2) sum += (body.readInt16LE(i) / 32768) ** 2;
    const db = 10 * Math.log10(sum / (body.length / 2) + 1e-12);
    if (db > (opts.speechDb ?? -35)) {
      soundFrames++;
      soundSamples += body.length / 2;
      quiet = 0;
    } else if (soundFrames > 0 && ++quiet >= (opts.silenceFrames ?? 2)) {
      // Reply: announce before answering the POST, as the reference does (TEXT_BEGIN → <|busy|> → 204).
      busy = true;
      fake.triggers.push(fake.frames.length - 1);
      const seconds = soundSamples / 16000;
      soundFrames = 0;
      soundSamples = 0;
      quiet = 0;
      broadcast('<|busy|>');
      void speak(seconds);
    }
    res.writeHead(204).end();
  });

  fake.url = await listen(server, sockets);
  return fake;
}
