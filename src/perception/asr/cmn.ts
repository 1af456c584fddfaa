// Read and set a decoder's live cepstral mean (sphinxbase cmn_live_get/cmn_live_set), so a decoder lent
// to a session for one utterance starts from that session's own estimate instead of whatever the
// previous borrower left behind. sphinxbase exports no accessor from the decoder to its cmn_t, so the
// pointer is read from feat_t (offset 0x58 in Debian's 5prealpha build: see feat_free's disassembly,
// docs/notes/asr.md) and checked before use: cmn_t.veclen (offset 0x1c) must equal the cepstrum size.
import koffi from 'koffi';
import { callAsync, sphinx } from './native.ts';
import { SoundFlowError } from '../../util/errors.ts';

/** Cepstral coefficients of the en-us model (feat.params: 13, -feat 1s_c_d_dd). */
export const CEP_SIZE = 13;
const FEAT_CMN_OFFSET = 0x58;
const CMN_VECLEN_OFFSET = 0x1c;
const CMN_SUM_OFFSET = 0x10;
const CMN_NFRAME_OFFSET = 0x18;

interface CmnApi {
  ps_get_feat: (ps: unknown) => unknown;
  cmn_live_get: (cmn: unknown, out: Float32Array) => void;
  cmn_live_set: (cmn: unknown, vec: Float32Array) => void;
  ps_get_fe: (ps: unknown) => unknown;
  fe_start_utt: (fe: unknown) => number;
  fe_process_utt: ((fe: unknown, spch: Int16Array, n: number, block: unknown[], nframes: number[]) => number) & { async: (...args: unknown[]) => void };
  ckd_free_2d: (p: unknown) => void;
}

let api: CmnApi | null = null;

function cmnApi(): CmnApi {
  if (api) return api;
  sphinx(); // loads both libraries (and fails clearly when they are missing)
  const ps = koffi.load('libpocketsphinx.so.3');
  const sb = koffi.load('libsphinxbase.so.3');
  api = {
    ps_get_feat: ps.func('void *ps_get_feat(void *ps)') as CmnApi['ps_get_feat'],
    cmn_live_get: sb.func('void cmn_live_get(void *cmn, _Out_ float *vec)') as CmnApi['cmn_live_get'],
    cmn_live_set: sb.func('void cmn_live_set(void *cmn, const float *vec)') as CmnApi['cmn_live_set'],
    ps_get_fe: ps.func('void *ps_get_fe(void *ps)') as CmnApi['ps_get_fe'],
    fe_start_utt: sb.func('int fe_start_utt(void *fe)') as CmnApi['fe_start_utt'],
    fe_process_utt: sb.func('int fe_process_utt(void *fe, const int16_t *spch, size_t nsamps, _Out_ void **cep_block, _Out_ int *nframes)') as CmnApi['fe_process_utt'],
    ckd_free_2d: sb.func('void ckd_free_2d(void *p)') as CmnApi['ckd_free_2d'],
  };
  return api;
}

/** The decoder's cmn_t, or an error when the struct layout is not the one this was written for. */
function cmnOf(ps: unknown): unknown {
  const a = cmnApi();
  const feat = a.ps_get_feat(ps);
  if (!feat) throw new SoundFlowError('asr_failed', 'decoder has no feature module');
  const cmn = koffi.decode(feat, FEAT_CMN_OFFSET, 'void *');
  if (!cmn) throw new SoundFlowError('asr_failed', 'decoder has no CMN state');
  const veclen = koffi.decode(cmn, CMN_VECLEN_OFFSET, 'int32_t') as number;
  if (veclen !== CEP_SIZE) throw new SoundFlowError('asr_unavailable', `unexpected sphinxbase CMN layout (veclen ${veclen}); live CMN seeding disabled`);
  return cmn;
}

/** Whether this sphinxbase build exposes the live CMN state as expected (checked on a real decoder). */
export function cmnSupported(ps: unknown): boolean {
  try {
    cmnOf(ps);
    return true;
  } catch {
    return false;
  }
}

/** The decoder's current live cepstral mean and the frame count it stands for. Call between utterances. */
export function getCmn(ps: unknown): { mean: Float32Array; frames: number } {
  const cmn = cmnOf(ps);
  const mean = new Float32Array(CEP_SIZE);
  cmnApi().cmn_live_get(cmn, mean);
  return { mean, frames: koffi.decode(cmn, CMN_NFRAME_OFFSET, 'int32_t') as number };
}

/**
 * Sets the live cepstral mean and how many frames of history it stands for (0 = a prior only, replaced
 * by the next utterance's own mean, like a fresh decoder; sphinxbase's own setter always uses 500).
 * Call between utterances.
 */
export function setCmn(ps: unknown, mean: Float32Array, frames = 500): void {
  if (!(mean instanceof Float32Array) || mean.length !== CEP_SIZE || !mean.every(Number.isFinite)) {
    throw new SoundFlowError('invalid_argument', `CMN seed must be ${CEP_SIZE} finite floats`);
  }
  if (!(Number.isInteger(frames) && frames >= 0 && frames < 1 << 20)) throw new SoundFlowError('invalid_argument', `CMN history must be a frame count, got ${frames}`);
  const cmn = cmnOf(ps);
  cmnApi().cmn_live_set(cmn, mean);
  const sum = koffi.decode(cmn, CMN_SUM_OFFSET, 'void *');
  koffi.encode(sum, 0, koffi.array('float', CEP_SIZE), Array.from(mean, (m) => m * frames));
  koffi.encode(cmn, CMN_NFRAME_OFFSET, 'int32_t', frames);
}

/** The decoder's whole live CMN state (mean, running sum, frame count), to put back exactly. */
export interface CmnSnapshot {
  mean: Float32Array;
  sum: Float32Array;
  frames: number;
}

const CMN_MEAN_OFFSET = 0;

export function snapshotCmn(ps: unknown): CmnSnapshot {
  const cmn = cmnOf(ps);
  const read = (offset: number) => Float32Array.from(koffi.decode(koffi.decode(cmn, offset, 'void *'), 0, koffi.array('float', CEP_SIZE)) as number[]);
  return { mean: read(CMN_MEAN_OFFSET), sum: read(CMN_SUM_OFFSET), frames: koffi.decode(cmn, CMN_NFRAME_OFFSET, 'int32_t') as number };
}

/** Puts a snapshot back bit for bit (setCmn recomputes the sum from the mean, which rounds). */
export function restoreCmn(ps: unknown, snap: CmnSnapshot): void {
  const cmn = cmnOf(ps);
  koffi.encode(koffi.decode(cmn, CMN_MEAN_OFFSET, 'void *'), 0, koffi.array('float', CEP_SIZE), Array.from(snap.mean));
  koffi.encode(koffi.decode(cmn, CMN_SUM_OFFSET, 'void *'), 0, koffi.array('float', CEP_SIZE), Array.from(snap.sum));
  koffi.encode(cmn, CMN_NFRAME_OFFSET, 'int32_t', snap.frames);
}

/**
 * The cepstral mean of `pcm` as a batch CMN would take it (the decoder's front end only, no search:
 * a few ms per second of audio), counting only frames with c0 >= 0 like sphinxbase's live CMN.
 * Call between utterances (it uses the decoder's front end); null when no frame counts. The front end
 * runs on koffi's worker pool: over a whole utterance it took 0.4–28 ms on the event loop (loaded),
 * inside the perception of whatever chunk was being worked on (docs/notes/perception.md).
 */
export async function cepstralMean(ps: unknown, pcm: Int16Array): Promise<{ mean: Float32Array; frames: number } | null> {
  cmnOf(ps); // layout check
  const a = cmnApi();
  const fe = a.ps_get_fe(ps);
  if (!fe) throw new SoundFlowError('asr_failed', 'decoder has no front end');
  if (a.fe_start_utt(fe) < 0) throw new SoundFlowError('asr_failed', 'front end refused to start');
  const block: unknown[] = [null];
  const nframes = [0];
  const rc = await callAsync<number>(a.fe_process_utt, fe, pcm, pcm.length, block, nframes);
  try {
    if (rc < 0) throw new SoundFlowError('asr_failed', 'front end failed on the audio');
    const n = nframes[0];
    if (!block[0] || n <= 0) return null;
    const rows = koffi.decode(block[0], 0, 'void *');
    const cep = koffi.decode(rows, 0, koffi.array('float', n * CEP_SIZE, 'Typed')) as Float32Array;
    const sum = new Float64Array(CEP_SIZE);
    let frames = 0;
    for (let f = 0; f < n; f++) {
      if (cep[f * CEP_SIZE] < 0) continue;
      for (let j = 0; j < CEP_SIZE; j++) sum[j] += cep[f * CEP_SIZE + j];
      frames++;
    }
    return frames ? { mean: Float32Array.from(sum, (v) => v / frames), frames } : null;
  } finally {
    if (block[0]) a.ckd_free_2d(block[0]);
  }
}
