// One accurate streaming pass: a fully configured decoder (both search passes, 4 Gaussians) follows the
// speech as it arrives, with live cepstral mean normalisation seeded from this session's running
// estimate, so at the end of an utterance only pocketsphinx's closing search over what is already
// decoded remains. Pauses close a segment the same way (its closing search runs while the silence
// lasts), so by the time the utterance's closing silence has passed, the transcript is usually ready.
// The decoder is borrowed from a shared pool for one utterance and given back after it: sessions
// that are silent hold no decoder at all.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SoundFlowError } from '../../util/errors.ts';
import { SAMPLE_RATE } from '../../audio/chunk.ts';
import { FINAL_BEAMS, type BeamOptions } from './config.ts';
import { toRecognizerPcm, utteranceSampleBudget } from './input.ts';
import { CEP_SIZE, getCmn, setCmn } from './cmn.ts';
import { CMN_PRIOR } from './cmn-prior.ts';
import { DecoderPool, type DecoderPoolOptions } from './decoder-pool.ts';
import { DEFAULT_HMM } from './native.ts';
import { PocketSphinxDecoder, type DecodeResult } from './pocketsphinx.ts';
import { meanWordScore, NBEST_MAX_SECONDS, type FinalDecode } from './streaming.ts';
import { normalizeTranscript } from './wer.ts';

/** A segment tail shorter than this (0.25 s) after a pause holds no word worth reporting. */
const MIN_SEGMENT_SAMPLES = 4000;
/** n-best readings per segment of a short utterance, as the two-pass final decode gives them. */
const NBEST = 5;
/**
 * An utterance that starts with less CMN history than this (10 ms frames) is decoded again at its end
 * with its own cepstral mean: a session's first utterance, by default. Its live pass starts from the
 * project's prior mean (CMN_PRIOR). Dropping the re-decode (0) saves ~24% of a continuous-speech
 * session's CPU but cost eval v1 recall 0.625 → 0.575 when measured (docs/notes/asr.md, eighth round),
 * so the default keeps it.
 */
export const REDECODE_BELOW_FRAMES = 1;

/**
 * Beams of the one streaming pass: the final decoder's (4 Gaussians, ≤ 3000 HMMs per frame, lattice
 * best path) without the flat-lexicon second pass, which re-searches the whole segment at its end:
 * measured (bench/asr-onepass.ts, 4 voices) closing-search CPU p50/p99 86/366 ms with it, 11/47 ms
 * without, WER 16.2% vs 17.1% (two passes: 17.8%).
 */
export const ONE_PASS_BEAMS: Readonly<BeamOptions> = Object.freeze({ ...FINAL_BEAMS, fwdflat: false });

export interface OnePassOptions {
  hmm?: string;
  lm?: string;
  dict?: string;
  beams?: BeamOptions;
  /** Longest utterance decoded, in seconds (default 30); past it audio is ignored and `full` is true. */
  maxUtteranceSeconds?: number;
  /**
   * Decode an utterance again at its end when the session had less CMN history than this before it,
   * in 10 ms frames (default REDECODE_BELOW_FRAMES; 0 never does).
   */
  redecodeBelowFrames?: number;
  /**
   * The cepstral mean a session's first utterance is decoded live with (weight 0: the utterance's own
   * frames replace it once counted, so the session's estimate after it is the same whatever the prior).
   * Default: CMN_PRIOR, the average own mean of the project's tuning voices (the model's -cmninit,
   * `modelCmnInit()`, was far from all of them: c0 41 vs 45–62).
   */
  cmnPrior?: Float32Array;
  /**
   * Decide a first utterance's re-decode on its live transcript: when set, nothing is decoded again
   * while the utterance lasts; at its end the live pass's transcript is kept when this accepts it (a
   * request understood as heard) and otherwise the utterance is decoded again, segment by segment with
   * its own means, as without it. Unset (default): every first utterance is decoded again, its segments
   * at their pauses.
   */
  keepLive?: ((text: string) => boolean) | null;
  /**
   * A first utterance longer than this (s of audio decoded again: pre-roll and speech, not the closing
   * pause) keeps its live transcript (default Infinity). Setting it also waits for the end, like `keepLive`.
   */
  redecodeMaxSeconds?: number;
}

/** A session's running cepstral mean: carried from one utterance to the next, whichever decoder runs it. */
export interface CmnState {
  mean: Float32Array;
  frames: number;
}

/** The acoustic model's own initial cepstral mean (feat.params -cmninit); a new session starts from CMN_PRIOR instead. */
export function modelCmnInit(hmm = DEFAULT_HMM): Float32Array | null {
  const file = join(hmm, 'feat.params');
  if (!existsSync(file)) return null;
  const m = /-cmninit\s+(\S+)/.exec(readFileSync(file, 'utf8'));
  const v = m ? m[1].split(',').map(Number) : [];
  return v.length === CEP_SIZE && v.every(Number.isFinite) ? Float32Array.from(v) : null;
}

/** A pool of live-CMN decoders for one-pass recognisers (one per engine, shared by its sessions). */
export function openOnePassPool(opts: OnePassOptions = {}, pool: Partial<DecoderPoolOptions> = {}): DecoderPool {
  return new DecoderPool(
    () => PocketSphinxDecoder.open({ hmm: opts.hmm, lm: opts.lm, dict: opts.dict, beams: opts.beams ?? ONE_PASS_BEAMS, cmn: 'live' }),
    pool,
  );
}


/** Samples [from, to) of an utterance kept as pieces. */
function slice(pieces: Int16Array[], from: number, to: number): Int16Array {
  const out = new Int16Array(Math.max(0, to - from));
  let at = 0;
  for (const p of pieces) {
    const a = Math.max(from - at, 0);
    const b = Math.min(to - at, p.length);
    if (b > a) out.set(p.subarray(a, b), at + a - from);
    at += p.length;
    if (at >= to) break;
  }
  return out;
}

function joinResults(parts: DecodeResult[]): Pick<DecodeResult, 'text' | 'score' | 'words'> {
  return {
    text: parts.map((p) => p.text).filter(Boolean).join(' '),
    score: parts.reduce((s, p) => s + p.score, 0),
    words: parts.flatMap((p) => p.words),
  };
}

/** Same surface as StreamingRecognizer (startUtterance/feed/commitSegment/finish/cancel). */
/** Samples of a first utterance its re-decode covers: all of it, or up to its last segment when the tail is dropped. */
function redecodedSamples(audio: Int16Array[], bounds: number[], keepTail: boolean): number {
  return !keepTail && bounds.length ? bounds.at(-1)! : audio.reduce((n, a) => n + a.length, 0);
}

/** A piece of a first utterance decoded again before its end, in case the end wants it. */
interface Speculative {
  nbest: number;
  result: Promise<DecodeResult>;
  /** Set once the decode has settled. */
  done: boolean;
}

/** n-best readings belong to the last part, and only for a short utterance (as the live pass gives them). */
function nbestOnLast(parts: DecodeResult[], seconds: number): DecodeResult[] {
  parts.forEach((p, i) => {
    if (i < parts.length - 1 || seconds > NBEST_MAX_SECONDS) delete p.nbest;
  });
  return parts;
}

export class OnePassRecognizer {
  private readonly maxSamples: number;
  private readonly prior: Float32Array | null;
  private readonly redecodeBelow: number;
  private readonly keepLive: ((text: string) => boolean) | null;
  private readonly redecodeMaxSamples: number;
  /** A first utterance's re-decode is decided at its end, on the live transcript (keepLive / redecodeMaxSeconds). */
  private readonly decideAtEnd: boolean;
  private cmn: CmnState | null = null;
  /**
   * Utterances finished since the estimate was last set or cleared: their estimate may still be on its
   * way (it is read off the decoder after the closing search), so "no history" must not be read from
   * `cmn` alone, or whether an utterance is decoded again would depend on timing.
   */
  private finishedSinceSeed = 0;
  /** The decoder of the open utterance, once borrowed and started. */
  private decoder: Promise<PocketSphinxDecoder> | null = null;
  private active = false;
  private closed = false;
  private length = 0;
  private segStart = 0;
  private truncated = false;
  private partialText = '';
  private generation = 0;
  /** The open utterance: feeds made before its decoder arrived still belong to it, unless cancelled. */
  private utt: { cancelled: boolean } = { cancelled: true };
  private segments: Promise<DecodeResult>[] = [];
  /** The open utterance's audio, kept only while it has too little CMN history (see REDECODE_BELOW_FRAMES). */
  private audio: Int16Array[] | null = null;
  /** Where the open utterance's committed segments end, in samples. */
  private bounds: number[] = [];
  /**
   * A first utterance's committed segments decoded again with their own mean, each right after its
   * pause's closing search (null: an empty segment), so its end only waits for the tail's.
   */
  private redone: Promise<DecodeResult | null>[] = [];
  /**
   * A first utterance decided at its end (`keepLive`): its committed segments decoded again with their own
   * mean at their pauses, on an idle second decoder only, in case the end wants them; nothing waits for
   * them, and the end uses one only for the same piece of audio (key "from:to"). Same result as decoding
   * it at the end (each piece's front end starts afresh), so only when the work is done changes.
   */
  private speculative = new Map<string, Speculative>();
  /**
   * Where a first utterance's re-decode cuts for the silence going on now, set when that silence began
   * (`silenceBegan`), before its pause or end is declared: the piece up to it starts decoding then, and
   * the pause (or the end) of that silence cuts there too, so the piece is the one the end wants.
   */
  private onsetCut: number | null = null;
  /** Settles when the last utterance's CMN estimate is known and its decoder is back in the pool. */
  private returned: Promise<void> = Promise.resolve();
  /**
   * Settles when the last first utterance's re-decode is done. The next utterance's live pass (and the
   * grammar reading seeded from `estimate()`) start after it: nothing decides on the new utterance before
   * its pause, while the decision on the first one waits for this re-decode, so it gets the cores first;
   * the audio fed meanwhile is decoded once it is done (same results, later partials).
   */
  private redecoding: Promise<void> = Promise.resolve();
  /**
   * How the last first utterance decided at its end was read: per piece of its re-decode, whether a
   * decode started before the end was reused (and still running then) or the end decoded it; for
   * benches and tests (diagnostic only, never changes a result).
   */
  lastRedecode: { pieces: { from: number; to: number; reused: boolean; pendingAtEnd: boolean; readyAfterMs?: number }[]; speculated: number; noHelper: number; onsets: number } | null = null;
  private specCounts = { speculated: 0, noHelper: 0, onsets: 0 };
  /** Re-decodes running on a second, borrowed decoder: each settles once that decoder is back in the pool. */
  private readonly helpers = new Set<Promise<void>>();

  constructor(
    private readonly pool: DecoderPool,
    opts: OnePassOptions = {},
  ) {
    this.maxSamples = utteranceSampleBudget(opts.maxUtteranceSeconds);
    if (opts.cmnPrior !== undefined && !(opts.cmnPrior instanceof Float32Array && opts.cmnPrior.length === CEP_SIZE && opts.cmnPrior.every(Number.isFinite))) {
      throw new SoundFlowError('invalid_argument', `cmnPrior must be ${CEP_SIZE} finite floats`);
    }
    this.prior = opts.cmnPrior ?? (opts.hmm === undefined || opts.hmm === DEFAULT_HMM ? CMN_PRIOR : modelCmnInit(opts.hmm));
    this.redecodeBelow = opts.redecodeBelowFrames ?? REDECODE_BELOW_FRAMES;
    if (!(this.redecodeBelow >= 0)) throw new SoundFlowError('invalid_argument', 'redecodeBelowFrames must be >= 0');
    const maxSeconds = opts.redecodeMaxSeconds ?? Infinity;
    if (!(maxSeconds > 0)) throw new SoundFlowError('invalid_argument', 'redecodeMaxSeconds must be > 0');
    if (opts.keepLive != null && typeof opts.keepLive !== 'function') throw new SoundFlowError('invalid_argument', 'keepLive must be a function');
    this.keepLive = opts.keepLive ?? null;
    this.redecodeMaxSamples = maxSeconds * SAMPLE_RATE;
    this.decideAtEnd = this.keepLive !== null || Number.isFinite(maxSeconds);
  }

  get inUtterance(): boolean {
    return this.active;
  }

  get full(): boolean {
    return this.length >= this.maxSamples;
  }

  get seconds(): number {
    return this.length / SAMPLE_RATE;
  }

  /** The session's running cepstral mean (null before its first utterance). */
  get cmnState(): CmnState | null {
    return this.cmn ? { mean: this.cmn.mean.slice(), frames: this.cmn.frames } : null;
  }

  /** Seeds the running estimate, e.g. from a previous connection of the same client. */
  set cmnState(s: CmnState | null) {
    if (s !== null && !(s.mean instanceof Float32Array && s.mean.length === CEP_SIZE)) throw new SoundFlowError('invalid_argument', 'CMN state must hold 13 means');
    this.cmn = s ? { mean: s.mean.slice(), frames: Math.max(0, Math.round(s.frames)) } : null;
    this.finishedSinceSeed = 0;
  }

  /** Whether the next utterance starts with too little CMN history (decoded again with its own mean). */
  get fresh(): boolean {
    return this.finishedSinceSeed === 0 && (this.cmn?.frames ?? 0) < this.redecodeBelow;
  }

  /** Whether the next utterance starts with no estimate of the session's own (decoded from the prior). */
  get unseeded(): boolean {
    return this.finishedSinceSeed === 0 && (this.cmn?.frames ?? 0) === 0;
  }

  startUtterance(preRoll?: Int16Array | Float32Array): void {
    this.assertOpen();
    if (this.active) this.cancel();
    this.active = true;
    this.utt = { cancelled: false };
    this.length = 0;
    this.segStart = 0;
    this.truncated = false;
    this.partialText = '';
    this.segments = [];
    this.audio = this.fresh ? [] : null;
    this.bounds = [];
    this.redone = [];
    this.speculative = new Map();
    this.specCounts = { speculated: 0, noHelper: 0, onsets: 0 };
    this.onsetCut = null;
    ++this.generation;
    const previous = this.returned;
    const redoing = this.redecoding;
    this.decoder = this.pool.acquire().then(async (d) => {
      // The previous utterance's estimate first (so the seed never depends on timing), then seed and
      // start on the decoder's own queue, ahead of any audio fed meanwhile.
      await previous;
      await redoing;
      const seed = this.cmn ?? (this.prior ? { mean: this.prior, frames: 0 } : null);
      if (seed) void d.withHandle((ps) => setCmn(ps, seed.mean, seed.frames)).catch(() => undefined);
      d.start();
      return d; // a cancel()/finish() meanwhile ends and returns it (they chain on this promise)
    });
    this.decoder.catch(() => undefined);
    if (preRoll && preRoll.length) void this.feed(preRoll).catch(() => {});
  }

  /** Adds audio (starting an utterance if none is open); resolves with the partial once decoded. */
  async feed(pcm: Int16Array | Float32Array): Promise<string> {
    this.assertOpen();
    const data = toRecognizerPcm(pcm, { copy: true });
    if (!this.active) this.startUtterance();
    const room = this.maxSamples - this.length;
    const take = data.length <= room ? data : data.subarray(0, room);
    if (take.length < data.length) this.truncated = true;
    if (take.length === 0) return this.partialText;
    this.length += take.length;
    this.audio?.push(take);
    // Audio fed before the decoder arrived is decoded once it does, ahead of the closing search, even if
    // finish() was called meanwhile (a file decoded faster than real time); only cancel() drops it.
    const gen = this.generation;
    const utt = this.utt;
    const d = await this.decoder!;
    if (utt.cancelled) return this.partialText;
    await d.process(take);
    if (gen === this.generation) this.partialText = normalizeTranscript(d.partial());
    return this.partialText;
  }

  partial(): string {
    return this.partialText;
  }

  /** Closes a segment at a pause: the closing search over the audio so far runs now, decoding goes on. */
  commitSegment(keepTail = 0): void {
    if (this.closed || !this.active || !this.decoder) return;
    if (this.length - this.segStart < MIN_SEGMENT_SAMPLES) return;
    this.segStart = this.length;
    // A re-decode cuts here, less the pause audio the caller keeps for the next segment (as the two-pass final
    // does); where the pause's silence began to be heard, when that was noted (its piece may be decoding).
    const from = this.bounds.at(-1) ?? 0;
    const onset = this.onsetCut !== null && this.onsetCut > from ? this.onsetCut : null;
    this.onsetCut = null;
    const to = onset ?? Math.max(from, this.length - Math.max(0, Math.round(keepTail)));
    this.bounds.push(to);
    // Registered before any finish()/cancel() of this utterance, so the restarted utterance is theirs to end.
    // A short utterance's segments carry n-best readings (the understanding layer weighs them); the A*
    // search over the lattice runs on the decoder's worker while the pause lasts.
    const nbest = this.length <= NBEST_MAX_SECONDS * SAMPLE_RATE ? NBEST : 0;
    // A first utterance's segment is decoded again with its own mean now, rather than all of them at the
    // end of the utterance: on a second decoder when one is idle, so the live pass goes on with the audio
    // after the pause; otherwise between its closing search and the next segment's start.
    const seg = this.audio && !this.decideAtEnd && to > from ? slice(this.audio, from, to) : null;
    let again: Promise<DecodeResult> | null = null;
    const result = this.decoder.then((d) => {
      const r = d.end({ nbest });
      if (seg) again = this.decodeAgain(d, seg, nbest);
      d.start();
      return r;
    });
    result.catch(() => undefined);
    this.segments.push(result);
    if (this.audio && this.decideAtEnd && to > from && to <= this.redecodeMaxSamples && !this.speculative.has(`${from}:${to}`)) {
      const helper = this.pool.tryAcquire();
      // With the n-best readings the end asks of its last piece (this one, when the speaker stopped here).
      if (helper) this.speculate(helper, from, to, nbest);
      else this.specCounts.noHelper++;
    }
    if (this.audio && !this.decideAtEnd) {
      const redo = result.then(() => again, () => again);
      redo.catch(() => undefined);
      this.redone.push(redo);
    }
  }

  /**
   * A silence began inside the utterance (the VAD's speech → silence onset, before a pause or the end is
   * declared): for a first utterance decided at its end, its re-decode will cut here (less `keepTail`,
   * samples of that silence past the cut) if the silence turns out to be a pause or the end, and the piece
   * up to here starts decoding now on an idle decoder, so the end finds it done or nearly. Where the cut
   * falls depends on the audio only (not on whether a decoder was idle), so the transcript does too.
   */
  silenceBegan(keepTail = 0): void {
    if (this.closed || !this.active || !this.audio || !this.decideAtEnd) return;
    const from = this.bounds.at(-1) ?? 0;
    const to = this.length - Math.max(0, Math.round(keepTail));
    if (to - from < MIN_SEGMENT_SAMPLES || to > this.redecodeMaxSamples) return;
    this.onsetCut = to;
    this.specCounts.onsets++;
    const nbest = this.length <= NBEST_MAX_SECONDS * SAMPLE_RATE ? NBEST : 0;
    const helper = this.pool.tryAcquire();
    if (helper) this.speculate(helper, from, to, nbest);
    else this.specCounts.noHelper++;
  }

  /** Speech resumed before that silence became a pause or the end: its cut (and any piece decoded up to it) is not used. */
  silenceEnded(): void {
    this.onsetCut = null;
  }

  /** The transcript of the segments committed so far (their closing searches run at the pauses). */
  async committed(): Promise<string> {
    const parts = await Promise.all(this.segments);
    return normalizeTranscript(joinResults(parts).text);
  }

  /** Ends the utterance: the closing search over the open segment, joined with the committed ones. */
  async finish(opts: { tailHasSpeech?: boolean } = {}): Promise<FinalDecode> {
    this.assertOpen();
    const seconds = this.length / SAMPLE_RATE;
    const truncated = this.truncated;
    const segments = this.segments;
    const tailLen = this.length - this.segStart;
    const decoder = this.decoder;
    const wasActive = this.active;
    const audio = this.audio;
    const bounds = this.bounds;
    const redone = this.redone;
    this.redone = [];
    const speculative = this.speculative;
    this.speculative = new Map();
    // The closing silence was noted when it began: the re-decode ends where it did.
    const onsetCut = this.onsetCut !== null && this.onsetCut > (bounds.at(-1) ?? 0) ? this.onsetCut : null;
    this.onsetCut = null;
    this.audio = null;
    this.active = false;
    this.decoder = null;
    this.segments = [];
    this.length = this.segStart = 0;
    const gen = ++this.generation;
    const partialText = this.partialText;
    this.partialText = '';
    if (!wasActive || !decoder) return { text: '', partialText: '', score: 0, ms: 0, seconds: 0, truncated: false, words: [] };
    this.finishedSinceSeed++;
    const t0 = performance.now();
    // Audio after the last pause that holds no speech is not transcribed: the transcript does not wait
    // for its closing search (nor an n-best search over it) and is ready once the segments are.
    const keepTail = segments.length === 0 || (opts.tailHasSpeech !== false && tailLen >= MIN_SEGMENT_SAMPLES);
    const d = await decoder;
    const tail = d.end({ nbest: keepTail && seconds <= NBEST_MAX_SECONDS ? NBEST : 0 });
    tail.catch(() => undefined);
    // The decoder's CMN now includes this utterance: that is the session's estimate for the next one.
    const state = d.withHandle((ps) => getCmn(ps));
    // Too little history before this utterance: decode its audio again with the mean learnt from it
    // (as a batch CMN would). The live decoder goes back once its own queue has drained (a re-decode that
    // fell back to it included), so the next utterance need not wait for a re-decode on a second decoder.
    const firstPass = Promise.all(keepTail ? [...segments, tail] : segments);
    firstPass.catch(() => undefined);
    let redo: Promise<DecodeResult[] | null>;
    let queued: Promise<unknown> = state;
    if (!audio || !audio.length) redo = Promise.resolve(null);
    else if (!this.decideAtEnd) redo = state.then(() => this.redecodeRest(d, audio, bounds, redone, keepTail, seconds));
    else {
      // The live transcript decides; a re-decode is queued (on an idle decoder, or this one) before the
      // live decoder goes back, so nothing else starts on it first.
      const counts = this.specCounts;
      const chosen = Promise.all([firstPass, state]).then(([parts]) => ({ redo: this.redecodeIfNeeded(d, audio, onsetCut !== null ? [...bounds, onsetCut] : bounds, onsetCut === null && keepTail, seconds, parts, speculative, counts) }));
      redo = chosen.then((c) => c.redo);
      queued = Promise.all([state, chosen.catch(() => undefined)]);
    }
    redo.catch(() => undefined);
    // (Only for a re-decode decided at the end, the engine's: one done at the pauses leaves little for the end.)
    this.redecoding = this.decideAtEnd ? redo.then(() => undefined, () => undefined) : Promise.resolve();
    this.returned = queued.then(
      () => state.then((s) => {
        this.cmn = s;
        return this.giveBack(d, gen);
      }),
      () => this.giveBack(d, gen),
    );
    const again = await redo.catch(() => null);
    const parts: (DecodeResult | null)[] = again ?? (await firstPass);
    const ms = performance.now() - t0;
    const kept = parts.filter((p): p is DecodeResult => p !== null && !!p.text);
    const final = joinResults(kept);
    // Alternatives vary the last part with words; the earlier ones keep their best reading.
    const last = kept.at(-1);
    const prefix = joinResults(kept.slice(0, -1)).text;
    const alternatives = last?.nbest?.length ? [...new Set(last.nbest.map((h) => normalizeTranscript(`${prefix} ${h}`)).filter(Boolean))] : undefined;
    const prob = kept.length && kept.every((p) => p.prob !== undefined) ? kept.reduce((x, p) => x * p.prob!, 1) : undefined;
    const wordScore = meanWordScore(kept);
    return { text: normalizeTranscript(final.text), partialText, score: final.score, ms, seconds, truncated, words: final.words, ...(alternatives ? { alternatives } : {}), ...(prob !== undefined ? { prob } : {}), ...(wordScore !== undefined ? { wordScore } : {}) };
  }

  /** Drops the utterance in progress without a transcript. */
  cancel(): void {
    if (this.closed || !this.active) return;
    this.active = false;
    this.utt.cancelled = true;
    const gen = ++this.generation;
    const decoder = this.decoder;
    this.decoder = null;
    this.length = this.segStart = 0;
    this.partialText = '';
    this.segments = [];
    this.redone = [];
    this.audio = null;
    if (decoder) this.returned = decoder.then((d) => this.giveBack(d, gen, true)).catch(() => undefined);
  }

  /**
   * The running estimate once the last utterance's is known (its live decoder back in the pool) and a
   * first utterance's re-decode is done (see `redecoding`: the next utterance's readings start after it).
   */
  async estimate(): Promise<CmnState | null> {
    await this.returned;
    await this.redecoding;
    return this.cmnState;
  }

  /** Resolves once the last utterance's decoders are back in the pool (and its CMN estimate kept). */
  async settled(): Promise<void> {
    await this.returned;
    await Promise.all([...this.helpers]);
  }

  close(): void {
    if (this.closed) return;
    this.cancel();
    this.closed = true;
  }

  /**
   * A first utterance decoded again, segment by segment where the live pass closed them, each with its
   * own mean: the committed segments were done at their pauses; the tail after the last one (when it
   * holds speech) is done now. Null (keep the live pass) when there is too little audio.
   */
  private async redecodeRest(d: PocketSphinxDecoder, audio: Int16Array[], bounds: number[], redone: Promise<DecodeResult | null>[], keepTail: boolean, seconds: number): Promise<DecodeResult[] | null> {
    const total = redecodedSamples(audio, bounds, keepTail);
    if (total < MIN_SEGMENT_SAMPLES) return null;
    const last = bounds.at(-1) ?? 0;
    const tail = keepTail && total > last ? this.decodeAgain(d, slice(audio, last, total), seconds <= NBEST_MAX_SECONDS ? NBEST : 0) : null;
    const parts = (await Promise.all([...redone, tail])).filter((p): p is DecodeResult => p !== null);
    return nbestOnLast(parts, seconds);
  }

  /**
   * A first utterance decided at its end: kept as the live pass heard it when it is longer than
   * `redecodeMaxSeconds` or `keepLive` accepts its transcript, else decoded again piece by piece (the
   * committed segments and the tail) with their own means, as `redecodeRest` would have.
   */
  private redecodeIfNeeded(d: PocketSphinxDecoder, audio: Int16Array[], bounds: number[], keepTail: boolean, seconds: number, live: DecodeResult[], speculative = new Map<string, Speculative>(), counts = this.specCounts): Promise<DecodeResult[] | null> | null {
    const total = redecodedSamples(audio, bounds, keepTail);
    if (total < MIN_SEGMENT_SAMPLES || total > this.redecodeMaxSamples) return null;
    const text = normalizeTranscript(joinResults(live.filter((p) => p && p.text)).text);
    if (this.keepLive && text && this.keepLive(text)) return null;
    const cuts = [0, ...bounds.filter((b) => b < total), total];
    const pieces: Promise<DecodeResult>[] = [];
    const log: NonNullable<OnePassRecognizer['lastRedecode']> = { pieces: [], ...counts };
    for (let i = 1; i < cuts.length; i++) {
      if (cuts[i] <= cuts[i - 1]) continue;
      const nbest = i === cuts.length - 1 && seconds <= NBEST_MAX_SECONDS ? NBEST : 0;
      // Decoded at its pause already (n-best readings beyond the last piece's are dropped by nbestOnLast).
      const spec = speculative.get(`${cuts[i - 1]}:${cuts[i]}`);
      const reused = !!spec && spec.nbest >= nbest;
      const entry: (typeof log.pieces)[number] = { from: cuts[i - 1], to: cuts[i], reused, pendingAtEnd: reused && !spec.done };
      log.pieces.push(entry);
      const piece = reused ? spec.result : this.decodeAgain(d, slice(audio, cuts[i - 1], cuts[i]), nbest);
      const t0 = performance.now();
      void piece.then(() => (entry.readyAfterMs = Math.round(performance.now() - t0)), () => undefined);
      pieces.push(piece);
    }
    this.lastRedecode = log;
    return Promise.all(pieces).then((parts) => nbestOnLast(parts, seconds));
  }

  /**
   * One piece of a first utterance decoded with its own mean, on an idle pooled decoder when there is
   * one (never waiting for one: the pool's other borrowers keep their order and bound), else on the live
   * decoder `live` between its segments. The front end's noise estimate starts afresh and adapts to the
   * piece first either way, so the result does not depend on which decoder ran it.
   */
  private decodeAgain(live: PocketSphinxDecoder, pcm: Int16Array, nbest: number): Promise<DecodeResult> {
    const helper = this.pool.tryAcquire();
    if (!helper) return live.decodeOwnMean(pcm, { nbest, ownStream: true });
    return this.decodeOn(helper, pcm, nbest);
  }

  /** Starts a piece's decode on an idle decoder, kept for the end to reuse (same bounds, same n-best). */
  private speculate(helper: PocketSphinxDecoder, from: number, to: number, nbest: number): void {
    const spec: Speculative = { nbest, result: this.decodeOn(helper, slice(this.audio!, from, to), nbest), done: false };
    void spec.result.then(() => (spec.done = true), () => (spec.done = true));
    this.speculative.set(`${from}:${to}`, spec);
    this.specCounts.speculated++;
  }

  /** A piece decoded with its own mean on a borrowed decoder, given back to the pool when done. */
  private decodeOn(helper: PocketSphinxDecoder, pcm: Int16Array, nbest: number): Promise<DecodeResult> {
    const result = helper.decodeOwnMean(pcm, { nbest, ownStream: true });
    result.catch(() => undefined);
    // Back to the pool when done, whatever became of the session meanwhile (settled() waits for it).
    const back: Promise<void> = result.then(
      () => undefined,
      () => undefined,
    ).then(() => {
      this.pool.release(helper);
      this.helpers.delete(back);
    });
    this.helpers.add(back);
    return result;
  }

  /** Ends the decoder's utterance if still open and returns it to the pool once its queue drains. */
  private giveBack(d: PocketSphinxDecoder, _gen: number, end = false): Promise<void> {
    const done = end ? d.end().then(() => undefined, () => undefined) : Promise.resolve();
    return done.then(() => d.withHandle(() => undefined).catch(() => undefined)).then(() => this.pool.release(d));
  }

  private assertOpen(): void {
    if (this.closed) throw new SoundFlowError('asr_closed', 'recognizer closed', { recoverable: true });
  }
}
