// What the Realtime endpoint does not do, found before anything changes, so the client gets an `error`
// naming the field (param) rather than silence: unknown parameters (OpenAI answers those with
// `unknown_parameter` too) and known OpenAI features SoundFlow does not implement.
import type { ResponseParams, SessionConfig } from './realtime-schema.ts';

export interface Unsupported {
  code: 'unknown_parameter' | 'unsupported_parameter';
  param: string;
  message: string;
}

/** Every session field of the GA and beta shapes (GA `audio.*` nested, beta flat). */
const SESSION_FIELDS = new Set([
  'type', 'model', 'instructions', 'output_modalities', 'audio', 'tools', 'tool_choice', 'temperature', 'max_output_tokens',
  'tracing', 'prompt', 'include', 'truncation', 'client_secret', 'expires_at', 'id', 'object',
  'modalities', 'voice', 'input_audio_format', 'output_audio_format', 'turn_detection', 'input_audio_transcription',
  'input_audio_noise_reduction', 'max_response_output_tokens', 'speed',
]);
const AUDIO_INPUT_FIELDS = new Set(['format', 'turn_detection', 'transcription', 'noise_reduction']);
const AUDIO_OUTPUT_FIELDS = new Set(['format', 'voice', 'speed']);
const RESPONSE_FIELDS = new Set([
  'instructions', 'conversation', 'input', 'output_modalities', 'modalities', 'metadata', 'tools', 'tool_choice', 'temperature',
  'max_output_tokens', 'max_response_output_tokens', 'voice', 'audio', 'prompt', 'reasoning', 'parallel_tool_calls', 'output_audio_format',
]);

const unknown = (param: string): Unsupported => ({ code: 'unknown_parameter', param, message: `Unknown parameter: '${param}'.` });
const unsupported = (param: string, why: string): Unsupported => ({ code: 'unsupported_parameter', param, message: `SoundFlow does not support '${param}': ${why}` });
const set = (v: unknown) => v !== undefined && v !== null;

export function checkSession(s: SessionConfig): Unsupported | null {
  for (const k of Object.keys(s)) if (!SESSION_FIELDS.has(k)) return unknown(`session.${k}`);
  for (const k of Object.keys(s.audio?.input ?? {})) if (!AUDIO_INPUT_FIELDS.has(k)) return unknown(`session.audio.input.${k}`);
  for (const k of Object.keys(s.audio?.output ?? {})) if (!AUDIO_OUTPUT_FIELDS.has(k)) return unknown(`session.audio.output.${k}`);
  const r = s as Record<string, unknown>;
  if (set(r.prompt)) return unsupported('session.prompt', 'stored prompts live on OpenAI; send instructions instead');
  if (set(r.tracing) && r.tracing !== 'auto') return unsupported('session.tracing', 'there is no tracing service');
  if (Array.isArray(r.include) && r.include.length) return unsupported('session.include', 'log probabilities are not available');
  if (set(r.truncation) && r.truncation !== 'auto') return unsupported('session.truncation', 'only automatic truncation');
  if (set(s.audio?.input?.noise_reduction) || set(r.input_audio_noise_reduction)) {
    return unsupported(set(r.input_audio_noise_reduction) ? 'session.input_audio_noise_reduction' : 'session.audio.input.noise_reduction', 'the offline front end has no noise reduction stage; send null');
  }
  const speed = s.audio?.output?.speed ?? (r.speed as number | undefined);
  if (speed !== undefined && speed !== 1) return unsupported(s.audio?.output?.speed !== undefined ? 'session.audio.output.speed' : 'session.speed', 'speech rate follows the reply emotion');
  const td = s.audio?.input?.turn_detection ?? s.turn_detection;
  if (td && td.idle_timeout_ms !== undefined && td.idle_timeout_ms !== null) return unsupported('session.audio.input.turn_detection.idle_timeout_ms', 'SoundFlow decides on its own when to speak up');
  return checkTools(s.tools, 'session.tools');
}

export function checkResponse(p: ResponseParams): Unsupported | null {
  for (const k of Object.keys(p)) if (!RESPONSE_FIELDS.has(k)) return unknown(`response.${k}`);
  const r = p as Record<string, unknown>;
  if (set(r.prompt)) return unsupported('response.prompt', 'stored prompts live on OpenAI; send instructions instead');
  if (set(r.reasoning)) return unsupported('response.reasoning', 'reasoning settings apply to OpenAI models only');
  if (p.conversation !== undefined && p.conversation !== 'auto' && p.conversation !== 'none') {
    return unsupported('response.conversation', 'only "auto" (the default conversation) and "none" exist');
  }
  return checkTools(p.tools, 'response.tools');
}

function checkTools(tools: { type: string }[] | undefined, param: string): Unsupported | null {
  const i = (tools ?? []).findIndex((t) => t.type !== 'function');
  return i < 0 ? null : unsupported(`${param}[${i}].type`, 'only function tools (type "function"); MCP servers are not reachable offline');
}
