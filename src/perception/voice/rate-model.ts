// A small learned speaking-rate reader (trained in-repo by scripts/train-voice-rate.ts; weights in
// models/voice-rate/model.json): an MLP over short windows of the voice frames the analyzer already has
// (MFCC c1..c12 with the utterance's mean removed, and the mid-band level against the utterance's
// loudest), each window's output a log speaking rate relative to the synthesiser's usual rate; the
// utterance's reading is their mean. It was trained on speech whose rate is known (espeak-ng `-s` and
// flite `duration_stretch` settings), so its reading is meant to follow the tempo, not the words.
// Plain TypeScript at run time (no tfjs). docs/notes/voice.md, "Round 10" and "Round 11" (round 11 added
// written texts, scripts/voice-rate-texts.ts, and four more espeak-ng voices to its training data), and
// "Round 14": a joint variant (jointRateLayers: one first layer read two ways, the mean of a per-window
// output and a pooled head over the mean window activation, as their geometric mean) runs on the same
// pooled path; it was not committed (worse on voices it was not trained on).
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { SoundFlowError } from '../../util/errors.ts';
import { DenseNet, type DenseLayer } from '../../util/dense-net.ts';
import type { VoiceFrame } from './frames.ts';

export const DEFAULT_RATE_MODEL = fileURLToPath(new URL('../../../models/voice-rate/model.json', import.meta.url));

/** Features per frame of a window: 12 MFCCs (utterance mean removed) + the mid-band level. */
export const RATE_FRAME_DIMS = 13;
/** Frames this far below the utterance's loudest mid-band frame are not window centres, dB. */
const RANGE_DB = 30;

export interface RateModelSpec {
  version: 1;
  /** Frames each side of a window's centre. */
  half: number;
  /** Every stride-th eligible frame is a window centre. */
  stride: number;
  /** Frames between a window's frames (the window spans ±half·step frames). */
  step?: number;
  norm: { mean: number[]; std: number[] };
  layers: DenseLayer[];
  /**
   * With a pooled head (round 13): the first `poolAfter` layers (ReLU) read each window, their outputs
   * are averaged over the utterance's windows, and the rest read that mean. Absent: every layer reads
   * each window and the utterance's reading is the mean of the window outputs.
   */
  poolAfter?: number;
  /** How it was trained (recipe, sizes, held-out figures); not read at run time. */
  meta?: Record<string, unknown>;
}

/**
 * The model's input rows for an utterance's speech frames: one per centre frame whose ±half neighbours
 * are one unbroken run of speech (10 ms apart) and that is within RANGE_DB of the loudest.
 */
export function rateWindows(frames: readonly VoiceFrame[], half: number, stride = 1, step = 1): { x: Float32Array; n: number; d: number } {
  const span = half * step;
  const d = (2 * half + 1) * RATE_FRAME_DIMS;
  const nf = frames.length;
  if (nf < 2 * span + 1) return { x: new Float32Array(0), n: 0, d };
  const nm = frames[0].mfcc.length;
  const mean = new Float64Array(nm);
  let top = -Infinity;
  for (const f of frames) {
    for (let k = 0; k < nm; k++) mean[k] += f.mfcc[k];
    top = Math.max(top, f.midDb);
  }
  for (let k = 0; k < nm; k++) mean[k] /= nf;
  // runStart[i]: index where frame i's unbroken run began.
  const runStart = new Int32Array(nf);
  for (let i = 1; i < nf; i++) runStart[i] = frames[i].t - frames[i - 1].t > 0.015 ? i : runStart[i - 1];
  const centres: number[] = [];
  let seen = 0;
  for (let i = span; i + span < nf; i++) {
    if (runStart[i + span] > i - span) continue;
    if (frames[i].midDb < top - RANGE_DB) continue;
    if (seen++ % stride === 0) centres.push(i);
  }
  const x = new Float32Array(centres.length * d);
  centres.forEach((c, r) => {
    let o = r * d;
    for (let j = c - span; j <= c + span; j += step) {
      const f = frames[j];
      for (let k = 0; k < nm; k++) x[o++] = f.mfcc[k] - mean[k];
      x[o++] = (f.midDb - top) / 10;
    }
  });
  return { x, n: centres.length, d };
}

/** The rate MLP (util/dense-net.ts) over an utterance's windows. */
export class RateNet {
  readonly half: number;
  readonly stride: number;
  readonly step: number;
  readonly inputs: number;
  private readonly net: DenseNet;

  constructor(readonly spec: RateModelSpec) {
    const fail = (msg: string): never => {
      throw new SoundFlowError('model_invalid', `voice rate model: ${msg}`);
    };
    if (spec.version !== 1) fail(`unsupported version ${spec.version}`);
    if (!Array.isArray(spec.layers) || spec.layers.length === 0) fail('no layers');
    this.half = spec.half;
    this.stride = Math.max(1, spec.stride | 0);
    this.step = Math.max(1, (spec.step ?? 1) | 0);
    this.inputs = (2 * spec.half + 1) * RATE_FRAME_DIMS;
    if (spec.layers[0].inputs !== this.inputs) fail(`first layer takes ${spec.layers[0].inputs} inputs, windows have ${this.inputs}`);
    this.net = new DenseNet('voice rate model', spec.layers, spec.norm);
    this.poolAfter = spec.poolAfter !== undefined && spec.poolAfter > 0 && spec.poolAfter < spec.layers.length ? spec.poolAfter : 0;
  }

  private readonly poolAfter: number;

  /** The model's output for each of n rows of x (row-major); per-window outputs only mean something without poolAfter. */
  predictRows(x: Float32Array, n: number): Float32Array {
    const out = new Float32Array(n);
    for (let r = 0; r < n; r++) out[r] = this.net.forward(x, r * this.inputs);
    return out;
  }

  /**
   * The utterance's speaking rate relative to the usual (1 = the synthesisers' default rate; only its
   * ratio to the speaker's own baseline is used), or 0 when it has too few frames for a reading.
   */
  rate(frames: readonly VoiceFrame[]): number {
    const { x, n } = rateWindows(frames, this.half, this.stride, this.step);
    if (n < MIN_WINDOWS) return 0;
    if (this.poolAfter) return Math.exp(this.net.forwardPooled(x, n, this.poolAfter));
    const y = this.predictRows(x, n);
    let s = 0;
    for (const v of y) s += v;
    return Math.exp(s / n);
  }
}

/**
 * One pooled net that reads, from one shared trunk, the weighted geometric mean of two readings (round
 * 14): the mean of a linear per-window output over the utterance's windows, and a pooled head over the
 * mean of the trunk's window activations. The window output is linear, so its mean over the windows is
 * the same linear map of the mean activation: it rides through the head's ReLU layers as the pair
 * relu(z), relu(−z) (z = their difference), and the last layer adds `windowWeight`·z to
 * (1 − windowWeight)·head. The result runs on RateNet's pooled path (`poolAfter` = trunk.length), so the
 * cost per window is the trunk's alone.
 */
export function jointRateLayers(trunk: readonly DenseLayer[], windowOut: DenseLayer, head: readonly DenseLayer[], windowWeight: number): { layers: DenseLayer[]; poolAfter: number } {
  const width = trunk[trunk.length - 1].outputs;
  if (windowOut.inputs !== width || windowOut.outputs !== 1) throw new RangeError(`window output must map ${width} → 1`);
  if (head.length < 2 || head[0].inputs !== width || head[head.length - 1].outputs !== 1) throw new RangeError(`head must map ${width} → … → 1 with at least one hidden layer`);
  const a = windowWeight;
  const layers: DenseLayer[] = trunk.map((l) => ({ ...l, w: [...l.w], b: [...l.b] }));
  head.forEach((l, k) => {
    const last = k === head.length - 1;
    if (k === 0) {
      // [head units | z | −z] from the mean activation.
      const o = l.outputs + 2;
      const w = new Array<number>(l.inputs * o);
      for (let i = 0; i < l.inputs; i++) {
        for (let j = 0; j < l.outputs; j++) w[i * o + j] = l.w[i * l.outputs + j];
        w[i * o + l.outputs] = windowOut.w[i];
        w[i * o + l.outputs + 1] = -windowOut.w[i];
      }
      layers.push({ inputs: l.inputs, outputs: o, w, b: [...l.b, windowOut.b[0], -windowOut.b[0]] });
      return;
    }
    // Inputs: this layer's own plus the (z, −z) pair, carried on (ReLU keeps them) or added in at the end.
    const ins = l.inputs + 2;
    const o = last ? 1 : l.outputs + 2;
    const w = new Array<number>(ins * o).fill(0);
    for (let i = 0; i < l.inputs; i++) for (let j = 0; j < l.outputs; j++) w[i * o + j] = (last ? 1 - a : 1) * l.w[i * l.outputs + j];
    if (last) {
      w[l.inputs * o] = a;
      w[(l.inputs + 1) * o] = -a;
      layers.push({ inputs: ins, outputs: 1, w, b: [(1 - a) * l.b[0]] });
    } else {
      w[l.inputs * o + l.outputs] = 1;
      w[(l.inputs + 1) * o + l.outputs + 1] = 1;
      layers.push({ inputs: ins, outputs: o, w, b: [...l.b, 0, 0] });
    }
  });
  return { layers, poolAfter: trunk.length };
}

/** Fewer windows than this (~0.2 s of speech at stride 2) give no reading. */
const MIN_WINDOWS = 10;

const loaded = new Map<string, RateNet>();

/** The rate model at `path` (default: the committed one), loaded once per path. */
export function loadRateModel(path = DEFAULT_RATE_MODEL): RateNet {
  let net = loaded.get(path);
  if (!net) {
    let spec: RateModelSpec;
    try {
      spec = JSON.parse(readFileSync(path, 'utf8')) as RateModelSpec;
    } catch (e) {
      throw new SoundFlowError('model_invalid', `voice rate model: cannot read ${path}: ${(e as Error).message}`);
    }
    net = new RateNet(spec);
    loaded.set(path, net);
  }
  return net;
}
