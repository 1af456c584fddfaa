// Zod schemas of the OpenAI Realtime *server* events SoundFlow sends (GA names). The connection builds
// events against these types, so a misspelt field fails the typecheck; tests parse what a client
// received with `ServerEvent` to check the wire shapes. Beta names are a rename at send time.
import { z } from 'zod';

const id = z.string();
const nullableId = z.string().nullable();

export const ContentPart = z.discriminatedUnion('type', [
  z.object({ type: z.literal('input_text'), text: z.string() }),
  z.object({ type: z.literal('input_audio'), transcript: z.string().nullable() }),
  z.object({ type: z.literal('output_text'), text: z.string() }),
  z.object({ type: z.literal('output_audio'), transcript: z.string() }),
]);
export type ContentPart = z.infer<typeof ContentPart>;

const itemStatus = z.enum(['completed', 'incomplete', 'in_progress']);

export const Item = z.discriminatedUnion('type', [
  z.object({
    id,
    type: z.literal('message'),
    object: z.literal('realtime.item'),
    status: itemStatus,
    role: z.enum(['user', 'assistant', 'system']),
    content: z.array(ContentPart),
  }),
  z.object({
    id,
    type: z.literal('function_call'),
    object: z.literal('realtime.item'),
    status: itemStatus,
    call_id: z.string(),
    name: z.string(),
    arguments: z.string(),
  }),
  z.object({
    id,
    type: z.literal('function_call_output'),
    object: z.literal('realtime.item'),
    status: itemStatus,
    call_id: z.string(),
    output: z.string(),
  }),
]);
export type Item = z.infer<typeof Item>;

export const ResponseStatus = z.enum(['in_progress', 'completed', 'cancelled', 'incomplete', 'failed']);

export const Response = z.object({
  object: z.literal('realtime.response'),
  id,
  status: ResponseStatus,
  status_details: z
    .object({ type: z.enum(['cancelled', 'incomplete', 'failed']), reason: z.string().optional(), error: z.object({ type: z.string(), code: z.string() }).optional() })
    .nullable(),
  conversation_id: nullableId,
  output: z.array(Item),
  output_modalities: z.array(z.enum(['audio', 'text'])),
  max_output_tokens: z.union([z.number(), z.literal('inf')]),
  metadata: z.record(z.string(), z.string()).nullable(),
  audio: z.object({ output: z.object({ format: z.object({ type: z.literal('audio/pcm'), rate: z.number() }), voice: z.string() }) }),
  usage: z.object({ total_tokens: z.number(), input_tokens: z.number(), output_tokens: z.number() }).nullable(),
});
export type Response = z.infer<typeof Response>;

export const RealtimeErrorBody = z.object({
  type: z.enum(['invalid_request_error', 'server_error']),
  code: z.string(),
  message: z.string(),
  param: z.string().nullable(),
  event_id: z.string().nullable(),
});

/** Session objects are large and differ between GA and beta: checked loosely. */
const Session = z.looseObject({ id: z.string(), model: z.string(), instructions: z.string() });

const where = { response_id: id, item_id: id, output_index: z.number().int(), content_index: z.number().int() };
const ev = <T extends string, S extends z.ZodRawShape>(type: T, shape: S) => z.object({ type: z.literal(type), ...shape });

export const ServerEvent = z.discriminatedUnion('type', [
  ev('session.created', { session: Session }),
  ev('session.updated', { session: Session }),
  ev('error', { error: RealtimeErrorBody }),
  ev('input_audio_buffer.speech_started', { audio_start_ms: z.number(), item_id: id }),
  ev('input_audio_buffer.speech_stopped', { audio_end_ms: z.number(), item_id: id }),
  ev('input_audio_buffer.committed', { previous_item_id: nullableId, item_id: id }),
  ev('input_audio_buffer.cleared', {}),
  ev('output_audio_buffer.cleared', { response_id: id }),
  ev('conversation.item.added', { previous_item_id: nullableId, item: Item }),
  ev('conversation.item.done', { previous_item_id: nullableId, item: Item }),
  ev('conversation.item.deleted', { item_id: id }),
  ev('conversation.item.retrieved', { item: Item }),
  ev('conversation.item.truncated', { item_id: id, content_index: z.number().int(), audio_end_ms: z.number().int() }),
  ev('conversation.item.input_audio_transcription.delta', { item_id: id, content_index: z.number().int(), delta: z.string() }),
  ev('conversation.item.input_audio_transcription.completed', {
    item_id: id,
    content_index: z.number().int(),
    transcript: z.string(),
    usage: z.object({ type: z.literal('duration'), seconds: z.number() }),
  }),
  ev('conversation.item.input_audio_transcription.failed', { item_id: id, content_index: z.number().int(), error: z.object({ type: z.string(), code: z.string(), message: z.string() }) }),
  ev('response.created', { response: Response }),
  ev('response.done', { response: Response }),
  ev('response.output_item.added', { response_id: id, output_index: z.number().int(), item: Item }),
  ev('response.output_item.done', { response_id: id, output_index: z.number().int(), item: Item }),
  ev('response.content_part.added', { ...where, part: z.object({ type: z.enum(['audio', 'text']), transcript: z.string().optional(), text: z.string().optional() }) }),
  ev('response.content_part.done', { ...where, part: z.object({ type: z.enum(['audio', 'text']), transcript: z.string().optional(), text: z.string().optional() }) }),
  ev('response.output_audio.delta', { ...where, delta: z.string() }),
  ev('response.output_audio.done', where),
  ev('response.output_audio_transcript.delta', { ...where, delta: z.string() }),
  ev('response.output_audio_transcript.done', { ...where, transcript: z.string() }),
  ev('response.output_text.delta', { ...where, delta: z.string() }),
  ev('response.output_text.done', { ...where, text: z.string() }),
  ev('response.function_call_arguments.delta', { response_id: id, item_id: id, output_index: z.number().int(), call_id: z.string(), delta: z.string() }),
  ev('response.function_call_arguments.done', { response_id: id, item_id: id, output_index: z.number().int(), call_id: z.string(), name: z.string(), arguments: z.string() }),
]);
export type ServerEvent = z.infer<typeof ServerEvent>;

/** SoundFlow's extension events (`?soundflow_events=1`): the engine's own events under a `soundflow.` prefix. */
export type ExtensionEvent = { type: `soundflow.${string}` } & Record<string, unknown>;

/** On the wire every event also carries its `event_id`. */
export const WireEvent = z.intersection(ServerEvent, z.object({ event_id: z.string() }));

/** GA names → beta names, for clients that sent `OpenAI-Beta: realtime=v1`. */
export const BETA_NAMES: Partial<Record<ServerEvent['type'], string>> = {
  'response.output_audio.delta': 'response.audio.delta',
  'response.output_audio.done': 'response.audio.done',
  'response.output_audio_transcript.delta': 'response.audio_transcript.delta',
  'response.output_audio_transcript.done': 'response.audio_transcript.done',
  'response.output_text.delta': 'response.text.delta',
  'response.output_text.done': 'response.text.done',
  'conversation.item.added': 'conversation.item.created',
};
