// A session of the embedded engine: an asynchronous FIFO pipeline
//   input → perception → decision → response → speech
// joined by bounded queues, so chunk N+1 is perceived while the reply to chunk N is generated or spoken.
// `sequential` mode runs the same stages one after another per chunk, as the baseline for benchmarks.
//
// Replies live in stream time: a reply "plays" from the chunk that decided it for as long as its speech
// lasts, which makes decisions reproducible (same decisions in both modes) and gives barge-in a meaning
// even when a file is processed faster than real time.
import { randomUUID } from 'node:crypto';
import { Chunker } from '../audio/chunker.ts';
import { pcm16ToBase64 } from '../audio/pcm.ts';
import type { SessionEvent, ResponseStartEvent } from '../events.ts';
import type { Chunk } from '../audio/chunk.ts';
import { CHUNK_MS, SAMPLE_RATE } from '../audio/chunk.ts';
import { joinFinals, type Perceiver } from '../perception/perceiver.ts';
import { EchoGuard } from '../perception/echo-guard.ts';
import type { FinalTranscript, Percept } from '../perception/types.ts';
import type { ChunkDecision, Policy, ResponsePlan } from '../decision/types.ts';
import type { Tts } from '../response/tts/types.ts';
import { SentenceSplitter } from '../response/tts/sentences.ts';
import type { ReplyRequest, Session } from './types.ts';
import type { SessionOptions } from './options.ts';
import { AsyncQueue, QueueClosedError } from '../util/queue.ts';
import { errorMessage, SoundFlowError } from '../util/errors.ts';
import { TimingLog } from '../util/timing.ts';
import { chunkTraceSink } from '../util/chunk-trace.ts';
import { settledWithin, track, type Tracked } from '../util/settled.ts';

/** Seconds an English reply takes to say, when no audio tells us (espeak-ng speaks ~2.9 words/s). */
export function estimateSpeechSeconds(text: string): number {
  const words = text.trim().split(/\s+/).filter(Boolean).length;
  return words === 0 ? 0 : 0.3 + words / 2.9;
}

interface ActiveResponse {
  id: string;
  /** Resolves when the reply's audio is complete (or it ended without any). */
  audioComplete: Promise<void>;
  markAudioComplete: () => void;
  plan: ResponsePlan;
  startT: number;
  text: string;
  textDone: boolean;
  audioDone: boolean;
  audioSeconds: number;
  ended: boolean;
  abort: AbortController;
}

type Input = { kind: 'chunk'; chunk: Chunk } | { kind: 'instruction'; text: string } | { kind: 'reply'; request: ReplyRequest };
type Decidable = { kind: 'percept'; percept: Percept } | { kind: 'instruction'; text: string } | { kind: 'reply'; request: ReplyRequest };
type TtsJob = { response: ActiveResponse; text: string; last: boolean };

export interface SessionTimings {
  /** Per chunk: perceive() wall time (features, VAD, sounds; ASR runs beside it). */
  perceptionMs: TimingLog;
  /** Per chunk: the policy's decide() (includes waiting for the ASR result it needs). */
  policyMs: TimingLog;
  /** Per chunk: the part of policyMs spent waiting for the final transcript (recognition, not policy). */
  finalWaitMs: TimingLog;
  /** Per chunk: chunk complete (last sample pushed) → its `chunk` event. */
  decisionMs: TimingLog;
  /** The same, only for chunks that end an utterance (they wait for the final transcript up to the budget). */
  utteranceEndMs: TimingLog;
  /**
   * Per utterance: its end chunk complete → the `chunk` event that decided its final transcript (the
   * respond decision, when it gets a reply). Equals the end chunk's latency unless the decision was
   * deferred past the budget to a later chunk.
   */
  finalDecisionMs: TimingLog;
  /** Chunks decided without an utterance's final because it was not ready within the decision budget. */
  deferredDecisions: number;
}

/** Test and bench seams of a session (not client options). */
export interface SessionHooks {
  /** Wraps each utterance's final transcript as perception hands it over (e.g. a slow recogniser in tests). */
  wrapFinal?: (final: Promise<FinalTranscript | null>) => Promise<FinalTranscript | null>;
}

export class EmbeddedSession implements Session {
  readonly id = randomUUID();
  private readonly chunker = new Chunker();
  private readonly inputs: AsyncQueue<Input>;
  private readonly decidables: AsyncQueue<Decidable>;
  private readonly responseJobs: AsyncQueue<ActiveResponse>;
  private readonly ttsJobs: AsyncQueue<TtsJob>;
  private readonly events = new AsyncQueue<SessionEvent>(1 << 16);
  private readonly active: ActiveResponse[] = [];
  private readonly recentOutput: { t: number; text: string }[] = [];
  /** Knows what the session played and when: tells the user's voice from our own coming back. */
  private readonly echoGuard = new EchoGuard();
  private lastT = 0;
  private chunksDone = 0;
  private lastReplyT = -Infinity;
  private ending = false;
  private closed = false;
  private readonly done: Promise<void>;
  private readonly chunkQueuedAt = new Map<number, number>();
  /** Events dropped because nobody read the (large) event queue for a long time. */
  droppedEvents = 0;
  readonly timings: SessionTimings = { perceptionMs: new TimingLog(), policyMs: new TimingLog(), finalWaitMs: new TimingLog(), decisionMs: new TimingLog(), utteranceEndMs: new TimingLog(), finalDecisionMs: new TimingLog(), deferredDecisions: 0 };
  /** Wall time (performance.now() ms) the stream's first sample would have been spoken, live. */
  private streamOrigin: number | null = null;
  /** Finals of utterances that ended, oldest first, not yet decided (not ready within a chunk's budget). */
  private readonly pendingFinals: { final: Tracked<FinalTranscript | null>; endQueuedAt: number | undefined; stopAnnounced?: boolean }[] = [];
  /** The last chunk's percept, to decide finals still pending when the stream ends without a padded chunk. */
  private lastPercept: Percept | null = null;

  constructor(
    private readonly opts: SessionOptions,
    readonly perceiver: Perceiver,
    private readonly policy: Policy,
    private readonly tts: Tts | null,
    private readonly engineName = 'embedded',
    private readonly hooks: SessionHooks = {},
  ) {
    const cap = opts.queueCapacity;
    this.inputs = new AsyncQueue(cap);
    this.decidables = new AsyncQueue(cap);
    this.responseJobs = new AsyncQueue(cap);
    this.ttsJobs = new AsyncQueue(cap * 4);
    this.emit({ type: 'session.started', sessionId: this.id, engine: engineName, sampleRate: SAMPLE_RATE, chunkMs: CHUNK_MS, mode: opts.mode });
    for (const text of opts.instructions) this.inputs.tryPut({ kind: 'instruction', text });
    this.done = (opts.mode === 'sequential' ? this.runSequential() : this.runConcurrent()).then(
      () => this.finish(),
      (err) => this.fatal(err),
    );
  }

  // ---- public API -------------------------------------------------------------------------------

  async push(pcm: Float32Array | Int16Array): Promise<void> {
    if (this.ending || this.closed) throw new SoundFlowError('session_ended', 'push() after end() or close()');
    if (!(pcm instanceof Float32Array || pcm instanceof Int16Array)) {
      throw new SoundFlowError('invalid_audio', 'push() takes a Float32Array or Int16Array of 16 kHz mono samples');
    }
    // Live, the first piece's samples were being spoken until now: the stream's clock starts that long ago.
    this.streamOrigin ??= performance.now() - (pcm.length / SAMPLE_RATE) * 1000;
    for (const chunk of this.chunker.push(pcm)) await this.enqueueChunk(chunk);
  }

  instruct(text: string): void {
    if (this.ending || this.closed) throw new SoundFlowError('session_ended', 'instruct() after end() or close()');
    if (!this.inputs.tryPut({ kind: 'instruction', text })) {
      void this.inputs.put({ kind: 'instruction', text }).catch(() => undefined);
    }
  }

  respond(request: ReplyRequest): void {
    if (this.ending || this.closed) throw new SoundFlowError('session_ended', 'respond() after end() or close()');
    if (!this.inputs.tryPut({ kind: 'reply', request })) void this.inputs.put({ kind: 'reply', request }).catch(() => undefined);
  }

  cancelResponse(_reason?: string): void {
    this.interruptActive(this.lastT);
  }

  truncateResponse(id: string, playedMs: number): void {
    const r = this.active.find((x) => x.id === id);
    if (r && !r.ended) {
      r.audioSeconds = Math.min(r.audioSeconds, playedMs / 1000);
      this.interruptActive(this.lastT);
    }
  }

  async end(): Promise<void> {
    if (!this.ending && !this.closed) {
      this.ending = true;
      const last = this.chunker.flush();
      try {
        if (last) await this.enqueueChunk(last);
      } catch (err) {
        if (!(err instanceof QueueClosedError)) throw err;
      }
      this.inputs.close();
    }
    await this.done;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.ending = true;
    for (const r of this.active) r.abort.abort();
    for (const q of [this.inputs, this.decidables, this.responseJobs, this.ttsJobs]) q.close();
    this.events.close();
    this.perceiver.close();
  }

  [Symbol.asyncIterator](): AsyncIterator<SessionEvent> {
    return this.events[Symbol.asyncIterator]();
  }

  // ---- pipeline ---------------------------------------------------------------------------------

  private async enqueueChunk(chunk: Chunk): Promise<void> {
    const now = performance.now();
    this.chunkQueuedAt.set(chunk.index, now);
    // Audio this far ahead of the clock it would have been spoken on is a file (or a test), not a
    // microphone: its decisions wait for recognition as they always did, so they do not depend on timing.
    if (this.streamOrigin !== null && this.streamOrigin + chunk.t * 1000 - now > FILE_AHEAD_MS) this.fasterThanLive = true;
    await this.inputs.put({ kind: 'chunk', chunk });
  }

  /**
   * When a chunk counts as arrived for its decision budget: its last sample pushed, or, for audio pushed
   * faster than real time (a file), when that sample would have been spoken live. So a file decides as if
   * there were no budget unless it is processed slower than real time.
   */
  private arrivalOf(chunk: Chunk): number {
    const queued = this.chunkQueuedAt.get(chunk.index) ?? performance.now();
    return this.streamOrigin === null ? queued : Math.max(queued, this.streamOrigin + chunk.t * 1000);
  }

  /** How long after its arrival a chunk may wait for recognition work (sequential mode, files: as long as it takes). */
  private get budgetMs(): number {
    return this.opts.mode === 'sequential' || this.fasterThanLive ? Infinity : this.opts.decisionBudgetMs;
  }
  private fasterThanLive = false;

  private async runConcurrent(): Promise<void> {
    const perception = (async () => {
      try {
        for await (const input of this.inputs) {
          if (input.kind !== 'chunk') await this.decidables.put(input);
          else {
            // A backlog of decisions (chunks queued behind one that waited for a final transcript) runs
            // between two chunks' perception, never inside one: up to 9 of them landed in one chunk's
            // VAD. Those queued now are older and come first anyway: let them finish before this chunk.
            if (this.decidables.size > 0) await new Promise((r) => setImmediate(r));
            await this.decidables.put({ kind: 'percept', percept: await this.perceive(input.chunk) });
          }
        }
      } finally {
        this.decidables.close();
      }
    })();
    const decision = (async () => {
      try {
        for await (const item of this.decidables) {
          // Released while a chunk is being perceived, a backlog waits for that chunk's own work (not for
          // its wait on the recogniser). A lone decision (nothing queued behind it) goes at once, beside
          // the next chunk's perception.
          if (this.decidables.size > 0) await this.perceiver.busy;
          await this.decide(item);
        }
        await this.decidePendingAtEnd();
      } finally {
        this.responseJobs.close();
      }
    })();
    const response = (async () => {
      try {
        for await (const r of this.responseJobs) await this.generate(r);
      } finally {
        this.ttsJobs.close();
      }
    })();
    const speech = (async () => {
      for await (const job of this.ttsJobs) await this.speak(job);
    })();
    const results = await Promise.allSettled([perception, decision, response, speech]);
    const failed = results.find((r) => r.status === 'rejected') as PromiseRejectedResult | undefined;
    if (failed && !(failed.reason instanceof QueueClosedError)) throw failed.reason;
  }

  private async runSequential(): Promise<void> {
    for await (const input of this.inputs) {
      const item: Decidable = input.kind !== 'chunk' ? input : { kind: 'percept', percept: await this.perceive(input.chunk) };
      if (item.kind === 'percept') {
        await item.percept.partial;
        await item.percept.final;
      }
      await this.decide(item);
      // Each reply is generated and spoken in full before the next chunk is even perceived.
      for (let job = this.responseJobs.size; job > 0; job--) {
        const r = (await this.responseJobs.get()).value as ActiveResponse;
        await this.generate(r);
        while (this.ttsJobs.size > 0) await this.speak((await this.ttsJobs.get()).value as TtsJob);
      }
    }
    await this.decidePendingAtEnd(); // (never any: sequential decisions wait)
  }

  private async perceive(chunk: Chunk): Promise<Percept> {
    const t0 = performance.now();
    const budgetMs = this.budgetMs;
    const p = await this.perceiver.perceive(chunk, budgetMs === Infinity ? undefined : { arrivalAt: this.arrivalOf(chunk), budgetMs });
    if (p.final && this.hooks.wrapFinal) p.final = this.hooks.wrapFinal(p.final);
    const t1 = performance.now();
    this.timings.perceptionMs.add(t1 - t0);
    this.perceivedAt.set(chunk.index, [t0, t1]);
    return p;
  }

  /** Per chunk: when perception started and finished it (for the chunk trace). */
  private readonly perceivedAt = new Map<number, [number, number]>();

  private async decide(item: Decidable): Promise<void> {
    if (this.closed) return;
    if (item.kind === 'instruction') {
      const d = this.policy.instruct(item.text, this.lastT);
      await this.apply(d, this.lastT);
      return;
    }
    if (item.kind === 'reply') return this.reply(item.request);
    const perceived = item.percept;
    const t = perceived.chunk.t;
    this.lastT = t;
    this.lastPercept = perceived;
    const decideAt = performance.now();
    const queuedAt = this.chunkQueuedAt.get(perceived.chunk.index);
    const deadline = this.budgetMs === Infinity ? Infinity : this.arrivalOf(perceived.chunk) + this.budgetMs;
    // The echo guard can only recognise our voice once it knows what we said: wait (briefly) for the
    // synthesis of replies in progress. Live, speech is ready long before its echo could come back.
    const pending = this.active.filter((r) => !r.ended && !r.audioDone);
    const audioWaitMs = Math.min(AUDIO_WAIT_MS, deadline - performance.now());
    if (pending.length && audioWaitMs > 0) await Promise.race([Promise.all(pending.map((r) => r.audioComplete)), delay(audioWaitMs)]);
    // The policy span includes the wait for a final transcript (as when the policy awaited it itself).
    const tp = performance.now();
    const { percept: p, deferred, late } = await this.takeFinal(perceived, queuedAt, deadline);
    // Settled here, so the policy's own await of it is free and the wait is timed apart (it is ASR).
    if (p.final) await p.final.catch(() => undefined);
    this.timings.finalWaitMs.add(performance.now() - tp);
    let d: ChunkDecision;
    try {
      const speaking = this.isSpeaking(t);
      d = await this.policy.decide(p, {
        speaking,
        lastReplyT: this.lastReplyT,
        recentOutput: this.recentOutput.filter((o) => t - o.t <= this.opts.echoGuardSeconds).map((o) => o.text),
        echo: speaking && this.echoGuard.check(p.mel, p.chunk.start).echo,
      });
    } catch (err) {
      this.emit({ type: 'error', code: 'decision_failed', message: errorMessage(err), recoverable: true });
      d = { decision: 'silent', reason: 'error', responses: [], events: [] };
    }
    const policyMs = performance.now() - tp;
    this.timings.policyMs.add(policyMs);
    if (deferred && perceived.final && this.pendingFinals.at(-1)) {
      // Speech stopped here even if its transcript comes later: clients hear of it on time, once.
      d.events.unshift({ type: 'speech.stopped', t });
      this.pendingFinals.at(-1)!.stopAnnounced = true;
    } else if (late?.stopAnnounced) {
      const i = d.events.findIndex((e) => e.type === 'speech.stopped');
      if (i >= 0) d.events.splice(i, 1);
    }
    if (d.interrupt) this.interruptActive(t);
    if (d.responses.some((r) => r.urgent)) this.interruptActive(t);
    const speaking = this.isSpeaking(t);
    const top = p.sounds ? topSounds(p.sounds.classes, p.sounds.probs, 3) : undefined;
    for (const ev of d.events) this.emit(ev);
    this.emit({
      type: 'chunk',
      index: p.chunk.index,
      t,
      decision: d.decision,
      reason: d.reason,
      state: speaking || d.responses.length ? 'speaking' : 'listening',
      speech: round3(p.speech),
      levelDb: Math.round(p.levelDb * 10) / 10,
      ...(top ? { sounds: top } : {}),
    });
    const emittedAt = performance.now();
    if (queuedAt !== undefined) {
      this.timings.decisionMs.add(emittedAt - queuedAt);
      if (perceived.final) this.timings.utteranceEndMs.add(emittedAt - queuedAt);
      this.chunkQueuedAt.delete(p.chunk.index);
    }
    if (late && late.endQueuedAt !== undefined) this.timings.finalDecisionMs.add(emittedAt - late.endQueuedAt);
    if (deferred) this.timings.deferredDecisions++;
    const spans = this.perceivedAt.get(p.chunk.index);
    this.perceivedAt.delete(p.chunk.index);
    const sink = chunkTraceSink();
    if (sink && queuedAt !== undefined && spans && p.trace) {
      sink.write({
        kind: 'chunk', session: this.id, index: p.chunk.index, queuedAt, perceiveAt: spans[0], perceivedAt: spans[1], decideAt, policyMs, emittedAt, audioWaitMs: tp - decideAt, p: p.trace,
        ...(deferred ? { deferredFinal: true } : {}),
        ...(late && late.endQueuedAt !== queuedAt ? { lateFinal: true } : {}),
        ...(late && late.endQueuedAt !== undefined ? { finalDecidedAfterMs: Math.round(emittedAt - late.endQueuedAt) } : {}),
      });
    }
    this.chunksDone++;
    await this.apply({ ...d, events: [] }, t);
    this.endDueResponses(t);
  }

  /**
   * The final transcript this chunk decides: the oldest utterance's whose decision is still open (this
   * chunk's own, or one an earlier chunk could not wait for), if it is ready by the deadline. Otherwise
   * the chunk is decided without it, marked `finalPending` (the policy holds the turn), and a later chunk
   * takes it. One final per chunk, in order; the stream's padded last chunk waits for them all.
   */
  private async takeFinal(
    perceived: Percept,
    queuedAt: number | undefined,
    deadline: number,
  ): Promise<{ percept: Percept; deferred: boolean; late: { endQueuedAt: number | undefined; stopAnnounced?: boolean } | null }> {
    if (perceived.final) this.pendingFinals.push({ final: track(perceived.final), endQueuedAt: queuedAt });
    if (!this.pendingFinals.length) return { percept: perceived, deferred: false, late: null };
    const p: Percept = { ...perceived };
    delete p.final;
    if (perceived.chunk.padded) {
      const all = this.pendingFinals.splice(0);
      p.final = all.length === 1 ? all[0].final.promise : joinFinals(all.map((x) => x.final.promise));
      await p.final.catch(() => undefined);
      return { percept: p, deferred: false, late: all[0] };
    }
    const head = this.pendingFinals[0];
    // Only the chunk where an utterance ended waits (within its budget) for that final; one an earlier
    // chunk already deferred is taken if ready and never waited for, so a backlog of held chunks does not
    // spend its budgets on it (under load that wait was what made them miss).
    const own = perceived.final !== undefined && head.final.promise === perceived.final;
    if (!(await settledWithin(head.final, own ? deadline - performance.now() : 0))) {
      p.finalPending = true;
      return { percept: p, deferred: true, late: null };
    }
    this.pendingFinals.shift();
    p.final = head.final.promise;
    if (this.pendingFinals.length) p.finalPending = true;
    return { percept: p, deferred: false, late: head };
  }

  /**
   * The stream ended (no padded last chunk) with finals still undecided: they are decided on a repeat of
   * the last chunk's event, so no turn's transcript, reply or task is lost.
   */
  private async decidePendingAtEnd(): Promise<void> {
    if (!this.pendingFinals.length || !this.lastPercept || this.closed) return;
    const last = this.lastPercept;
    const padded = { ...last, chunk: { ...last.chunk, padded: true }, speechStarted: false, speechEnded: false };
    delete padded.final;
    delete padded.finalPending;
    await this.decide({ kind: 'percept', percept: padded });
  }

  /** An explicitly requested reply: exactly one response with the request's id (plus any the input's instruction adds). */
  private async reply(req: ReplyRequest): Promise<void> {
    const d = req.input !== undefined ? this.policy.instruct(req.input, this.lastT) : null;
    const [first, ...more] = d?.responses ?? [];
    const plan: ResponsePlan = first ?? { task: req.task ?? 'chat', emotion: req.emotion ?? 'normal', text: req.text ?? (req.produce ? undefined : ''), produce: req.produce };
    if (req.spoken !== undefined) plan.spoken = req.spoken;
    if (req.voice) plan.voice ??= req.voice;
    await this.apply({ decision: 'respond', reason: 'requested', responses: [plan, ...more], events: d?.events ?? [] }, this.lastT, req.id);
  }

  /** Queues the replies a decision asked for (the first under `firstId` when given). */
  private async apply(d: ChunkDecision, t: number, firstId?: string): Promise<void> {
    if (d.events.length) for (const ev of d.events) this.emit(ev);
    for (const [i, plan] of d.responses.entries()) {
      let markAudioComplete = () => {};
      const audioComplete = new Promise<void>((resolve) => (markAudioComplete = resolve));
      const r: ActiveResponse = {
        id: i === 0 && firstId ? firstId : 'resp_' + randomUUID().slice(0, 8),
        audioComplete,
        markAudioComplete,
        plan,
        startT: t,
        text: '',
        textDone: false,
        audioDone: !(this.opts.speak && this.tts),
        audioSeconds: 0,
        ended: false,
        abort: new AbortController(),
      };
      this.active.push(r);
      this.lastReplyT = t;
      await this.responseJobs.put(r);
    }
  }

  /** Response stage: produce the reply's text (ready or streamed), hand sentences to speech. */
  private async generate(r: ActiveResponse): Promise<void> {
    if (r.ended) return;
    const start: ResponseStartEvent = { type: 'response.start', id: r.id, t: r.startT, task: r.plan.task, emotion: r.plan.emotion };
    this.emit(start);
    const speak = this.opts.speak && this.tts !== null && r.plan.spoken !== false;
    if (!speak) {
      r.audioDone = true;
      r.markAudioComplete();
    }
    const splitter = new SentenceSplitter();
    let pending = '';
    const onText = async (delta: string) => {
      r.text += delta;
      this.emit({ type: 'response.text', id: r.id, delta });
      if (!speak) return;
      if (this.opts.mode === 'sequential') {
        pending += delta; // the synchronous baseline: whole text first, then speech
        return;
      }
      for (const s of splitter.push(delta)) await this.ttsJobs.put({ response: r, text: s, last: false });
    };
    try {
      if (r.plan.text) await onText(r.plan.text);
      else if (r.plan.produce) for await (const delta of r.plan.produce(r.abort.signal)) {
        if (r.ended) break;
        await onText(delta);
      }
    } catch (err) {
      if (!r.ended) {
        const code = err instanceof SoundFlowError ? err.code : 'response_failed';
        this.emit({ type: 'error', code, message: errorMessage(err), recoverable: true });
      }
    }
    r.textDone = true;
    this.recentOutput.push({ t: r.startT, text: r.text });
    if (this.recentOutput.length > 16) this.recentOutput.shift();
    if (speak && !r.ended) await this.ttsJobs.put({ response: r, text: [pending, ...splitter.flush()].join(' '), last: true });
  }

  /** Speech stage: synthesise a sentence, stream its audio out. */
  private async speak(job: TtsJob): Promise<void> {
    const r = job.response;
    if (!r.ended && job.text.trim() && this.tts) {
      // Sequential mode is the synchronous baseline: a stage hands on its output only when complete.
      const held: Int16Array[] | null = this.opts.mode === 'sequential' ? [] : null;
      const out = (pcm: Int16Array) => {
        // Replies play from their start time, piece after piece (live, synthesis runs well ahead of
        // playback; the guard allows 0–500 ms for the path back through speaker and microphone).
        this.echoGuard.played(pcm, this.opts.outputSampleRate, r.startT + r.audioSeconds);
        r.audioSeconds += pcm.length / this.opts.outputSampleRate;
        this.emit({ type: 'response.audio', id: r.id, pcm: pcm16ToBase64(pcm), sampleRate: this.opts.outputSampleRate });
      };
      try {
        for await (const pcm of this.tts.synthesize(job.text, {
          emotion: r.plan.emotion,
          voice: r.plan.voice ?? this.opts.voice,
          sampleRate: this.opts.outputSampleRate,
          signal: r.abort.signal,
        })) {
          if (r.ended) break;
          if (held) held.push(pcm);
          else out(pcm);
        }
        if (held && !r.ended) held.forEach(out);
      } catch (err) {
        if (!r.ended) this.emit({ type: 'error', code: 'tts_failed', message: errorMessage(err), recoverable: true });
      }
    }
    if (job.last) {
      r.audioDone = true;
      r.markAudioComplete();
    }
  }

  // ---- reply lifetime in stream time -------------------------------------------------------------

  private windowEnd(r: ActiveResponse): number {
    if (r.plan.spoken === false) return r.startT; // text-only replies (transcription) never hold the floor
    return r.startT + Math.max(estimateSpeechSeconds(r.text), r.audioSeconds);
  }

  private isSpeaking(t: number): boolean {
    return this.active.some((r) => !r.ended && (!r.textDone || t < this.windowEnd(r)));
  }

  private endDueResponses(t: number, force = false): void {
    for (const r of this.active) {
      if (r.ended || !r.textDone || !r.audioDone) continue;
      if (force || t >= this.windowEnd(r)) this.endResponse(r, t, false);
    }
    this.prune();
  }

  private interruptActive(t: number): void {
    if (this.active.some((r) => !r.ended)) this.echoGuard.stop(t);
    for (const r of this.active) {
      if (r.ended) continue;
      r.abort.abort();
      this.endResponse(r, t, true);
    }
    this.prune();
  }

  private endResponse(r: ActiveResponse, t: number, interrupted: boolean): void {
    r.ended = true;
    r.markAudioComplete();
    this.emit({ type: 'response.end', id: r.id, t, text: r.text, interrupted });
  }

  private prune(): void {
    for (let i = this.active.length - 1; i >= 0; i--) if (this.active[i].ended) this.active.splice(i, 1);
  }

  private async finish(): Promise<void> {
    await this.perceiver.drain();
    this.endDueResponses(this.lastT, true);
    for (const r of this.active) if (!r.ended) this.endResponse(r, this.lastT, !r.textDone);
    this.prune();
    this.emit({ type: 'session.ended', t: this.lastT, chunks: this.chunksDone });
    this.events.close();
    this.perceiver.close();
  }

  private fatal(err: unknown): void {
    if (!this.closed) {
      const code = err instanceof SoundFlowError ? err.code : 'session_failed';
      this.emit({ type: 'error', code, message: errorMessage(err), recoverable: false });
    }
    this.close();
  }

  private emit(ev: SessionEvent): void {
    if (this.events.isClosed) return;
    // The event queue is large; if a consumer stops reading altogether we drop rather than deadlock.
    if (!this.events.tryPut(ev)) this.droppedEvents++;
  }
}

/**
 * Audio pushed this far ahead of real time (ms, against the clock of its first piece) comes from a file:
 * a live client cannot send speech before it is spoken (a burst after a slow session start is about the
 * start's length: < 1 s at 16 server sessions), while a file fills the 8-chunk input queue (3.2 s) at once.
 */
const FILE_AHEAD_MS = 2000;

/** Longest wait of a decision for reply audio still being synthesised (wall ms). */
const AUDIO_WAIT_MS = 500;

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref?.());
}

function round3(x: number): number {
  return Math.round(x * 1000) / 1000;
}

function topSounds(classes: string[], probs: Float32Array, k: number): { label: string; p: number }[] {
  return classes
    .map((label, i) => ({ label, p: round3(probs[i]) }))
    .sort((a, b) => b.p - a.p)
    .slice(0, k);
}
