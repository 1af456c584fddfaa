// The native protocol on /ws. Client -> server: binary frames of PCM16 LE 16 kHz mono (any size),
// and JSON control messages (validated here). Server -> client: the session's SessionEvent JSON, with
// reply audio as base64 `response.audio` events or, when asked, as binary PCM16 frames.
// See docs/protocol.md.
import { z } from 'zod';
import type { SessionEvent } from '../../events.ts';
import { SoundFlowError, type ErrorCode } from '../../util/errors.ts';
import { Connection } from './connection.ts';
import { base64ToPcm16, bytesToPcm16 } from './pcm.ts';
import { isKnownVoice } from './voice-check.ts';

/** Session options a client may choose. Endpoints (llm, asr) and queue sizes stay server-side. */
export const ClientOptions = z.strictObject({
  mode: z.enum(['concurrent', 'sequential']).optional(),
  speak: z.boolean().optional(),
  outputSampleRate: z.number().int().min(8000).max(48000).optional(),
  voice: z.string().regex(/^[a-z]{2,3}(-[a-z0-9]+)*(\+[a-z0-9]+)?$/i, 'an espeak-ng voice name such as en-us or en+f3').optional(),
  instructions: z.array(z.string().max(2000)).max(16).optional(),
  policy: z.enum(['rules', 'learned']).optional(),
  turnDetection: z.enum(['soundflow', 'server_vad']).optional(),
  vadThreshold: z.number().min(0).max(1).optional(),
  prefixPaddingMs: z.number().int().min(0).max(5000).optional(),
  silenceDurationMs: z.number().int().min(0).max(10000).optional(),
  proactive: z.boolean().optional(),
  echoGuardSeconds: z.number().min(0).max(120).optional(),
});

const NativeMessage = z.discriminatedUnion('type', [
  z.object({ type: z.literal('session.update'), options: ClientOptions.optional(), audio: z.enum(['base64', 'binary']).optional() }),
  z.object({ type: z.literal('instruction'), text: z.string().min(1).max(2000) }),
  z.object({ type: z.literal('audio'), pcm: z.string() }),
  z.object({ type: z.literal('cancel'), id: z.string().max(128).optional() }),
  z.object({ type: z.literal('truncate'), id: z.string(), playedMs: z.number().min(0) }),
  z.object({ type: z.literal('end') }),
]);
type NativeMessage = z.infer<typeof NativeMessage>;

export class NativeConnection extends Connection {
  private binaryAudio = this.url.searchParams.get('audio') === 'binary';
  /** The reply in progress, and recent reply ids (what cancel/truncate may name). */
  private activeResponse?: string;
  private readonly recentResponses = new Set<string>();

  protected handleBinary(buf: Buffer): void {
    this.link.pushAudio(bytesToPcm16(buf), this.options);
  }

  protected handleText(text: string): void {
    const msg = parseMessage(text);
    switch (msg.type) {
      case 'session.update':
        if (msg.audio) this.binaryAudio = msg.audio === 'binary';
        if (msg.options) {
          if (this.link.started) {
            throw new SoundFlowError('session_already_started', 'session options can only be set before the first audio or instruction', { recoverable: true });
          }
          if (msg.options.voice !== undefined && !isKnownVoice(msg.options.voice)) {
            throw new SoundFlowError('invalid_voice', `espeak-ng has no voice ${JSON.stringify(msg.options.voice)} (e.g. en-us, en-gb, es, en-us+f3)`, { recoverable: true });
          }
          Object.assign(this.options, msg.options);
        }
        // Starting now lets the client see session.started (and its id) before any audio.
        void this.link.start(this.options);
        return;
      case 'audio':
        this.link.pushAudio(base64ToPcm16(msg.pcm), this.options);
        return;
      case 'instruction':
        this.link.instruct(msg.text, this.options);
        return;
      case 'cancel':
        if (msg.id !== undefined && msg.id !== this.activeResponse) {
          throw new SoundFlowError('unknown_response', `no reply ${JSON.stringify(msg.id)} in progress${this.activeResponse ? ` (the current one is ${this.activeResponse})` : ''}`, { recoverable: true });
        }
        if (!this.activeResponse) throw new SoundFlowError('no_active_response', 'there is no reply in progress to cancel', { recoverable: true });
        this.link.cancel('client');
        return;
      case 'truncate':
        if (!this.recentResponses.has(msg.id)) throw new SoundFlowError('unknown_response', `no reply ${JSON.stringify(msg.id)} in this session`, { recoverable: true });
        this.link.truncate(msg.id, msg.playedMs);
        return;
      case 'end':
        // The client asked for the rest: its queued audio is processed (on a busy machine that can
        // take longer than a server shutdown's grace).
        void this.shutdown(1000, 'session ended', this.ctx.config.limits.endGraceMs);
        return;
    }
  }

  protected handleEvent(ev: SessionEvent): void {
    if (ev.type === 'response.start') {
      this.activeResponse = ev.id;
      this.recentResponses.add(ev.id);
      if (this.recentResponses.size > 64) this.recentResponses.delete(this.recentResponses.values().next().value as string);
    } else if (ev.type === 'response.end' && this.activeResponse === ev.id) this.activeResponse = undefined;
    if (ev.type === 'response.audio') {
      this.out.audio(this.binaryAudio ? Buffer.from(ev.pcm, 'base64') : ev);
      return;
    }
    this.out.json(ev);
  }

  sendError(code: ErrorCode, message: string, extra: { recoverable?: boolean } = {}): void {
    this.out.json({ type: 'error', code, message, recoverable: extra.recoverable ?? true });
  }
}

function parseMessage(text: string): NativeMessage {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw new SoundFlowError('invalid_json', 'message is not valid JSON', { recoverable: true });
  }
  const r = NativeMessage.safeParse(raw);
  if (!r.success) {
    const type = (raw as { type?: unknown } | null)?.type;
    const known = NativeMessage.options.some((o) => o.shape.type.value === type);
    if (!known) throw new SoundFlowError('unknown_message_type', `unknown message type ${JSON.stringify(type)}`, { recoverable: true });
    const issue = r.error.issues[0];
    throw new SoundFlowError('invalid_message', `${String(type)}: ${issue?.path.join('.') || 'message'}: ${issue?.message}`, { recoverable: true });
  }
  return r.data;
}
