// OpenAI Realtime-compatible endpoint (/v1/realtime): translates client events into engine calls and
// SessionEvents into Realtime server events. Audio is PCM16 24 kHz on the wire (resampled to 16 kHz
// at this edge). GA event names by default; a client that sends `OpenAI-Beta: realtime=v1` gets the
// beta names. See docs/protocol.md for the mapping and what is not supported.
import type { IncomingMessage } from 'node:http';
import type { WebSocket } from 'ws';
import type { SessionOptions } from '../../engine/options.ts';
import type { SessionEvent } from '../../events.ts';
import { SoundFlowError, type ErrorCode } from '../../util/errors.ts';
import { Connection, type ConnectionContext } from './connection.ts';
import { base64ToPcm16, floatToPcm16, pcm16ToBase64, pcm16ToFloat, Resampler } from './pcm.ts';
import { ClientEvent, KNOWN_TYPES, UNSUPPORTED_TYPES, type SessionConfig, type TurnDetection } from './realtime-schema.ts';

export const WIRE_RATE = 24000;
const ENGINE_RATE = 16000;

/** OpenAI voice names mapped onto espeak-ng voices; `espeak:<voice>` passes a voice through. */
const VOICES: Record<string, string> = {
  alloy: 'en-us', ash: 'en-us', ballad: 'en-gb', coral: 'en-us+f3', echo: 'en-us+m3', sage: 'en-us+f2',
  shimmer: 'en-us+f4', verse: 'en-us+m2', marin: 'en-us+f3', cedar: 'en-us+m1',
};

const BETA_NAMES: Record<string, string> = {
  'response.output_audio.delta': 'response.audio.delta',
  'response.output_audio.done': 'response.audio.done',
  'response.output_audio_transcript.delta': 'response.audio_transcript.delta',
  'response.output_audio_transcript.done': 'response.audio_transcript.done',
  'response.output_text.delta': 'response.text.delta',
  'response.output_text.done': 'response.text.done',
  'conversation.item.added': 'conversation.item.created',
};

interface RtConfig {
  instructions: string;
  modalities: ('audio' | 'text')[];
  voice: string;
  turn: { type: 'soundflow' | 'server_vad'; threshold: number; prefix_padding_ms: number; silence_duration_ms: number; proactive: boolean };
}

interface ActiveResponse {
  engineId: string;
  id: string;
  itemId: string;
  transcript: string;
  outSamples: number;
  cancelledByClient: boolean;
  resampler?: Resampler;
}

let ids = 0;
const newId = (prefix: string) => `${prefix}_${Date.now().toString(36)}${(ids++).toString(36).padStart(4, '0')}`;

export class RealtimeConnection extends Connection {
  private readonly beta: boolean;
  private readonly extEvents: boolean;
  private readonly sessionId = newId('sess');
  private readonly conversationId = newId('conv');
  private readonly model: string;
  private cfg: RtConfig;
  private readonly inResampler = new Resampler(WIRE_RATE, ENGINE_RATE);
  private eventSeq = 0;
  private inputItem?: string;
  private lastItem: string | null = null;
  private readonly utteranceItems = new Map<number, string>();
  private readonly partials = new Map<string, string>();
  private readonly responses = new Map<string, ActiveResponse>();
  private readonly byItem = new Map<string, ActiveResponse>();

  constructor(ctx: ConnectionContext, ws: WebSocket, req: IncomingMessage, url: URL) {
    super(ctx, ws, req, url);
    this.beta = /realtime=v1/.test(String(req.headers['openai-beta'] ?? '')) || url.searchParams.has('beta');
    this.extEvents = url.searchParams.get('soundflow_events') === '1';
    this.model = url.searchParams.get('model') ?? `soundflow-${ctx.engine.name}`;
    const d = ctx.config.sessionDefaults;
    this.cfg = {
      instructions: (d.instructions ?? []).join('\n'),
      modalities: d.speak === false ? ['text'] : ['audio'],
      voice: d.voice ?? 'en-us',
      turn: {
        type: d.turnDetection ?? 'soundflow',
        threshold: d.vadThreshold ?? 0.5,
        prefix_padding_ms: d.prefixPaddingMs ?? 300,
        silence_duration_ms: d.silenceDurationMs ?? 500,
        proactive: d.proactive ?? true,
      },
    };
    this.syncOptions();
    this.send({ type: 'session.created', session: this.sessionObject() });
  }

  // ---- outbound ------------------------------------------------------------------------------

  private send(ev: { type: string } & Record<string, unknown>, audio = false): void {
    const type = this.beta ? (BETA_NAMES[ev.type] ?? ev.type) : ev.type;
    const msg = { ...ev, type, event_id: `event_${this.sessionId.slice(5)}_${(this.eventSeq++).toString(36)}` };
    if (audio) this.out.audio(msg);
    else this.out.json(msg);
  }

  sendError(code: ErrorCode, message: string, extra: { recoverable?: boolean; param?: string | null; eventId?: string | null } = {}): void {
    const type = extra.recoverable === false && !CLIENT_CODES.has(code) ? 'server_error' : 'invalid_request_error';
    this.send({ type: 'error', error: { type, code, message, param: extra.param ?? null, event_id: extra.eventId ?? null } });
  }

  private sessionObject(): Record<string, unknown> {
    const c = this.cfg;
    const turn_detection =
      c.turn.type === 'server_vad'
        ? { type: 'server_vad', threshold: c.turn.threshold, prefix_padding_ms: c.turn.prefix_padding_ms, silence_duration_ms: c.turn.silence_duration_ms, create_response: true, interrupt_response: true, idle_timeout_ms: null }
        : { type: 'soundflow', proactive: c.turn.proactive, chunk_ms: 400 };
    if (this.beta) {
      return {
        id: this.sessionId, object: 'realtime.session', model: this.model, modalities: c.modalities.includes('audio') ? ['audio', 'text'] : ['text'],
        instructions: c.instructions, voice: c.voice, input_audio_format: 'pcm16', output_audio_format: 'pcm16',
        input_audio_transcription: { model: 'soundflow-asr' }, turn_detection, tools: [], tool_choice: 'auto', temperature: 0.8, max_response_output_tokens: 'inf',
      };
    }
    const format = { type: 'audio/pcm', rate: WIRE_RATE };
    return {
      type: 'realtime', object: 'realtime.session', id: this.sessionId, model: this.model, output_modalities: c.modalities,
      instructions: c.instructions, tools: [], tool_choice: 'auto', max_output_tokens: 'inf', tracing: null, prompt: null, include: null, expires_at: 0,
      audio: {
        input: { format, transcription: { model: 'soundflow-asr' }, noise_reduction: null, turn_detection },
        output: { format, voice: c.voice, speed: 1 },
      },
    };
  }

  /** Engine options implied by the Realtime session config. */
  private syncOptions(): void {
    const c = this.cfg;
    const o: Partial<SessionOptions> = {
      speak: c.modalities.includes('audio'),
      outputSampleRate: WIRE_RATE,
      voice: c.voice,
      turnDetection: c.turn.type,
      vadThreshold: c.turn.threshold,
      prefixPaddingMs: c.turn.prefix_padding_ms,
      silenceDurationMs: c.turn.silence_duration_ms,
      proactive: c.turn.proactive,
      instructions: c.instructions.trim() ? [c.instructions.trim()] : [],
    };
    Object.assign(this.options, o);
  }

  // ---- inbound -------------------------------------------------------------------------------

  protected handleBinary(): void {
    throw new SoundFlowError('invalid_event', 'binary frames are not part of the Realtime protocol; send input_audio_buffer.append', { recoverable: true });
  }

  protected handleText(text: string): void {
    let raw: unknown;
    try {
      raw = JSON.parse(text);
    } catch {
      return this.protocolError(new SoundFlowError('invalid_json', 'event is not valid JSON', { recoverable: true }));
    }
    const type = (raw as { type?: unknown } | null)?.type;
    const eventId = typeof (raw as { event_id?: unknown })?.event_id === 'string' ? (raw as { event_id: string }).event_id : null;
    if (typeof type !== 'string' || !KNOWN_TYPES.has(type)) {
      const code = typeof type === 'string' && UNSUPPORTED_TYPES.has(type) ? 'unsupported_event' : 'invalid_event_type';
      return this.protocolError(new SoundFlowError(code, `event type ${JSON.stringify(type)} is not supported`, { recoverable: true }), 'type', eventId);
    }
    const r = ClientEvent.safeParse(raw);
    if (!r.success) {
      const issue = r.error.issues[0];
      const param = issue?.path.join('.') || null;
      return this.protocolError(new SoundFlowError('invalid_value', `${type}: ${param ?? 'event'}: ${issue?.message}`, { recoverable: true }), param, eventId);
    }
    try {
      this.dispatch(r.data);
    } catch (err) {
      if (!(err instanceof SoundFlowError)) throw err;
      this.protocolError(err, (err as SoundFlowError & { param?: string }).param ?? null, eventId);
    }
  }

  private dispatch(ev: ClientEvent): void {
    switch (ev.type) {
      case 'session.update':
        return this.updateSession(ev.session);
      case 'input_audio_buffer.append': {
        const pcm = this.inResampler.process(pcm16ToFloat(base64ToPcm16(ev.audio)));
        this.link.pushAudio(pcm, this.options);
        return;
      }
      case 'input_audio_buffer.commit': {
        // Turn detection commits by itself; acknowledging keeps push-to-talk style clients happy.
        const item = this.inputItem ?? newId('item');
        this.send({ type: 'input_audio_buffer.committed', previous_item_id: this.lastItem, item_id: item });
        return;
      }
      case 'input_audio_buffer.clear':
        this.inResampler.reset();
        this.send({ type: 'input_audio_buffer.cleared' });
        return;
      case 'conversation.item.create': {
        const item = ev.item;
        const text = (item.content ?? []).map((p) => (typeof p.text === 'string' ? p.text : '')).join(' ').trim();
        if (item.type !== 'message' || !text || (item.role !== 'user' && item.role !== 'system')) {
          throw paramError('unsupported_item', 'only text message items (role user or system, input_text content) are supported', 'item');
        }
        const id = item.id ?? newId('item');
        const full = { id, type: 'message', object: 'realtime.item', status: 'completed', role: item.role, content: [{ type: 'input_text', text }] };
        this.send({ type: 'conversation.item.added', previous_item_id: this.lastItem, item: full });
        this.send({ type: 'conversation.item.done', previous_item_id: this.lastItem, item: full });
        this.lastItem = id;
        this.link.instruct(text, this.options);
        return;
      }
      case 'response.create': {
        // SoundFlow decides when to answer; an explicit request with instructions becomes one.
        const text = ev.response?.instructions?.trim();
        if (text) this.link.instruct(text, this.options);
        else void this.link.start(this.options);
        return;
      }
      case 'response.cancel': {
        const active = [...this.responses.values()].filter((r) => !ev.response_id || r.id === ev.response_id);
        if (active.length === 0) throw paramError('response_cancel_not_active', 'there is no active response to cancel', 'response_id');
        for (const r of active) r.cancelledByClient = true;
        this.link.cancel('client');
        return;
      }
      case 'conversation.item.truncate': {
        const r = this.byItem.get(ev.item_id);
        if (!r) throw paramError('item_truncate_invalid_item_id', `no assistant audio item ${ev.item_id}`, 'item_id');
        const playedMs = Math.min(ev.audio_end_ms, (r.outSamples / WIRE_RATE) * 1000);
        this.link.truncate(r.engineId, playedMs);
        this.send({ type: 'conversation.item.truncated', item_id: ev.item_id, content_index: ev.content_index, audio_end_ms: Math.round(playedMs) });
        return;
      }
    }
  }

  private updateSession(s: SessionConfig): void {
    if (s.type === 'transcription') throw paramError('unsupported_session_type', 'transcription-only sessions are not supported', 'session.type');
    const next: RtConfig = structuredClone(this.cfg);
    if (s.instructions !== undefined) next.instructions = s.instructions;
    const modalities = s.output_modalities ?? s.modalities;
    if (modalities) next.modalities = modalities.includes('audio') ? ['audio'] : ['text'];
    const voice = s.audio?.output?.voice ?? s.voice;
    if (voice !== undefined) next.voice = mapVoice(voice);
    const inFmt = s.audio?.input?.format;
    const outFmt = s.audio?.output?.format;
    for (const [f, param] of [[inFmt, 'session.audio.input.format'], [outFmt, 'session.audio.output.format']] as const) {
      if (f && (f.type !== 'audio/pcm' || (f.rate !== undefined && f.rate !== WIRE_RATE))) {
        throw paramError('unsupported_audio_format', `only audio/pcm at ${WIRE_RATE} Hz is supported`, param);
      }
    }
    for (const [f, param] of [[s.input_audio_format, 'session.input_audio_format'], [s.output_audio_format, 'session.output_audio_format']] as const) {
      if (f !== undefined && f !== 'pcm16') throw paramError('unsupported_audio_format', 'only pcm16 (24 kHz) is supported', param);
    }
    const td = s.audio?.input && 'turn_detection' in s.audio.input ? s.audio.input.turn_detection : s.turn_detection;
    if (td !== undefined) next.turn = applyTurnDetection(next.turn, td);

    if (this.link.started) {
      const changed = (['instructions', 'modalities', 'voice', 'turn'] as const).filter((k) => JSON.stringify(next[k]) !== JSON.stringify(this.cfg[k]));
      if (changed.length) {
        throw paramError('session_locked', `cannot change ${changed.join(', ')} after audio or text has started the session`, 'session');
      }
    }
    this.cfg = next;
    this.syncOptions();
    this.send({ type: 'session.updated', session: this.sessionObject() });
  }

  // ---- engine events -> Realtime events -----------------------------------------------------

  private itemForUtterance(u: number): string {
    let id = this.utteranceItems.get(u);
    if (!id) {
      // The item opened at speech start belongs to the first utterance heard after it.
      const claimed = this.inputItem && [...this.utteranceItems.values()].includes(this.inputItem);
      id = this.inputItem && !claimed ? this.inputItem : newId('item');
      this.utteranceItems.set(u, id);
      if (this.utteranceItems.size > 64) this.utteranceItems.delete(this.utteranceItems.keys().next().value as number);
    }
    return id;
  }

  protected handleEvent(ev: SessionEvent): void {
    if (this.extEvents && ['chunk', 'sound', 'task.started', 'task.ended', 'session.started'].includes(ev.type)) {
      const { type, ...rest } = ev;
      this.send({ type: `soundflow.${type}`, ...rest });
    }
    switch (ev.type) {
      case 'speech.started': {
        this.inputItem = newId('item');
        this.send({ type: 'input_audio_buffer.speech_started', audio_start_ms: Math.round(ev.t * 1000), item_id: this.inputItem });
        return;
      }
      case 'speech.stopped': {
        const item = this.inputItem ?? newId('item');
        this.send({ type: 'input_audio_buffer.speech_stopped', audio_end_ms: Math.round(ev.t * 1000), item_id: item });
        this.send({ type: 'input_audio_buffer.committed', previous_item_id: this.lastItem, item_id: item });
        const full = { id: item, type: 'message', object: 'realtime.item', status: 'completed', role: 'user', content: [{ type: 'input_audio', transcript: null }] };
        this.send({ type: 'conversation.item.added', previous_item_id: this.lastItem, item: full });
        this.lastItem = item;
        return;
      }
      case 'transcript': {
        const item = this.itemForUtterance(ev.utterance);
        if (ev.final) {
          this.partials.delete(item);
          this.send({ type: 'conversation.item.input_audio_transcription.completed', item_id: item, content_index: 0, transcript: ev.text, usage: { type: 'duration', seconds: 0 } });
          return;
        }
        // Realtime deltas append; engine partials are whole hypotheses, so send only what extends the last one.
        const prev = this.partials.get(item) ?? '';
        if (ev.text.startsWith(prev) && ev.text.length > prev.length) {
          this.send({ type: 'conversation.item.input_audio_transcription.delta', item_id: item, content_index: 0, delta: ev.text.slice(prev.length) });
          this.partials.set(item, ev.text);
        }
        return;
      }
      case 'response.start':
        return this.startResponse(ev.id);
      case 'response.text': {
        const r = this.responses.get(ev.id);
        if (!r) return;
        r.transcript += ev.delta;
        const type = this.cfg.modalities.includes('audio') ? 'response.output_audio_transcript.delta' : 'response.output_text.delta';
        this.send({ type, response_id: r.id, item_id: r.itemId, output_index: 0, content_index: 0, delta: ev.delta });
        return;
      }
      case 'response.audio': {
        const r = this.responses.get(ev.id);
        if (!r) return;
        let pcm = base64ToPcm16(ev.pcm);
        if (ev.sampleRate !== WIRE_RATE) {
          r.resampler ??= new Resampler(ev.sampleRate, WIRE_RATE);
          pcm = floatToPcm16(r.resampler.process(pcm16ToFloat(pcm)));
        }
        r.outSamples += pcm.length;
        this.send({ type: 'response.output_audio.delta', response_id: r.id, item_id: r.itemId, output_index: 0, content_index: 0, delta: pcm16ToBase64(pcm) }, true);
        return;
      }
      case 'response.end':
        return this.endResponse(ev.id, ev.text, ev.interrupted);
      case 'error':
        this.sendError(ev.code, ev.message, { recoverable: ev.recoverable });
        return;
      default:
        return;
    }
  }

  private responseObject(r: ActiveResponse, status: string, details: unknown, itemStatus: string): Record<string, unknown> {
    const audio = this.cfg.modalities.includes('audio');
    const content = r.transcript || status !== 'in_progress' ? [{ type: audio ? 'output_audio' : 'output_text', [audio ? 'transcript' : 'text']: r.transcript }] : [];
    return {
      object: 'realtime.response', id: r.id, status, status_details: details, conversation_id: this.conversationId,
      output: status === 'in_progress' ? [] : [{ id: r.itemId, type: 'message', object: 'realtime.item', role: 'assistant', status: itemStatus, content }],
      output_modalities: this.cfg.modalities, max_output_tokens: 'inf', metadata: null,
      audio: { output: { format: { type: 'audio/pcm', rate: WIRE_RATE }, voice: this.cfg.voice } },
      usage: status === 'in_progress' ? null : { total_tokens: 0, input_tokens: 0, output_tokens: 0 },
    };
  }

  private startResponse(engineId: string): void {
    const r: ActiveResponse = { engineId, id: engineId.startsWith('resp_') ? engineId : `resp_${engineId}`, itemId: newId('item'), transcript: '', outSamples: 0, cancelledByClient: false };
    this.responses.set(engineId, r);
    this.byItem.set(r.itemId, r);
    if (this.byItem.size > 64) this.byItem.delete(this.byItem.keys().next().value as string);
    const audio = this.cfg.modalities.includes('audio');
    this.send({ type: 'response.created', response: this.responseObject(r, 'in_progress', null, 'in_progress') });
    const item = { id: r.itemId, type: 'message', object: 'realtime.item', role: 'assistant', status: 'in_progress', content: [] };
    this.send({ type: 'response.output_item.added', response_id: r.id, output_index: 0, item });
    this.send({ type: 'conversation.item.added', previous_item_id: this.lastItem, item });
    this.lastItem = r.itemId;
    const part = audio ? { type: 'audio', transcript: '' } : { type: 'text', text: '' };
    this.send({ type: 'response.content_part.added', response_id: r.id, item_id: r.itemId, output_index: 0, content_index: 0, part });
  }

  private endResponse(engineId: string, text: string, interrupted: boolean): void {
    const r = this.responses.get(engineId);
    if (!r) return;
    this.responses.delete(engineId);
    if (!r.transcript) r.transcript = text;
    const base = { response_id: r.id, item_id: r.itemId, output_index: 0, content_index: 0 };
    const itemStatus = interrupted ? 'incomplete' : 'completed';
    if (this.cfg.modalities.includes('audio')) {
      this.send({ type: 'response.output_audio.done', ...base });
      this.send({ type: 'response.output_audio_transcript.done', ...base, transcript: r.transcript });
      this.send({ type: 'response.content_part.done', ...base, part: { type: 'audio', transcript: r.transcript } });
    } else {
      this.send({ type: 'response.output_text.done', ...base, text: r.transcript });
      this.send({ type: 'response.content_part.done', ...base, part: { type: 'text', text: r.transcript } });
    }
    const obj = this.responseObject(r, interrupted ? 'cancelled' : 'completed', interrupted ? { type: 'cancelled', reason: r.cancelledByClient ? 'client_cancelled' : 'turn_detected' } : null, itemStatus);
    this.send({ type: 'response.output_item.done', response_id: r.id, output_index: 0, item: (obj.output as unknown[])[0] });
    this.send({ type: 'conversation.item.done', previous_item_id: null, item: (obj.output as unknown[])[0] });
    this.send({ type: 'response.done', response: obj });
  }
}

/** Error codes that are the client's fault even when the session cannot go on. */
const CLIENT_CODES = new Set(['idle_timeout', 'max_duration', 'rate_limited']);

function paramError(code: ErrorCode, message: string, param: string): SoundFlowError {
  return Object.assign(new SoundFlowError(code, message, { recoverable: true }), { param });
}

function mapVoice(v: string): string {
  if (v.startsWith('espeak:') && /^[a-z]{2,3}(-[a-z0-9]+)*(\+[a-z0-9]+)?$/i.test(v.slice(7))) return v.slice(7);
  const mapped = VOICES[v.toLowerCase()];
  if (!mapped) throw paramError('invalid_voice', `unknown voice ${JSON.stringify(v)}; use an OpenAI voice name or espeak:<voice>`, 'session.audio.output.voice');
  return mapped;
}

function applyTurnDetection(cur: RtConfig['turn'], td: TurnDetection): RtConfig['turn'] {
  if (td === null) {
    throw paramError('unsupported_turn_detection', 'manual turns (turn_detection: null) are not supported; use {"type":"soundflow"} or {"type":"server_vad"}', 'session.audio.input.turn_detection');
  }
  // semantic_vad has no offline equivalent; the VAD baseline is the closest behaviour.
  const type = td.type === 'soundflow' ? 'soundflow' : 'server_vad';
  const base = type === cur.type ? cur : { ...cur, threshold: 0.5, prefix_padding_ms: 300, silence_duration_ms: 500 };
  return {
    type,
    threshold: td.threshold ?? base.threshold,
    prefix_padding_ms: td.prefix_padding_ms ?? base.prefix_padding_ms,
    silence_duration_ms: td.silence_duration_ms ?? base.silence_duration_ms,
    proactive: td.proactive ?? base.proactive,
  };
}
