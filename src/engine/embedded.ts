// The default engine: offline, CPU-only, built from Silero VAD, pocketsphinx, the project's own
// sound model, Apertium and espeak-ng. Shared resources (ONNX sessions, TTS limits, translators)
// live here; each session gets its own incremental state.
import { startSpawnHelper } from '../util/spawner.ts';
import { warmUp as warmRepair } from '../response/understanding/repair.ts';
import type { Engine, Session } from './types.ts';
import type { Policy } from '../decision/types.ts';
import { resolveEngineOptions, resolveOptions, type EngineOptions, type SessionOptions } from './options.ts';
import { EmbeddedSession, type SessionHooks } from './session.ts';
import { DEFAULT_PERCEIVER, Perceiver } from '../perception/perceiver.ts';
import { serverVadPreset } from '../perception/segmenter.ts';
import { RulePolicy } from '../decision/rules.ts';
import { LearnedPolicy, loadDecisionModel } from '../decision/learned.ts';
import { Assistant } from '../response/assistant.ts';
import { endpointChatModel } from '../response/chat-model.ts';
import { SoundWatcher } from '../decision/sound-watcher.ts';
import { SoundHandlers } from '../decision/sound-handlers.ts';
import { EspeakTts } from '../response/tts/espeak.ts';
import { openOnePassPool } from '../perception/asr/one-pass.ts';
import { RecognizerPool } from '../perception/asr/pool.ts';
import type { DecoderPool } from '../perception/asr/decoder-pool.ts';
import { GrammarPool } from '../perception/asr/grammar-pool.ts';
import { openGrammarStreamPool, type GrammarDecoderPair } from '../perception/asr/grammar-stream.ts';
import { availableParallelism } from 'node:os';
import { OpenAITranscriptionClient } from '../clients/openai-transcribe.ts';
import { remoteTranscriber } from '../perception/asr/transcriber.ts';
import { SileroVad } from '../perception/vad.ts';
import { SoundClassifier } from '../perception/sounds/classifier.ts';
import { inThreadModels, type ChunkModels } from '../perception/chunk-models.ts';
import { PerceptionPool } from '../perception/workers/pool.ts';
import { intentOf } from '../response/intent.ts';

/** A transcript that asks for a task or a skill's answer as it stands (no repair, no guess). */
const understoodAsHeard = (text: string): boolean => intentOf(text) !== null;


/** What a caller other than a client may change in how a session is wired (training dumps, tests). */
export interface SessionWiring {
  /** Wall clock for time/date answers. */
  now?: () => Date;
  /** Wraps the decision policy (e.g. to record what it sees). */
  wrapPolicy?: (policy: Policy) => Policy;
  /** Wraps each utterance's final transcript (tests: a slow recogniser against the decision budget). */
  wrapFinal?: SessionHooks['wrapFinal'];
}

/** The recogniser an EmbeddedEngine uses unless told otherwise. */
export const DEFAULT_ASR: 'one-pass' | 'two-pass' = 'one-pass';

export class EmbeddedEngine implements Engine {
  readonly name = 'embedded';
  private readonly tts = new EspeakTts();
  /**
   * Open-vocabulary recognition. 'one-pass' (DEFAULT_ASR): decoders lent per utterance (one accurate
   * streaming pass each, a session's first utterance decoded again with its own cepstral mean; early end
   * of turn; silent sessions hold none; bounded, idle ones freed after 30 s; ~1/10 of the CPU left at the
   * end of an utterance). 'two-pass': each session holds a partial + final decoder pair and re-decodes
   * every segment at its end.
   */
  private readonly recognizers: RecognizerPool | DecoderPool;

  /** Where VAD and the sound model run: this thread, or a worker pool batching them across sessions. */
  readonly models: ChunkModels;

  /**
   * Command-grammar readings. With the one-pass recogniser they are streamed by default: two live decoders
   * per utterance (lent like the recogniser's) follow the audio, so a pause or the end of an utterance
   * only waits for their closing searches. 'batch' (and the two-pass recogniser) decode the utterance
   * so far at each pause and at the end, on readers shared by every session.
   */
  private readonly grammar: GrammarPool | DecoderPool<GrammarDecoderPair>;

  constructor(opts: { asr?: 'one-pass' | 'two-pass'; grammar?: 'streamed' | 'batch' } & Partial<EngineOptions> = {}) {
    const twoPass = (opts.asr ?? DEFAULT_ASR) === 'two-pass';
    this.recognizers = twoPass ? new RecognizerPool() : openOnePassPool({}, { max: 8, spare: 0, idleMs: 30_000 });
    this.grammar = twoPass || opts.grammar === 'batch'
      ? new GrammarPool(Math.max(1, Math.min(4, availableParallelism())), { floorRetry: DEFAULT_PERCEIVER.grammarFloorRetry })
      // Pairs of ~35 MB decoders: four utterances read at once (more wait for a pair and catch up).
      : openGrammarStreamPool({ max: 4, spare: 0, idleMs: 30_000 });
    const { perceptionWorkers: workers } = resolveEngineOptions(opts);
    this.models = workers === 0 ? inThreadModels() : new PerceptionPool(workers === 'cores' ? {} : { workers });
  }

  async createSession(options: Partial<SessionOptions> = {}, wiring: SessionWiring = {}): Promise<Session> {
    const opts = resolveOptions(options);
    const serverVad = opts.turnDetection === 'server_vad';
    // Once sessions exist, one idle recogniser stays warm (as a server's warmUp() does): a session's first
    // utterance is decoded again speculatively at its pauses only on an idle decoder (one-pass.ts), and
    // without one its end pays the whole re-decode. One per engine (~90 MB), not per session.
    if (!(this.recognizers instanceof RecognizerPool) && this.recognizers.options.spare < 1) {
      this.recognizers.options.spare = 1;
      this.recognizers.topUp();
    }
    // Loaded before anything that needs closing, so a missing model fails cleanly.
    const decisionNet = opts.policy === 'learned' && !serverVad ? loadDecisionModel() : null;
    const perceiver = await Perceiver.create({
      vadThreshold: opts.vadThreshold,
      segmenter: serverVad
        ? serverVadPreset({ threshold: opts.vadThreshold, prefixPaddingMs: opts.prefixPaddingMs, silenceDurationMs: opts.silenceDurationMs })
        : DEFAULT_PERCEIVER.segmenter,
      prefixPaddingMs: opts.prefixPaddingMs,
      sounds: !serverVad,
      // server_vad keeps OpenAI's semantics: the turn ends after silence_duration_ms, whatever was said.
      earlyEnd: !serverVad,
      voice: { enrollFirst: opts.userVoice === 'first' },
      // A room of other voices gates segmentation (perceiver.ts); server_vad keeps the VAD's own turns.
      babbleMarginDb: serverVad ? Infinity : DEFAULT_PERCEIVER.babbleMarginDb,
      // A first utterance understood as the live pass heard it is not decoded again (docs/notes/asr.md, ninth round).
      keepUnderstoodFirstUtterance: understoodAsHeard,
      // server_vad changes turn-taking only: questions are still read with the command grammar (without
      // it the same question was misheard there and right in the default mode; docs/notes/understanding.md).
    }, this.recognizers, this.grammar, opts.asrEndpoint ? remoteTranscriber(new OpenAITranscriptionClient(opts.asrEndpoint)) : null, this.models);
    const assistant = new Assistant({ chat: opts.llm ? endpointChatModel(opts.llm, opts.systemPrompt) : null, now: wiring.now, soundQuestions: !serverVad });
    const watcher = serverVad ? null : new SoundWatcher(assistant.tasks, opts.proactive);
    const sounds = watcher ? new SoundHandlers([watcher, assistant.questions]) : null;
    const rules = new RulePolicy(assistant, sounds, { respondToAllSpeech: serverVad });
    // The learned policy gates the rules' candidate replies (server_vad is its own baseline: no gating).
    const policy = decisionNet ? new LearnedPolicy(rules, decisionNet) : rules;
    return new EmbeddedSession(opts, perceiver, wiring.wrapPolicy ? wiring.wrapPolicy(policy) : policy, opts.speak ? this.tts : null, this.name, { wrapFinal: wiring.wrapFinal });
  }

  /** Opens the shared models ahead of the first session (a server calls this at start-up). */
  async warmUp(): Promise<void> {
    startSpawnHelper(); // replies' espeak-ng processes, started from a small helper (src/util/spawner.ts)
    warmRepair(); // the pronouncing dictionary (~0.15 s): not in the first session's set-up
    if (this.recognizers instanceof RecognizerPool) this.recognizers.spare = 1;
    else this.recognizers.options.spare = 1;
    this.recognizers.topUp();
    if (this.grammar instanceof GrammarPool) void this.grammar.warm().catch(() => undefined);
    else {
      this.grammar.options.spare = 1;
      this.grammar.topUp();
    }
    await Promise.all([SileroVad.create(this.models), SoundClassifier.load().catch(() => null)]);
  }

  async close(): Promise<void> {
    this.recognizers.close();
    this.grammar.close();
    if (this.models instanceof PerceptionPool) await this.models.close();
  }
}
