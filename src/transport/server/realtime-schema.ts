// Zod schemas for the OpenAI Realtime client events we accept (GA shapes, plus the beta session
// fields where they differ). Objects are loose so that a field we do not handle can be named in an
// `error` (see realtime-support.ts) instead of failing as a schema mismatch.
import { z } from 'zod';

const eventId = z.string().max(128).optional();

export const TurnDetection = z.union([
  z.null(),
  z.looseObject({
    type: z.enum(['soundflow', 'server_vad', 'semantic_vad']),
    threshold: z.number().min(0).max(1).optional(),
    prefix_padding_ms: z.number().int().min(0).max(5000).optional(),
    silence_duration_ms: z.number().int().min(0).max(10000).optional(),
    /** SoundFlow extension: comment on sounds without being asked. */
    proactive: z.boolean().optional(),
    create_response: z.boolean().optional(),
    interrupt_response: z.boolean().optional(),
    idle_timeout_ms: z.number().int().nullable().optional(),
    eagerness: z.string().optional(),
  }),
]);
export type TurnDetection = z.infer<typeof TurnDetection>;

const GaFormat = z.looseObject({ type: z.string(), rate: z.number().optional() });

export const FunctionTool = z.looseObject({
  type: z.string().default('function'),
  name: z.string().min(1).max(64).regex(/^[a-zA-Z0-9_-]+$/, 'tool names are letters, digits, _ and -'),
  description: z.string().max(4000).optional(),
  parameters: z.unknown().optional(),
});
export type FunctionTool = z.infer<typeof FunctionTool>;

const Tools = z.array(FunctionTool).max(128);
const ToolChoice = z.union([z.enum(['auto', 'none', 'required']), z.looseObject({ type: z.string(), name: z.string().optional() })]);
const MaxTokens = z.union([z.number().int().min(1).max(4096), z.literal('inf')]);
const Transcription = z.looseObject({ model: z.string().max(128).optional(), language: z.string().optional(), prompt: z.string().optional() }).nullable();

export const SessionConfig = z.looseObject({
  type: z.enum(['realtime', 'transcription']).optional(),
  model: z.string().optional(),
  instructions: z.string().max(8000).optional(),
  output_modalities: z.array(z.enum(['audio', 'text'])).optional(),
  audio: z
    .looseObject({
      input: z.looseObject({ format: GaFormat.optional(), turn_detection: TurnDetection.optional(), transcription: Transcription.optional() }).optional(),
      output: z.looseObject({ format: GaFormat.optional(), voice: z.string().max(64).optional(), speed: z.number().optional() }).optional(),
    })
    .optional(),
  // beta names
  modalities: z.array(z.enum(['audio', 'text'])).optional(),
  voice: z.string().max(64).optional(),
  input_audio_format: z.string().optional(),
  output_audio_format: z.string().optional(),
  turn_detection: TurnDetection.optional(),
  input_audio_transcription: Transcription.optional(),
  tools: Tools.optional(),
  tool_choice: ToolChoice.optional(),
  temperature: z.number().min(0).max(2).optional(),
  max_output_tokens: MaxTokens.optional(),
  max_response_output_tokens: MaxTokens.optional(),
});
export type SessionConfig = z.infer<typeof SessionConfig>;

const ContentPart = z.looseObject({ type: z.string(), text: z.string().max(4000).optional(), transcript: z.string().max(4000).optional() });

export const ClientItem = z.looseObject({
  id: z.string().max(64).optional(),
  type: z.string(),
  role: z.string().optional(),
  content: z.array(ContentPart).optional(),
  call_id: z.string().max(128).optional(),
  name: z.string().max(64).optional(),
  arguments: z.string().max(64_000).optional(),
  output: z.string().max(64_000).optional(),
});
export type ClientItem = z.infer<typeof ClientItem>;

export const ResponseParams = z.looseObject({
  instructions: z.string().max(8000).optional(),
  conversation: z.string().optional(),
  input: z.array(ClientItem).max(100).optional(),
  output_modalities: z.array(z.enum(['audio', 'text'])).optional(),
  modalities: z.array(z.enum(['audio', 'text'])).optional(),
  metadata: z.record(z.string(), z.string()).nullable().optional(),
  tools: Tools.optional(),
  tool_choice: ToolChoice.optional(),
  temperature: z.number().min(0).max(2).optional(),
  max_output_tokens: MaxTokens.optional(),
  max_response_output_tokens: MaxTokens.optional(),
  voice: z.string().max(64).optional(),
  audio: z.looseObject({ output: z.looseObject({ format: GaFormat.optional(), voice: z.string().max(64).optional() }).optional() }).optional(),
});
export type ResponseParams = z.infer<typeof ResponseParams>;

export const ClientEvent = z.discriminatedUnion('type', [
  z.looseObject({ type: z.literal('session.update'), event_id: eventId, session: SessionConfig }),
  z.looseObject({ type: z.literal('input_audio_buffer.append'), event_id: eventId, audio: z.string() }),
  z.looseObject({ type: z.literal('input_audio_buffer.commit'), event_id: eventId }),
  z.looseObject({ type: z.literal('input_audio_buffer.clear'), event_id: eventId }),
  z.looseObject({
    type: z.literal('conversation.item.create'),
    event_id: eventId,
    previous_item_id: z.string().nullable().optional(),
    item: ClientItem,
  }),
  z.looseObject({ type: z.literal('conversation.item.delete'), event_id: eventId, item_id: z.string() }),
  z.looseObject({ type: z.literal('conversation.item.retrieve'), event_id: eventId, item_id: z.string() }),
  z.looseObject({ type: z.literal('output_audio_buffer.clear'), event_id: eventId }),
  z.looseObject({ type: z.literal('response.create'), event_id: eventId, response: ResponseParams.optional() }),
  z.looseObject({ type: z.literal('response.cancel'), event_id: eventId, response_id: z.string().optional() }),
  z.looseObject({
    type: z.literal('conversation.item.truncate'),
    event_id: eventId,
    item_id: z.string(),
    content_index: z.number().int().min(0),
    audio_end_ms: z.number().int().min(0),
  }),
]);
export type ClientEvent = z.infer<typeof ClientEvent>;

export const KNOWN_TYPES = new Set(ClientEvent.options.map((o) => o.shape.type.value as string));

/** Valid OpenAI client events that SoundFlow does not implement: answered with `unsupported_event`. */
export const UNSUPPORTED_TYPES = new Set(['transcription_session.update']);
