// The environment, read in one place and only by the CLI and the server: library code takes options.
import type { SessionOptions } from '../engine/options.ts';
import { SoundFlowError } from '../util/errors.ts';

type Endpoint = NonNullable<SessionOptions['llm']>;

/**
 * Endpoints configured by environment: SOUNDFLOW_LLM_BASE_URL + SOUNDFLOW_LLM_MODEL (+ SOUNDFLOW_LLM_API_KEY
 * or OPENAI_API_KEY) and SOUNDFLOW_ASR_BASE_URL + SOUNDFLOW_ASR_MODEL (+ SOUNDFLOW_ASR_API_KEY).
 */
export function endpointsFromEnv(env: NodeJS.ProcessEnv = process.env): Pick<SessionOptions, 'llm' | 'asrEndpoint'> {
  const out: Pick<SessionOptions, 'llm' | 'asrEndpoint'> = {};
  const llm = endpoint('LLM', env.SOUNDFLOW_LLM_BASE_URL, env.SOUNDFLOW_LLM_MODEL, env);
  const asr = endpoint('ASR', env.SOUNDFLOW_ASR_BASE_URL, env.SOUNDFLOW_ASR_MODEL, env);
  if (llm) out.llm = llm;
  if (asr) out.asrEndpoint = asr;
  return out;
}

/** An endpoint from a base URL and model (CLI flags or environment); its key from SOUNDFLOW_<KIND>_API_KEY or OPENAI_API_KEY. */
export function endpoint(
  kind: 'LLM' | 'ASR',
  baseUrl: string | undefined,
  model: string | undefined,
  env: NodeJS.ProcessEnv = process.env,
): Endpoint | undefined {
  if (!baseUrl || !model) return undefined;
  return { baseUrl, model, apiKey: env[`SOUNDFLOW_${kind}_API_KEY`] ?? env.OPENAI_API_KEY };
}

/** Base URL of a served Audio-Interaction model (engine "aim-served"), when set in the environment. */
export function aimUrlFromEnv(env: NodeJS.ProcessEnv = process.env): string | undefined {
  return env.SOUNDFLOW_AIM_URL;
}

/** Bearer token clients must present to `soundflow serve`, when set in the environment. */
export function serverTokenFromEnv(env: NodeJS.ProcessEnv = process.env): string | undefined {
  return env.SOUNDFLOW_TOKEN;
}

/** File to write per-chunk timing spans to (SOUNDFLOW_CHUNK_TRACE; src/util/chunk-trace.ts), when set. */
export function chunkTraceFileFromEnv(env: NodeJS.ProcessEnv = process.env): string | undefined {
  return env.SOUNDFLOW_CHUNK_TRACE || undefined;
}

/**
 * Experimental recogniser noise floor (dBFS RMS; SOUNDFLOW_ASR_NOISE_FLOOR_DBFS, e.g. -45), when set: see
 * setRecognizerNoiseFloor in src/perception/asr/pocketsphinx.ts. A value that is not a number is an error.
 */
export function asrNoiseFloorFromEnv(env: NodeJS.ProcessEnv = process.env): number | undefined {
  const v = env.SOUNDFLOW_ASR_NOISE_FLOOR_DBFS;
  if (v === undefined || v === '') return undefined;
  const n = Number(v);
  if (!Number.isFinite(n)) throw new SoundFlowError('invalid_argument', `SOUNDFLOW_ASR_NOISE_FLOOR_DBFS must be a number (dBFS), got "${v}"`);
  return n;
}

/**
 * How often the C heap is trimmed after recognition (SOUNDFLOW_HEAP_TRIM_MS: milliseconds, or "off"), when
 * set: see setNativeHeapTrim in src/perception/asr/native-heap.ts. Anything else is an error.
 */
export function heapTrimFromEnv(env: NodeJS.ProcessEnv = process.env): number | null | undefined {
  const v = env.SOUNDFLOW_HEAP_TRIM_MS;
  if (v === undefined || v === '') return undefined;
  if (v === 'off') return null;
  const n = Number(v);
  if (!(Number.isFinite(n) && n >= 0)) throw new SoundFlowError('invalid_argument', `SOUNDFLOW_HEAP_TRIM_MS must be milliseconds >= 0 or "off", got "${v}"`);
  return n;
}
