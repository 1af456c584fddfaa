// koffi bindings to Debian's pocketsphinx 5prealpha (libpocketsphinx.so.3 + libsphinxbase.so.3).
// The 5prealpha API dropped the utterance ids of 0.8: ps_start_utt(ps), ps_get_hyp(ps, &score),
// ps_get_prob(ps), ps_seg_iter(ps) (checked by disassembly: ps_get_hyp only reads rdi/rsi).
// Loaded lazily so importing this module never fails; open() reports a missing package clearly.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import koffi, { type LibraryHandle } from 'koffi';
import { MissingDependencyError, SoundFlowError } from '../../util/errors.ts';

/** Debian's pocketsphinx-en-us model (other models: pass hmm/lm/dict paths in the recogniser options). */
export const MODEL_DIR = '/usr/share/pocketsphinx/model/en-us';
export const DEFAULT_HMM = join(MODEL_DIR, 'en-us');
export const DEFAULT_LM = join(MODEL_DIR, 'en-us.lm.bin');
export const DEFAULT_DICT = join(MODEL_DIR, 'cmudict-en-us.dict');
export const DEFAULT_PHONE_LM = join(MODEL_DIR, 'en-us-phone.lm.bin');

const LIB_DIRS = ['/usr/lib/x86_64-linux-gnu', '/usr/lib/aarch64-linux-gnu', '/lib/x86_64-linux-gnu', '/usr/lib', '/usr/local/lib'];

type Fn = ((...args: any[]) => any) & { async: (...args: any[]) => void };

export interface SphinxApi {
  cmd_ln_init: Fn;
  cmd_ln_free_r: Fn;
  ps_args: Fn;
  ps_init: Fn;
  ps_free: Fn;
  ps_start_utt: Fn;
  ps_start_stream: Fn;
  ps_process_raw: Fn;
  ps_end_utt: Fn;
  ps_get_hyp: Fn;
  ps_get_prob: Fn;
  ps_get_in_speech: Fn;
  ps_get_n_frames: Fn;
  ps_get_logmath: Fn;
  ps_set_search: Fn;
  ps_get_search: Fn;
  ps_set_jsgf_string: Fn;
  ps_set_jsgf_file: Fn;
  ps_set_keyphrase: Fn;
  ps_set_lm_file: Fn;
  ps_set_allphone_file: Fn;
  ps_lookup_word: Fn;
  ps_seg_iter: Fn;
  ps_seg_next: Fn;
  ps_seg_word: Fn;
  ps_seg_frames: Fn;
  ps_seg_prob: Fn;
  logmath_log_to_ln: Fn;
  ps_nbest: Fn;
  ps_nbest_next: Fn;
  ps_nbest_hyp: Fn;
  ps_nbest_free: Fn;
}

let api: SphinxApi | null = null;

function findLib(name: string): string | undefined {
  return LIB_DIRS.map((d) => join(d, name)).find((p) => existsSync(p));
}

/** The bound C API, loaded on first use. Throws MissingDependencyError when a library is absent. */
export function sphinx(): SphinxApi {
  if (api) return api;
  const psPath = findLib('libpocketsphinx.so.3');
  if (!psPath) throw new MissingDependencyError('libpocketsphinx.so.3', 'libpocketsphinx3');
  const sbPath = findLib('libsphinxbase.so.3');
  if (!sbPath) throw new MissingDependencyError('libsphinxbase.so.3', 'libsphinxbase3');
  let ps: LibraryHandle;
  let sb: LibraryHandle;
  try {
    sb = koffi.load(sbPath);
    ps = koffi.load(psPath);
  } catch (err) {
    throw new SoundFlowError('asr_unavailable', `cannot load pocketsphinx: ${(err as Error).message}`, { cause: err });
  }
  const f = (lib: LibraryHandle, proto: string) => lib.func(proto) as Fn;
  const bound: SphinxApi = {
    // Variadic and copies its strings (cmd_ln_parse_r keeps the argv pointers, which koffi frees).
    cmd_ln_init: f(sb, 'void *cmd_ln_init(void *inout, void *defn, int strict, ...)'),
    cmd_ln_free_r: f(sb, 'int cmd_ln_free_r(void *cmdln)'),
    ps_args: f(ps, 'void *ps_args()'),
    ps_init: f(ps, 'void *ps_init(void *config)'),
    ps_free: f(ps, 'int ps_free(void *ps)'),
    ps_start_utt: f(ps, 'int ps_start_utt(void *ps)'),
    // Resets the front end's running noise estimate (fe_start_stream); ps_start_utt keeps it.
    ps_start_stream: f(ps, 'int ps_start_stream(void *ps)'),
    ps_process_raw: f(ps, 'int ps_process_raw(void *ps, const int16_t *data, size_t n, int no_search, int full_utt)'),
    ps_end_utt: f(ps, 'int ps_end_utt(void *ps)'),
    ps_get_hyp: f(ps, 'const char *ps_get_hyp(void *ps, _Out_ int32_t *score)'),
    ps_get_prob: f(ps, 'int32_t ps_get_prob(void *ps)'),
    ps_get_in_speech: f(ps, 'uint8_t ps_get_in_speech(void *ps)'),
    ps_get_n_frames: f(ps, 'int ps_get_n_frames(void *ps)'),
    ps_get_logmath: f(ps, 'void *ps_get_logmath(void *ps)'),
    ps_set_search: f(ps, 'int ps_set_search(void *ps, const char *name)'),
    ps_get_search: f(ps, 'const char *ps_get_search(void *ps)'),
    ps_set_jsgf_string: f(ps, 'int ps_set_jsgf_string(void *ps, const char *name, const char *jsgf)'),
    ps_set_jsgf_file: f(ps, 'int ps_set_jsgf_file(void *ps, const char *name, const char *path)'),
    ps_set_keyphrase: f(ps, 'int ps_set_keyphrase(void *ps, const char *name, const char *phrase)'),
    ps_set_lm_file: f(ps, 'int ps_set_lm_file(void *ps, const char *name, const char *path)'),
    ps_set_allphone_file: f(ps, 'int ps_set_allphone_file(void *ps, const char *name, const char *path)'),
    ps_lookup_word: f(ps, 'const char *ps_lookup_word(void *ps, const char *word)'),
    ps_seg_iter: f(ps, 'void *ps_seg_iter(void *ps)'),
    ps_seg_next: f(ps, 'void *ps_seg_next(void *seg)'),
    ps_seg_word: f(ps, 'const char *ps_seg_word(void *seg)'),
    ps_seg_frames: f(ps, 'void ps_seg_frames(void *seg, _Out_ int *sf, _Out_ int *ef)'),
    ps_seg_prob: f(ps, 'int32_t ps_seg_prob(void *seg, _Out_ int32_t *ascr, _Out_ int32_t *lscr, _Out_ int32_t *lback)'),
    logmath_log_to_ln: f(sb, 'double logmath_log_to_ln(void *lmath, int logb)'),
    // 5prealpha: ps_nbest(ps) takes only the decoder (checked by disassembly: it reads rdi only) and
    // returns the first hypothesis already; ps_nbest_next frees the iterator when it returns NULL.
    ps_nbest: f(ps, 'void *ps_nbest(void *ps)'),
    ps_nbest_next: f(ps, 'void *ps_nbest_next(void *nbest)'),
    ps_nbest_hyp: f(ps, 'const char *ps_nbest_hyp(void *nbest, _Out_ int32_t *score)'),
    ps_nbest_free: f(ps, 'void ps_nbest_free(void *nbest)'),
  };
  // Silence sphinx logging process-wide once. Not -logfn: err_set_logfile() fclose()s the previous
  // log stream, which races with another decoder logging on a koffi worker thread.
  f(sb, 'void err_set_logfp(void *fp)')(null);
  api = bound;
  return api;
}

/** Runs a bound function on koffi's worker pool; the event loop stays free meanwhile. */
export function callAsync<T>(fn: Fn, ...args: unknown[]): Promise<T> {
  return new Promise<T>((resolve, reject) => fn.async(...args, (err: unknown, res: T) => (err ? reject(err) : resolve(res))));
}
