// OpenAI-compatible chat completions (OpenAI, llama.cpp server, vLLM, Ollama's /v1, ...), streamed:
// text deltas are yielded as they arrive so the responder can hand whole sentences to TTS early.
import { SoundFlowError } from '../util/errors.ts';
import { EngineError } from './errors.ts';
import { endpoint, TimedFetch } from './http.ts';
import { parseSse } from './sse.ts';

export interface ChatMessage {
  role: 'system' | 'user' | 'assistant';
  content: string;
}

export interface ChatClientOptions {
  /** Base URL including the version prefix, e.g. "http://127.0.0.1:8080/v1". */
  baseUrl: string;
  model: string;
  apiKey?: string;
  /** Limit on time to first byte and on silence between stream chunks (default 15 s). */
  timeoutMs?: number;
}

export interface ChatRequestOptions {
  signal?: AbortSignal;
  temperature?: number;
  maxTokens?: number;
}

export class OpenAIChatClient {
  readonly url: string;
  private readonly timeoutMs: number;

  constructor(private readonly opts: ChatClientOptions) {
    if (!opts.model) throw new SoundFlowError('invalid_argument', 'chat client: model is required');
    this.url = endpoint(opts.baseUrl, 'chat/completions');
    this.timeoutMs = opts.timeoutMs ?? 15_000;
    if (!(this.timeoutMs > 0)) throw new SoundFlowError('invalid_argument', 'chat client: timeoutMs must be > 0');
  }

  private headers(): Record<string, string> {
    const h: Record<string, string> = { 'content-type': 'application/json', accept: 'text/event-stream' };
    if (this.opts.apiKey) h.authorization = `Bearer ${this.opts.apiKey}`;
    return h;
  }

  /**
   * Streams the reply's text deltas. Throws EngineError (retryable for timeouts, 429, 5xx and dropped
   * connections) — possibly after some deltas, if the stream breaks midway.
   */
  async *stream(messages: ChatMessage[], opts: ChatRequestOptions = {}): AsyncGenerator<string> {
    validate(messages);
    const req = new TimedFetch({ timeoutMs: this.timeoutMs, signal: opts.signal, what: 'llm' });
    try {
      const res = await req.fetch(this.url, {
        method: 'POST',
        headers: this.headers(),
        body: JSON.stringify({
          model: this.opts.model,
          messages,
          stream: true,
          ...(opts.temperature !== undefined ? { temperature: opts.temperature } : {}),
          ...(opts.maxTokens !== undefined ? { max_tokens: opts.maxTokens } : {}),
        }),
      });
      const type = res.headers.get('content-type') ?? '';
      if (!type.includes('text/event-stream')) {
        // Some servers ignore stream:true and answer in one JSON body: accept that too.
        const body = await res.text();
        yield contentOf(parseJson(body), false);
        return;
      }
      for await (const ev of parseSse(req.chunks(res))) {
        if (ev.data === '[DONE]') return;
        const json = parseJson(ev.data);
        const delta = contentOf(json, true);
        if (delta) yield delta;
      }
      throw new EngineError('llm_connection', 'llm stream ended before [DONE] (connection dropped)', { retryable: true });
    } finally {
      // Also runs when the consumer stops early (barge-in): the HTTP request is cancelled.
      req.abort();
    }
  }

  /** The whole reply as one string. */
  async complete(messages: ChatMessage[], opts: ChatRequestOptions = {}): Promise<string> {
    let text = '';
    for await (const d of this.stream(messages, opts)) text += d;
    return text;
  }
}

function validate(messages: ChatMessage[]): void {
  if (!Array.isArray(messages) || messages.length === 0) throw new SoundFlowError('invalid_input', 'chat: messages must be a non-empty array', { recoverable: true });
  for (const m of messages) {
    if (!m || !['system', 'user', 'assistant'].includes(m.role) || typeof m.content !== 'string') {
      throw new SoundFlowError('invalid_input', 'chat: each message needs a role (system|user|assistant) and string content', { recoverable: true });
    }
  }
}

function parseJson(s: string): unknown {
  try {
    return JSON.parse(s);
  } catch {
    throw new EngineError('llm_bad_response', `llm endpoint sent invalid JSON: ${s.slice(0, 120)}`, { retryable: false });
  }
}

function contentOf(json: unknown, streaming: boolean): string {
  const j = json as { error?: { message?: string; code?: string | number }; choices?: { delta?: { content?: string | null }; message?: { content?: string | null } }[] };
  if (j?.error) {
    const code = j.error.code;
    const retryable = code === 429 || code === 'rate_limit_exceeded' || code === 503 || code === 'server_error';
    throw new EngineError('llm_stream_error', `llm endpoint reported an error: ${j.error.message ?? JSON.stringify(j.error)}`, { retryable });
  }
  if (!Array.isArray(j?.choices)) throw new EngineError('llm_bad_response', 'llm response has no choices', { retryable: false });
  const c = j.choices[0];
  const content = streaming ? c?.delta?.content : c?.message?.content;
  return typeof content === 'string' ? content : '';
}
