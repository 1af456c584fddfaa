// Final transcripts of finished utterances, behind one small interface: the local decoder, a remote
// OpenAI-compatible endpoint, or a remote one that falls back on the local one when it fails.
import type { OpenAITranscriptionClient } from '../../clients/openai-transcribe.ts';
import { errorMessage, SoundFlowError } from '../../util/errors.ts';
import { normalizeTranscript } from './wer.ts';
import type { ErrorCode } from '../../error-codes.ts';

export interface Transcript {
  text: string;
  /** The primary transcriber failed and the fallback's text was used instead. */
  fallback?: { code: ErrorCode; message: string };
}

export interface Transcriber {
  /** Transcribes one finished utterance (16 kHz mono PCM16). */
  transcribe(audio: Int16Array): Promise<Transcript>;
}

/** A remote OpenAI-compatible recogniser; its text is normalised like the local decoder's. */
export function remoteTranscriber(client: Pick<OpenAITranscriptionClient, 'transcribe'>): Transcriber {
  return { transcribe: async (audio) => ({ text: normalizeTranscript((await client.transcribe(audio)).text) }) };
}

/**
 * Runs both transcribers at once and prefers the primary's text; the secondary stands in when the
 * primary fails or hears nothing (the failure is reported as `fallback`). The secondary never throws
 * through: a failed local decode counts as empty text.
 */
export class FallbackTranscriber implements Transcriber {
  constructor(
    private readonly primary: Transcriber,
    private readonly secondary: Transcriber,
  ) {}

  async transcribe(audio: Int16Array): Promise<Transcript> {
    const [p, s] = await Promise.all([
      this.primary.transcribe(audio).then(
        (r) => ({ text: r.text }),
        (err: unknown) => ({ error: { code: err instanceof SoundFlowError ? err.code : 'asr_endpoint_failed', message: errorMessage(err) } }),
      ),
      this.secondary.transcribe(audio).catch(() => ({ text: '' })),
    ]);
    const text = ('text' in p ? p.text : '') || s.text;
    return 'error' in p ? { text, fallback: p.error } : { text };
  }
}
