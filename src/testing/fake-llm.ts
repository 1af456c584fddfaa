// A local OpenAI-compatible chat endpoint that streams a fixed reply at a set pace, for benches that
// measure what a streaming LLM does to reply latency without a network or a model: POST
// /v1/chat/completions (stream: true) answers with Server-Sent Events, the first token after
// `firstTokenMs`, then one token every 1000 / `tokensPerSecond` ms. A token here is a word with the
// space before it (real tokenisers give ~1.3 tokens per English word, so the pace in words is a bit
// faster than the same figure in model tokens).
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakeLlmOptions {
  /** The reply streamed for every request. */
  reply: string;
  firstTokenMs: number;
  tokensPerSecond: number;
}

export interface FakeLlm {
  /** Base URL with the version prefix (http://127.0.0.1:PORT/v1). */
  baseUrl: string;
  requests: number;
  close(): Promise<void>;
}

/** The reply split into the tokens the server streams. */
export function fakeTokens(reply: string): string[] {
  return reply.match(/\s*\S+/g) ?? [];
}

export async function startFakeLlm(o: FakeLlmOptions): Promise<FakeLlm> {
  const tokens = fakeTokens(o.reply);
  const state = { requests: 0 };
  const timers = new Set<NodeJS.Timeout>();
  const server: Server = createServer((req, res) => {
    if (req.method !== 'POST' || !req.url?.endsWith('/chat/completions')) {
      res.writeHead(404).end();
      return;
    }
    state.requests++;
    req.resume();
    req.on('end', () => {
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
      const send = (i: number) => {
        if (res.destroyed) return;
        if (i >= tokens.length) {
          res.end('data: [DONE]\n\n');
          return;
        }
        const chunk = { id: 'fake', object: 'chat.completion.chunk', model: 'fake', choices: [{ index: 0, delta: { content: tokens[i] }, finish_reason: null }] };
        res.write(`data: ${JSON.stringify(chunk)}\n\n`);
        later(() => send(i + 1), 1000 / o.tokensPerSecond);
      };
      later(() => send(0), o.firstTokenMs);
    });
  });
  const later = (f: () => void, ms: number) => {
    const t = setTimeout(() => {
      timers.delete(t);
      f();
    }, ms);
    timers.add(t);
  };
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  return {
    baseUrl: `http://127.0.0.1:${port}/v1`,
    get requests() {
      return state.requests;
    },
    close: () =>
      new Promise<void>((r) => {
        for (const t of timers) clearTimeout(t);
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}
