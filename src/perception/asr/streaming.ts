// Streaming speech recognition for the session: a cheap decoder follows the audio chunk by chunk
// for partial transcripts, and at the end of the utterance a second, accurately configured decoder
// re-decodes the saved audio in one pass (batch cepstral normalisation + second passes) for the
// final transcript. The saved audio is bounded; past the cap the caller should finish().
import { SoundFlowError } from '../../util/errors.ts';
import { FINAL_BEAMS, PARTIAL_BEAMS, type BeamOptions } from './config.ts';
import { toRecognizerPcm, utteranceSampleBudget } from './input.ts';
import { PocketSphinxDecoder, type DecodeResult, type WordSegment } from './pocketsphinx.ts';
import { normalizeTranscript } from './wer.ts';
import { SAMPLE_RATE } from '../../audio/chunk.ts';

/** Segments shorter than this (0.25 s) are not worth a decode of their own. */
const MIN_SEGMENT_SAMPLES = 4000;

function joinResults(parts: DecodeResult[]): Pick<DecodeResult, 'text' | 'score' | 'words'> {
  return {
    text: parts.map((p) => p.text).filter(Boolean).join(' '),
    score: parts.reduce((s, p) => s + p.score, 0),
    words: parts.flatMap((p) => p.words),
  };
}

export interface StreamingOptions {
  hmm?: string;
  lm?: string;
  dict?: string;
  /** Beams of the partial decoder (default PARTIAL_BEAMS). */
  partialBeams?: BeamOptions;
  /** Beams of the final decoder (default FINAL_BEAMS = pocketsphinx defaults). */
  finalBeams?: BeamOptions;
  /** Longest utterance kept for the final decode, in seconds (default 30). */
  maxUtteranceSeconds?: number;
}

/** The streaming decoder's own result for one utterance (perception turns it into a FinalTranscript). */
export interface FinalDecode {
  /** Final transcript (normalized: lowercase, no fillers). */
  text: string;
  /** The partial decoder's own last hypothesis. */
  partialText: string;
  /** Path score of the final hypothesis (natural log). */
  score: number;
  /** Wall time of the final re-decode, ms. */
  ms: number;
  /** Seconds of audio decoded. */
  seconds: number;
  /** True when the utterance hit maxUtteranceSeconds and was cut. */
  truncated: boolean;
  words: WordSegment[];
  /** Distinct n-best readings of the whole utterance, best first (short utterances only; else absent). */
  alternatives?: string[];
  /** Lattice posterior of the transcript (product over its segments), when the recogniser gives one. */
  prob?: number;
  /**
   * Mean acoustic fit per frame of the transcript's words (pocketsphinx wordScore, frame-weighted over the
   * decoded parts; absent when no part has words). Low for voices the model fits badly (espeak's formant
   * voices: −6.4…−3.6 on the train split; flite awb −3.9…−1.7), whose transcripts are garble.
   */
  wordScore?: number;
}

/** Frame-weighted mean of the parts' word fits, or undefined when none has one. */
export function meanWordScore(parts: readonly { wordScore: number; frames: number }[]): number | undefined {
  let sum = 0;
  let frames = 0;
  for (const p of parts) {
    if (!Number.isFinite(p.wordScore) || !(p.frames > 0)) continue;
    sum += p.wordScore * p.frames;
    frames += p.frames;
  }
  return frames > 0 ? sum / frames : undefined;
}

/** Utterances up to this long get n-best alternatives (commands and questions are short). */
export const NBEST_MAX_SECONDS = 6;
const NBEST = 5;


export class StreamingRecognizer {
  private buffer: Int16Array;
  private length = 0;
  private active = false;
  private truncated = false;
  private closed = false;
  private partialText = '';
  /** Bumped per utterance so a late partial from a dropped one is not reported. */
  private generation = 0;
  /** Feeds queued on the partial decoder and not yet decoded. */
  private pendingPartials = 0;
  /** The partial decoder fell behind in this utterance: it stops (partials are best-effort, the final is not). */
  private partialsDropped = false;
  /**
   * Final decodes of the utterance's segments closed at pauses, started as each pause happens: at the
   * end only the audio after the last pause remains to decode, so the end-of-utterance cost stays
   * bounded however long the speaker goes on.
   */
  private segments: Promise<DecodeResult>[] = [];
  /** Buffer index where the open segment starts. */
  private segStart = 0;
  /** How many queued partial feeds count as "behind". */
  maxPartialBacklog = 2;

  private constructor(
    private readonly partialDecoder: PocketSphinxDecoder,
    private readonly finalDecoder: PocketSphinxDecoder,
    private readonly maxSamples: number,
  ) {
    this.buffer = new Int16Array(Math.min(this.maxSamples, 10 * SAMPLE_RATE));
  }

  static async create(opts: StreamingOptions = {}): Promise<StreamingRecognizer> {
    const maxSamples = utteranceSampleBudget(opts.maxUtteranceSeconds);
    const common = { hmm: opts.hmm, lm: opts.lm, dict: opts.dict };
    // Both models load in parallel on worker threads.
    const [p, f] = await Promise.allSettled([
      PocketSphinxDecoder.open({ ...common, beams: opts.partialBeams ?? PARTIAL_BEAMS }),
      PocketSphinxDecoder.open({ ...common, beams: opts.finalBeams ?? FINAL_BEAMS }),
    ]);
    if (p.status === 'rejected' || f.status === 'rejected') {
      if (p.status === 'fulfilled') p.value.close();
      if (f.status === 'fulfilled') f.value.close();
      throw (p.status === 'rejected' ? p.reason : (f as PromiseRejectedResult).reason) as Error;
    }
    return new StreamingRecognizer(p.value, f.value, maxSamples);
  }

  /** True between startUtterance() (or the first feed()) and finish()/cancel(). */
  get inUtterance(): boolean {
    return this.active;
  }

  /** True once the saved audio reached maxUtteranceSeconds: further audio is ignored, call finish(). */
  get full(): boolean {
    return this.length >= this.maxSamples;
  }

  /** Seconds of audio saved for the current utterance. */
  get seconds(): number {
    return this.length / SAMPLE_RATE;
  }

  /** Starts a new utterance (dropping one in progress), optionally with audio from before speech onset. */
  startUtterance(preRoll?: Int16Array | Float32Array): void {
    this.assertOpen();
    this.length = 0;
    this.truncated = false;
    this.partialText = '';
    this.active = true;
    this.partialsDropped = false;
    this.segments = [];
    this.segStart = 0;
    this.generation++;
    this.partialDecoder.start();
    if (preRoll && preRoll.length) void this.feed(preRoll).catch(() => {});
  }

  /**
   * Adds audio to the utterance (starting one if none is open) and resolves with the current
   * partial transcript once the partial decoder has caught up.
   */
  async feed(pcm: Int16Array | Float32Array): Promise<string> {
    this.assertOpen();
    const data = toRecognizerPcm(pcm);
    if (!this.active) this.startUtterance();
    const room = this.maxSamples - this.length;
    const take = data.length <= room ? data : data.subarray(0, room);
    if (take.length < data.length) this.truncated = true;
    if (take.length === 0) return this.partialText;
    this.append(take);
    // Faster than real time (a file, a loaded machine) the partial decoder would queue up work that only
    // feeds the live view; the final re-decode covers the whole utterance anyway, so stop partials instead.
    if (this.partialsDropped || this.pendingPartials >= this.maxPartialBacklog) {
      this.partialsDropped = true;
      return this.partialText;
    }
    const gen = this.generation;
    this.pendingPartials++;
    try {
      await this.partialDecoder.process(take);
    } finally {
      this.pendingPartials--;
    }
    // A cancel()/startUtterance() while this ran makes the hypothesis stale: don't report it.
    if (this.active && gen === this.generation) this.partialText = normalizeTranscript(this.partialDecoder.partial());
    return this.partialText;
  }

  /** The latest partial transcript. */
  partial(): string {
    return this.partialText;
  }

  /**
   * Closes a segment at a pause: the audio since the previous cut, minus its last `keepTail` samples
   * (audio after the pause point), is decoded now in the background.
   */
  commitSegment(keepTail = 0): void {
    if (this.closed || !this.active) return;
    const end = Math.max(this.segStart, this.length - Math.max(0, Math.round(keepTail)));
    if (end - this.segStart < MIN_SEGMENT_SAMPLES) return;
    const result = this.finalDecoder.decode(this.buffer.slice(this.segStart, end));
    result.catch(() => undefined);
    this.segments.push(result);
    this.segStart = end;
  }

  /** Ends the utterance: final transcript from a full re-decode of the saved audio. */
  async finish(opts: { tailHasSpeech?: boolean } = {}): Promise<FinalDecode> {
    this.assertOpen();
    const audio = this.buffer.slice(0, this.length);
    const segments = this.segments;
    const tail = this.buffer.slice(this.segStart, this.length);
    this.segments = [];
    this.segStart = 0;
    const truncated = this.truncated;
    const wasActive = this.active;
    this.active = false;
    this.generation++;
    this.length = 0;
    const seconds = audio.length / SAMPLE_RATE;
    // The partial decoder winds down on its own queue; the final never waits for its backlog.
    if (wasActive) void this.partialDecoder.end().catch(() => null);
    const partialText = this.partialText;
    this.partialText = '';
    if (audio.length === 0) return { text: '', partialText: '', score: 0, ms: 0, seconds: 0, truncated: false, words: [] };
    const t0 = performance.now();
    // The tail after the last pause is decoded unless the caller knows it holds no speech.
    const decodeTail = segments.length === 0 || (opts.tailHasSpeech !== false && tail.length >= MIN_SEGMENT_SAMPLES);
    const nbest = seconds <= NBEST_MAX_SECONDS ? NBEST : 0;
    const parts = await Promise.all(decodeTail ? [...segments, this.finalDecoder.decode(tail, { nbest })] : segments);
    const ms = performance.now() - t0;
    const final = joinResults(parts);
    const text = normalizeTranscript(final.text);
    // Alternatives vary the last decoded part; the earlier segments keep their best reading.
    const last = decodeTail ? parts[parts.length - 1].nbest : undefined;
    const prefix = decodeTail ? joinResults(parts.slice(0, -1)).text : '';
    const alternatives = last?.length ? [...new Set(last.map((h) => normalizeTranscript(`${prefix} ${h}`)).filter(Boolean))] : undefined;
    const wordScore = meanWordScore(parts.filter((x) => x.text));
    return { text, partialText, score: final.score, ms, seconds, truncated, words: final.words, ...(alternatives ? { alternatives } : {}), ...(wordScore !== undefined ? { wordScore } : {}) };
  }

  /** Drops the utterance in progress without decoding it. */
  cancel(): void {
    if (this.closed || !this.active) return;
    this.active = false;
    this.generation++;
    this.length = 0;
    this.partialText = '';
    void this.partialDecoder.end().catch(() => {});
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.active = false;
    this.partialDecoder.close();
    this.finalDecoder.close();
  }

  private append(pcm: Int16Array): void {
    const need = this.length + pcm.length;
    if (need > this.buffer.length) {
      const grown = new Int16Array(Math.min(this.maxSamples, Math.max(need, this.buffer.length * 2)));
      grown.set(this.buffer.subarray(0, this.length));
      this.buffer = grown;
    }
    this.buffer.set(pcm, this.length);
    this.length += pcm.length;
  }

  private assertOpen(): void {
    if (this.closed) throw new SoundFlowError('asr_closed', 'recognizer closed', { recoverable: true });
  }
}
