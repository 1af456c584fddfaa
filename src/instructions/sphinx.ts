// A narrow pocketsphinx binding (koffi FFI to libpocketsphinx.so.3) for the constrained recogniser:
// one decoder holding named searches (the JSGF grammar, a phone loop, the open n-gram model) and
// decoding a whole utterance with any of them, returning the hypothesis and its path score.
// It stands in until the shared wrapper (src/perception/asr/pocketsphinx.ts) exposes path scores
// and several searches; ConstrainedRecognizer only needs the UtteranceDecoder interface below.
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MissingDependencyError, SoundFlowError } from '../util/errors.ts';

export const MODEL_DIR = process.env.SOUNDFLOW_PS_MODEL ?? '/usr/share/pocketsphinx/model/en-us';
const LIB_DIRS = ['/usr/lib/x86_64-linux-gnu', '/usr/lib/aarch64-linux-gnu', '/usr/lib', '/usr/local/lib'];

export interface DecodeResult {
  text: string;
  /** Path score in natural-log units (higher is better); comparable across searches on the same audio. */
  score: number;
  /** 10 ms feature frames decoded. */
  frames: number;
}

export interface UtteranceDecoder {
  /** Decodes one finished utterance (16 kHz mono PCM16) with the named search. */
  decode(search: string, pcm: Int16Array): Promise<DecodeResult>;
  close(): void;
}

type Fn = ((...args: unknown[]) => unknown) & { async: (...args: unknown[]) => void };
interface Api {
  ps_args: Fn; cmd_ln_parse_r: Fn; cmd_ln_free_r: Fn; ps_init: Fn; ps_free: Fn;
  ps_set_jsgf_string: Fn; ps_set_allphone_file: Fn; ps_set_lm_file: Fn; ps_set_search: Fn;
  ps_start_utt: Fn; ps_process_raw: Fn; ps_end_utt: Fn; ps_get_hyp: Fn; ps_get_n_frames: Fn;
  ps_get_logmath: Fn; logmath_log_to_ln: Fn;
}

let api: Api | null = null;

async function loadApi(): Promise<Api> {
  if (api) return api;
  const find = (name: string) => LIB_DIRS.map((d) => join(d, name)).find(existsSync);
  const psPath = find('libpocketsphinx.so.3');
  const sbPath = find('libsphinxbase.so.3');
  if (!psPath || !sbPath) throw new MissingDependencyError('libpocketsphinx.so.3', 'libpocketsphinx3');
  const koffi = (await import('koffi')).default;
  const ps = koffi.load(psPath);
  const sb = koffi.load(sbPath);
  const f = (lib: typeof ps, proto: string) => lib.func(proto) as unknown as Fn;
  api = {
    ps_args: f(ps, 'void *ps_args()'),
    cmd_ln_parse_r: f(sb, 'void *cmd_ln_parse_r(void *inout, void *defn, int argc, const char **argv, int strict)'),
    cmd_ln_free_r: f(sb, 'int cmd_ln_free_r(void *cmdln)'),
    ps_init: f(ps, 'void *ps_init(void *config)'),
    ps_free: f(ps, 'int ps_free(void *ps)'),
    ps_set_jsgf_string: f(ps, 'int ps_set_jsgf_string(void *ps, const char *name, const char *jsgf)'),
    ps_set_allphone_file: f(ps, 'int ps_set_allphone_file(void *ps, const char *name, const char *path)'),
    ps_set_lm_file: f(ps, 'int ps_set_lm_file(void *ps, const char *name, const char *path)'),
    ps_set_search: f(ps, 'int ps_set_search(void *ps, const char *name)'),
    ps_start_utt: f(ps, 'int ps_start_utt(void *ps)'),
    ps_process_raw: f(ps, 'int ps_process_raw(void *ps, const int16_t *data, size_t n, int no_search, int full_utt)'),
    ps_end_utt: f(ps, 'int ps_end_utt(void *ps)'),
    ps_get_hyp: f(ps, 'const char *ps_get_hyp(void *ps, _Out_ int32_t *score)'),
    ps_get_n_frames: f(ps, 'int ps_get_n_frames(void *ps)'),
    ps_get_logmath: f(ps, 'void *ps_get_logmath(void *ps)'),
    logmath_log_to_ln: f(sb, 'double logmath_log_to_ln(void *lmath, int logb)'),
  };
  return api;
}

export interface SphinxSearches {
  /** JSGF grammars by search name. */
  jsgf?: Record<string, string>;
  /** Add the phone loop (allphone) search under this name. */
  phoneLoop?: string;
  /** Add the open n-gram search under this name. */
  ngram?: string;
  /** Extra dictionary entries (word → ARPAbet). */
  extraPronunciations?: Record<string, string>;
  /** Extra pocketsphinx arguments, e.g. ['-beam', '1e-60']. */
  args?: string[];
}

export class SphinxDecoder implements UtteranceDecoder {
  private queue: Promise<unknown> = Promise.resolve();
  private closed = false;

  private constructor(
    private readonly a: Api,
    private ps: unknown,
    private config: unknown,
    private readonly searches: Set<string>,
  ) {}

  static async open(opts: SphinxSearches): Promise<SphinxDecoder> {
    if (!existsSync(join(MODEL_DIR, 'en-us', 'mdef')) && !existsSync(join(MODEL_DIR, 'en-us'))) throw new MissingDependencyError('pocketsphinx en-us model', 'pocketsphinx-en-us');
    const a = await loadApi();
    let dict = join(MODEL_DIR, 'cmudict-en-us.dict');
    const extra = Object.entries(opts.extraPronunciations ?? {});
    if (extra.length) {
      // pocketsphinx reads one dictionary file: the stock one plus our few words.
      const file = join(mkdtempSync(join(tmpdir(), 'sf-dict-')), 'sf.dict');
      writeFileSync(file, readFileSync(dict, 'utf8') + extra.map(([w, p]) => `${w} ${p}\n`).join(''));
      dict = file;
    }
    const argv = ['-hmm', join(MODEL_DIR, 'en-us'), '-dict', dict, '-logfn', '/dev/null', '-bestpath', 'no', ...(opts.args ?? [])];
    const config = a.cmd_ln_parse_r(null, a.ps_args(), argv.length, argv, 1);
    if (!config) throw new SoundFlowError('asr_init_failed', 'pocketsphinx rejected its configuration');
    const ps = a.ps_init(config);
    if (!ps) throw new SoundFlowError('asr_init_failed', 'pocketsphinx failed to load its model');
    const searches = new Set<string>();
    const check = (rc: unknown, what: string) => {
      if (rc !== 0) throw new SoundFlowError('asr_init_failed', `pocketsphinx could not load ${what}`);
    };
    try {
      for (const [name, jsgf] of Object.entries(opts.jsgf ?? {})) {
        check(a.ps_set_jsgf_string(ps, name, jsgf), `grammar ${name}`);
        searches.add(name);
      }
      if (opts.phoneLoop) {
        check(a.ps_set_allphone_file(ps, opts.phoneLoop, join(MODEL_DIR, 'en-us-phone.lm.bin')), 'the phone loop');
        searches.add(opts.phoneLoop);
      }
      if (opts.ngram) {
        check(a.ps_set_lm_file(ps, opts.ngram, join(MODEL_DIR, 'en-us.lm.bin')), 'the n-gram model');
        searches.add(opts.ngram);
      }
    } catch (err) {
      a.ps_free(ps);
      a.cmd_ln_free_r(config);
      throw err;
    }
    return new SphinxDecoder(a, ps, config, searches);
  }

  decode(search: string, pcm: Int16Array): Promise<DecodeResult> {
    if (!this.searches.has(search)) return Promise.reject(new SoundFlowError('bad_option', `no search named ${search}`));
    const run = this.queue.then(() => this.decodeNow(search, pcm));
    this.queue = run.catch(() => {});
    return run;
  }

  private async decodeNow(search: string, pcm: Int16Array): Promise<DecodeResult> {
    if (this.closed) throw new SoundFlowError('asr_closed', 'decoder closed', { recoverable: true });
    const a = this.a;
    if (a.ps_set_search(this.ps, search) !== 0) throw new SoundFlowError('asr_failed', `cannot switch to search ${search}`, { recoverable: true });
    if (a.ps_start_utt(this.ps) !== 0) throw new SoundFlowError('asr_failed', 'cannot start utterance', { recoverable: true });
    // The search runs on koffi's worker thread so the event loop keeps serving audio meanwhile.
    const rc = await new Promise<number>((resolve, reject) =>
      a.ps_process_raw.async(this.ps, pcm, pcm.length, 0, 1, (err: unknown, r: number) => (err ? reject(err) : resolve(r))),
    );
    a.ps_end_utt(this.ps);
    if (rc < 0) throw new SoundFlowError('asr_failed', 'pocketsphinx failed to process audio', { recoverable: true });
    const out = [0];
    const hyp = (a.ps_get_hyp(this.ps, out) as string | null) ?? '';
    const ln = a.logmath_log_to_ln(a.ps_get_logmath(this.ps), out[0]) as number;
    return { text: hyp.trim(), score: ln, frames: a.ps_get_n_frames(this.ps) as number };
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    // Wait for a running decode before freeing the decoder under it.
    void this.queue.then(() => {
      this.a.ps_free(this.ps);
      this.a.cmd_ln_free_r(this.config);
      this.ps = null;
      this.config = null;
    });
  }
}
