// The Realtime conversation of one connection: items in order (user/system/assistant messages,
// function calls and their outputs), so clients can retrieve/delete them and the LLM gets the history.
// Bounded: the oldest items go first (a long always-on session must not grow without limit).
import type { Item } from './realtime-events.ts';
import type { ChatMessage } from './realtime-llm.ts';

const MAX_ITEMS = 500;

export class Conversation {
  private readonly items = new Map<string, Item>();

  get last(): string | null {
    let last: string | null = null;
    for (const k of this.items.keys()) last = k;
    return last;
  }

  has(id: string): boolean {
    return this.items.has(id);
  }

  get(id: string): Item | undefined {
    return this.items.get(id);
  }

  /** Adds (or replaces, keeping its place) an item; returns the id of the item before it. */
  put(item: Item): string | null {
    if (this.items.has(item.id)) {
      const keys = [...this.items.keys()];
      this.items.set(item.id, item);
      return keys[keys.indexOf(item.id) - 1] ?? null;
    }
    const previous = this.last;
    this.items.set(item.id, item);
    if (this.items.size > MAX_ITEMS) this.items.delete(this.items.keys().next().value as string);
    return previous;
  }

  delete(id: string): boolean {
    return this.items.delete(id);
  }

  toItems(): Item[] {
    return [...this.items.values()];
  }

  /** Id of the newest user message (typed or spoken), if any. */
  lastUserId(): string | undefined {
    for (const item of [...this.items.values()].reverse()) if (item.type === 'message' && item.role === 'user') return item.id;
    return undefined;
  }

  /** The conversation as chat-completions messages (what an OpenAI-compatible endpoint takes). */
  toChat(items: Iterable<Item> = this.items.values()): ChatMessage[] {
    return toChatMessages([...items]);
  }
}

export function textOf(item: Item): string {
  if (item.type !== 'message') return '';
  return item.content
    .map((p) => (p.type === 'input_text' || p.type === 'output_text' ? p.text : p.transcript ?? ''))
    .join(' ')
    .trim();
}

/** Messages, tool calls (consecutive calls folded into one assistant turn) and tool results, in order. */
export function toChatMessages(items: Item[]): ChatMessage[] {
  const out: ChatMessage[] = [];
  for (const item of items) {
    if (item.type === 'message') {
      const text = textOf(item);
      if (text) out.push({ role: item.role, content: text });
    } else if (item.type === 'function_call') {
      const call = { id: item.call_id, type: 'function' as const, function: { name: item.name, arguments: item.arguments } };
      const prev = out.at(-1);
      if (prev?.role === 'assistant' && prev.tool_calls && !prev.content) prev.tool_calls.push(call);
      else out.push({ role: 'assistant', content: null, tool_calls: [call] });
    } else {
      out.push({ role: 'tool', tool_call_id: item.call_id, content: item.output });
    }
  }
  return out;
}
