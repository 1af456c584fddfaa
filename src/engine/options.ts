// Session options and their defaults, merged in exactly one place. Nothing here reads the environment:
// the CLI and the server resolve it (src/transport/env.ts) and pass endpoints in.

export interface SessionOptions {
  /** concurrent: stages run as a FIFO pipeline; sequential: each chunk goes through every stage in turn. */
  mode: 'concurrent' | 'sequential';
  /** Synthesize replies (response.audio events). */
  speak: boolean;
  /** Sample rate of response.audio. */
  outputSampleRate: number;
  /** espeak-ng voice for English replies. */
  voice: string;
  /** Text instructions applied at the start of the session. */
  instructions: string[];
  /** Per-chunk decision policy. */
  policy: 'rules' | 'learned';
  /** soundflow: always-on chunk policy (speech and sounds); server_vad: classic VAD turn-taking on speech only. */
  turnDetection: 'soundflow' | 'server_vad';
  /** server_vad parameters (OpenAI defaults). */
  vadThreshold: number;
  prefixPaddingMs: number;
  silenceDurationMs: number;
  /** Comment on sounds without being asked (alarms, coughs, ...). */
  proactive: boolean;
  /** Whose requests are answered: 'any' voice, or only the 'first' speaker heard (other voices are overheard
   * unless they say the assistant's name). Saying "this is my voice" enrols the speaker either way. */
  userVoice: 'any' | 'first';
  /** Bound of each inter-stage queue, in items. */
  queueCapacity: number;
  /** Seconds of reply audio to keep for the echo guard. */
  echoGuardSeconds: number;
  /**
   * Longest a chunk's decision waits for recognition work (an utterance's final transcript or grammar
   * reading, the early end-of-turn check at a pause, reply audio for the echo guard), ms from the chunk's
   * arrival: when its last sample was pushed, or, for audio pushed faster than real time, when it would
   * have arrived live; audio pushed > 2 s ahead of real time (a file, a test) waits as before, so its
   * decisions do not depend on timing. Past it the chunk is decided with what is
   * known (the turn is held, never answered on a guess) and the late result goes to the next chunk's
   * decision. 250 ms leaves the rest of the 400 ms chunk for perception (VAD/sound model wait ≤ ~50 ms
   * at 16 sessions), the decision and the socket, while finals that are simply a closing search
   * (≤ ~60 ms p99 on a quiet machine) are still decided on their own chunk. Infinity: always wait.
   */
  decisionBudgetMs: number;
  /** System prompt for the LLM endpoint (Realtime session `instructions`); never parsed as commands. */
  systemPrompt?: string;
  /** Optional OpenAI-compatible endpoints; when absent, offline skills answer. */
  llm?: { baseUrl: string; model: string; apiKey?: string; timeoutMs?: number };
  asrEndpoint?: { baseUrl: string; model: string; apiKey?: string; timeoutMs?: number };
}

export const DEFAULT_OPTIONS: Readonly<SessionOptions> = Object.freeze({
  mode: 'concurrent',
  speak: false,
  outputSampleRate: 16000,
  voice: 'en-us',
  instructions: [],
  policy: 'rules',
  turnDetection: 'soundflow',
  vadThreshold: 0.5,
  prefixPaddingMs: 300,
  silenceDurationMs: 500,
  proactive: true,
  userVoice: 'any',
  queueCapacity: 8,
  echoGuardSeconds: 10,
  decisionBudgetMs: 250,
});

export function resolveOptions(partial: Partial<SessionOptions> = {}): SessionOptions {
  const defined = Object.fromEntries(Object.entries(partial).filter(([, v]) => v !== undefined));
  const o: SessionOptions = { ...DEFAULT_OPTIONS, instructions: [], ...defined };
  if (o.mode !== 'concurrent' && o.mode !== 'sequential') throw new RangeError(`mode must be concurrent|sequential, got ${o.mode}`);
  if (!(o.outputSampleRate >= 8000 && o.outputSampleRate <= 48000)) throw new RangeError('outputSampleRate must be 8000..48000');
  if (o.userVoice !== 'any' && o.userVoice !== 'first') throw new RangeError(`userVoice must be any|first, got ${o.userVoice}`);
  if (!(o.queueCapacity >= 1)) throw new RangeError('queueCapacity must be >= 1');
  if (!(o.decisionBudgetMs >= 0)) throw new RangeError(`decisionBudgetMs must be >= 0 (Infinity: always wait), got ${o.decisionBudgetMs}`);
  return o;
}

/** How the embedded engine runs per-chunk perception (process-wide, not per session). */
export interface EngineOptions {
  /**
   * Worker threads for VAD and the sound model, batched across sessions (src/perception/workers/pool.ts);
   * 0 runs them in the calling thread, 'cores' one per core. The server uses 'cores'; the library
   * defaults to 0 (no threads a script did not ask for).
   */
  perceptionWorkers: number | 'cores';
}

export const DEFAULT_ENGINE_OPTIONS: Readonly<EngineOptions> = Object.freeze({ perceptionWorkers: 0 });

export function resolveEngineOptions(partial: Partial<EngineOptions> = {}): EngineOptions {
  const defined = Object.fromEntries(Object.entries(partial).filter(([, v]) => v !== undefined));
  const o: EngineOptions = { ...DEFAULT_ENGINE_OPTIONS, ...defined };
  if (o.perceptionWorkers !== 'cores' && !(Number.isInteger(o.perceptionWorkers) && o.perceptionWorkers >= 0 && o.perceptionWorkers <= 64)) {
    throw new RangeError(`perceptionWorkers must be 'cores' or an integer 0..64, got ${o.perceptionWorkers}`);
  }
  return o;
}
