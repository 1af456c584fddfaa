// Constrained recognition of instructions and skill questions. Open-vocabulary pocketsphinx garbles
// short commands ("what is your name" → "juanita name"), so a finished utterance is also decoded
// with the command grammar. A grammar search always returns *some* sentence of the grammar, so two
// pieces of evidence decide whether it was really said:
//  - margin: the same audio is decoded with a free loop over the grammar's words plus common English
//    words; when the grammar path scores well below that loop (per 10 ms frame), the words were
//    forced onto the audio;
//  - wordScore: the mean acoustic fit of the grammar path's words (the ASR wrapper's measure).
// Either one below its threshold rejects the utterance rather than forcing it into a command.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_DICT } from './native.ts';
import { PocketSphinxDecoder } from './pocketsphinx.ts';
import { SoundFlowError } from '../../util/errors.ts';
import { buildGrammar, buildWordLoop, dictionaryWords } from '../../instructions/grammar.ts';
import { SAMPLE_RATE } from '../../audio/chunk.ts';
import { withNoiseFloor } from './noise-floor.ts';
import { toRecognizerPcm } from './input.ts';

export interface Recognition {
  /** The grammar's best sentence (lower case, in-grammar words). */
  text: string;
  /** 0..1; accepted utterances have >= 0.5. */
  confidence: number;
}

export interface RecognitionDetail extends Recognition {
  /**
   * Per-frame score of the grammar path minus the free loop's (natural log per 10 ms frame). NaN when
   * the free loop was not decoded because the word fit alone already rejects the reading.
   */
  margin: number;
  /** Mean acoustic ln-score per frame of the grammar path's words (<= 0, higher = better fit). */
  wordScore: number;
  accepted: boolean;
  /** The free loop's sentence, for diagnostics. */
  loopText: string;
  /** Read again with a noise floor under it (FloorRetry) and accepted that way. */
  floored?: boolean;
  /** Wall time of the decodes. */
  ms: number;
}

export interface RecognizerOptions {
  /** Margin below which the grammar path is rejected (default 0.1; bench/instructions.ts, docs/notes/instructions.md). */
  marginThreshold?: number;
  /** wordScore below which the grammar path is rejected (default -4.6). */
  wordScoreThreshold?: number;
  /** Also load the open n-gram search, for comparisons (bench, tests). */
  withOpenDecoder?: boolean;
  /**
   * Decode the free loop even when the grammar path's word fit already rejects the reading, so every
   * reading has a margin (threshold tuning, comparisons). Default false: the loop decode is 3–4× the
   * grammar decode's CPU and cannot change a reading the word fit rejects.
   */
  fullEvidence?: boolean;
  /** A second reading with a noise floor for an utterance whose word fit rejects it (null: off). */
  floorRetry?: FloorRetry | null;
}

/**
 * A reading the word fit rejects is read again with pink noise `belowSpeechDb` under the speech
 * (noise-floor.ts), when the room is quieter than that; it replaces the plain reading only when accepted
 * by its own thresholds. Formant voices (espeak) fit the model badly in quiet rooms and well over a floor.
 */
export interface FloorRetry {
  belowSpeechDb: number;
  marginThreshold: number;
  wordScoreThreshold: number;
}

/**
 * Tuned on the train split only (scripts/tune-noise-floor.ts: 294 utterances of 120 train-v2 streams, 205 of
 * them rejected by the plain fit or with no grammar path): margin ≥ 0.3 and fit ≥ −4.2 over the floor gain 30
 * commands, 1 misread, 2 chatter lines accepted; the plain thresholds (0.1, −4.6) would gain 32 / 3 / 9
 * (docs/notes/eval-v1-misses.md, ninth round).
 */
export const DEFAULT_FLOOR_RETRY: FloorRetry = { belowSpeechDb: 25, marginThreshold: 0.3, wordScoreThreshold: -4.2 };

/**
 * Whether a reading is one the floor retry should try again: rejected by the word fit alone. (A grammar
 * search with no path at all is tried again too: en-gb-scotland's translate instruction read that way in
 * some runs and as "… into polish" at −7 in others.)
 */
export function fitRejected(r: RecognitionDetail | null, th: { wordScoreThreshold: number }): r is RecognitionDetail {
  return !!r && !r.accepted && r.wordScore < th.wordScoreThreshold;
}

/**
 * The floored reading of `pcm`, or null when the room needs no floor or the reading is not accepted.
 * `decode` reads one audio with the grammar ('grammar') or the free loop ('loop').
 */
export async function flooredReading(
  pcm: Int16Array,
  retry: FloorRetry,
  decode: (pcm: Int16Array, search: 'grammar' | 'loop') => Promise<{ text: string; score: number; frames: number; wordScore: number }>,
  full = false,
): Promise<RecognitionDetail | null> {
  const floored = withNoiseFloor(pcm, retry.belowSpeechDb);
  if (!floored) return null;
  const t0 = performance.now();
  const th = { marginThreshold: retry.marginThreshold, wordScoreThreshold: retry.wordScoreThreshold };
  const cmd = await decode(floored, 'grammar');
  if (!cmd.text || cmd.frames <= 0) return null;
  const early = full ? null : rejectedByFit(cmd, th, 0);
  if (early) return null;
  const r = judgeReading(cmd, await decode(floored, 'loop'), th, performance.now() - t0);
  if (!r) return null;
  r.floored = true;
  return full || r.accepted ? r : null;
}

/** The decoder interface the recogniser needs (PocketSphinxDecoder provides it). */
export interface GrammarDecoder {
  decode(pcm: Int16Array | Float32Array, opts?: { search?: string }): Promise<{ text: string; score: number; frames: number; wordScore: number }>;
  close(): void;
}

/** Commands are short; longer audio is chatter and not worth two decodes. */
export const MAX_COMMAND_SECONDS = 12;
/** Shorter audio holds no command. */
export const MIN_COMMAND_SECONDS = 0.25;

/** The stock dictionary plus the grammar's extra words, written once per process. */
let dictFile: string | null = null;
function dictionaryWith(extra: Record<string, string>): string {
  if (!Object.keys(extra).length) return DEFAULT_DICT;
  if (!dictFile) {
    dictFile = join(mkdtempSync(join(tmpdir(), 'sf-dict-')), 'soundflow.dict');
    writeFileSync(dictFile, readFileSync(DEFAULT_DICT, 'utf8') + Object.entries(extra).map(([w, p]) => `${w} ${p}\n`).join(''));
  }
  return dictFile;
}

let sources: { grammar: ReturnType<typeof buildGrammar>; loop: string } | null = null;
/**
 * The grammar and word loop, built once per process: reading the 135k-word dictionary and building
 * both took ~150 ms of the event loop per recogniser opened (it showed as p99 spikes of every session).
 */
function grammarSources(): { grammar: ReturnType<typeof buildGrammar>; loop: string } {
  if (!sources) {
    const dictionary = dictionaryWords(DEFAULT_DICT);
    const grammar = buildGrammar({ dictionary });
    sources = { grammar, loop: buildWordLoop(grammar, { dictionary }) };
  }
  return sources;
}

/** Rejection thresholds (defaults: bench/instructions.ts, docs/notes/instructions.md). */
export const DEFAULT_MARGIN_THRESHOLD = 0.1;
export const DEFAULT_WORD_SCORE_THRESHOLD = -4.6;

/**
 * Readings of audio up to this long decode the free loop on a second idle reader at the same time as
 * the grammar (half the wall time for questions and commands, where turn-taking waits for it). Longer
 * audio is mostly free speech that the grammar path's word fit rejects on its own, so its loop decode
 * waits for the grammar's and is usually skipped.
 */
export const PARALLEL_LOOP_MAX_SECONDS = 2;

function fitProbability(wordScore: number, threshold: number): number {
  return 1 / (1 + Math.exp(-(wordScore - threshold) / 0.3));
}

/**
 * The reading when the grammar path's words fit the audio too badly to be accepted whatever the free
 * loop scores (the confidence is the lesser of the two pieces of evidence, and this one is under 0.5):
 * the loop decode is skipped. Same text and verdict as judgeReading would give; no margin.
 */
export function rejectedByFit(
  cmd: { text: string; frames: number; wordScore: number },
  th: { wordScoreThreshold: number },
  ms: number,
): RecognitionDetail | null {
  if (!cmd.text || cmd.frames <= 0) return null;
  const wordScore = Number.isFinite(cmd.wordScore) ? cmd.wordScore : -Infinity;
  if (wordScore >= th.wordScoreThreshold) return null;
  return { text: cmd.text, confidence: fitProbability(wordScore, th.wordScoreThreshold), margin: NaN, wordScore, accepted: false, loopText: '', ms };
}

/**
 * The reading of one utterance from its grammar decode and its free-loop decode of the same audio:
 * each piece of evidence as a logistic around its threshold, the weaker one decides. Null when the
 * grammar found no path. Shared by the batch reading and the streamed one (grammar-stream.ts).
 */
export function judgeReading(
  cmd: { text: string; score: number; frames: number; wordScore: number },
  loop: { text: string; score: number },
  th: { marginThreshold: number; wordScoreThreshold: number },
  ms: number,
): RecognitionDetail | null {
  if (!cmd.text || cmd.frames <= 0) return null;
  const margin = (cmd.score - loop.score) / cmd.frames;
  const wordScore = Number.isFinite(cmd.wordScore) ? cmd.wordScore : -Infinity;
  const pMargin = 1 / (1 + Math.exp(-(margin - th.marginThreshold) / 0.1));
  const pFit = fitProbability(wordScore, th.wordScoreThreshold);
  const confidence = Math.min(pMargin, pFit);
  return { text: cmd.text, confidence, margin, wordScore, accepted: confidence >= 0.5, loopText: loop.text, ms };
}

/**
 * A decoder with the command grammar ('grammar', its main search) and the free word loop ('loop'),
 * as every reader uses: built once per process, the stock dictionary plus the grammar's extra words.
 * `cmn: 'live'` for decoding as the audio arrives (grammar-stream.ts); the batch reader keeps the
 * model's batch normalisation.
 */
export function openGrammarDecoder(opts: { cmn?: 'live'; withOpenDecoder?: boolean } = {}): Promise<PocketSphinxDecoder> {
  const { grammar, loop } = grammarSources();
  return PocketSphinxDecoder.open({
    jsgf: grammar.jsgf,
    dict: dictionaryWith(grammar.extraPronunciations),
    searches: { jsgf: { loop }, ...(opts.withOpenDecoder ? { lm: { open: '' } } : {}) },
    ...(opts.cmn ? { cmn: opts.cmn } : {}),
  });
}

export class ConstrainedRecognizer {
  private constructor(
    private readonly decoder: GrammarDecoder,
    private readonly marginThreshold: number,
    private readonly wordScoreThreshold: number,
    readonly hasOpenDecoder: boolean,
    private readonly fullEvidence: boolean,
    private readonly floorRetry: FloorRetry | null = null,
  ) {}

  static async open(opts: RecognizerOptions = {}): Promise<ConstrainedRecognizer> {
    const decoder = await openGrammarDecoder({ withOpenDecoder: opts.withOpenDecoder });
    return ConstrainedRecognizer.withDecoder(decoder, opts);
  }

  /** Wraps a decoder whose main search is the command grammar and that has a "loop" search. */
  static withDecoder(decoder: GrammarDecoder, opts: RecognizerOptions = {}): ConstrainedRecognizer {
    return new ConstrainedRecognizer(decoder, opts.marginThreshold ?? DEFAULT_MARGIN_THRESHOLD, opts.wordScoreThreshold ?? DEFAULT_WORD_SCORE_THRESHOLD, !!opts.withOpenDecoder, !!opts.fullEvidence, opts.floorRetry ?? null);
  }

  /** The command or question said in a finished utterance (16 kHz mono), or null when out of grammar. */
  async recognize(pcm: Float32Array | Int16Array): Promise<Recognition | null> {
    const d = await this.recognizeDetailed(pcm);
    return d && d.accepted ? { text: d.text, confidence: d.confidence } : null;
  }

  /**
   * Like recognize() but also returns rejected hypotheses and the evidence (bench, logs). `onGrammar`: told
   * the grammar decode's words as soon as it is done and its word fit does not reject it (before the
   * free-loop decode the confidence needs), or null; called at most once.
   */
  async recognizeDetailed(pcm: Float32Array | Int16Array, loopOn?: ConstrainedRecognizer, onGrammar?: (text: string | null) => void): Promise<RecognitionDetail | null> {
    if (!(pcm instanceof Float32Array || pcm instanceof Int16Array)) throw new SoundFlowError('invalid_input', 'recognize: audio must be 16 kHz mono Float32Array or Int16Array', { recoverable: true });
    const seconds = pcm.length / SAMPLE_RATE;
    if (seconds < MIN_COMMAND_SECONDS || seconds > MAX_COMMAND_SECONDS) return null;
    const t0 = performance.now();
    const th = { marginThreshold: this.marginThreshold, wordScoreThreshold: this.wordScoreThreshold };
    // With a second recogniser (same grammar and dictionary, so the same result) a short reading's
    // free-loop decode runs beside the grammar's on the other core instead of after it: half the wall
    // time of a reading.
    const parallel = loopOn && loopOn !== this && (this.fullEvidence || seconds <= PARALLEL_LOOP_MAX_SECONDS);
    const loopEarly = parallel ? loopOn.track(loopOn.decoder.decode(pcm, { search: 'loop' })) : null;
    loopEarly?.catch(() => undefined);
    const cmd = await this.track(this.decoder.decode(pcm));
    if (!cmd.text || cmd.frames <= 0) {
      onGrammar?.(null);
      return this.floorReading(pcm, null);
    }
    // The word fit alone rejects it (most free speech): the loop decode cannot change the verdict.
    const rejected = this.fullEvidence ? null : rejectedByFit(cmd, th, performance.now() - t0);
    onGrammar?.(rejected ? null : cmd.text);
    if (rejected) return (await this.floorReading(pcm, rejected)) ?? rejected;
    const loop = await (loopEarly ?? this.track(this.decoder.decode(pcm, { search: 'loop' })));
    const r = judgeReading(cmd, loop, th, performance.now() - t0);
    return (await this.floorReading(pcm, r)) ?? r;
  }

  /** The reading over a noise floor when the plain one was rejected by its word fit (FloorRetry), else null. */
  private async floorReading(pcm: Float32Array | Int16Array, plain: RecognitionDetail | null): Promise<RecognitionDetail | null> {
    if (!this.floorRetry || (plain && !fitRejected(plain, { wordScoreThreshold: this.wordScoreThreshold }))) return null;
    return flooredReading(toRecognizerPcm(pcm), this.floorRetry, (a, search) => this.track(this.decoder.decode(a, search === 'loop' ? { search: 'loop' } : undefined)));
  }

  /** Both readings of `pcm` with every margin, plain and over the floor (threshold tuning). */
  async readingsForTuning(pcm: Int16Array, retry: FloorRetry): Promise<{ plain: RecognitionDetail | null; floored: RecognitionDetail | null }> {
    const decode = (a: Int16Array, search: 'grammar' | 'loop') => this.decoder.decode(a, search === 'loop' ? { search: 'loop' } : undefined);
    const th = { marginThreshold: this.marginThreshold, wordScoreThreshold: this.wordScoreThreshold };
    const cmd = await decode(pcm, 'grammar');
    const plain = cmd.text && cmd.frames > 0 ? judgeReading(cmd, await decode(pcm, 'loop'), th, 0) : null;
    return { plain, floored: await flooredReading(pcm, retry, decode, true) };
  }

  /** Settles when every decode started so far on this recogniser has (a reading may return before its helper's loop decode ends). */
  settled(): Promise<void> {
    return this.last;
  }

  private last: Promise<void> = Promise.resolve();

  private track<T>(p: Promise<T>): Promise<T> {
    const done = p.then(() => undefined, () => undefined);
    const prev = this.last;
    this.last = Promise.all([prev, done]).then(() => undefined);
    return p;
  }

  /** The open n-gram decoder's text for the same audio (only when opened withOpenDecoder). */
  async openDecode(pcm: Float32Array | Int16Array): Promise<string> {
    if (!this.hasOpenDecoder) throw new SoundFlowError('invalid_argument', 'open decoder not loaded (open with withOpenDecoder: true)');
    return (await this.decoder.decode(pcm, { search: 'open' })).text;
  }

  close(): void {
    this.decoder.close();
  }
}
