// Where answers to open questions come from, behind one small interface: the offline skills, or an
// OpenAI-compatible chat endpoint (streamed, so TTS can start on the first sentence).
import { OpenAIChatClient, type ChatClientOptions } from '../clients/openai-chat.ts';
import { answer } from './skills/index.ts';

export interface ChatModel {
  /** Streams the reply to one question, as text deltas. */
  reply(question: string, signal: AbortSignal): AsyncIterable<string>;
  /** Streams a translation from English into a language Apertium lacks (LLM endpoints only). */
  translate?(text: string, language: string, signal: AbortSignal): AsyncIterable<string>;
}

export const DEFAULT_SYSTEM_PROMPT = 'You are SoundFlow, a voice assistant that is always listening. Answer in one or two short spoken sentences.';

/**
 * An OpenAI-compatible chat endpoint (OpenAI, llama.cpp server, vLLM, Ollama's /v1, ...). `systemPrompt`
 * (e.g. a Realtime session's instructions) replaces the default one.
 */
export function endpointChatModel(options: ChatClientOptions, systemPrompt?: string): ChatModel {
  const client = new OpenAIChatClient(options);
  const system = systemPrompt?.trim() || DEFAULT_SYSTEM_PROMPT;
  return {
    reply: (question, signal) => client.stream([{ role: 'system', content: system }, { role: 'user', content: question }], { signal }),
    translate: (text, language, signal) =>
      client.stream([{ role: 'system', content: `Translate the user's words from English into ${language}. Reply with the translation only.` }, { role: 'user', content: text }], { signal }),
  };
}

/** The offline skills as a chat model: one whole reply, or the skills' fallback line. */
export const offlineChatModel: ChatModel = {
  async *reply(question) {
    const a = answer(question, { now: new Date(), addressed: true });
    if (a) yield a.text;
  },
};
