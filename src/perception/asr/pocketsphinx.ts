// One pocketsphinx decoder behind a promise queue. Searches and end-of-utterance passes run on
// koffi's worker threads so the event loop keeps serving audio; calls on one decoder never overlap
// (pocketsphinx is not thread-safe per decoder), different decoders may run in parallel.
import { existsSync, readFileSync } from 'node:fs';
import { MissingDependencyError, SoundFlowError, type ErrorCode } from '../../util/errors.ts';
import { floatToPcm16 } from '../../audio/pcm.ts';
import { TimingLog } from '../../util/timing.ts';
import { beamArgs, type BeamOptions } from './config.ts';
import { cepstralMean, restoreCmn, setCmn, snapshotCmn } from './cmn.ts';
import { jsgfWords } from './jsgf.ts';
import { DEFAULT_DICT, DEFAULT_HMM, DEFAULT_LM, DEFAULT_PHONE_LM, callAsync, sphinx, type SphinxApi } from './native.ts';
import { afterRecognition } from './native-heap.ts';
import { pinkFilter, pinkRms, type PinkState } from './noise-floor.ts';

const FRAME_RATE = 100; // pocketsphinx -frate default: 10 ms frames
// Path scores and grammar/phone-loop segment scores come back divided by 2^SENSCR_SHIFT (10);
// n-gram segment scores do not. Undone here so every score is a natural log on one scale.
const SENSCR_SCALE = 1 << 10;

/**
 * Suggested rejection threshold on DecodeResult.wordScore for grammar searches: measured on espeak
 * commands, in-grammar utterances score -1.5..-3.2, out-of-grammar ones forced onto the grammar
 * -4.5..-8 (near-homophones like "start"/"stop" cannot be told apart). Reject when below.
 */
export const GRAMMAR_REJECT_WORD_SCORE = -3.9;

type SearchKind = 'ngram' | 'fsg' | 'kws' | 'allphone';

export interface DecoderOptions {
  /** Acoustic model directory (default: Debian's en-us). */
  hmm?: string;
  /** N-gram language model (default en-us.lm.bin); loaded unless jsgf/keyphrase is the main search. */
  lm?: string;
  /** Pronunciation dictionary (default cmudict-en-us.dict). */
  dict?: string;
  /** Main search is this JSGF grammar (text, or a path to a .gram file). */
  jsgf?: string;
  /** Main search spots this key phrase (words from the dictionary). */
  keyphrase?: string;
  /** Key-phrase detection threshold (-kws_threshold, default 1): smaller = more detections. */
  kwsThreshold?: number;
  beams?: BeamOptions;
  /** Compute acoustic scores only every n-th frame (-ds). */
  downsample?: number;
  /**
   * Cepstral mean normalisation (-cmn): 'batch' (the model's default; needs the whole utterance in one
   * process call) or 'live' (running mean, for decoding as the audio arrives; see one-pass.ts).
   */
  cmn?: 'batch' | 'live';
  /** More named searches to switch to with setSearch() or decode(pcm, { search }). */
  searches?: {
    jsgf?: Record<string, string>;
    /** Open n-gram searches (name → lm path; '' = default en-us LM). */
    lm?: Record<string, string>;
    /** Name of a phone-loop (allphone) search, e.g. as a background model for grammar rejection. */
    phoneLoop?: string;
  };
}

export interface WordSegment {
  /** Dictionary word as decoded; alternates keep their "(2)" suffix, fillers look like <sil>. */
  word: string;
  /** Seconds from the utterance start. */
  start: number;
  end: number;
  /** Acoustic score of the segment, natural log. */
  ascr: number;
}

export interface DecodeResult {
  /** Best hypothesis, words separated by spaces ('' when nothing matched). */
  text: string;
  /** Path score of the hypothesis (natural log; higher is better). */
  score: number;
  /** Posterior probability of the hypothesis (0..1), when the search computes a lattice (-bestpath). */
  prob?: number;
  /** 10 ms frames decoded (after the front end's silence removal). */
  frames: number;
  /** Word segmentation including fillers. */
  words: WordSegment[];
  /**
   * Mean acoustic score per frame over the non-filler words (natural log, <= 0; NaN when none).
   * Scores are relative to the best senone of each frame, so values near 0 mean the words fit the
   * audio well: use it to reject out-of-grammar speech forced onto a grammar (see docs/notes/asr.md).
   */
  wordScore: number;
  /** Distinct n-best hypotheses from the lattice, best first (only when decode() asked for them). */
  nbest?: string[];
}

/** Wall time of each n-best search in this process (bench/understanding.ts reads it). */
export const NBEST_MS = new TimingLog(5000);

type Mode = 'lm' | 'jsgf' | 'keyphrase';

function isFiller(word: string): boolean {
  return word.startsWith('<') || word.startsWith('[') || word.startsWith('+') || word === '(NULL)';
}

function toInt16(pcm: Int16Array | Float32Array): Int16Array {
  if (pcm instanceof Int16Array) return pcm.slice(); // copy: the caller may reuse its buffer mid-call
  if (pcm instanceof Float32Array) return floatToPcm16(pcm);
  throw new SoundFlowError('asr_bad_input', 'audio must be an Int16Array (16 kHz mono PCM16) or a Float32Array', { recoverable: true });
}

function grammarText(jsgf: string): string {
  if (typeof jsgf !== 'string' || !jsgf.trim()) throw new SoundFlowError('asr_bad_grammar', 'empty JSGF grammar');
  if (!jsgf.includes('\n') && !jsgf.includes(';') && existsSync(jsgf)) return readFileSync(jsgf, 'utf8');
  return jsgf;
}

/**
 * Digital silence (runs of exact zeros: padded chunks, generated audio) breaks pocketsphinx's batch
 * cepstral mean normalisation (log of zero energy: first words dropped). Its own `-dither` draws from
 * sphinxbase's process-global RNG, shared by every decoder on every worker thread, so results would
 * depend on thread timing. This adds the same ±1 LSB dither from a per-utterance seeded generator
 * instead: identical audio always decodes identically.
 */
const DITHER_SEED = 0x2545f491;
/**
 * Experimental, off by default: a seeded pink-noise floor at `dbfs` RMS added with the dither. Formant TTS
 * voices leave spectral valleys near zero that the acoustic model never saw; a floor fills them
 * (docs/notes/eval-v1-misses.md, eighth round). Process-wide; the CLI sets it from
 * SOUNDFLOW_ASR_NOISE_FLOOR_DBFS (src/transport/env.ts). null turns it off.
 */
export function setRecognizerNoiseFloor(dbfs: number | null): void {
  if (dbfs === null) {
    PINK_GAIN = 0;
    return;
  }
  if (!Number.isFinite(dbfs) || dbfs > 0) throw new SoundFlowError('invalid_argument', `recognizer noise floor must be a level in dBFS <= 0, got ${dbfs}`);
  PINK_GAIN = (32768 * Math.pow(10, dbfs / 20)) / pinkRms(12345);
}
let PINK_GAIN = 0;
function dither(x: Int16Array, state: PinkState): Int16Array {
  const out = new Int16Array(x.length);
  let s = state.s;
  for (let i = 0; i < x.length; i++) {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    const fl = PINK_GAIN ? Math.round(PINK_GAIN * pinkFilter(state, ((s >>> 0) / 4294967296) * 2 - 1)) : 0;
    const v = x[i] + ((s >>> 0) % 3) - 1 + fl;
    out[i] = v > 32767 ? 32767 : v < -32768 ? -32768 : v;
  }
  state.s = s;
  return out;
}

export class PocketSphinxDecoder {
  private readonly ditherState: PinkState = { s: DITHER_SEED, b0: 0, b1: 0, b2: 0 };
  private queue: Promise<unknown> = Promise.resolve();
  private closed = false;
  private inUtt = false;
  /** start() was called once: whole utterances are fed streamed from then on (see wholeStreamed). */
  private streamed = false;
  private lastPartial = '';
  private speech = false;
  private current: string;
  /** The search set in the native decoder (differs from current only inside decode()). */
  private active: string;

  /** Native decoders open in this process (leak checks: bench/server-churn.ts). */
  static live = 0;

  private constructor(
    private readonly a: SphinxApi,
    private ps: unknown,
    private config: unknown,
    private readonly searchNames: Map<string, SearchKind>,
    main: string,
    private readonly bestpath: boolean,
    /**
     * Feed whole utterances through the streaming path (full_utt=0). Set for live-CMN decoders, which
     * also stream: a full_utt=1 pass resizes pocketsphinx's cepstrum buffer to the utterance's sample
     * count but its feature buffer only to the frames the voice detector kept, and a circular feature
     * buffer smaller than the cepstrum buffer later overflows while streaming (acmod.c:769 assertion,
     * aborting the process: docs/notes/asr.md).
     */
    private readonly wholeStreamed: boolean,
  ) {
    this.current = main;
    this.active = main;
    PocketSphinxDecoder.live++;
  }

  static async open(opts: DecoderOptions = {}): Promise<PocketSphinxDecoder> {
    const a = sphinx();
    const hmm = opts.hmm ?? DEFAULT_HMM;
    const dict = opts.dict ?? DEFAULT_DICT;
    if (!existsSync(hmm) || !existsSync(dict)) throw new MissingDependencyError(`pocketsphinx model (${!existsSync(hmm) ? hmm : dict})`, 'pocketsphinx-en-us');
    const mode: Mode = opts.jsgf !== undefined ? 'jsgf' : opts.keyphrase !== undefined ? 'keyphrase' : 'lm';
    const lm = opts.lm ?? DEFAULT_LM;
    if (mode === 'lm' && !existsSync(lm)) throw new MissingDependencyError(`language model ${lm}`, 'pocketsphinx-en-us');
    const grammar = opts.jsgf !== undefined ? grammarText(opts.jsgf) : undefined;
    if (opts.kwsThreshold !== undefined && !(opts.kwsThreshold > 0)) throw new SoundFlowError('invalid_argument', 'kwsThreshold must be > 0');

    const args = ['-hmm', hmm, '-dict', dict, '-samprate', '16000', ...beamArgs(opts.beams, opts.downsample)];
    if (mode === 'lm') args.push('-lm', lm);
    if (opts.kwsThreshold !== undefined) args.push('-kws_threshold', String(opts.kwsThreshold));
    if (opts.cmn !== undefined) {
      if (opts.cmn !== 'batch' && opts.cmn !== 'live') throw new SoundFlowError('invalid_argument', `cmn must be 'batch' or 'live', got ${String(opts.cmn)}`);
      args.push('-cmn', opts.cmn);
    }
    const va: unknown[] = [];
    for (const s of args) va.push('str', s);
    va.push('str', null);
    const config = a.cmd_ln_init(null, a.ps_args(), 1, ...va);
    if (!config) throw new SoundFlowError('asr_init_failed', `pocketsphinx rejected its configuration: ${args.join(' ')}`);
    const ps = await callAsync<unknown>(a.ps_init, config);
    if (!ps) {
      a.cmd_ln_free_r(config);
      throw new SoundFlowError('asr_init_failed', `pocketsphinx failed to load its model (${hmm}, ${dict})`);
    }
    const names = new Map<string, SearchKind>();
    try {
      const check = (rc: number, what: string, code: ErrorCode = 'asr_init_failed') => {
        if (rc !== 0) throw new SoundFlowError(code, `pocketsphinx could not load ${what}`);
      };
      const missing = (words: string[]) => words.filter((w) => !a.ps_lookup_word(ps, w));
      const addJsgf = async (name: string, text: string) => {
        const g = grammarText(text);
        const unknown = missing(jsgfWords(g));
        if (unknown.length) throw new SoundFlowError('asr_bad_grammar', `grammar ${name}: words not in the dictionary: ${unknown.join(', ')}`);
        check(await callAsync<number>(a.ps_set_jsgf_string, ps, name, g), `grammar ${name} (JSGF syntax error?)`, 'asr_bad_grammar');
        names.set(name, 'fsg');
      };
      let main = a.ps_get_search(ps) as string | null;
      if (mode === 'jsgf') {
        await addJsgf('grammar', grammar!);
        main = 'grammar';
      } else if (mode === 'keyphrase') {
        const phrase = String(opts.keyphrase).trim().toLowerCase();
        const unknown = phrase ? missing(phrase.split(/\s+/)) : ['(empty phrase)'];
        if (unknown.length) throw new SoundFlowError('asr_bad_grammar', `key phrase words not in the dictionary: ${unknown.join(', ')}`);
        check(await callAsync<number>(a.ps_set_keyphrase, ps, 'keyphrase', phrase), 'the key phrase', 'asr_bad_grammar');
        names.set('keyphrase', 'kws');
        main = 'keyphrase';
      } else if (main) {
        names.set(main, 'ngram');
      }
      for (const [name, text] of Object.entries(opts.searches?.jsgf ?? {})) await addJsgf(name, text);
      for (const [name, path] of Object.entries(opts.searches?.lm ?? {})) {
        check(await callAsync<number>(a.ps_set_lm_file, ps, name, path || DEFAULT_LM), `language model ${path || DEFAULT_LM}`);
        names.set(name, 'ngram');
      }
      if (opts.searches?.phoneLoop) {
        check(await callAsync<number>(a.ps_set_allphone_file, ps, opts.searches.phoneLoop, DEFAULT_PHONE_LM), 'the phone loop');
        names.set(opts.searches.phoneLoop, 'allphone');
      }
      if (!main) throw new SoundFlowError('asr_init_failed', 'decoder has no search');
      // Searches added through the API are not active until selected (starting without one crashes).
      check(a.ps_set_search(ps, main), `search ${main}`);
      return new PocketSphinxDecoder(a, ps, config, names, main, opts.beams?.bestpath ?? true, opts.cmn === 'live');
    } catch (err) {
      a.ps_free(ps);
      a.cmd_ln_free_r(config);
      throw err;
    }
  }

  /** Names of the searches this decoder holds. */
  get searches(): string[] {
    return [...this.searchNames.keys()];
  }

  /** The active search. */
  get search(): string {
    return this.current;
  }

  /** Whether the dictionary knows a word (e.g. before building a grammar). */
  hasWord(word: string): boolean {
    this.assertOpen();
    return !!this.a.ps_lookup_word(this.ps, word);
  }

  /** Switches the search used by the next utterance. */
  setSearch(name: string): void {
    this.assertOpen();
    if (!this.searchNames.has(name)) throw new SoundFlowError('invalid_argument', `no search named ${name}; have ${this.searches.join(', ')}`);
    if (this.inUtt) throw new SoundFlowError('asr_state', 'cannot switch search during an utterance', { recoverable: true });
    this.current = name;
    void this.enqueue(async () => this.activate(name)).catch(() => {});
  }

  /**
   * Begins an utterance (queued behind running work); an open utterance is dropped first.
   * `newStream`: also forget the front end's running noise estimate, which otherwise carries over from
   * earlier utterances, so the result depends only on this utterance's audio (and the CMN seed).
   */
  start(opts: { newStream?: boolean } = {}): void {
    this.assertOpen();
    const restart = this.inUtt;
    this.inUtt = true;
    this.streamed = true;
    this.ditherState.s = DITHER_SEED;
    this.ditherState.b0 = this.ditherState.b1 = this.ditherState.b2 = 0;
    this.lastPartial = '';
    this.speech = false;
    void this.enqueue(async () => {
      if (restart) await callAsync<number>(this.a.ps_end_utt, this.ps);
      if (opts.newStream) this.a.ps_start_stream(this.ps);
      await this.startNow();
    }).catch(() => {});
  }

  /** Decodes more audio of the current utterance (on a worker thread). */
  process(pcm: Int16Array | Float32Array): Promise<void> {
    if (this.closed) return Promise.reject(this.closedError());
    if (!this.inUtt) return Promise.reject(new SoundFlowError('asr_state', 'process() before start()', { recoverable: true }));
    let data: Int16Array;
    try {
      data = toInt16(pcm);
    } catch (err) {
      return Promise.reject(err);
    }
    if (data.length === 0) return this.enqueue(async () => {});
    data = dither(data, this.ditherState);
    return this.enqueue(async () => {
      const rc = await callAsync<number>(this.a.ps_process_raw, this.ps, data, data.length, 0, 0);
      if (rc < 0) throw new SoundFlowError('asr_failed', 'pocketsphinx failed to process audio', { recoverable: true });
      this.lastPartial = ((await callAsync<string | null>(this.a.ps_get_hyp, this.ps, [0])) ?? '').trim();
      this.speech = !!this.a.ps_get_in_speech(this.ps);
    });
  }

  /** The hypothesis after the last completed process() call. */
  partial(): string {
    return this.lastPartial;
  }

  /** Whether the front end's voice detector was in speech after the last process() call. */
  inSpeech(): boolean {
    return this.speech;
  }

  /** Ends the utterance and returns the final hypothesis (second passes run on a worker thread). */
  end(opts: { nbest?: number } = {}): Promise<DecodeResult> {
    if (this.closed) return Promise.reject(this.closedError());
    if (!this.inUtt) return Promise.reject(new SoundFlowError('asr_state', 'end() without start()', { recoverable: true }));
    this.inUtt = false;
    return this.enqueue(async () => {
      const rc = await callAsync<number>(this.a.ps_end_utt, this.ps);
      if (rc < 0) throw new SoundFlowError('asr_failed', 'pocketsphinx failed to end the utterance', { recoverable: true });
      const r = await this.result();
      if (opts.nbest && opts.nbest > 1 && r.text && this.bestpath) r.nbest = await this.timedNbest(opts.nbest);
      afterRecognition();
      return r;
    });
  }

  /**
   * Decodes one whole utterance in a single pass (-cmn batch normalisation over all of it, which
   * beats streaming on the same decoder: 24% vs 33% WER measured). Optionally with another search.
   */
  decode(pcm: Int16Array | Float32Array, opts: { search?: string; nbest?: number } = {}): Promise<DecodeResult> {
    if (this.closed) return Promise.reject(this.closedError());
    if (this.inUtt) return Promise.reject(new SoundFlowError('asr_state', 'decode() during a streamed utterance', { recoverable: true }));
    const search = opts.search ?? this.current;
    if (!this.searchNames.has(search)) return Promise.reject(new SoundFlowError('invalid_argument', `no search named ${search}; have ${this.searches.join(', ')}`));
    let data: Int16Array;
    try {
      data = toInt16(pcm);
      data = dither(data, { s: DITHER_SEED, b0: 0, b1: 0, b2: 0 });
    } catch (err) {
      return Promise.reject(err);
    }
    return this.enqueue(async () => {
      if (search !== this.active) this.activate(search);
      try {
        return await this.decodeWhole(data, opts.nbest);
      } finally {
        if (this.active !== this.current) this.activate(this.current);
      }
    });
  }

  /** One whole utterance through the started decoder, inside a queue turn (decode and decodeOwnMean). */
  private async decodeWhole(data: Int16Array, nbest: number | undefined): Promise<DecodeResult> {
    await this.startNow();
    const rc = await callAsync<number>(this.a.ps_process_raw, this.ps, data, data.length, 0, this.wholeStreamed || this.streamed ? 0 : 1);
    const rcEnd = await callAsync<number>(this.a.ps_end_utt, this.ps);
    if (rc < 0 || rcEnd < 0) throw new SoundFlowError('asr_failed', 'pocketsphinx failed to decode the utterance', { recoverable: true });
    const r = await this.result();
    if (nbest && nbest > 1 && r.text && this.bestpath) r.nbest = await this.timedNbest(nbest);
    afterRecognition();
    return r;
  }

  /**
   * Decodes one whole utterance normalised with its own cepstral mean, as a batch CMN would (for a
   * decoder set up for live CMN: seeded with the mean of exactly this audio, history 0, so it stays
   * fixed), in one turn of the queue. The decoder's live CMN state is put back afterwards, so an
   * utterance streamed on it next goes on from where it was. Between utterances only.
   * `ownStream`: the front end's noise estimate is started afresh and first run over this audio, then the
   * mean is taken and the audio decoded with that estimate, so the result depends on the audio alone (not
   * on what the decoder heard before) yet the mean is taken with a noise estimate that has adapted to
   * the audio, as a live pass over it leaves it (a fresh estimate gave another mean: flite slt "good
   * morning i would like …" → "good morning island like …").
   */
  decodeOwnMean(pcm: Int16Array, opts: { nbest?: number; newStream?: boolean; ownStream?: boolean } = {}): Promise<DecodeResult> {
    if (this.closed) return Promise.reject(this.closedError());
    if (this.inUtt) return Promise.reject(new SoundFlowError('asr_state', 'decodeOwnMean() during a streamed utterance', { recoverable: true }));
    const data = dither(pcm, { s: DITHER_SEED, b0: 0, b1: 0, b2: 0 });
    return this.enqueue(async () => {
      const saved = snapshotCmn(this.ps);
      try {
        // Same input as decode() feeds (dithered), so the mean is the one its normalisation would take.
        if (opts.ownStream) {
          this.a.ps_start_stream(this.ps);
          await cepstralMean(this.ps, data);
        }
        const own = await cepstralMean(this.ps, data);
        setCmn(this.ps, own?.mean ?? saved.mean, 0);
        if (opts.newStream) this.a.ps_start_stream(this.ps);
        return await this.decodeWhole(data, opts.nbest);
      } finally {
        restoreCmn(this.ps, saved);
      }
    });
  }

  /**
   * The cepstral mean a batch CMN would take over `pcm` (front end only, no search), on the same dithered
   * input decode() would feed it; null when no frame counts. Between utterances only.
   */
  cepstralMean(pcm: Int16Array): Promise<{ mean: Float32Array; frames: number } | null> {
    if (this.closed) return Promise.reject(this.closedError());
    if (this.inUtt) return Promise.reject(new SoundFlowError('asr_state', 'cepstralMean() during a streamed utterance', { recoverable: true }));
    const data = dither(pcm, { s: DITHER_SEED, b0: 0, b1: 0, b2: 0 });
    return this.enqueue(async () => cepstralMean(this.ps, data));
  }

  /** Runs `op` with the native decoder handle on this decoder's queue (extensions such as live CMN). */
  withHandle<T>(op: (ps: unknown) => T | Promise<T>): Promise<T> {
    if (this.closed) return Promise.reject(this.closedError());
    return this.enqueue(async () => op(this.ps));
  }

  /**
   * Frees the decoder once queued work has finished; later calls reject with asr_closed. The free runs
   * on koffi's worker pool: on the event loop it cost 26–32 ms CPU for a language-model decoder and
   * 11–13 ms for a grammar one, landing in whatever chunk was being perceived when a pool trimmed an
   * idle decoder.
   */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    void this.queue
      .then(async () => {
        PocketSphinxDecoder.live--;
        const { ps, config } = this;
        this.ps = null;
        this.config = null;
        await callAsync<number>(this.a.ps_free, ps);
        await callAsync<number>(this.a.cmd_ln_free_r, config);
      })
      .catch(() => undefined);
  }

  private enqueue<T>(op: () => Promise<T>): Promise<T> {
    const run = this.queue.then(() => {
      if (this.closed) throw this.closedError();
      return op();
    });
    this.queue = run.catch(() => {});
    return run;
  }

  private activate(name: string): void {
    if (this.a.ps_set_search(this.ps, name) !== 0) throw new SoundFlowError('asr_failed', `cannot switch to search ${name}`, { recoverable: true });
    this.active = name;
  }

  /**
   * On koffi's worker pool, like every call that does real work: on the event loop ps_start_utt took
   * 0.3–91 ms wall (loaded), inside the perception of whatever chunk was being worked on.
   */
  private async startNow(): Promise<void> {
    if ((await callAsync<number>(this.a.ps_start_utt, this.ps)) < 0) throw new SoundFlowError('asr_failed', 'pocketsphinx could not start an utterance', { recoverable: true });
  }

  /**
   * Up to n distinct hypotheses from the lattice (A* search; entries differing only in fillers or
   * pronunciation variants collapse). Bounded: at most 6n lattice paths are visited.
   */
  private async nbest(n: number): Promise<string[]> {
    // The A* search over the lattice can take tens of ms (p99 50 ms, max 280 ms measured in
    // bench/understanding.ts): it runs on koffi's worker pool, never on the event loop.
    const a = this.a;
    const out: string[] = [];
    let it = await callAsync<unknown>(a.ps_nbest, this.ps);
    for (let visited = 0; it && out.length < n && visited < 6 * n; visited++) {
      const hyp = ((a.ps_nbest_hyp(it, [0]) as string | null) ?? '').replace(/\(\d+\)/g, '').replace(/<[^>]*>|\[[^\]]*\]/g, ' ').replace(/\s+/g, ' ').trim();
      if (hyp && !out.includes(hyp)) out.push(hyp);
      it = await callAsync<unknown>(a.ps_nbest_next, it);
    }
    if (it) a.ps_nbest_free(it);
    return out;
  }

  private async timedNbest(n: number): Promise<string[]> {
    const t0 = performance.now();
    try {
      return await this.nbest(n);
    } finally {
      NBEST_MS.add(performance.now() - t0);
    }
  }

  private async result(): Promise<DecodeResult> {
    const a = this.a;
    const out = [0];
    const text = ((await callAsync<string | null>(a.ps_get_hyp, this.ps, out)) ?? '').trim();
    const lmath = a.ps_get_logmath(this.ps);
    const ln = (x: number) => a.logmath_log_to_ln(lmath, x) as number;
    const segScale = this.searchNames.get(this.active) === 'ngram' ? 1 : SENSCR_SCALE;
    const frames = a.ps_get_n_frames(this.ps) as number;
    let prob: number | undefined;
    if (this.bestpath && text) prob = Math.exp(ln(await callAsync<number>(a.ps_get_prob, this.ps)));
    const words: WordSegment[] = [];
    let wordFrames = 0;
    let wordAscr = 0;
    if (text) {
      // ps_seg_next frees the iterator when it returns NULL.
      for (let seg = a.ps_seg_iter(this.ps); seg; seg = a.ps_seg_next(seg)) {
        const sf = [0], ef = [0], ascr = [0], lscr = [0], lback = [0];
        a.ps_seg_frames(seg, sf, ef);
        a.ps_seg_prob(seg, ascr, lscr, lback);
        const word = a.ps_seg_word(seg) as string;
        if (ef[0] < sf[0]) continue; // empty (NULL) transitions
        words.push({ word, start: sf[0] / FRAME_RATE, end: (ef[0] + 1) / FRAME_RATE, ascr: ln(ascr[0]) * segScale });
        if (!isFiller(word)) {
          wordFrames += ef[0] - sf[0] + 1;
          wordAscr += ascr[0];
        }
      }
    }
    return { text, score: ln(out[0]) * SENSCR_SCALE, prob, frames, words, wordScore: wordFrames ? (ln(wordAscr) * segScale) / wordFrames : NaN };
  }

  private assertOpen(): void {
    if (this.closed) throw this.closedError();
  }

  private closedError(): SoundFlowError {
    return new SoundFlowError('asr_closed', 'decoder closed', { recoverable: true });
  }
}
