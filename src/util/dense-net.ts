// A small dense network in plain TypeScript (no tfjs at run time): per-input standardisation, ReLU hidden
// layers, one linear output. The committed models (the learned decision gate, the voice rate reader) are
// this shape; each checks its own spec around it and reads the output its own way.
import { SoundFlowError } from './errors.ts';

export interface DenseLayer {
  inputs: number;
  outputs: number;
  /** Row-major [inputs][outputs]. */
  w: number[];
  b: number[];
}

export class DenseNet {
  readonly inputs: number;
  private readonly mean: Float32Array;
  private readonly invStd: Float32Array;
  private readonly layers: { inputs: number; outputs: number; w: Float32Array; b: Float32Array }[];
  /** Reused activations (the widest layer's size), so a forward pass allocates nothing. */
  private h: Float32Array;
  private o: Float32Array;

  /** `what` names the model in errors ("decision model"); shapes are checked layer by layer. */
  constructor(what: string, layers: readonly DenseLayer[], norm: { mean: number[]; std: number[] }) {
    const fail = (msg: string): never => {
      throw new SoundFlowError('model_invalid', `${what}: ${msg}`);
    };
    if (!Array.isArray(layers) || layers.length === 0) fail('no layers');
    this.inputs = layers[0].inputs;
    if (norm.mean.length !== this.inputs || norm.std.length !== this.inputs) fail('norm length does not match the input size');
    let prev = this.inputs;
    this.layers = layers.map((l, k) => {
      if (l.inputs !== prev || l.w.length !== l.inputs * l.outputs || l.b.length !== l.outputs) fail(`layer ${k} has inconsistent shapes`);
      prev = l.outputs;
      return { inputs: l.inputs, outputs: l.outputs, w: Float32Array.from(l.w), b: Float32Array.from(l.b) };
    });
    if (prev !== 1) fail('the last layer must have one output');
    this.mean = Float32Array.from(norm.mean);
    this.invStd = Float32Array.from(norm.std, (s) => 1 / Math.max(1e-6, s));
    const width = Math.max(this.inputs, ...this.layers.map((l) => l.outputs));
    this.h = new Float32Array(width);
    this.o = new Float32Array(width);
  }

  /** The output for the row of `inputs` values starting at x[offset]. */
  forward(x: ArrayLike<number>, offset = 0): number {
    this.standardise(x, offset);
    for (let k = 0; k < this.layers.length; k++) this.layer(k);
    return this.h[0];
  }

  /**
   * A pooled head: layers [0, poolAfter) read each of the `rows` rows of x, their outputs are averaged over
   * the rows, and the remaining layers read that mean (the voice rate model's utterance-level variant).
   */
  forwardPooled(x: ArrayLike<number>, rows: number, poolAfter: number): number {
    if (!(poolAfter > 0 && poolAfter < this.layers.length)) throw new RangeError(`poolAfter must be 1..${this.layers.length - 1}, got ${poolAfter}`);
    const width = this.layers[poolAfter - 1].outputs;
    const acc = new Float64Array(width);
    for (let r = 0; r < rows; r++) {
      this.standardise(x, r * this.inputs);
      for (let k = 0; k < poolAfter; k++) this.layer(k);
      for (let j = 0; j < width; j++) acc[j] += this.h[j];
    }
    for (let j = 0; j < width; j++) this.h[j] = acc[j] / Math.max(1, rows);
    for (let k = poolAfter; k < this.layers.length; k++) this.layer(k);
    return this.h[0];
  }

  private standardise(x: ArrayLike<number>, offset: number): void {
    for (let i = 0; i < this.inputs; i++) this.h[i] = (x[offset + i] - this.mean[i]) * this.invStd[i];
  }

  /** Layer k from this.h into this.o (ReLU except on the last), then the two swap. */
  private layer(k: number): void {
    const l = this.layers[k];
    const h = this.h, o = this.o;
    o.set(l.b);
    for (let i = 0; i < l.inputs; i++) {
      const v = h[i];
      if (v === 0) continue;
      const row = i * l.outputs;
      for (let j = 0; j < l.outputs; j++) o[j] += v * l.w[row + j];
    }
    if (k < this.layers.length - 1) for (let j = 0; j < l.outputs; j++) if (o[j] < 0) o[j] = 0;
    this.h = o;
    this.o = h;
  }
}
