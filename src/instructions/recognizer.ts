// Constrained recognition of instructions and skill questions. Open-vocabulary pocketsphinx garbles
// short commands ("what is your name" → "juanita name"), so a finished utterance is also decoded
// with the command grammar. A grammar search always returns *some* sentence of the grammar, so the
// same audio is decoded with a free loop over the same words plus common English words: when the
// grammar path scores well below that loop (per 10 ms frame), the utterance was not a command and is
// rejected rather than forced into the nearest one.
import { SoundFlowError } from '../util/errors.ts';
import { buildGrammar, buildWordLoop, dictionaryWords, DEFAULT_DICT } from './grammar.ts';
import { SphinxDecoder, type UtteranceDecoder } from './sphinx.ts';

export interface Recognition {
  /** The grammar's best sentence (lower case, in-grammar words). */
  text: string;
  /** 0..1; 0.5 is the acceptance threshold. */
  confidence: number;
}

export interface RecognitionDetail extends Recognition {
  /** Per-frame score of the grammar path minus the free loop's, ×1000 (the raw evidence). */
  margin: number;
  accepted: boolean;
  /** The free loop's sentence, for diagnostics. */
  loopText: string;
  ms: number;
}

export interface RecognizerOptions {
  /** Margin (see RecognitionDetail) at which confidence is 0.5; default 0.3, from bench/instructions.ts. */
  threshold?: number;
  /** Also load the open n-gram search, for comparisons (bench). */
  withOpenDecoder?: boolean;
  /** Use this decoder instead of loading pocketsphinx (it must know the searches "command" and "loop"). */
  decoder?: UtteranceDecoder;
}

const SAMPLE_RATE = 16000;
/** Commands are short; longer audio is chatter and not worth two decodes. */
export const MAX_COMMAND_SECONDS = 12;
const MIN_SECONDS = 0.25;
const PAD = new Int16Array(Math.round(0.2 * SAMPLE_RATE));

function toPcm16(pcm: Float32Array | Int16Array): Int16Array {
  if (pcm instanceof Int16Array) return pcm;
  const out = new Int16Array(pcm.length);
  for (let i = 0; i < pcm.length; i++) out[i] = Math.max(-32768, Math.min(32767, Math.round(pcm[i] * 32767)));
  return out;
}

export class ConstrainedRecognizer {
  private constructor(
    private readonly decoder: UtteranceDecoder,
    private readonly threshold: number,
    readonly hasOpenDecoder: boolean,
  ) {}

  static async open(opts: RecognizerOptions = {}): Promise<ConstrainedRecognizer> {
    const threshold = opts.threshold ?? 0.3;
    if (opts.decoder) return new ConstrainedRecognizer(opts.decoder, threshold, false);
    const dictionary = dictionaryWords(DEFAULT_DICT);
    const grammar = buildGrammar({ dictionary });
    const decoder = await SphinxDecoder.open({
      jsgf: { command: grammar.jsgf, loop: buildWordLoop(grammar, { dictionary }) },
      ngram: opts.withOpenDecoder ? 'open' : undefined,
      extraPronunciations: grammar.extraPronunciations,
    });
    return new ConstrainedRecognizer(decoder, threshold, !!opts.withOpenDecoder);
  }

  /** The command or question said in a finished utterance, or null when it is out of grammar. */
  async recognize(pcm: Float32Array | Int16Array): Promise<Recognition | null> {
    const d = await this.recognizeDetailed(pcm);
    return d && d.accepted ? { text: d.text, confidence: d.confidence } : null;
  }

  /** Like recognize() but also returns rejected hypotheses and the evidence (bench, logs). */
  async recognizeDetailed(pcm: Float32Array | Int16Array): Promise<RecognitionDetail | null> {
    if (!(pcm instanceof Float32Array || pcm instanceof Int16Array)) throw new SoundFlowError('bad_input', 'recognize: audio must be 16 kHz mono Float32Array or Int16Array', { recoverable: true });
    const seconds = pcm.length / SAMPLE_RATE;
    if (seconds < MIN_SECONDS || seconds > MAX_COMMAND_SECONDS) return null;
    const t0 = performance.now();
    const padded = new Int16Array(pcm.length + 2 * PAD.length);
    padded.set(toPcm16(pcm), PAD.length);
    const cmd = await this.decoder.decode('command', padded);
    if (!cmd.text || cmd.frames <= 0) return null;
    const loop = await this.decoder.decode('loop', padded);
    const margin = ((cmd.score - loop.score) / cmd.frames) * 1000;
    const confidence = 1 / (1 + Math.exp(-(margin - this.threshold) / 0.25));
    return { text: cmd.text, confidence, margin, accepted: confidence >= 0.5, loopText: loop.text, ms: performance.now() - t0 };
  }

  /** The open n-gram decoder's text for the same audio (only when opened withOpenDecoder). */
  async openDecode(pcm: Float32Array | Int16Array): Promise<string> {
    if (!this.hasOpenDecoder) throw new SoundFlowError('bad_option', 'open decoder not loaded (open with withOpenDecoder: true)');
    const padded = new Int16Array(pcm.length + 2 * PAD.length);
    padded.set(toPcm16(pcm), PAD.length);
    return (await this.decoder.decode('open', padded)).text;
  }

  close(): void {
    this.decoder.close();
  }
}
