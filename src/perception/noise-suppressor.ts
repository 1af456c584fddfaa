// Spectral subtraction of the room's noise from the recogniser's input, for utterances heard in a loud
// room (the acoustic context's speech-to-floor SNR is low, e.g. after a step from a quiet office to a
// street). The noise spectrum is learnt from the non-speech frames of the last 1.6 s before the utterance
// and from its own pauses; the utterance is filtered frame by frame (512-sample frames, hop 256,
// square-root Hann analysis and synthesis windows: perfect reconstruction at unit gain) and comes out
// 256 samples (16 ms) late. Quiet rooms are left alone: this runs only where it measurably helps
// (docs/notes/voice.md, "A room that changes").

import { bitReversal, butterflies, twiddles } from '../audio/fft.ts';

export interface NoiseSuppressorOptions {
  /** Noise power is subtracted this many times over (the estimate is a mean; frames vary about it). */
  overSubtract: number;
  /** Smallest amplitude gain per bin (keeps some noise: a spectrum with holes confuses the recogniser). */
  gainFloor: number;
}

// gainFloor 0.3 (was 0.15): chosen on the tuning voices over two stretches of the recorded city (a
// question 5 s after a +20 dB step answered rightly 10/12 against 3/12): a deeper floor leaves
// spectral holes the recogniser hears as other words (docs/notes/voice.md, round 7).
export const DEFAULT_NOISE_SUPPRESSOR: NoiseSuppressorOptions = { overSubtract: 2, gainFloor: 0.3 };

const N = 512;
const HOP = N / 2;
const BINS = N / 2 + 1;
/** Chunks of history (0.4 s each) the noise spectrum is learnt from at an utterance's start. */
const HISTORY_CHUNKS = 4;
/** A VAD frame below this speech probability is noise. */
const NOISE_P = 0.3;
/** Noise frames needed for a mean; with fewer, the quietest fifth of the history's frames stands in. */
const MIN_NOISE_FRAMES = 8;
/** Per noise frame seen inside the utterance, the estimate moves this far toward it. */
const NOISE_ALPHA = 0.05;

/** Periodic square-root Hann: its square sums to 1 at a hop of half the frame. */
const WINDOW = Float64Array.from({ length: N }, (_, i) => Math.sqrt(0.5 - 0.5 * Math.cos((2 * Math.PI * i) / N)));

/** In-place radix-2 complex FFT of size N (inverse: conjugate twiddles, divide by N). */
class ComplexFft {
  private readonly tw = twiddles(N);
  private readonly rev = bitReversal(N);

  run(re: Float64Array, im: Float64Array, inverse: boolean): void {
    const { rev } = this;
    for (let i = 0; i < N; i++) {
      const j = rev[i];
      if (j > i) {
        [re[i], re[j]] = [re[j], re[i]];
        [im[i], im[j]] = [im[j], im[i]];
      }
    }
    butterflies(re, im, this.tw.cos, this.tw.sin, inverse ? 1 : -1);
    if (inverse) for (let i = 0; i < N; i++) (re[i] /= N), (im[i] /= N);
  }
}

export class NoiseSuppressor {
  readonly options: NoiseSuppressorOptions;
  private readonly fft = new ComplexFft();
  private readonly re = new Float64Array(N);
  private readonly im = new Float64Array(N);
  /** Recent chunks and their VAD probabilities (the noise before an utterance). */
  private history: { pcm: Float32Array; probs: number[] }[] = [];
  private noise: Float64Array | null = null;
  /** Input not yet framed (< HOP samples are carried), and the last half frame for overlap. */
  private pending = new Float32Array(0);
  private prevHalf = new Float64Array(HOP);
  private overlap = new Float64Array(HOP);
  private active = false;

  constructor(options: Partial<NoiseSuppressorOptions> = {}) {
    this.options = { ...DEFAULT_NOISE_SUPPRESSOR, ...options };
  }

  /** Every chunk with its VAD probabilities (kept for the next utterance's noise estimate). */
  observe(pcm: Float32Array, probs: number[]): void {
    this.history.push({ pcm, probs });
    if (this.history.length > HISTORY_CHUNKS) this.history.shift();
  }

  /** Whether the open utterance is being filtered. */
  get filtering(): boolean {
    return this.active;
  }

  /**
   * An utterance starts: learns the noise from the history (its chunks before the current one) and
   * filters the pre-roll. Returns the filtered pre-roll (HOP samples shorter: the filter's delay).
   */
  begin(preRoll: Float32Array): Float32Array {
    this.noise = this.learnNoise(this.history.slice(0, -1));
    this.active = this.noise !== null;
    this.pending = new Float32Array(0);
    this.prevHalf = new Float64Array(HOP);
    this.overlap = new Float64Array(HOP);
    return this.active ? this.process(preRoll) : preRoll;
  }

  end(): void {
    this.active = false;
  }

  /** Filters the next samples of the utterance; `probs` (the chunk's VAD) lets pauses refine the noise. */
  process(pcm: Float32Array, probs?: number[]): Float32Array {
    if (!this.active || !this.noise) return pcm;
    const input = new Float32Array(this.pending.length + pcm.length);
    input.set(this.pending);
    input.set(pcm, this.pending.length);
    const hops = Math.floor(input.length / HOP);
    const out = new Float32Array(hops * HOP);
    const { re, im, noise } = this;
    const { overSubtract, gainFloor } = this.options;
    const floor2 = gainFloor * gainFloor;
    for (let h = 0; h < hops; h++) {
      const cur = input.subarray(h * HOP, (h + 1) * HOP);
      for (let i = 0; i < HOP; i++) {
        re[i] = this.prevHalf[i] * WINDOW[i];
        re[i + HOP] = cur[i] * WINDOW[i + HOP];
      }
      im.fill(0);
      this.fft.run(re, im, false);
      // A pause inside the utterance refines the noise estimate.
      // The frame is centred at input sample h·HOP, i.e. pcm sample h·HOP − (carried samples).
      const at = (h * HOP - (input.length - pcm.length)) / Math.max(1, pcm.length);
      const p = probs?.length ? probs[Math.max(0, Math.min(probs.length - 1, Math.floor(at * probs.length)))] : 1;
      for (let k = 0; k < BINS; k++) {
        const pw = re[k] * re[k] + im[k] * im[k];
        if (p < NOISE_P) noise[k] += NOISE_ALPHA * (pw - noise[k]);
        const g2 = Math.max(floor2, 1 - (overSubtract * noise[k]) / Math.max(pw, 1e-20));
        const g = Math.sqrt(g2);
        re[k] *= g;
        im[k] *= g;
        if (k > 0 && k < N / 2) {
          re[N - k] = re[k];
          im[N - k] = -im[k];
        }
      }
      this.fft.run(re, im, true);
      for (let i = 0; i < HOP; i++) {
        out[h * HOP + i] = this.overlap[i] + re[i] * WINDOW[i];
        this.overlap[i] = re[i + HOP] * WINDOW[i + HOP];
        this.prevHalf[i] = cur[i];
      }
    }
    this.pending = input.slice(hops * HOP);
    return out;
  }

  reset(): void {
    this.history = [];
    this.noise = null;
    this.active = false;
  }

  /** Mean power spectrum of the history's noise frames (VAD < NOISE_P), or of its quietest fifth. */
  private learnNoise(chunks: { pcm: Float32Array; probs: number[] }[]): Float64Array | null {
    const spectra: { power: Float64Array; noise: boolean; energy: number }[] = [];
    for (const c of chunks) {
      for (let s = 0; s + N <= c.pcm.length; s += HOP) {
        const { re, im } = this;
        for (let i = 0; i < N; i++) re[i] = c.pcm[s + i] * WINDOW[i];
        im.fill(0);
        this.fft.run(re, im, false);
        const power = new Float64Array(BINS);
        let energy = 0;
        for (let k = 0; k < BINS; k++) energy += power[k] = re[k] * re[k] + im[k] * im[k];
        const vi = c.probs.length ? Math.min(c.probs.length - 1, Math.floor(((s + N / 2) / c.pcm.length) * c.probs.length)) : -1;
        spectra.push({ power, noise: vi >= 0 && c.probs[vi] < NOISE_P, energy });
      }
    }
    if (!spectra.length) return null;
    let use = spectra.filter((x) => x.noise);
    if (use.length < MIN_NOISE_FRAMES) use = [...spectra].sort((a, b) => a.energy - b.energy).slice(0, Math.max(1, Math.ceil(spectra.length / 5)));
    const mean = new Float64Array(BINS);
    for (const x of use) for (let k = 0; k < BINS; k++) mean[k] += x.power[k] / use.length;
    return mean;
  }
}
