// Band-limited resampling between any two integer rates (24 kHz <-> 16 kHz at the Realtime edge,
// espeak's 22050 Hz -> 16/24 kHz): a Kaiser-windowed sinc evaluated on a polyphase table.
// The streaming Resampler keeps its own history, so chunk boundaries are invisible: feeding a signal in
// pieces gives bit-identical output to feeding it whole (the same taps meet the same samples).
import { SoundFlowError } from '../util/errors.ts';
import { floatToPcm16, pcm16ToFloat } from './pcm.ts';

/** Zero crossings of the sinc on each side (at the lower of the two rates). More = sharper transition. */
const ZERO_CROSSINGS = 24;
/** Pass band edge as a fraction of the lower Nyquist; the transition band ends near Nyquist, so aliasing stays small. */
const ROLLOFF = 0.9;
const KAISER_BETA = 8.5;
/** Beyond this many phases (odd rate pairs such as 44101 -> 16000) the phase is rounded to the nearest of MAX_PHASES. */
const MAX_PHASES = 1024;

function gcd(a: number, b: number): number {
  while (b) [a, b] = [b, a % b];
  return a;
}

function besselI0(x: number): number {
  let sum = 1;
  let term = 1;
  const q = (x * x) / 4;
  for (let k = 1; k < 64; k++) {
    term *= q / (k * k);
    sum += term;
    if (term < sum * 1e-12) break;
  }
  return sum;
}

interface Kernel {
  /** Taps per phase. */
  taps: number;
  /** Input samples needed on each side of the output instant. */
  half: number;
  phases: number;
  table: Float32Array;
}

const kernels = new Map<string, Kernel>();

function kernelFor(up: number, down: number): Kernel {
  const key = `${up}/${down}`;
  const cached = kernels.get(key);
  if (cached) return cached;
  const ratio = Math.min(1, up / down); // < 1 when downsampling: the cutoff follows the output Nyquist
  const cutoff = ratio * ROLLOFF;
  const half = Math.ceil(ZERO_CROSSINGS / ratio);
  const taps = 2 * half;
  const phases = Math.min(up, MAX_PHASES);
  const table = new Float32Array(phases * taps);
  const i0b = besselI0(KAISER_BETA);
  for (let p = 0; p < phases; p++) {
    const frac = p / phases;
    let sum = 0;
    for (let j = 0; j < taps; j++) {
      const tau = j - half + 1 - frac; // distance (input samples) from the output instant to this tap
      const x = tau / half;
      const w = Math.abs(x) >= 1 ? 0 : besselI0(KAISER_BETA * Math.sqrt(1 - x * x)) / i0b;
      const arg = Math.PI * cutoff * tau;
      const sinc = tau === 0 ? 1 : Math.sin(arg) / arg;
      const v = cutoff * sinc * w;
      table[p * taps + j] = v;
      sum += v;
    }
    // Exact unity DC gain in every phase, so a constant stays constant (no phase-dependent ripple).
    for (let j = 0; j < taps; j++) table[p * taps + j] /= sum;
  }
  const k: Kernel = { taps, half, phases, table };
  kernels.set(key, k);
  return k;
}

function checkRate(r: number, what: string): void {
  if (!Number.isInteger(r) || r < 1 || r > 384000) throw new SoundFlowError('invalid_argument', `${what} sample rate must be an integer in 1..384000, got ${r}`);
}

/** Stateful streaming resampler. Output sample n sits at input time n * from / to (no delay). */
export class Resampler {
  private readonly up: number;
  private readonly down: number;
  private readonly k: Kernel | null;
  /** Input history; buf[0] is absolute input index bufStart (negative indices are the zero run-in). */
  private buf: Float32Array;
  private bufStart: number;
  private received = 0;
  /** Next output's integer input position and remainder (n * down = i0 * up + rem), kept incrementally to stay exact. */
  private i0 = 0;
  private rem = 0;
  private produced = 0;

  constructor(
    readonly fromRate: number,
    readonly toRate: number,
  ) {
    checkRate(fromRate, 'input');
    checkRate(toRate, 'output');
    const g = gcd(fromRate, toRate);
    this.up = toRate / g;
    this.down = fromRate / g;
    this.k = fromRate === toRate ? null : kernelFor(this.up, this.down);
    const half = this.k?.half ?? 0;
    this.buf = new Float32Array(Math.max(0, half - 1));
    this.bufStart = -(half - 1);
  }

  /** Input samples of look-ahead an output sample needs (the streaming latency). */
  get latency(): number {
    return this.k?.half ?? 0;
  }

  /** Feeds input; returns every output sample that can be computed so far. */
  process(x: Float32Array): Float32Array {
    if (!this.k) {
      this.received += x.length;
      return x.slice();
    }
    this.append(x);
    this.received += x.length;
    return this.run(this.received);
  }

  /** End of input: returns the remaining output (the last samples see zeros beyond the end) and resets. */
  flush(): Float32Array {
    if (!this.k) {
      this.reset();
      return new Float32Array(0);
    }
    // Total output for N inputs is ceil(N * up / down); compute them against a zero tail.
    const total = Math.ceil((this.received * this.up) / this.down);
    this.append(new Float32Array(this.k.half + 1));
    const out = this.run(Infinity, total);
    this.reset();
    return out;
  }

  reset(): void {
    const half = this.k?.half ?? 0;
    this.buf = new Float32Array(Math.max(0, half - 1));
    this.bufStart = -(half - 1);
    this.received = 0;
    this.i0 = 0;
    this.rem = 0;
    this.produced = 0;
  }

  private append(x: Float32Array): void {
    const next = new Float32Array(this.buf.length + x.length);
    next.set(this.buf, 0);
    next.set(x, this.buf.length);
    this.buf = next;
  }

  /** Produces outputs whose last tap index is < available (and, when given, until `limit` outputs in total). */
  private run(available: number, limit = Infinity): Float32Array {
    const { taps, half, phases, table } = this.k!;
    const bufEnd = this.bufStart + this.buf.length;
    const end = Math.min(available, bufEnd);
    // Upper bound on how many outputs fit; the loop stops at the exact point.
    const maxOut = Math.max(0, Math.min(limit - this.produced, Math.ceil(((end - half - this.i0) * this.up) / this.down) + 1));
    const out = new Float32Array(maxOut);
    const exact = phases === this.up;
    let n = 0;
    while (n < maxOut) {
      let base = this.i0;
      let p = exact ? this.rem : Math.round((this.rem * phases) / this.up);
      if (p === phases) {
        p = 0;
        base++;
      }
      if (base + half >= end) break; // its last tap (input base + half) has not arrived yet
      const first = base - half + 1 - this.bufStart;
      const row = p * taps;
      let s = 0;
      for (let j = 0; j < taps; j++) s += this.buf[first + j] * table[row + j];
      out[n++] = s;
      this.rem += this.down;
      if (this.rem >= this.up) {
        this.i0 += Math.floor(this.rem / this.up);
        this.rem %= this.up;
      }
    }
    this.produced += n;
    // Keep only the history the next output still needs.
    const keepFrom = this.i0 - half + 1;
    if (keepFrom > this.bufStart) {
      this.buf = this.buf.slice(keepFrom - this.bufStart);
      this.bufStart = keepFrom;
    }
    return n === out.length ? out : out.slice(0, n);
  }
}

/** Whole-buffer resampling; the output has ceil(x.length * to / from) samples. */
export function resample(x: Float32Array, fromRate: number, toRate: number): Float32Array {
  const r = new Resampler(fromRate, toRate);
  if (fromRate === toRate) return x.slice();
  const a = r.process(x);
  const b = r.flush();
  const out = new Float32Array(a.length + b.length);
  out.set(a, 0);
  out.set(b, a.length);
  return out;
}

/** Whole-buffer resampling of PCM16. */
export function resamplePcm16(x: Int16Array, fromRate: number, toRate: number): Int16Array {
  if (fromRate === toRate) {
    checkRate(fromRate, 'input');
    return x.slice();
  }
  return floatToPcm16(resample(pcm16ToFloat(x), fromRate, toRate));
}
