// The input audio buffer of a Realtime session with manual turns (`turn_detection: null`): audio is
// kept (at 16 kHz) until the client commits it; the committed turn is then transcribed in one pass,
// by the configured OpenAI-compatible ASR endpoint or else by the offline recogniser (pocketsphinx).
import { OpenAITranscriptionClient } from '../../clients/openai-transcribe.ts';
import type { SessionOptions } from '../../engine/options.ts';
import { RecognizerPool } from '../../perception/asr/pool.ts';
import { SoundFlowError } from '../../util/errors.ts';

const RATE = 16000;
/** OpenAI refuses commits of less than 100 ms of audio; so do we. */
export const MIN_COMMIT_MS = 100;
/** One manual turn at most (longer is a client bug or abuse; the recogniser caps at 5 min anyway). */
export const MAX_TURN_SECONDS = 120;

/** Shared by every connection of the process: opening pocketsphinx costs ~1 s. */
let pool: RecognizerPool | null = null;

export class InputBuffer {
  private parts: Int16Array[] = [];
  private samples = 0;

  get ms(): number {
    return (this.samples / RATE) * 1000;
  }

  append(pcm: Int16Array): void {
    if (this.samples + pcm.length > MAX_TURN_SECONDS * RATE) {
      throw Object.assign(
        new SoundFlowError('input_audio_buffer_full', `the input audio buffer holds at most ${MAX_TURN_SECONDS} s; commit or clear it`, { recoverable: true }),
        { param: 'audio' },
      );
    }
    this.parts.push(pcm);
    this.samples += pcm.length;
  }

  clear(): void {
    this.parts = [];
    this.samples = 0;
  }

  /** Takes the buffered audio (the buffer is empty afterwards). */
  take(): Int16Array {
    const out = new Int16Array(this.samples);
    let o = 0;
    for (const p of this.parts) {
      out.set(p, o);
      o += p.length;
    }
    this.clear();
    return out;
  }
}

/** Transcribes one committed turn. */
export async function transcribeTurn(pcm: Int16Array, opts: Partial<SessionOptions>): Promise<string> {
  if (opts.asrEndpoint) {
    return (await new OpenAITranscriptionClient(opts.asrEndpoint).transcribe(pcm)).text;
  }
  pool ??= new RecognizerPool({ maxUtteranceSeconds: MAX_TURN_SECONDS }, 2);
  const rec = await pool.acquire();
  try {
    rec.startUtterance();
    await rec.feed(pcm);
    return (await rec.finish()).text;
  } finally {
    pool.release(rec);
  }
}
