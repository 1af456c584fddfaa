// The speech-output seam: responders hand text to a Tts and forward the PCM16 pieces as response.audio.
import type { Emotion } from '../../events.ts';

export interface TtsOptions {
  /** Prosody preset (default 'normal'). */
  emotion?: Emotion;
  /** Engine-specific voice id, e.g. an espeak-ng voice from voiceFor('es'). */
  voice?: string;
  /** Output rate of the PCM16 pieces (default 16000; the Realtime endpoint wants 24000). */
  sampleRate?: number;
  /** Aborting stops synthesis at once (barge-in); the iteration then throws SoundFlowError 'aborted'. */
  signal?: AbortSignal;
}

export interface Tts {
  readonly name: string;
  /**
   * Mono little-endian PCM16 pieces at `sampleRate`, yielded as they are synthesised (the first piece comes
   * long before the whole text is done). Stopping the iteration early releases everything.
   */
  synthesize(text: string, opts?: TtsOptions): AsyncIterable<Int16Array>;
}
