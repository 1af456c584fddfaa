// Chat completions with tools for Realtime responses: the conversation (messages, function calls and
// their outputs) goes to an OpenAI-compatible endpoint, streamed back as text deltas and, when the model
// calls functions, as complete tool calls (assembled from their streamed fragments).
import { EngineError } from '../../clients/errors.ts';
import { endpoint as joinUrl, TimedFetch } from '../../clients/http.ts';
import { parseSse } from '../../clients/sse.ts';

export interface ToolCall {
  id: string;
  type: 'function';
  function: { name: string; arguments: string };
}

export type ChatMessage =
  | { role: 'system' | 'user'; content: string }
  | { role: 'assistant'; content: string | null; tool_calls?: ToolCall[] }
  | { role: 'tool'; tool_call_id: string; content: string };

export interface FunctionTool {
  /** Only "function" tools exist for chat completions (checked before a request is made). */
  type: string;
  name: string;
  description?: string;
  parameters?: unknown;
}

export interface LlmEndpoint {
  baseUrl: string;
  model: string;
  apiKey?: string;
  timeoutMs?: number;
}

export type ChatOutput = { type: 'text'; delta: string } | { type: 'tool_call'; call: ToolCall };

export interface ChatRequest {
  messages: ChatMessage[];
  tools?: FunctionTool[];
  /** OpenAI Realtime's tool_choice ("auto" | "none" | "required" | {type:"function", name}). */
  toolChoice?: unknown;
  temperature?: number;
  maxTokens?: number;
  signal?: AbortSignal;
}

/** Streams one assistant turn: text deltas as they come, tool calls once each is complete. */
export async function* streamChat(ep: LlmEndpoint, req: ChatRequest): AsyncGenerator<ChatOutput> {
  const http = new TimedFetch({ timeoutMs: ep.timeoutMs ?? 15_000, signal: req.signal, what: 'llm' });
  const tools = req.tools?.length ? req.tools.map((t) => ({ type: 'function', function: { name: t.name, description: t.description, parameters: t.parameters ?? { type: 'object', properties: {} } } })) : undefined;
  const headers: Record<string, string> = { 'content-type': 'application/json', accept: 'text/event-stream' };
  if (ep.apiKey) headers.authorization = `Bearer ${ep.apiKey}`;
  const calls = new Map<number, ToolCall>();
  try {
    const res = await http.fetch(joinUrl(ep.baseUrl, 'chat/completions'), {
      method: 'POST',
      headers,
      body: JSON.stringify({
        model: ep.model,
        messages: req.messages,
        stream: true,
        ...(tools ? { tools, tool_choice: chatToolChoice(req.toolChoice) } : {}),
        ...(req.temperature !== undefined ? { temperature: req.temperature } : {}),
        ...(req.maxTokens !== undefined ? { max_tokens: req.maxTokens } : {}),
      }),
    });
    if (!(res.headers.get('content-type') ?? '').includes('text/event-stream')) {
      // Servers that ignore stream:true answer with one JSON body.
      const msg = choiceOf(parse(await res.text()))?.message;
      if (msg?.content) yield { type: 'text', delta: msg.content };
      for (const c of msg?.tool_calls ?? []) yield { type: 'tool_call', call: complete(c) };
      return;
    }
    for await (const ev of parseSse(http.chunks(res))) {
      if (ev.data === '[DONE]') {
        for (const c of calls.values()) yield { type: 'tool_call', call: c };
        return;
      }
      const delta = choiceOf(parse(ev.data))?.delta;
      if (delta?.content) yield { type: 'text', delta: delta.content };
      for (const frag of delta?.tool_calls ?? []) {
        const i = frag.index ?? 0;
        const c = calls.get(i) ?? { id: '', type: 'function' as const, function: { name: '', arguments: '' } };
        if (frag.id) c.id = frag.id;
        if (frag.function?.name) c.function.name += frag.function.name;
        if (frag.function?.arguments) c.function.arguments += frag.function.arguments;
        calls.set(i, c);
      }
    }
    throw new EngineError('llm_connection', 'llm stream ended before [DONE] (connection dropped)', { retryable: true });
  } finally {
    http.abort();
  }
}

type WireCall = { index?: number; id?: string; function?: { name?: string; arguments?: string } };
type Choice = { delta?: { content?: string | null; tool_calls?: WireCall[] }; message?: { content?: string | null; tool_calls?: WireCall[] } };

function parse(s: string): { choices?: Choice[]; error?: { message?: string } } {
  let j: { choices?: Choice[]; error?: { message?: string } };
  try {
    j = JSON.parse(s);
  } catch {
    throw new EngineError('llm_bad_response', `llm endpoint sent invalid JSON: ${s.slice(0, 120)}`, { retryable: false });
  }
  if (j?.error) throw new EngineError('llm_stream_error', `llm endpoint reported an error: ${j.error.message ?? JSON.stringify(j.error)}`, { retryable: false });
  return j;
}

function choiceOf(j: { choices?: Choice[] }): Choice | undefined {
  if (!Array.isArray(j.choices)) throw new EngineError('llm_bad_response', 'llm response has no choices', { retryable: false });
  return j.choices[0];
}

function complete(c: WireCall): ToolCall {
  return { id: c.id ?? '', type: 'function', function: { name: c.function?.name ?? '', arguments: c.function?.arguments ?? '' } };
}

/** Realtime's tool_choice names a function as {type, name}; chat completions nest it under `function`. */
function chatToolChoice(choice: unknown): unknown {
  if (choice && typeof choice === 'object' && (choice as { type?: string }).type === 'function') {
    return { type: 'function', function: { name: (choice as { name?: string }).name } };
  }
  return typeof choice === 'string' ? choice : 'auto';
}
