// Zod schemas for the OpenAI Realtime client events we accept (GA shapes, plus the beta session
// fields where they differ). Objects are loose: real clients send fields we ignore (tools, tracing...).
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
  }),
]);
export type TurnDetection = z.infer<typeof TurnDetection>;

const GaFormat = z.looseObject({ type: z.string(), rate: z.number().optional() });

export const SessionConfig = z.looseObject({
  type: z.enum(['realtime', 'transcription']).optional(),
  model: z.string().optional(),
  instructions: z.string().max(8000).optional(),
  output_modalities: z.array(z.enum(['audio', 'text'])).optional(),
  audio: z
    .looseObject({
      input: z.looseObject({ format: GaFormat.optional(), turn_detection: TurnDetection.optional() }).optional(),
      output: z.looseObject({ format: GaFormat.optional(), voice: z.string().max(64).optional() }).optional(),
    })
    .optional(),
  // beta names
  modalities: z.array(z.enum(['audio', 'text'])).optional(),
  voice: z.string().max(64).optional(),
  input_audio_format: z.string().optional(),
  output_audio_format: z.string().optional(),
  turn_detection: TurnDetection.optional(),
});
export type SessionConfig = z.infer<typeof SessionConfig>;

const ContentPart = z.looseObject({ type: z.string(), text: z.string().max(4000).optional() });

export const ClientEvent = z.discriminatedUnion('type', [
  z.looseObject({ type: z.literal('session.update'), event_id: eventId, session: SessionConfig }),
  z.looseObject({ type: z.literal('input_audio_buffer.append'), event_id: eventId, audio: z.string() }),
  z.looseObject({ type: z.literal('input_audio_buffer.commit'), event_id: eventId }),
  z.looseObject({ type: z.literal('input_audio_buffer.clear'), event_id: eventId }),
  z.looseObject({
    type: z.literal('conversation.item.create'),
    event_id: eventId,
    previous_item_id: z.string().nullable().optional(),
    item: z.looseObject({
      id: z.string().max(64).optional(),
      type: z.string(),
      role: z.string().optional(),
      content: z.array(ContentPart).optional(),
    }),
  }),
  z.looseObject({
    type: z.literal('response.create'),
    event_id: eventId,
    response: z.looseObject({ instructions: z.string().max(4000).optional() }).optional(),
  }),
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
export const UNSUPPORTED_TYPES = new Set([
  'conversation.item.delete',
  'conversation.item.retrieve',
  'output_audio_buffer.clear',
  'transcription_session.update',
]);
