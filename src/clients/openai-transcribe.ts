// OpenAI-compatible speech-to-text (/v1/audio/transcriptions): one finished utterance is uploaded as a
// 16 kHz mono PCM16 WAV in a multipart form; the reply's `text` is the transcript.
import { encodeWav } from '../audio/wav.ts';
import { SoundFlowError } from '../util/errors.ts';
import { EngineError } from './errors.ts';
import { endpoint, TimedFetch } from './http.ts';
import { SAMPLE_RATE } from '../audio/chunk.ts';

export interface TranscriptionClientOptions {
  /** Base URL including the version prefix, e.g. "http://127.0.0.1:8000/v1". */
  baseUrl: string;
  model: string;
  apiKey?: string;
  /** Limit for the whole request (default 30 s). */
  timeoutMs?: number;
  /** ISO-639-1 hint (default "en"). */
  language?: string;
}

export interface TranscriptionResult {
  text: string;
  /** Seconds of audio sent. */
  duration: number;
}

/** Longest utterance accepted (the OpenAI API caps uploads at 25 MB; 10 minutes of 16 kHz PCM16 is ~19 MB). */
export const MAX_SECONDS = 600;

export class OpenAITranscriptionClient {
  readonly url: string;
  private readonly timeoutMs: number;

  constructor(private readonly opts: TranscriptionClientOptions) {
    if (!opts.model) throw new SoundFlowError('invalid_argument', 'transcription client: model is required');
    this.url = endpoint(opts.baseUrl, 'audio/transcriptions');
    this.timeoutMs = opts.timeoutMs ?? 30_000;
    if (!(this.timeoutMs > 0)) throw new SoundFlowError('invalid_argument', 'transcription client: timeoutMs must be > 0');
  }

  /** Transcribes 16 kHz mono audio (Float32 in [-1, 1] or PCM16). */
  async transcribe(audio: Float32Array | Int16Array, opts: { signal?: AbortSignal; prompt?: string; sampleRate?: number } = {}): Promise<TranscriptionResult> {
    if (!(audio instanceof Float32Array || audio instanceof Int16Array)) throw new SoundFlowError('invalid_input', 'transcribe: audio must be Float32Array or Int16Array', { recoverable: true });
    const rate = opts.sampleRate ?? SAMPLE_RATE;
    const duration = audio.length / rate;
    if (audio.length === 0) return { text: '', duration: 0 };
    if (duration > MAX_SECONDS) throw new SoundFlowError('invalid_input', `transcribe: ${duration.toFixed(1)} s is longer than ${MAX_SECONDS} s`, { recoverable: true });
    const form = new FormData();
    form.append('file', new Blob([new Uint8Array(encodeWav(audio, rate))], { type: 'audio/wav' }), 'utterance.wav');
    form.append('model', this.opts.model);
    form.append('response_format', 'json');
    form.append('language', this.opts.language ?? 'en');
    if (opts.prompt) form.append('prompt', opts.prompt);
    const headers: Record<string, string> = {};
    if (this.opts.apiKey) headers.authorization = `Bearer ${this.opts.apiKey}`;
    const req = new TimedFetch({ timeoutMs: this.timeoutMs, signal: opts.signal, what: 'asr' });
    try {
      const res = await req.fetch(this.url, { method: 'POST', headers, body: form });
      let body = '';
      for await (const c of req.chunks(res)) body += Buffer.from(c).toString('utf8');
      let json: { text?: unknown };
      try {
        json = JSON.parse(body);
      } catch {
        throw new EngineError('asr_bad_response', `asr endpoint sent invalid JSON: ${body.slice(0, 120)}`, { retryable: false });
      }
      if (typeof json?.text !== 'string') throw new EngineError('asr_bad_response', 'asr response has no text field', { retryable: false });
      return { text: json.text.trim(), duration };
    } finally {
      req.abort();
    }
  }
}
