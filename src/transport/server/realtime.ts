// OpenAI Realtime-compatible endpoint (/v1/realtime): translates client events into engine calls and
// SessionEvents into Realtime server events. Audio is PCM16 24 kHz on the wire (resampled to 16 kHz
// at this edge). GA event names by default; a client that sends `OpenAI-Beta: realtime=v1` gets the
// beta names. Responses follow OpenAI's rules: one at a time, text items wait for `response.create`
// unless turn detection answers them, manual turns with `turn_detection: null`, function calling
// through an OpenAI-compatible chat endpoint. See docs/protocol.md.
import type { IncomingMessage } from 'node:http';
import type { WebSocket } from 'ws';
import type { SessionOptions } from '../../engine/options.ts';
import type { ReplyRequest } from '../../engine/types.ts';
import type { SessionEvent } from '../../events.ts';
import { DEFAULT_SYSTEM_PROMPT } from '../../response/chat-model.ts';
import { SoundFlowError, errorMessage, type ErrorCode } from '../../util/errors.ts';
import { Connection, type ConnectionContext } from './connection.ts';
import { base64ToPcm16, floatToPcm16, pcm16ToBase64, pcm16ToFloat, Resampler } from './pcm.ts';
import { isKnownVoice } from './voice-check.ts';
import { ClientEvent, KNOWN_TYPES, UNSUPPORTED_TYPES, type ClientItem, type FunctionTool, type ResponseParams, type SessionConfig, type TurnDetection } from './realtime-schema.ts';
import { BETA_NAMES, type ExtensionEvent, type Item, type Response as RtResponse, type ServerEvent } from './realtime-events.ts';
import { Conversation, textOf } from './realtime-conversation.ts';
import { streamChat, type ChatMessage, type ChatOutput, type LlmEndpoint, type ToolCall } from './realtime-llm.ts';
import { InputBuffer, MIN_COMMIT_MS, transcribeTurn } from './realtime-input.ts';
import { sayFromInstructions } from './realtime-offline.ts';
import { checkResponse, checkSession } from './realtime-support.ts';

export const WIRE_RATE = 24000;
const ENGINE_RATE = 16000;

/** OpenAI voice names mapped onto distinct espeak-ng voices; `espeak:<voice>` passes a voice through. */
export const VOICES: Readonly<Record<string, string>> = {
  alloy: 'en-us+f2', ash: 'en-us+m1', ballad: 'en-gb+m3', coral: 'en-us+f3', echo: 'en-us+m3', sage: 'en-us+f5',
  shimmer: 'en-us+f4', verse: 'en-us+m2', marin: 'en-us+f1', cedar: 'en-us+m7',
};

type Modality = 'audio' | 'text';
type TurnType = 'soundflow' | 'server_vad' | 'none';

interface RtConfig {
  instructions: string;
  modalities: Modality[];
  /** As the client named it (an OpenAI name or espeak:<voice>), and the espeak voice used. */
  voice: string;
  espeakVoice: string;
  turn: {
    type: TurnType;
    threshold: number;
    prefix_padding_ms: number;
    silence_duration_ms: number;
    proactive: boolean;
    create_response: boolean;
    interrupt_response: boolean;
  };
  tools: FunctionTool[];
  toolChoice: unknown;
  temperature?: number;
  maxTokens?: number;
  transcriptionModel?: string;
}

/** One Realtime response: requested by the client, or started by the engine (a spoken turn, a remark on a sound). */
interface Reply {
  id: string;
  itemId: string;
  modalities: Modality[];
  inConversation: boolean;
  metadata: Record<string, string> | null;
  transcript: string;
  outSamples: number;
  /** The assistant message item was announced (the engine started speaking/writing it). */
  messageOpen: boolean;
  messageStatus?: 'completed' | 'incomplete';
  calls: Item[];
  cancelled?: 'client_cancelled' | 'turn_detected';
  failed?: { code: ErrorCode };
  abort: AbortController;
  /** The user item an automatic reply answers. */
  autoFor?: string;
  done: boolean;
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
  private readonly conversation = new Conversation();
  private readonly input = new InputBuffer();
  /** Audio (16 kHz samples) appended since the last commit, in automatic turn modes. */
  private samplesSinceCommit = 0;
  private inputItem?: string;
  private readonly utteranceItems = new Map<number, string>();
  private readonly partials = new Map<string, string>();
  /** Replies by engine response id (a requested reply's id is both). */
  private readonly replies = new Map<string, Reply>();
  private readonly byItem = new Map<string, Reply>();
  /** Text items waiting for an automatic reply while another reply is out. */
  private readonly autoQueue: string[] = [];
  /** Manual turns being transcribed: a response waits for them. */
  private turnsReady: Promise<void> = Promise.resolve();
  private lastResponseId = '';
  /** Requested replies that ended before the engine started them: a late start is cut at once. */
  private readonly closedIds = new Set<string>();

  constructor(ctx: ConnectionContext, ws: WebSocket, req: IncomingMessage, url: URL) {
    super(ctx, ws, req, url);
    this.beta = /realtime=v1/.test(String(req.headers['openai-beta'] ?? '')) || url.searchParams.has('beta');
    this.extEvents = url.searchParams.get('soundflow_events') === '1';
    this.model = url.searchParams.get('model') ?? `soundflow-${ctx.engine.name}`;
    const d = ctx.config.sessionDefaults;
    const voice = d.voice ?? 'en-us';
    this.cfg = {
      instructions: d.systemPrompt ?? '',
      modalities: d.speak === false ? ['text'] : ['audio'],
      voice: `espeak:${voice}`,
      espeakVoice: voice,
      turn: {
        type: d.turnDetection ?? 'soundflow',
        threshold: d.vadThreshold ?? 0.5,
        prefix_padding_ms: d.prefixPaddingMs ?? 300,
        silence_duration_ms: d.silenceDurationMs ?? 500,
        proactive: d.proactive ?? true,
        create_response: true,
        interrupt_response: true,
      },
      tools: [],
      toolChoice: 'auto',
    };
    this.syncOptions();
    this.send({ type: 'session.created', session: this.sessionObject() });
  }

  private get llm(): LlmEndpoint | undefined {
    return this.options.llm;
  }

  // ---- outbound ------------------------------------------------------------------------------

  private send(ev: ServerEvent | ExtensionEvent, audio = false): void {
    const type = this.beta ? (BETA_NAMES[ev.type as ServerEvent['type']] ?? ev.type) : ev.type;
    const msg = { ...ev, type, event_id: `event_${this.sessionId.slice(5)}_${(this.eventSeq++).toString(36)}` };
    if (audio) this.out.audio(msg);
    else this.out.json(msg);
  }

  sendError(code: ErrorCode, message: string, extra: { recoverable?: boolean; param?: string | null; eventId?: string | null } = {}): void {
    const type = extra.recoverable === false && !CLIENT_CODES.has(code) ? 'server_error' : 'invalid_request_error';
    this.send({ type: 'error', error: { type, code, message, param: extra.param ?? null, event_id: extra.eventId ?? null } });
  }

  private serverError(code: ErrorCode, message: string): void {
    this.send({ type: 'error', error: { type: 'server_error', code, message, param: null, event_id: null } });
  }

  private sessionObject(): { id: string; model: string; instructions: string } & Record<string, unknown> {
    const c = this.cfg;
    const turn_detection =
      c.turn.type === 'none'
        ? null
        : c.turn.type === 'server_vad'
          ? { type: 'server_vad', threshold: c.turn.threshold, prefix_padding_ms: c.turn.prefix_padding_ms, silence_duration_ms: c.turn.silence_duration_ms, create_response: c.turn.create_response, interrupt_response: c.turn.interrupt_response, idle_timeout_ms: null }
          : { type: 'soundflow', proactive: c.turn.proactive, chunk_ms: 400, create_response: c.turn.create_response, interrupt_response: true };
    const tools = c.tools.map((t) => ({ type: 'function', name: t.name, description: t.description ?? '', parameters: t.parameters ?? { type: 'object', properties: {} } }));
    const llm = this.llm;
    const asr = this.options.asrEndpoint;
    const transcription = { model: asr?.model ?? 'soundflow-asr' };
    // What the names map to here: OpenAI voice → espeak voice, which LLM and recogniser answer.
    const soundflow = { espeak_voice: c.espeakVoice, llm: llm ? llm.model : null, asr: asr ? asr.model : 'pocketsphinx', engine: this.ctx.engine.name };
    const maxTokens = c.maxTokens ?? 'inf';
    if (this.beta) {
      return {
        id: this.sessionId, object: 'realtime.session', model: this.model, modalities: c.modalities.includes('audio') ? ['audio', 'text'] : ['text'],
        instructions: c.instructions, voice: c.voice, input_audio_format: 'pcm16', output_audio_format: 'pcm16',
        input_audio_transcription: transcription, turn_detection, tools, tool_choice: c.toolChoice, temperature: c.temperature ?? 0.8, max_response_output_tokens: maxTokens, soundflow,
      };
    }
    const format = { type: 'audio/pcm', rate: WIRE_RATE };
    return {
      type: 'realtime', object: 'realtime.session', id: this.sessionId, model: this.model, output_modalities: c.modalities,
      instructions: c.instructions, tools, tool_choice: c.toolChoice, max_output_tokens: maxTokens, tracing: null, prompt: null, include: null, expires_at: 0,
      audio: {
        input: { format, transcription, noise_reduction: null, turn_detection },
        output: { format, voice: c.voice, speed: 1 },
      },
      soundflow,
    };
  }

  /** Engine options implied by the Realtime session config. */
  private syncOptions(): void {
    const c = this.cfg;
    const manual = c.turn.type === 'none';
    const o: Partial<SessionOptions> = {
      speak: c.modalities.includes('audio'),
      outputSampleRate: WIRE_RATE,
      voice: c.espeakVoice,
      // Manual turns: the engine hears no client audio (it waits in our buffer), so the cheap preset will do.
      turnDetection: manual ? 'server_vad' : (c.turn.type as 'soundflow' | 'server_vad'),
      vadThreshold: c.turn.threshold,
      prefixPaddingMs: c.turn.prefix_padding_ms,
      silenceDurationMs: c.turn.silence_duration_ms,
      proactive: !manual && c.turn.proactive,
      // Session instructions are the LLM's system prompt: never parsed as SoundFlow commands.
      systemPrompt: c.instructions.trim() || undefined,
    };
    const asr = this.ctx.config.sessionDefaults.asrEndpoint;
    if (asr && c.transcriptionModel && c.transcriptionModel !== 'soundflow-asr') o.asrEndpoint = { ...asr, model: c.transcriptionModel };
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
        const pcm = floatToPcm16(this.inResampler.process(pcm16ToFloat(base64ToPcm16(ev.audio))));
        if (this.cfg.turn.type === 'none') {
          this.input.append(pcm);
          this.link.start(this.options); // the session clock runs from the first audio, as in automatic modes
        } else {
          this.samplesSinceCommit += pcm.length;
          this.link.pushAudio(pcm, this.options);
        }
        return;
      }
      case 'input_audio_buffer.commit':
        return this.commit();
      case 'input_audio_buffer.clear':
        this.inResampler.reset();
        this.input.clear();
        this.samplesSinceCommit = 0;
        this.send({ type: 'input_audio_buffer.cleared' });
        return;
      case 'conversation.item.create':
        return this.createItem(ev.item, ev.previous_item_id);
      case 'conversation.item.delete': {
        if (!this.conversation.delete(ev.item_id)) throw paramError('item_delete_invalid_item_id', `no item ${ev.item_id} in the conversation`, 'item_id');
        this.send({ type: 'conversation.item.deleted', item_id: ev.item_id });
        return;
      }
      case 'conversation.item.retrieve': {
        const item = this.conversation.get(ev.item_id);
        if (!item) throw paramError('item_retrieve_invalid_item_id', `no item ${ev.item_id} in the conversation`, 'item_id');
        this.send({ type: 'conversation.item.retrieved', item });
        return;
      }
      case 'response.create':
        return this.requestResponse(ev.response ?? {});
      case 'response.cancel': {
        const live = [...this.replies.values()].filter((r) => !r.done);
        const active = live.filter((r) => !ev.response_id || r.id === ev.response_id);
        if (active.length === 0) {
          // A stale or wrong id while another response plays must not read as "nothing is playing".
          const msg = live.length && ev.response_id
            ? `response ${JSON.stringify(ev.response_id)} is not active; the active response is ${live.map((r) => r.id).join(', ')}`
            : 'there is no active response to cancel';
          throw paramError('response_cancel_not_active', msg, 'response_id');
        }
        for (const r of active) this.cancelReply(r);
        return;
      }
      case 'output_audio_buffer.clear': {
        // The client stops playing: the reply being spoken is cut, as a barge-in would.
        const speaking = [...this.replies.values()].filter((r) => !r.done && r.modalities.includes('audio'));
        for (const r of speaking) this.cancelReply(r);
        this.send({ type: 'output_audio_buffer.cleared', response_id: speaking[0]?.id ?? this.lastResponseId });
        return;
      }
      case 'conversation.item.truncate': {
        const r = this.byItem.get(ev.item_id);
        if (!r) throw paramError('item_truncate_invalid_item_id', `no assistant audio item ${ev.item_id}`, 'item_id');
        const playedMs = Math.min(ev.audio_end_ms, (r.outSamples / WIRE_RATE) * 1000);
        this.link.truncate(r.id, playedMs);
        this.send({ type: 'conversation.item.truncated', item_id: ev.item_id, content_index: ev.content_index, audio_end_ms: Math.round(playedMs) });
        return;
      }
    }
  }

  private updateSession(s: SessionConfig): void {
    if (s.type === 'transcription') throw paramError('unsupported_session_type', 'transcription-only sessions are not supported', 'session.type');
    const bad = checkSession(s);
    if (bad) throw paramError(bad.code, bad.message, bad.param);
    const next: RtConfig = structuredClone(this.cfg);
    if (s.instructions !== undefined) next.instructions = s.instructions;
    const modalities = s.output_modalities ?? s.modalities;
    if (modalities) next.modalities = modalities.includes('audio') ? ['audio'] : ['text'];
    const voice = s.audio?.output?.voice ?? s.voice;
    if (voice !== undefined) {
      next.espeakVoice = mapVoice(voice, s.audio?.output?.voice !== undefined ? 'session.audio.output.voice' : 'session.voice');
      next.voice = voice.startsWith('espeak:') ? voice : voice.toLowerCase();
    }
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
    if (s.tools) next.tools = s.tools;
    if (s.tool_choice !== undefined) next.toolChoice = s.tool_choice;
    if (s.temperature !== undefined) next.temperature = s.temperature;
    const maxTokens = s.max_output_tokens ?? s.max_response_output_tokens;
    if (maxTokens !== undefined) next.maxTokens = maxTokens === 'inf' ? undefined : maxTokens;
    const transcription = s.audio?.input?.transcription ?? s.input_audio_transcription;
    if (transcription?.model) next.transcriptionModel = transcription.model;

    if (this.link.started) {
      // The engine session is built from these; instructions, tools and text-only output stay free.
      const locked: string[] = [];
      if (next.espeakVoice !== this.cfg.espeakVoice) locked.push('voice');
      if (JSON.stringify(next.turn) !== JSON.stringify(this.cfg.turn)) locked.push('turn_detection');
      if (next.modalities.includes('audio') && !this.options.speak) locked.push('output_modalities (audio)');
      if (next.transcriptionModel !== this.cfg.transcriptionModel) locked.push('transcription');
      if (locked.length) throw paramError('session_locked', `cannot change ${locked.join(', ')} after audio or text has started the session`, 'session');
      this.cfg = next;
      this.options.systemPrompt = next.instructions.trim() || undefined;
    } else {
      this.cfg = next;
      this.syncOptions();
    }
    this.send({ type: 'session.updated', session: this.sessionObject() });
  }

  private commit(): void {
    if (this.cfg.turn.type !== 'none') {
      // Turn detection commits by itself; an explicit commit of real audio is acknowledged.
      if ((this.samplesSinceCommit / ENGINE_RATE) * 1000 < MIN_COMMIT_MS) throw commitEmpty(this.samplesSinceCommit);
      this.samplesSinceCommit = 0;
      this.send({ type: 'input_audio_buffer.committed', previous_item_id: this.conversation.last, item_id: this.inputItem ?? newId('item') });
      return;
    }
    if (this.input.ms < MIN_COMMIT_MS) throw commitEmpty(this.input.ms * 16);
    const pcm = this.input.take();
    const id = newId('item');
    const item: Item = { id, type: 'message', object: 'realtime.item', status: 'completed', role: 'user', content: [{ type: 'input_audio', transcript: null }] };
    const previous = this.conversation.put(item);
    this.send({ type: 'input_audio_buffer.committed', previous_item_id: previous, item_id: id });
    this.send({ type: 'conversation.item.added', previous_item_id: previous, item });
    const options = { ...this.options };
    this.turnsReady = this.turnsReady.then(async () => {
      let transcript = '';
      try {
        transcript = await transcribeTurn(pcm, options);
        this.send({ type: 'conversation.item.input_audio_transcription.completed', item_id: id, content_index: 0, transcript, usage: { type: 'duration', seconds: pcm.length / ENGINE_RATE } });
      } catch (err) {
        this.send({ type: 'conversation.item.input_audio_transcription.failed', item_id: id, content_index: 0, error: { type: 'server_error', code: 'transcription_failed', message: errorMessage(err) } });
      }
      const done: Item = { ...item, content: [{ type: 'input_audio', transcript }] };
      if (this.conversation.has(id)) this.conversation.put(done);
      this.send({ type: 'conversation.item.done', previous_item_id: previous, item: done });
    });
  }

  private createItem(c: ClientItem, previousId: string | null | undefined): void {
    if (previousId && previousId !== 'root' && !this.conversation.has(previousId)) {
      throw paramError('previous_item_not_found', `no item ${previousId} in the conversation`, 'previous_item_id');
    }
    const item = toItem(c);
    if (this.conversation.has(item.id)) throw paramError('item_already_exists', `item ${item.id} already exists`, 'item.id');
    const previous = this.conversation.put(item);
    this.send({ type: 'conversation.item.added', previous_item_id: previous, item });
    this.send({ type: 'conversation.item.done', previous_item_id: previous, item });
    // A typed user turn is answered like a spoken one when turn detection would answer it (OpenAI waits for response.create).
    if (item.type === 'message' && item.role === 'user' && this.cfg.turn.type !== 'none' && this.cfg.turn.create_response) {
      if (this.activeReply()) this.autoQueue.push(item.id);
      else this.startReply({}, item.id);
    }
  }

  private activeReply(): Reply | undefined {
    for (const r of this.replies.values()) if (!r.done) return r;
    return undefined;
  }

  private requestResponse(p: ResponseParams): void {
    const bad = checkResponse(p);
    if (bad) throw paramError(bad.code, bad.message, bad.param);
    const outFmt = p.audio?.output?.format;
    if (outFmt && (outFmt.type !== 'audio/pcm' || (outFmt.rate !== undefined && outFmt.rate !== WIRE_RATE))) {
      throw paramError('unsupported_audio_format', `only audio/pcm at ${WIRE_RATE} Hz is supported`, 'response.audio.output.format');
    }
    const voice = p.audio?.output?.voice ?? p.voice;
    if (voice !== undefined) mapVoice(voice, 'response.audio.output.voice');
    const active = this.activeReply();
    if (active) {
      // The client asking for the answer its text item is already getting: that answer is the response.
      const bare = p.instructions === undefined && p.input === undefined && p.conversation !== 'none' && p.tools === undefined;
      const latestUser = [...this.autoQueue, active.autoFor].includes(this.lastUserItem());
      if (bare && active.autoFor !== undefined && latestUser) return;
      throw paramError('conversation_already_has_active_response', `Conversation already has an active response in progress: ${active.id}. Wait until the response is finished before creating a new one.`, null);
    }
    const queued = this.autoQueue.indexOf(this.lastUserItem() ?? '');
    if (queued >= 0 && p.instructions === undefined && p.input === undefined) this.autoQueue.splice(queued, 1);
    this.startReply(p);
  }

  private lastUserItem(): string | undefined {
    return this.conversation.lastUserId();
  }

  // ---- replies -------------------------------------------------------------------------------

  private newReply(id: string, modalities: Modality[], inConversation: boolean, metadata: Record<string, string> | null, autoFor?: string): Reply {
    const r: Reply = {
      id, itemId: newId('item'), modalities, inConversation, metadata, transcript: '', outSamples: 0, messageOpen: false, calls: [],
      abort: new AbortController(), autoFor, done: false,
    };
    this.replies.set(id, r);
    this.lastResponseId = id;
    this.send({ type: 'response.created', response: this.responseObject(r, 'in_progress') });
    return r;
  }

  /** A reply the client asked for (or the automatic answer to a typed item): created now, produced asynchronously. */
  private startReply(p: ResponseParams, autoFor?: string): void {
    const modalities = pickModalities(p.output_modalities ?? p.modalities, this.cfg.modalities);
    const none = p.conversation === 'none';
    const r = this.newReply(newId('resp'), modalities, !none, p.metadata ?? null, autoFor);
    this.produce(r, p).catch((err) => {
      this.serverError('response_failed', errorMessage(err));
      r.failed = { code: 'response_failed' };
      this.finishReply(r);
    });
  }

  private async produce(r: Reply, p: ResponseParams): Promise<void> {
    await this.turnsReady;
    if (r.done) return;
    const context: Item[] = p.input ? p.input.map((c) => (c.type === 'item_reference' && c.id ? this.conversation.get(c.id) : toItem(c))).filter((x): x is Item => !!x) : p.conversation === 'none' ? [] : this.conversation.toItems();
    const spoken = r.modalities.includes('audio');
    const voiceName = p.audio?.output?.voice ?? p.voice;
    const voice = voiceName ? mapVoice(voiceName, 'response.audio.output.voice') : undefined;
    const request = (req: Omit<ReplyRequest, 'id' | 'spoken'>) => this.askEngine(r, { ...req, id: r.id, spoken, voice });
    const llm = this.llm;
    if (llm) {
      const system = [this.cfg.instructions.trim() || DEFAULT_SYSTEM_PROMPT, p.instructions?.trim()].filter(Boolean).join('\n\n');
      const messages: ChatMessage[] = [{ role: 'system', content: system }, ...this.conversation.toChat(context)];
      if (messages.length === 1) messages.push({ role: 'user', content: p.instructions?.trim() || 'Hello.' });
      const tools = p.tools ?? this.cfg.tools;
      const choice = p.tool_choice ?? this.cfg.toolChoice;
      const maxTokens = p.max_output_tokens ?? p.max_response_output_tokens;
      const it = streamChat(llm, {
        messages,
        tools: choice === 'none' ? undefined : tools,
        toolChoice: choice,
        temperature: p.temperature ?? this.cfg.temperature,
        maxTokens: maxTokens === 'inf' ? undefined : (maxTokens ?? this.cfg.maxTokens),
        signal: r.abort.signal,
      })[Symbol.asyncIterator]();
      let first: IteratorResult<ChatOutput>;
      try {
        first = await it.next();
      } catch (err) {
        if (r.done) return;
        this.serverError('llm_failed', `LLM endpoint failed, answering offline: ${errorMessage(err)}`);
        return this.offline(r, p, context, request);
      }
      if (r.done) return void it.return?.(undefined);
      const calls: ToolCall[] = [];
      if (first.done) return request({ text: '' });
      if (first.value.type === 'tool_call') {
        calls.push(first.value.call);
        for (let n = await it.next(); !n.done; n = await it.next()) if (n.value.type === 'tool_call') calls.push(n.value.call);
        this.addCalls(r, calls);
        return this.finishReply(r);
      }
      const firstText = first.value.delta;
      const self = this;
      return request({
        async *produce(signal) {
          const stop = () => void it.return?.(undefined);
          signal.addEventListener('abort', stop, { once: true });
          try {
            yield firstText;
            for (let n = await it.next(); !n.done; n = await it.next()) {
              if (n.value.type === 'text') yield n.value.delta;
              else calls.push(n.value.call);
            }
          } catch (err) {
            if (!signal.aborted) self.serverError('llm_failed', `LLM stream broke off: ${errorMessage(err)}`);
          } finally {
            signal.removeEventListener('abort', stop);
            self.addCalls(r, calls, true);
          }
        },
      });
    }
    return this.offline(r, p, context, request);
  }

  /** Without an LLM: say what the instructions ask to say, or answer the last user turn with the offline skills and commands. */
  private offline(r: Reply, p: ResponseParams, context: Item[], request: (req: Omit<ReplyRequest, 'id' | 'spoken'>) => Promise<void>): Promise<void> {
    if (p.instructions?.trim()) {
      const say = sayFromInstructions(p.instructions);
      return request(say ? { text: say } : { input: p.instructions.trim() });
    }
    const last = context.at(-1);
    if (last?.type === 'function_call_output') return request({ text: `The ${toolName(context, last.call_id)} result is: ${last.output}`.slice(0, 600) });
    const user = [...context].reverse().find((i) => i.type === 'message' && i.role === 'user');
    const text = user ? textOf(user) : '';
    return request(text ? { input: text } : { input: 'hello' });
  }

  private async askEngine(r: Reply, req: ReplyRequest): Promise<void> {
    if (r.done) return;
    if (!(await this.link.respond(req, this.options))) {
      this.serverError('unsupported_engine', `engine "${this.ctx.engine.name}" cannot produce requested responses`);
      r.failed = { code: 'unsupported_engine' };
      this.finishReply(r);
    }
  }

  /** Function calls the model asked for become output items (after the message, if it also spoke). */
  private addCalls(r: Reply, calls: ToolCall[], later = false): void {
    if (later && !calls.length) return;
    for (const c of calls) {
      const callId = c.id || newId('call');
      const item: Item = { id: newId('item'), type: 'function_call', object: 'realtime.item', status: 'in_progress', call_id: callId, name: c.function.name, arguments: '' };
      r.calls.push({ ...item, status: 'completed', arguments: c.function.arguments });
      if (!later) this.emitCall(r, r.calls.length - 1, item);
    }
  }

  private emitCall(r: Reply, index: number, started: Item): void {
    const done = r.calls[index];
    if (done.type !== 'function_call' || r.done) return;
    const output_index = index + (r.messageOpen ? 1 : 0);
    this.send({ type: 'response.output_item.added', response_id: r.id, output_index, item: started });
    const previous = r.inConversation ? this.conversation.put(done) : null;
    if (r.inConversation) this.send({ type: 'conversation.item.added', previous_item_id: previous, item: started });
    this.send({ type: 'response.function_call_arguments.delta', response_id: r.id, item_id: done.id, output_index, call_id: done.call_id, delta: done.arguments });
    this.send({ type: 'response.function_call_arguments.done', response_id: r.id, item_id: done.id, output_index, call_id: done.call_id, name: done.name, arguments: done.arguments });
    this.send({ type: 'response.output_item.done', response_id: r.id, output_index, item: done });
    if (r.inConversation) this.send({ type: 'conversation.item.done', previous_item_id: previous, item: done });
  }

  private cancelReply(r: Reply): void {
    if (r.done) return;
    r.cancelled ??= 'client_cancelled';
    r.abort.abort();
    if (r.messageOpen) this.link.cancel('client');
    else this.finishReply(r); // not spoken yet: nothing to cut (a late engine start is cut on arrival)
  }

  private messageItem(r: Reply, status: 'in_progress' | 'completed' | 'incomplete'): Item {
    const audio = r.modalities.includes('audio');
    const content = status === 'in_progress' ? [] : [audio ? { type: 'output_audio' as const, transcript: r.transcript } : { type: 'output_text' as const, text: r.transcript }];
    return { id: r.itemId, type: 'message', object: 'realtime.item', role: 'assistant', status, content };
  }

  private responseObject(r: Reply, status: RtResponse['status']): RtResponse {
    const output: Item[] = [];
    if (status !== 'in_progress') {
      if (r.messageOpen) output.push(this.messageItem(r, r.messageStatus ?? 'incomplete'));
      output.push(...r.calls);
    }
    const details: RtResponse['status_details'] =
      status === 'cancelled' ? { type: 'cancelled', reason: r.cancelled ?? 'turn_detected' } : status === 'failed' ? { type: 'failed', error: { type: 'server_error', code: r.failed?.code ?? 'response_failed' } } : null;
    return {
      object: 'realtime.response', id: r.id, status, status_details: details, conversation_id: r.inConversation ? this.conversationId : null,
      output, output_modalities: r.modalities, max_output_tokens: this.cfg.maxTokens ?? 'inf', metadata: r.metadata,
      audio: { output: { format: { type: 'audio/pcm', rate: WIRE_RATE }, voice: this.cfg.voice } },
      usage: status === 'in_progress' ? null : { total_tokens: 0, input_tokens: 0, output_tokens: 0 },
    };
  }

  /** The engine started speaking/writing a reply: announce its message item. */
  private openMessage(engineId: string): void {
    if (this.closedIds.has(engineId)) return this.link.cancel('client');
    let r = this.replies.get(engineId);
    if (!r) {
      // Started by the engine itself: a spoken turn, a remark on a sound, a timer.
      const id = engineId.startsWith('resp_') ? engineId : `resp_${engineId}`;
      r = this.newReply(id, this.cfg.modalities, true, null);
      this.replies.delete(id);
      this.replies.set(engineId, r);
    }
    if (r.done || r.cancelled) {
      this.link.cancel('client');
      return;
    }
    r.messageOpen = true;
    this.byItem.set(r.itemId, r);
    if (this.byItem.size > 64) this.byItem.delete(this.byItem.keys().next().value as string);
    const item = this.messageItem(r, 'in_progress');
    this.send({ type: 'response.output_item.added', response_id: r.id, output_index: 0, item });
    if (r.inConversation) this.send({ type: 'conversation.item.added', previous_item_id: this.conversation.put(item), item });
    const part = r.modalities.includes('audio') ? { type: 'audio' as const, transcript: '' } : { type: 'text' as const, text: '' };
    this.send({ type: 'response.content_part.added', response_id: r.id, item_id: r.itemId, output_index: 0, content_index: 0, part });
  }

  private closeMessage(engineId: string, text: string, interrupted: boolean): void {
    const r = this.replies.get(engineId);
    if (!r || r.done) return;
    if (!r.messageOpen) return this.finishReply(r);
    if (!r.transcript) r.transcript = text;
    if (interrupted) r.cancelled ??= 'turn_detected';
    r.messageStatus = interrupted ? 'incomplete' : 'completed';
    const base = { response_id: r.id, item_id: r.itemId, output_index: 0, content_index: 0 };
    if (r.modalities.includes('audio')) {
      this.send({ type: 'response.output_audio.done', ...base });
      this.send({ type: 'response.output_audio_transcript.done', ...base, transcript: r.transcript });
      this.send({ type: 'response.content_part.done', ...base, part: { type: 'audio', transcript: r.transcript } });
    } else {
      this.send({ type: 'response.output_text.done', ...base, text: r.transcript });
      this.send({ type: 'response.content_part.done', ...base, part: { type: 'text', text: r.transcript } });
    }
    const item = this.messageItem(r, r.messageStatus);
    this.send({ type: 'response.output_item.done', response_id: r.id, output_index: 0, item });
    if (r.inConversation && this.conversation.has(item.id)) {
      this.conversation.put(item);
      this.send({ type: 'conversation.item.done', previous_item_id: null, item });
    }
    if (!interrupted) r.calls.forEach((_, i) => this.emitCall(r, i, { ...r.calls[i], status: 'in_progress', arguments: '' } as Item));
    else r.calls = [];
    this.finishReply(r);
  }

  private finishReply(r: Reply): void {
    if (r.done) return;
    const status: RtResponse['status'] = r.failed ? 'failed' : r.cancelled ? 'cancelled' : 'completed';
    this.send({ type: 'response.done', response: this.responseObject(r, status) });
    r.done = true;
    r.abort.abort();
    for (const [k, v] of this.replies) if (v === r) this.replies.delete(k);
    if (!r.messageOpen) {
      this.closedIds.add(r.id);
      if (this.closedIds.size > 64) this.closedIds.delete(this.closedIds.values().next().value as string);
    }
    // Typed items that came in while this reply was out get their answer now, one at a time.
    const next = this.autoQueue.shift();
    if (next && this.conversation.has(next) && !this.activeReply()) this.startReply({}, next);
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
      this.send({ type: `soundflow.${type}`, ...rest } as ExtensionEvent);
    }
    switch (ev.type) {
      case 'speech.started': {
        this.inputItem = newId('item');
        this.send({ type: 'input_audio_buffer.speech_started', audio_start_ms: Math.round(ev.t * 1000), item_id: this.inputItem });
        return;
      }
      case 'speech.stopped': {
        const id = this.inputItem ?? newId('item');
        this.samplesSinceCommit = 0;
        this.send({ type: 'input_audio_buffer.speech_stopped', audio_end_ms: Math.round(ev.t * 1000), item_id: id });
        const item: Item = { id, type: 'message', object: 'realtime.item', status: 'completed', role: 'user', content: [{ type: 'input_audio', transcript: null }] };
        const previous = this.conversation.put(item);
        this.send({ type: 'input_audio_buffer.committed', previous_item_id: previous, item_id: id });
        this.send({ type: 'conversation.item.added', previous_item_id: previous, item });
        return;
      }
      case 'transcript': {
        const id = this.itemForUtterance(ev.utterance);
        if (ev.final) {
          this.partials.delete(id);
          this.send({ type: 'conversation.item.input_audio_transcription.completed', item_id: id, content_index: 0, transcript: ev.text, usage: { type: 'duration', seconds: 0 } });
          const item = this.conversation.get(id);
          if (item?.type === 'message') this.conversation.put({ ...item, content: [{ type: 'input_audio', transcript: ev.text }] });
          return;
        }
        // Realtime deltas append; engine partials are whole hypotheses, so send only what extends the last one.
        const prev = this.partials.get(id) ?? '';
        if (ev.text.startsWith(prev) && ev.text.length > prev.length) {
          this.send({ type: 'conversation.item.input_audio_transcription.delta', item_id: id, content_index: 0, delta: ev.text.slice(prev.length) });
          this.partials.set(id, ev.text);
        }
        return;
      }
      case 'response.start':
        return this.openMessage(ev.id);
      case 'response.text': {
        const r = this.replies.get(ev.id);
        if (!r || !r.messageOpen || r.done) return;
        r.transcript += ev.delta;
        const type = r.modalities.includes('audio') ? 'response.output_audio_transcript.delta' : 'response.output_text.delta';
        this.send({ type, response_id: r.id, item_id: r.itemId, output_index: 0, content_index: 0, delta: ev.delta });
        return;
      }
      case 'response.audio': {
        const r = this.replies.get(ev.id);
        if (!r || !r.messageOpen || r.done || !r.modalities.includes('audio')) return;
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
        return this.closeMessage(ev.id, ev.text, ev.interrupted);
      case 'error':
        this.sendError(ev.code, ev.message, { recoverable: ev.recoverable });
        return;
      default:
        return;
    }
  }
}

/** Error codes that are the client's fault even when the session cannot go on. */
const CLIENT_CODES = new Set(['idle_timeout', 'max_duration', 'rate_limited']);

function paramError(code: ErrorCode, message: string, param: string | null): SoundFlowError {
  return Object.assign(new SoundFlowError(code, message, { recoverable: true }), { param });
}

function commitEmpty(samples16k: number): SoundFlowError {
  const ms = ((samples16k / ENGINE_RATE) * 1000).toFixed(2);
  return paramError('input_audio_buffer_commit_empty', `Error committing input audio buffer: buffer too small. Expected at least ${MIN_COMMIT_MS}ms of audio, but buffer only has ${ms}ms of audio.`, null);
}

function mapVoice(v: string, param: string): string {
  if (v.startsWith('espeak:') && /^[a-z]{2,3}(-[a-z0-9]+)*(\+[a-z0-9]+)?$/i.test(v.slice(7)) && isKnownVoice(v.slice(7))) return v.slice(7);
  const mapped = VOICES[v.toLowerCase()];
  if (!mapped) throw paramError('invalid_voice', `unknown voice ${JSON.stringify(v)}; use an OpenAI voice name (${Object.keys(VOICES).join(', ')}) or espeak:<voice>`, param);
  return mapped;
}

function pickModalities(asked: Modality[] | undefined, session: Modality[]): Modality[] {
  if (!asked) return session;
  return asked.includes('audio') ? ['audio'] : ['text'];
}

function toolName(items: Item[], callId: string): string {
  const call = items.find((i) => i.type === 'function_call' && i.call_id === callId);
  return call?.type === 'function_call' ? call.name.replace(/_/g, ' ') : 'function';
}

/** A client item as a conversation item; what SoundFlow cannot represent is an error naming the field. */
function toItem(c: ClientItem): Item {
  const id = c.id ?? newId('item');
  const base = { id, object: 'realtime.item' as const, status: 'completed' as const };
  if (c.type === 'function_call') {
    if (!c.name || !c.call_id) throw paramError('invalid_value', 'function_call items need name and call_id', !c.name ? 'item.name' : 'item.call_id');
    return { ...base, type: 'function_call', call_id: c.call_id, name: c.name, arguments: c.arguments ?? '{}' };
  }
  if (c.type === 'function_call_output') {
    if (!c.call_id || c.output === undefined) throw paramError('invalid_value', 'function_call_output items need call_id and output', !c.call_id ? 'item.call_id' : 'item.output');
    return { ...base, type: 'function_call_output', call_id: c.call_id, output: c.output };
  }
  if (c.type !== 'message') throw paramError('unsupported_item', `item type ${JSON.stringify(c.type)} is not supported (message, function_call, function_call_output)`, 'item.type');
  if (c.role !== 'user' && c.role !== 'system' && c.role !== 'assistant') throw paramError('invalid_value', 'message items have role user, system or assistant', 'item.role');
  const content = (c.content ?? []).map((p, i) => {
    if (p.type === 'input_text' || p.type === 'text') return { type: 'input_text' as const, text: p.text ?? '' };
    if (p.type === 'output_text') return { type: 'output_text' as const, text: p.text ?? '' };
    if (p.type === 'input_audio' && p.transcript !== undefined) return { type: 'input_audio' as const, transcript: p.transcript };
    throw paramError('unsupported_content', `content type ${JSON.stringify(p.type)} is not supported (input_text, output_text, input_audio with a transcript)`, `item.content.${i}.type`);
  });
  if (!content.length) throw paramError('invalid_value', 'message items need content', 'item.content');
  return { ...base, type: 'message', role: c.role, content };
}

function applyTurnDetection(cur: RtConfig['turn'], td: TurnDetection): RtConfig['turn'] {
  if (td === null) return { ...cur, type: 'none' };
  // semantic_vad has no offline equivalent; the VAD baseline is the closest behaviour.
  const type = td.type === 'soundflow' ? 'soundflow' : 'server_vad';
  const base = type === cur.type ? cur : { ...cur, threshold: 0.5, prefix_padding_ms: 300, silence_duration_ms: 500 };
  return {
    type,
    threshold: td.threshold ?? base.threshold,
    prefix_padding_ms: td.prefix_padding_ms ?? base.prefix_padding_ms,
    silence_duration_ms: td.silence_duration_ms ?? base.silence_duration_ms,
    proactive: td.proactive ?? base.proactive,
    create_response: td.create_response ?? true,
    interrupt_response: td.interrupt_response ?? true,
  };
}
