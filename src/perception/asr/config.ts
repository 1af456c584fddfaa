// Decoder search settings and the two presets the streaming recogniser uses.
// Measured on 8 espeak-ng (en-us+klatt) sentences, see docs/notes/asr.md for the full table.
import { SoundFlowError } from '../../util/errors.ts';

export interface BeamOptions {
  /** Main HMM beam (pocketsphinx -beam, default 1e-48); larger exponent = narrower = faster. */
  beam?: number;
  /** Word-exit beam (-wbeam, default 7e-29). */
  wbeam?: number;
  /** Phone-transition beam (-pbeam, default 1e-48). */
  pbeam?: number;
  /** Cap on active HMMs per frame (-maxhmmpf, default 30000; -1 = none). */
  maxhmmpf?: number;
  /** Cap on distinct words exiting per frame (-maxwpf, default -1). */
  maxwpf?: number;
  /** Gaussians scored per codebook (-topn, default 4). */
  topn?: number;
  /** Phoneme look-ahead window in frames (-pl_window, default 5; 0 disables). */
  plWindow?: number;
  /** Second (flat-lexicon) pass after the tree pass (-fwdflat, default on): ~+25% CPU, better words. */
  fwdflat?: boolean;
  /** Lattice best-path rescoring at utterance end (-bestpath, default on): cheap, better words. */
  bestpath?: boolean;
  /** Language-model weight (-lw, default 6.5). */
  lw?: number;
}

/**
 * Cheap settings for partial hypotheses while audio streams in: tree pass only, 2 Gaussians, at
 * most 3000 active HMMs. ~26 ms CPU per 0.4 s chunk instead of ~42 ms, partial WER ~51% vs ~49%.
 */
export const PARTIAL_BEAMS: Readonly<BeamOptions> = Object.freeze({ fwdflat: false, bestpath: false, topn: 2, maxhmmpf: 3000 });

/**
 * Settings for the final re-decode: pocketsphinx defaults (both search passes, 4 Gaussians) but at most
 * 3000 active HMMs per frame. Measured on 8 klatt-voice sentences + a noise burst (docs/notes/asr.md):
 * WER 14.1% → 12.1%, 24% less time on speech and half the time on noise, where the unbounded search
 * explodes.
 */
export const FINAL_BEAMS: Readonly<BeamOptions> = Object.freeze({ maxhmmpf: 3000 });

function num(name: string, v: number | undefined, ok: (x: number) => boolean): string[] {
  if (v === undefined) return [];
  if (typeof v !== 'number' || !Number.isFinite(v) || !ok(v)) throw new SoundFlowError('invalid_argument', `asr option ${name} is out of range: ${v}`);
  return [`-${name}`, String(v)];
}

function flag(name: string, v: boolean | undefined): string[] {
  return v === undefined ? [] : [`-${name}`, v ? 'yes' : 'no'];
}

/** pocketsphinx command-line arguments for the given beams and frame downsampling (-ds). */
export function beamArgs(b: BeamOptions = {}, downsample?: number): string[] {
  const prob = (x: number) => x > 0 && x <= 1;
  return [
    ...num('beam', b.beam, prob),
    ...num('wbeam', b.wbeam, prob),
    ...num('pbeam', b.pbeam, prob),
    ...num('maxhmmpf', b.maxhmmpf, (x) => Number.isInteger(x) && (x === -1 || x >= 100)),
    ...num('maxwpf', b.maxwpf, (x) => Number.isInteger(x) && (x === -1 || x >= 1)),
    ...num('topn', b.topn, (x) => Number.isInteger(x) && x >= 1 && x <= 16),
    ...num('pl_window', b.plWindow, (x) => Number.isInteger(x) && x >= 0 && x <= 40),
    ...num('lw', b.lw, (x) => x > 0 && x < 50),
    ...num('ds', downsample, (x) => Number.isInteger(x) && x >= 1 && x <= 4),
    ...flag('fwdflat', b.fwdflat),
    ...flag('bestpath', b.bestpath),
  ];
}
