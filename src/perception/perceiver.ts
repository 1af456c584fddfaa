// Per-session perception: features once per chunk, VAD + segmentation, acoustic context, sound events,
// and streaming ASR. Every part keeps bounded incremental state, so each chunk costs the same.
import { FRAMES_PER_CHUNK, LogMel } from './features.ts';
import { SileroVad } from './vad.ts';
import { SpeechSegmenter, type SegmentUpdate, type SegmenterOptions } from './segmenter.ts';
import { AcousticContext } from './acoustic-context.ts';
import { StreamingRecognizer } from './asr/streaming.ts';
import type { RecognizerPool } from './asr/pool.ts';
import { OnePassRecognizer } from './asr/one-pass.ts';
import { DecoderPool } from './asr/decoder-pool.ts';
import { FallbackTranscriber, type Transcriber } from './asr/transcriber.ts';
import { DEFAULT_FLOOR_RETRY, type FloorRetry, type RecognitionDetail } from './asr/grammar-recognizer.ts';
import type { GrammarReader } from './asr/grammar-pool.ts';
import { GrammarStream, type GrammarDecoderPair } from './asr/grammar-stream.ts';
import { QuietGate } from './quiet-gate.ts';
import { NoiseSuppressor } from './noise-suppressor.ts';
import { BabbleGate } from './babble-gate.ts';
import { ToneGate } from './tone-gate.ts';
import { agreedComplete, clearlyComplete } from './turn-complete.ts';
import { SoundClassifier } from './sounds/classifier.ts';
import { inThreadModels, type ChunkModels } from './chunk-models.ts';
import { concatSamples, floatToPcm16 } from '../audio/pcm.ts';
import { CHUNK_SAMPLES, SAMPLE_RATE, type Chunk } from '../audio/chunk.ts';
import { TimingLog } from '../util/timing.ts';
import type { PerceptTrace } from '../util/chunk-trace.ts';
import { settledWithin, track, type Tracked } from '../util/settled.ts';
import { SoundFlowError } from '../util/errors.ts';
import { VoiceAnalyzer, type VoiceAnalyzerOptions } from './voice/analyzer.ts';
import type { FinalTranscript, Percept } from './types.ts';

export interface PerceiverOptions {
  /** Speech probability threshold, used for the chunk's speech fraction. */
  vadThreshold: number;
  /** Utterance segmentation (hysteresis, minimum speech, closing silence). */
  segmenter: Partial<SegmenterOptions>;
  /** Audio kept before a detected speech start for the recogniser, ms. */
  prefixPaddingMs: number;
  /** Run the sound-event model. */
  sounds: boolean;
  /** Longest utterance before it is finalised anyway, s (bounds ASR memory). */
  maxUtteranceSeconds: number;
  /** Longest utterance the command grammar is tried on, s. */
  maxCommandSeconds: number;
  /**
   * End a turn at a pause, before the closing silence, when what was heard is a complete command or
   * question (the grammar accepted it and nothing reads as unfinished; src/perception/turn-complete.ts).
   * Needs the one-pass recogniser (its transcript of the audio before the pause is ready at once).
   */
  earlyEnd: boolean;
  /**
   * Longest utterance (s, up to the pause, pre-roll included) whose pause chunk waits for the early
   * end-of-turn check when grammar readings are batch decodes (streamed ones are checked at any length:
   * only their closing searches are left at the pause). A batch check is a decode of the whole utterance
   * so far (~0.12 s CPU per second of audio), and on longer, free speech the chunk waited for it only to learn
   * that the turn goes on (the knee's misses). Longer utterances keep the full closing silence; their
   * reading still starts at the pause and the utterance's end reuses it.
   */
  earlyEndMaxSeconds: number;
  /**
   * A session's first utterance longer than this (s, pre-roll included, closing silence not), when the
   * recogniser decodes it again (`redecodeFirstUtterance`, on by default), hands its final transcript to the decision one chunk after the one where it ended (Infinity: never). Its transcript is a whole extra decode with the
   * utterance's own cepstral mean (one-pass recogniser), started only at its last pause: for a few
   * seconds of speech that is more CPU than the 0.4 s until the end chunk's deadline, so the end chunk
   * and every chunk queued behind it missed. Deterministic (the length decides, not timing); short
   * first utterances (questions, commands) keep their turn-taking.
   */
  deferFirstFinalAboveSeconds: number;
  /**
   * A session's first utterance decided at its end (`keepUnderstoodFirstUtterance`): a silence inside it
   * that has lasted this long (ms) by the end of a chunk, but is not a pause yet, starts the re-decode of
   * the speech before it at once (on an idle decoder), and its pause or end cuts there; otherwise that
   * piece starts at the pause, usually a chunk later (Infinity: always at the pause). Docs/notes/asr.md.
   */
  tailDecodeAfterSilenceMs: number;
  /**
   * Batch grammar readings: a silence inside a short utterance (≤ earlyEndMaxSeconds) that has lasted this
   * long (ms) by the end of a chunk, but is not a pause yet, starts the reading of the utterance so far at
   * once, when the readers are all idle (GrammarReader.speculate); its pause reuses it. Started at the
   * pause instead (~0.14 s later, usually a chunk), the reading of a 1 s question was sometimes not done
   * by the pause chunk's deadline, and the turn then waited out the closing silence, 0.4 s more
   * (Infinity: always at the pause).
   */
  grammarReadAfterSilenceMs: number;
  /**
   * Decode a session's first utterance again with its own cepstral mean (one-pass recogniser; default
   * on). Off, it is decoded only live from the project's prior mean (CMN_PRIOR): ~24% less CPU for a
   * continuous-speech session and nothing left to do at its end, but eval v1 recall fell 0.625 → 0.575
   * (docs/notes/asr.md, eighth round). The engine re-decodes only first utterances its live pass did
   * not understand (`keepUnderstoodFirstUtterance`, `redecodeMaxSeconds`; ninth round).
   */
  redecodeFirstUtterance: boolean;
  /**
   * With the re-decode on: whether a transcript asks for something the assistant understands as heard
   * (the engine passes the response layer's intent match). A first utterance whose live transcript it
   * accepts keeps it and is not decoded again; the others are, at their end (null: every first utterance
   * is decoded again, its segments at their pauses).
   */
  keepUnderstoodFirstUtterance: ((text: string) => boolean) | null;
  /**
   * With the re-decode on: a first utterance longer than this (s, pre-roll and speech) keeps its live
   * transcript (Infinity: none does). Requests are short (commands are read up to 5 s); a longer first
   * utterance is talk or dictation, and decoding it again was ~24% of a continuous-speech session's CPU.
   */
  redecodeMaxSeconds: number;
  /** Skip VAD and the sound model on chunks with nothing above the noise floor (src/perception/quiet-gate.ts). */
  quietGate: boolean;
  /** Voice analysis (prosody, whisper, arousal, speakers) on final transcripts; false turns it off. */
  voice: Partial<VoiceAnalyzerOptions> | false;
  /**
   * A noise floor this many dB away from the one the recogniser's cepstral mean was learnt in makes the
   * next utterance start its mean afresh (decoded again with its own mean at its end), as a session's
   * first utterance does (Infinity: never). One-pass recogniser only.
   */
  cmnResetFloorDb: number;
  /**
   * The room got louder (its noise floor ≥ `suppressNoiseFloorRiseDb` over the session's quietest) and
   * speech stands less than `suppressNoiseBelowSnrDb` over it (acoustic context) at an utterance's start:
   * the recogniser hears the utterance with the room's noise spectrum subtracted
   * (src/perception/noise-suppressor.ts; -Infinity: never). A room noisy from the start is left as it is.
   */
  suppressNoiseBelowSnrDb: number;
  suppressNoiseFloorRiseDb: number;
  /**
   * The cepstral mean also starts afresh when the room's level (the highest noise floor of this many
   * seconds) stands `cmnResetFloorDb` over its level when the mean was learnt and the floor at the
   * utterance's start has risen at least half that: a street that swells and ebbs is a loud room in its
   * troughs too, and a question started in one is heard under the next swell (0: the floor at the start
   * alone, as before; docs/notes/voice.md, round 10).
   */
  roomFloorSeconds: number;
  /**
   * Also subtract the noise while the babble gate holds the room for a crowd of voices. Default false:
   * babble's spectrum is speech's, so subtracting its mean takes the question's own bands with it; on
   * questions cut from the café the command grammar read 4/12 right with it against 9/12 without
   * (question 12 dB over the quiet level; bench/cafe-question.ts, docs/notes/voice.md).
   */
  suppressNoiseInBabble: boolean;
  /**
   * A room of other voices (the level floor risen ≥ 10 dB and the VAD holding one utterance open for
   * 2.5 s): VAD frames count as speech for segmentation only when they stand this much over the
   * babble's level, so a near talker's question forms an utterance of its own
   * (src/perception/babble-gate.ts; 4 dB is its tuned value; Infinity: never). Off by default: with it
   * on, a sequence of café sessions in one engine made pocketsphinx abort (docs/notes/voice.md).
   */
  babbleMarginDb: number;
  /**
   * Steady pure tones (a beep Silero takes for speech) do not open utterances: VAD frames inside one count
   * as silence for segmentation (src/perception/tone-gate.ts). Speech frames of every voice measured pass.
   */
  toneGate: boolean;
  /**
   * Streamed grammar readings: an utterance the word fit rejects is read again over a noise floor 25 dB
   * under its speech, in a quieter room (formant voices; grammar-recognizer.ts `FloorRetry`; null: never).
   */
  grammarFloorRetry: FloorRetry | null;
}

export const DEFAULT_PERCEIVER: PerceiverOptions = {
  vadThreshold: 0.5,
  // 600 ms closes an utterance: on eval v1 it halved cut-ins on mid-utterance pauses vs 400 ms (docs/notes/session.md).
  segmenter: { minSilenceMs: 600 },
  prefixPaddingMs: 300,
  sounds: true,
  maxUtteranceSeconds: 20,
  maxCommandSeconds: 5,
  earlyEnd: true,
  earlyEndMaxSeconds: 3,
  deferFirstFinalAboveSeconds: 2.5,
  tailDecodeAfterSilenceMs: 64,
  grammarReadAfterSilenceMs: 64,
  redecodeFirstUtterance: true,
  keepUnderstoodFirstUtterance: null,
  redecodeMaxSeconds: 6,
  quietGate: true,
  voice: {},
  cmnResetFloorDb: 10,
  suppressNoiseBelowSnrDb: 15,
  suppressNoiseFloorRiseDb: 10,
  roomFloorSeconds: 6,
  suppressNoiseInBabble: false,
  babbleMarginDb: Infinity,
  toneGate: true,
  grammarFloorRetry: DEFAULT_FLOOR_RETRY,
};

export interface StageTimings {
  featuresMs: TimingLog;
  vadMs: TimingLog;
  soundsMs: TimingLog;
  /** Voice analysis per chunk (pitch on speech frames, utterance summary at its end). */
  voiceMs: TimingLog;
  /** Wall time of each ASR operation (feed or final decode) on the worker. */
  asrMs: TimingLog;
  /** Per chunk: perceive() waiting for the early end-of-turn check at a pause (ASR: grammar + transcript so far); 0 without one. */
  turnCheckMs: TimingLog;
}

export class Perceiver {
  private readonly mel = new LogMel();
  private readonly context = new AcousticContext();
  private readonly segmenter: SpeechSegmenter;
  private prevPcm: Float32Array | null = null;
  private utterance = 0;
  private uttSamples = 0;
  /** The open utterance's audio (pre-roll included), handed to constrained re-recognition. */
  private uttAudio: Int16Array[] = [];
  private inUtterance = false;
  /** The last final decode (awaited at end of stream). */
  private finals: Promise<unknown> = Promise.resolve();
  private latest: { text: string; utterance: number } | null = null;
  /** The last pause that closed an ASR segment (where its silence began), while that silence lasts. */
  private spec: { from: number; command: Promise<RecognitionDetail | null> | null } | null = null;
  /** Samples at the open utterance's start (before its speech, less pre-roll) that batch grammar readings skip. */
  private readSkip = 0;
  /** A batch grammar reading started at a silence's onset (where it began), for that silence's pause. */
  private onsetRead: { from: number; seconds: number; command: Promise<RecognitionDetail | null>; words: Promise<string | null> } | null = null;
  /** Streamed grammar readings (with the one-pass recogniser): decoded as the audio arrives. */
  private gstream: GrammarStream | null = null;
  /**
   * At a pause: whether the utterance so far is a complete command (then the turn ends now). Not ready
   * by the chunk's deadline, it is looked at again on the next chunks while the pause lasts.
   */
  private earlyCheck: Tracked<boolean> | null = null;
  /** The open early check reads a batch decode of a session's first utterance started at its pause: never waited for. */
  private earlyCheckNoWait = false;
  /** The open early check was left by an earlier chunk: looked at, not waited for. */
  private earlyCheckCarried = false;
  private readonly gate = new QuietGate();
  private lastVadMax = 1;
  readonly timings: StageTimings = { featuresMs: new TimingLog(), vadMs: new TimingLog(), soundsMs: new TimingLog(), voiceMs: new TimingLog(), asrMs: new TimingLog(), turnCheckMs: new TimingLog() };
  private readonly voice: VoiceAnalyzer | null;
  /** The noise floor when the recogniser last learnt its cepstral mean (end of the last utterance). */
  private cmnFloorDb: number | null = null;
  /** The room's level (roomFloorDb) when that mean was last learnt. */
  private cmnRoomDb: number | null = null;
  private readonly suppressor = new NoiseSuppressor();
  private readonly babble: BabbleGate;
  private readonly tones: ToneGate;
  /** The babble gate armed while the open utterance was going on: the VAD had opened it on the room. */
  private uttIsRoom = false;
  /** The session's quietest noise floor so far, dB. */
  private quietestFloorDb = Infinity;
  /** The acoustic context's noise floor of the last chunks (roomFloorSeconds), newest last. */
  private recentFloors: number[] = [];

  private constructor(
    private readonly opts: PerceiverOptions,
    private readonly vad: SileroVad,
    private readonly asr: StreamingRecognizer | OnePassRecognizer,
    private readonly sounds: SoundClassifier | null,
    private readonly models: ChunkModels,
  ) {
    this.segmenter = new SpeechSegmenter(opts.segmenter);
    this.babble = new BabbleGate({ marginDb: opts.babbleMarginDb });
    this.tones = new ToneGate(opts.toneGate ? {} : { minShare: Infinity });
    this.voice = opts.voice === false ? null : new VoiceAnalyzer(opts.voice);
  }

  /**
   * `pool`: a DecoderPool lends a one-pass decoder per utterance; a RecognizerPool gives a two-pass
   * recogniser for the session's lifetime (without a pool one is opened and freed). `grammar`: batch
   * readers (a GrammarPool), or with the one-pass recogniser a pool of live decoder pairs that read as
   * the audio arrives (grammar-stream.ts). `models`: where VAD and the sound model run (default: this
   * thread; the server passes a worker pool).
   */
  static async create(
    options: Partial<PerceiverOptions> = {},
    pool?: RecognizerPool | DecoderPool,
    grammar?: Promise<GrammarReader> | GrammarReader | DecoderPool<GrammarDecoderPair> | null,
    transcriber?: Transcriber | null,
    models: ChunkModels = inThreadModels(),
  ): Promise<Perceiver> {
    const opts = { ...DEFAULT_PERCEIVER, ...options };
    const streamed = grammar instanceof DecoderPool ? grammar : null;
    if (streamed && !(pool instanceof DecoderPool)) throw new SoundFlowError('invalid_argument', 'streamed grammar readings need the one-pass recogniser');
    const [vad, asr, sounds] = await Promise.all([
      SileroVad.create(models),
      // A session starts once a decoder and the grammar are loaded, as it did when it owned its decoders.
      pool instanceof DecoderPool
        ? Promise.all([
            pool.ready(),
            streamed ? streamed.ready().catch(() => undefined) : grammar && 'warm' in grammar ? (grammar as { warm(): Promise<unknown> }).warm().catch(() => undefined) : undefined,
          ]).then(
            () => new OnePassRecognizer(pool, { maxUtteranceSeconds: Math.max(opts.maxUtteranceSeconds, 30), redecodeBelowFrames: opts.redecodeFirstUtterance ? 1 : 0, keepLive: opts.keepUnderstoodFirstUtterance, redecodeMaxSeconds: opts.redecodeMaxSeconds }),
          )
        : pool
          ? pool.acquire()
          : StreamingRecognizer.create(),
      opts.sounds ? SoundClassifier.load().catch(() => null) : Promise.resolve(null),
    ]);
    const p = new Perceiver(opts, vad, asr, sounds, models);
    p.pool = pool instanceof DecoderPool ? null : (pool ?? null);
    if (streamed && asr instanceof OnePassRecognizer) {
      // Each utterance starts from the session's cepstral estimate, known once the previous one is done.
      p.gstream = new GrammarStream(streamed, { seed: () => asr.estimate(), floorRetry: opts.grammarFloorRetry });
    } else {
      p.grammar = grammar ? Promise.resolve(grammar as GrammarReader | Promise<GrammarReader>) : null;
      void p.grammar?.then((g) => (p.grammarNow = g), () => undefined);
    }
    p.transcriber = transcriber ?? null;
    return p;
  }

  /** Remote recogniser for final transcripts, when configured. */
  private transcriber: Transcriber | null = null;

  /** The engine's shared command-grammar readers. */
  private grammar: Promise<GrammarReader> | null = null;
  /** The same readers once loaded (a speculative reading is started synchronously). */
  private grammarNow: GrammarReader | null = null;

  private pool: RecognizerPool | null = null;
  private closed = false;

  /** The chunk being perceived: its timing spans and what happened in it. */
  private trace: PerceptTrace = { mainMs: 0, melMs: 0, modelsWaitMs: 0, turnCheckMs: 0 };
  /** The open utterance started with no cepstral history (a session's first, or after a floor jump). */
  private firstUtterance = false;
  /** The open utterance is decoded again with its own mean at its end (one-pass `redecodeBelowFrames`). */
  private redecoded = false;
  /** Final transcripts handed to the decision on a later chunk, oldest first (deferFirstFinalAboveSeconds). */
  private laterFinals: Promise<FinalTranscript | null>[] = [];

  /** How the recogniser read the last first utterance it decoded again (diagnostic; null: none, or two passes). */
  get lastRedecode(): OnePassRecognizer['lastRedecode'] {
    return this.asr instanceof OnePassRecognizer ? this.asr.lastRedecode : null;
  }

  /**
   * Resolves once the chunk being perceived no longer needs this thread: perceived, or waiting for the
   * recogniser (the early end-of-turn check). A session lets it get there before it runs a backlog of
   * decisions, so they do not land inside the chunk's own work (src/engine/session.ts).
   */
  get busy(): Promise<void> {
    return this.working;
  }
  private working: Promise<void> = Promise.resolve();
  private workDone: () => void = () => undefined;

  /**
   * `due`: the chunk's arrival (performance.now() ms; for audio pushed faster than real time, when it
   * would have arrived live) and how long after it the chunk may wait for recognition work (the early
   * end-of-turn check at a pause); a check not ready by then leaves the turn open and is looked at again
   * on the next chunk. Without it: wait, so decisions do not depend on timing.
   */
  async perceive(chunk: Chunk, due?: { arrivalAt: number; budgetMs: number }): Promise<Percept> {
    const deadline = due ? due.arrivalAt + due.budgetMs : Infinity;
    const arrival = due ? due.arrivalAt : Infinity;
    this.working = new Promise((r) => (this.workDone = r));
    try {
      return await this.perceiveChunk(chunk, deadline, arrival);
    } finally {
      this.workDone();
    }
  }

  private async perceiveChunk(chunk: Chunk, deadline: number, arrival: number): Promise<Percept> {
    const trace: PerceptTrace = (this.trace = { mainMs: 0, melMs: 0, modelsWaitMs: 0, turnCheckMs: 0 });
    const start = performance.now();
    let t0 = start;
    const mel = this.mel.process(chunk.pcm);
    let t1 = performance.now();
    this.timings.featuresMs.add(t1 - t0);
    trace.melMs = t1 - t0;

    // Nothing above the noise floor and no utterance going on: the models have nothing to find.
    const skip = this.opts.quietGate && this.gate.shouldSkip(mel, this.inUtterance || !this.segmenter.idle, this.lastVadMax);
    // VAD and the sound model both go out now (with a worker pool: in one batch with other sessions').
    const vadRun = skip ? this.vad.skip(chunk.pcm) : this.vad.process(chunk.pcm);
    const s0 = performance.now();
    const soundRun = this.sounds && !skip ? this.models.sounds(this.sounds.window(mel)) : null;
    soundRun?.catch(() => undefined); // awaited below; a VAD failure must not leave it unhandled
    const soundCall = performance.now() - s0; // in this thread the network runs inside the call
    if (skip) trace.quiet = true;
    const tm = performance.now();
    const { probs, frameEnds } = await vadRun;
    trace.modelsWaitMs = performance.now() - tm;
    this.lastVadMax = probs.reduce((m, p) => Math.max(m, p), 0);
    t0 = performance.now();
    this.timings.vadMs.add(t0 - t1 - soundCall);
    const wasBabble = this.babble.active;
    const at = Math.round(chunk.start * SAMPLE_RATE);
    const segProbs = this.tones.gate(mel, this.babble.gate(mel, probs, frameEnds, at, this.segmenter.speechMs, this.segmenter.idle), frameEnds, at);
    if (this.babble.active && !wasBabble && this.inUtterance) this.uttIsRoom = true;
    const updates = this.segmenter.update(segProbs, frameEnds);
    const acoustic = this.context.update(mel, FRAMES_PER_CHUNK, probs, chunk.pcm);
    this.gate.setFloor(acoustic.bandNoiseFloor);

    let sounds: Percept['sounds'];
    if (this.sounds && !soundRun) {
      sounds = { classes: this.sounds.classes, probs: new Float32Array(this.sounds.classes.length), thresholds: this.sounds.thresholds };
    } else if (this.sounds) {
      t1 = performance.now();
      sounds = { classes: this.sounds.classes, probs: await soundRun!, thresholds: this.sounds.thresholds };
      this.timings.soundsMs.add(soundCall + performance.now() - t1);
      trace.modelsWaitMs += performance.now() - t1;
    }

    const speechStarted = updates.some((u) => u.kind === 'start');
    const speechEnded = updates.some((u) => u.kind === 'end');
    const percept: Percept = {
      chunk,
      mel,
      vadProbs: probs,
      speech: probs.length ? probs.filter((p) => p >= this.opts.vadThreshold).length / probs.length : 0,
      levelDb: acoustic.levelDb,
      snrDb: acoustic.snrDb ?? 0,
      speechStarted,
      speechEnded,
      inSpeech: this.segmenter.inSpeech,
      silenceMs: this.segmenter.silenceMs,
      sounds,
    };
    if (this.voice) {
      const voice = this.voice;
      t1 = performance.now();
      voice.push(mel, probs, chunk.pcm, Math.round(chunk.start * 16000));
      percept.enrollSpeaker = (speaker) => voice.enroll(speaker);
    }
    this.suppressor.observe(chunk.pcm, probs);
    this.quietestFloorDb = Math.min(this.quietestFloorDb, acoustic.noiseFloorDb);
    this.recentFloors.push(acoustic.noiseFloorDb);
    if (this.recentFloors.length > Math.max(1, Math.round((this.opts.roomFloorSeconds * SAMPLE_RATE) / CHUNK_SAMPLES))) this.recentFloors.shift();
    this.feedAsr(chunk, percept, speechStarted, updates, acoustic.noiseFloorDb, acoustic.snrDb);
    if (this.voice) this.timings.voiceMs.add(performance.now() - t1);
    let waited = 0;
    if (this.earlyCheck) {
      // A pause in this chunk (or an earlier one whose silence goes on): the transcript before it and the
      // grammar reading are being finished (one closing search each); a complete command or question ends
      // the turn now rather than after the closing silence. Awaited up to the chunk's deadline (Infinity
      // for files and tests, so their decisions do not depend on timing); a batch reading of a session's
      // first utterance is not waited for at all (a whole decode, queued behind other sessions' at a
      // server's start). Not ready: the turn stays open and the next chunk looks again.
      const tw = performance.now();
      this.workDone();
      const check = this.earlyCheck;
      const ready = await settledWithin(check, (this.earlyCheckNoWait || this.earlyCheckCarried ? arrival : deadline) - tw);
      waited = performance.now() - tw;
      if (!ready) {
        trace.deferredCheck = true;
        this.earlyCheckCarried = true;
      }
      else if (this.earlyCheck === check) this.earlyCheck = null;
      const complete = ready && !check.failed && check.value === true;
      if (complete && this.inUtterance && this.segmenter.inPause && this.segmenter.endNow()) {
        this.earlyCheck = null;
        percept.speechEnded = true;
        percept.inSpeech = false;
        this.endUtterance(chunk, percept, false, acoustic.noiseFloorDb);
      }
    }
    this.timings.turnCheckMs.add(waited);
    percept.partialNow = () => this.latest;
    this.prevPcm = chunk.pcm;
    this.handOverFinal(percept);
    if (percept.final) trace.final = this.finalTimes.get(percept.final) ?? {};
    trace.turnCheckMs = waited;
    trace.mainMs = performance.now() - start - trace.modelsWaitMs - waited;
    percept.trace = trace;
    return percept;
  }

  /**
   * Starts, feeds and finishes utterances according to the segmenter. Audio goes to the recogniser at
   * once (it buffers it synchronously); partial decoding runs on its own worker queue and never holds
   * up perception or the final decode.
   */
  private feedAsr(chunk: Chunk, percept: Percept, speechStarted: boolean, updates: SegmentUpdate[], noiseFloorDb: number, snrDb: number | null): void {
    if (!this.inUtterance && (speechStarted || this.segmenter.inSpeech)) {
      this.inUtterance = true;
      this.uttIsRoom = false;
      this.utterance++;
      this.uttSamples = 0;
      const pad = Math.round((this.opts.prefixPaddingMs / 1000) * SAMPLE_RATE);
      const preRoll = this.prevPcm ? this.prevPcm.subarray(Math.max(0, this.prevPcm.length - pad)) : new Float32Array(0);
      // The room got loud (speech little above a floor that rose): the recogniser hears the utterance
      // with the room's noise spectrum subtracted.
      const loud =
        snrDb !== null &&
        snrDb < this.opts.suppressNoiseBelowSnrDb &&
        noiseFloorDb - this.quietestFloorDb >= this.opts.suppressNoiseFloorRiseDb &&
        (this.opts.suppressNoiseInBabble || !this.babble.active);
      const pre = preRoll.length ? floatToPcm16(loud ? this.suppressor.begin(preRoll) : preRoll) : undefined;
      this.uttAudio = pre ? [pre] : [];
      // Batch grammar readings start prefixPaddingMs before the first speech frame, not at the start of
      // the chunk it was confirmed in (up to ~0.4 s earlier): their decode time is that of their audio.
      const start = updates.find((u) => u.kind === 'start');
      const uttFrom = Math.round(chunk.start * SAMPLE_RATE) - preRoll.length;
      this.readSkip = start ? Math.max(0, start.sample - pad - uttFrom) : 0;
      this.spec = null;
      this.onsetFrom = null;
      this.onsetRead = null;
      this.reseedCmnAfterFloorJump(noiseFloorDb, this.roomFloorDb(noiseFloorDb));
      this.firstUtterance = this.asr instanceof OnePassRecognizer && this.asr.unseeded;
      this.redecoded = this.asr instanceof OnePassRecognizer && this.asr.fresh;
      this.asr.startUtterance(pre);
      this.gstream?.start(pre);
      this.voice?.begin();
    }
    if (!this.inUtterance) return; // nobody speaking: nothing to convert or decode
    const pcm = floatToPcm16(this.suppressor.filtering ? this.suppressor.process(chunk.pcm, percept.vadProbs) : chunk.pcm);
    const utterance = this.utterance;
    this.uttSamples += pcm.length;
    this.uttAudio.push(pcm);
    const partial = this.timed(() => this.asr.feed(pcm));
    // Past the longest command (even less the pause audio a reading leaves out) nothing is read.
    if (this.gstream?.active && this.uttSamples - CHUNK_SAMPLES > this.opts.maxCommandSeconds * SAMPLE_RATE) this.gstream.cancel();
    let gramFed = false;
    percept.partial = partial.then((text) => (text ? { text: String(text), utterance } : null)).catch(() => null);
    void percept.partial.then((p) => {
      if (p && utterance === this.utterance && this.inUtterance) this.latest = p;
    });

    // Speech since the last pause (its silence is over, or the utterance ended on a later silence): the
    // pause's readings no longer cover the utterance, and the streamed grammar reading picks it up again.
    if (this.spec) {
      const end = updates.find((u) => u.kind === 'end');
      if ((end ? end.sample : this.segmenter.silenceStart) !== this.spec.from) {
        this.spec = null;
        this.earlyCheck = null; // the speaker went on: a check still pending is moot
        this.gstream?.resume();
      }
    }
    // The silence whose onset started a first utterance's tail decode was broken by speech: that cut is off.
    if (this.onsetFrom !== null) {
      const end = updates.find((u) => u.kind === 'end');
      if ((end ? end.sample : this.segmenter.silenceStart) !== this.onsetFrom) {
        this.onsetFrom = null;
        if (this.asr instanceof OnePassRecognizer) this.asr.silenceEnded();
      }
    }
    // A pause closes a segment: its final decode starts now, so little is left to do at the end.
    const pause = updates.find((u) => u.kind === 'pause');
    if (pause && !percept.speechEnded) {
      this.trace.pause = true;
      if (this.firstUtterance) this.trace.firstUtterance = true;
      const keepTail = (chunk.index + 1) * CHUNK_SAMPLES - pause.at;
      this.asr.commitSegment(keepTail);
      // The grammar reading of the utterance so far starts now too; it is reused if the pause is the end.
      let command: Promise<RecognitionDetail | null> | null = null;
      let words: Promise<string | null> | null = null;
      if (this.uttSamples - keepTail <= this.opts.maxCommandSeconds * SAMPLE_RATE) {
        if (this.gstream?.active) {
          // Streamed: the chunk up to the pause, then only the closing searches; the pause audio after
          // it waits for the speaker to go on.
          const head = pcm.length - Math.min(pcm.length, Math.max(0, keepTail));
          this.gstream.feed(pcm.subarray(0, head));
          command = this.gstream.read();
          this.gstream.feed(pcm.subarray(head));
          gramFed = true;
        } else if (this.onsetRead?.from === pause.sample) {
          command = this.onsetRead.command;
          words = this.onsetRead.words;
          this.trace.batchReadSeconds = this.onsetRead.seconds;
          this.trace.onsetRead = true;
        } else if (this.grammar) {
          const sofar = concatSamples(this.uttAudio);
          const upTo = this.readable(sofar, sofar.length - keepTail);
          this.trace.batchReadSeconds = upTo.length / SAMPLE_RATE;
          const g = this.grammar;
          ({ command, words } = batchReading((tell) => g.then((r) => r.recognizeDetailed(upTo, tell)))!);
        }
      }
      this.spec = { from: pause.sample, command };
      const asr = this.asr;
      // A streamed reading is only its closing searches: cheap at any length.
      const checkable = gramFed || this.uttSamples - keepTail <= this.opts.earlyEndMaxSeconds * SAMPLE_RATE;
      if (this.opts.earlyEnd && checkable && command && asr instanceof OnePassRecognizer) {
        // The grammar reading first: when it does not accept a whole request (noise, chatter), the turn
        // cannot end early whatever the open transcript says, so perception does not wait for it.
        const committed = asr.committed();
        committed.catch(() => undefined);
        const read = command;
        const judged = () => read.then((cmd) =>
          clearlyComplete({ text: '', command: cmd }) ? committed.then((text) => clearlyComplete({ text, command: cmd })) : false,
        );
        // A batch reading's grammar words come ~3× sooner than its confidence (the free-loop decode):
        // when the open transcript says the same complete request, the turn ends without waiting.
        this.earlyCheck = track(
          words ? words.then((w) => (w ? committed.then((text) => agreedComplete(w, text)) : false)).then((ok) => ok || judged()) : judged(),
        );
        // A first utterance's reading started at the pause is a whole decode queued behind other sessions'
        // at a server's start: not waited for. One started at the silence's onset (the readers were all
        // idle) has had a chunk already: waited for like any other.
        this.earlyCheckNoWait = !gramFed && this.firstUtterance && !this.trace.onsetRead;
        this.earlyCheckCarried = false;
      }
    }
    if (!gramFed && this.gstream?.active) this.gstream.feed(pcm);
    // A silence began in this chunk and is not a pause yet (it becomes one 200 ms in, usually in the next
    // chunk): a first utterance's re-decode of the speech before it starts now rather than at that pause.
    const silenceFrom = this.segmenter.silenceStart;
    if (
      this.asr instanceof OnePassRecognizer && !pause && !percept.speechEnded && silenceFrom !== null &&
      silenceFrom !== this.onsetFrom && !this.segmenter.inPause && this.segmenter.silenceMs >= this.opts.tailDecodeAfterSilenceMs
    ) {
      this.onsetFrom = silenceFrom;
      this.asr.silenceBegan(0);
    }
    if (
      !pause && !percept.speechEnded && silenceFrom !== null && silenceFrom !== this.onsetRead?.from && !this.segmenter.inPause &&
      this.segmenter.silenceMs >= this.opts.grammarReadAfterSilenceMs
    ) this.readAtOnset(silenceFrom);
    const tooLong = this.uttSamples / SAMPLE_RATE >= this.opts.maxUtteranceSeconds || this.asr.full;
    const ended = (percept.speechEnded && !this.segmenter.inSpeech) || tooLong || chunk.padded;
    if (!ended) return;
    this.earlyCheck = null;
    this.endUtterance(chunk, percept, tooLong, noiseFloorDb);
  }

  /**
   * A silence began inside a short utterance: its batch grammar reading (audio so far, the silence's
   * first tens of ms included, as a pause's reading includes its 200 ms) starts now, for the early
   * end-of-turn check at the pause. Only when the readers are all idle: under load it would delay other
   * sessions' readings for one that is often wasted (the speaker goes on).
   */
  private readAtOnset(from: number): void {
    const g = this.grammarNow;
    if (!g?.speculate || this.gstream?.active || !this.opts.earlyEnd || !(this.asr instanceof OnePassRecognizer)) return;
    if (this.uttSamples > this.opts.earlyEndMaxSeconds * SAMPLE_RATE) return;
    const audio = this.readable(concatSamples(this.uttAudio));
    const read = batchReading((tell) => g.speculate!(audio, tell));
    if (read) this.onsetRead = { from, seconds: audio.length / SAMPLE_RATE, ...read };
  }

  /** What a batch grammar reading of the open utterance's audio (up to `end`) reads: from readSkip on. */
  private readable(audio: Int16Array, end = audio.length): Int16Array {
    return audio.subarray(this.readSkip, Math.max(0, end)); // empty when end ≤ readSkip
  }

  /**
   * The room changed (quiet office → street) since the recogniser last learnt its cepstral mean: that
   * mean describes the old channel and noise, so the next utterance starts afresh and is decoded again
   * with its own mean at its end.
   */
  private reseedCmnAfterFloorJump(noiseFloorDb: number, roomFloorDb: number): void {
    const asr = this.asr;
    if (!(asr instanceof OnePassRecognizer) || this.cmnFloorDb === null) return;
    // The floor now against the floor then, and the room's level now against the room's level then (a
    // swell the question started in a trough of; a passing noise that raised both is no change of room).
    // The room's level counts only when the floor at the start has risen too (half the jump): a room
    // back to the quiet the mean was learnt in, after a passing loud sound, keeps its mean.
    const rose = noiseFloorDb - this.cmnFloorDb >= this.opts.cmnResetFloorDb / 2;
    const jump = Math.max(Math.abs(noiseFloorDb - this.cmnFloorDb), rose ? roomFloorDb - (this.cmnRoomDb ?? this.cmnFloorDb) : 0);
    if (jump >= this.opts.cmnResetFloorDb && asr.cmnState !== null) asr.cmnState = null;
  }

  /** The room's level: the highest noise floor of the last roomFloorSeconds (the floor now, at least). */
  private roomFloorDb(noiseFloorDb: number): number {
    let m = noiseFloorDb;
    if (this.opts.roomFloorSeconds > 0) for (const f of this.recentFloors) m = Math.max(m, f);
    return m;
  }

  /** Closes the open utterance: final transcript (local, or remote with local fallback) and grammar reading. */
  private endUtterance(chunk: Chunk, percept: Percept, tooLong: boolean, noiseFloorDb: number): void {
    const utterance = this.utterance;
    const room = this.uttIsRoom;
    this.uttIsRoom = false;
    const trace = this.trace;
    trace.end = true;
    if (this.firstUtterance) trace.firstUtterance = true;
    // What its re-decode reads: the utterance less its closing silence.
    const uttSeconds = this.uttSamples / SAMPLE_RATE - percept.silenceMs / 1000;
    // (Past redecodeMaxSeconds it keeps its live transcript: nothing to wait for.)
    this.deferNext = this.redecoded && uttSeconds > this.opts.deferFirstFinalAboveSeconds && uttSeconds <= this.opts.redecodeMaxSeconds;
    this.cmnFloorDb = noiseFloorDb;
    this.cmnRoomDb = this.roomFloorDb(noiseFloorDb);
    this.suppressor.end();
    this.inUtterance = false;
    this.latest = null;
    const audio = concatSamples(this.uttAudio);
    this.uttAudio = [];
    // Described once the transcript is known: its syllables give the speaking rate.
    const describeVoice = this.voice?.close(noiseFloorDb) ?? null;
    // finish() takes the utterance's audio synchronously; the final decoder's own queue keeps order.
    // Silence unbroken since the last pause: the audio after it holds no speech.
    const tailHasSpeech = this.spec === null || tooLong || chunk.padded;
    const early = tailHasSpeech ? null : this.spec!.command;
    this.spec = null;
    const fin = this.timed(() => this.asr.finish({ tailHasSpeech }));
    // Commands and questions are short: the grammar reading runs beside the open decode (other core).
    // Only short utterances: commands and questions are short. (Filtering on the partial's words would
    // save CPU but make decisions depend on timing, since partials are best-effort.)
    const short = audio.length / SAMPLE_RATE <= this.opts.maxCommandSeconds;
    let command: Promise<RecognitionDetail | null>;
    if (early) {
      command = early;
      this.gstream?.cancel();
    } else if (this.gstream?.active && short) {
      command = this.gstream.finish(); // the closing searches only: the decoders followed the audio
    } else {
      this.gstream?.cancel();
      const read = this.readable(audio);
      if (this.grammar && short) trace.batchReadSeconds = read.length / SAMPLE_RATE;
      command = this.grammar && short ? this.grammar.then((g) => g.recognizeDetailed(read)).catch(() => null) : Promise.resolve(null);
    }
    const times: NonNullable<PerceptTrace['final']> = {};
    void fin.then(() => (times.asrDoneAt = performance.now()), () => undefined);
    void command.then(() => (times.grammarDoneAt = performance.now()), () => undefined);
    // The local decode of this utterance, already running, as a transcriber. A configured remote
    // recogniser gives the final transcript instead; the local one stands in if it fails or times out.
    const local: Transcriber = { transcribe: () => fin.then((r) => ({ text: r?.text ?? '' }), () => ({ text: '' })) };
    const transcript = (this.transcriber ? new FallbackTranscriber(this.transcriber, local) : local).transcribe(audio);
    this.finals = Promise.all([fin, command, transcript]).catch(() => undefined);
    const remoteConfigured = !!this.transcriber;
    percept.final = Promise.all([transcript, command, fin.catch(() => null)])
      .then(([tr, detail, r]): FinalTranscript | null => {
        const fallback = tr.fallback;
        const text = tr.text;
        const cmd = detail?.accepted ? { text: detail.text, confidence: detail.confidence, ...(detail.floored ? { floored: true } : {}) } : null;
        const candidate = detail && !detail.accepted && detail.text ? detail.text : undefined;
        if (!text && !cmd) return fallback ? { text: '', utterance, fallback } : null;
        const voice = describeVoice?.(text || cmd!.text) ?? null;
        return {
          text: text || cmd!.text,
          utterance,
          audio,
          ...(cmd ? { command: cmd } : {}),
          ...(candidate ? { commandCandidate: candidate } : {}),
          // n-best readings belong to the local decode: only when its text is the transcript.
          ...(r?.alternatives && (!remoteConfigured || tr.fallback) ? { alternatives: r.alternatives } : {}),
          ...(r?.wordScore !== undefined && (!remoteConfigured || tr.fallback) ? { openFit: r.wordScore } : {}),
          ...(fallback ? { fallback } : {}),
          ...(voice ? { voice } : {}),
          ...(room ? { room } : {}),
        };
      });
    this.finalTimes.set(percept.final, times);
  }

  /** When each final's parts settled, for the trace of the chunk whose decision waits for it. */
  private readonly finalTimes = new WeakMap<Promise<FinalTranscript | null>, NonNullable<PerceptTrace['final']>>();

  /**
   * One final per chunk: a deferred one goes out on the next chunk; if that chunk has its own, the
   * own one waits in turn (never on the stream's last chunk, which takes them all).
   */
  private handOverFinal(percept: Percept): void {
    const own = percept.final;
    const deferOwn = own !== undefined && this.deferNext && !percept.chunk.padded;
    this.deferNext = false;
    if (deferOwn) {
      this.laterFinals.push(own);
      delete percept.final;
      this.trace.deferredFinal = true;
      if (this.laterFinals.length === 1) return; // goes out on the next chunk
    }
    if (!this.laterFinals.length) return;
    if (percept.final && !deferOwn) {
      if (percept.chunk.padded) {
        // The last chunk: every final still waiting is decided on it, joined in order.
        const all = [...this.laterFinals, percept.final];
        this.laterFinals = [];
        percept.final = joinFinals(all);
        return;
      }
      this.laterFinals.push(percept.final);
    }
    percept.final = this.laterFinals.shift()!;
    if (percept.chunk.padded && this.laterFinals.length) {
      percept.final = joinFinals([percept.final, ...this.laterFinals]);
      this.laterFinals = [];
    }
  }

  /** Where the silence began that started a first utterance's tail decode (`silenceBegan`), while it lasts. */
  private onsetFrom: number | null = null;

  /** Set by endUtterance: the final it made is decided one chunk later. */
  private deferNext = false;

  private async timed<T>(op: () => Promise<T>): Promise<T> {
    const t0 = performance.now();
    try {
      return await op();
    } finally {
      this.timings.asrMs.add(performance.now() - t0);
    }
  }

  /** Waits for queued ASR work (used at end of stream). */
  async drain(): Promise<void> {
    await this.finals.catch(() => undefined);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    // Pending final decodes still need the recogniser: hand it back once they are done.
    const asr = this.asr;
    this.gstream?.close();
    void this.finals.then(() => (this.pool && asr instanceof StreamingRecognizer ? this.pool.release(asr) : asr.close()));
  }
}

/** Several utterances' finals decided on one chunk (only at the end of a stream): texts joined in order. */
export function joinFinals(finals: Promise<FinalTranscript | null>[]): Promise<FinalTranscript | null> {
  return Promise.all(finals).then((fs) => {
    const got = fs.filter((f): f is FinalTranscript => f !== null);
    if (got.length <= 1) return got[0] ?? null;
    const last = got.at(-1)!;
    return { ...last, text: got.map((f) => f.text).filter(Boolean).join(' ') };
  });
}

/** A batch grammar reading, and its grammar words as soon as they are known (null: none, or rejected by their fit); null if `start` declines. */
function batchReading(
  start: (onGrammar: (text: string | null) => void) => Promise<RecognitionDetail | null> | null,
): { command: Promise<RecognitionDetail | null>; words: Promise<string | null> } | null {
  let tell: (text: string | null) => void = () => undefined;
  const words = new Promise<string | null>((r) => (tell = r));
  const reading = start(tell);
  if (!reading) return null;
  const command = reading.catch(() => null);
  void command.finally(() => tell(null));
  return { command, words };
}
