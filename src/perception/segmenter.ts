// Turns per-frame speech probabilities (Silero, 32 ms frames) into utterance boundaries.
// Hysteresis: a frame ≥ startThreshold opens a candidate; inside speech, frames ≥ endThreshold count as
// speech and reset the silence run. A candidate becomes speech once it holds minSpeechMs of speech
// frames (the 'start' is reported retroactively at the candidate's first frame, minus prefixPaddingMs),
// and is dropped if silence ≥ pauseMs interrupts it first. Speech ends after minSilenceMs of silence;
// the 'end' sample is where that silence began. A shorter silence of pauseMs inside speech emits a
// 'pause' update, so the decision step can tell a pause from the end of the utterance.
// OpenAI server_vad (threshold 0.5, prefix_padding_ms 300, silence_duration_ms 500) = SERVER_VAD_PRESET.
import { SoundFlowError } from '../util/errors.ts';
import { SAMPLE_RATE } from '../audio/chunk.ts';


export interface SegmenterOptions {
  startThreshold: number;
  endThreshold: number;
  /** Speech needed before a candidate counts as an utterance (0: the first frame ≥ startThreshold). */
  minSpeechMs: number;
  /** Silence that closes an utterance. */
  minSilenceMs: number;
  /** Silence that marks a pause inside an utterance (< minSilenceMs); also drops unconfirmed candidates. */
  pauseMs: number;
  /** Reported start is moved this much earlier (clamped at 0), like server_vad's prefix_padding_ms. */
  prefixPaddingMs: number;
  /** Samples per probability frame when frameEnds cannot tell (the first frame). */
  frameSamples: number;
}

export const DEFAULT_SEGMENTER: Readonly<SegmenterOptions> = Object.freeze({
  startThreshold: 0.5,
  endThreshold: 0.35,
  minSpeechMs: 160,
  minSilenceMs: 500,
  pauseMs: 200,
  prefixPaddingMs: 0,
  frameSamples: 512,
});

/** OpenAI Realtime server_vad semantics: one threshold, no minimum speech, 300 ms prefix, 500 ms silence. */
export function serverVadPreset(p: { threshold?: number; prefixPaddingMs?: number; silenceDurationMs?: number } = {}): Partial<SegmenterOptions> {
  const threshold = p.threshold ?? 0.5;
  return {
    startThreshold: threshold,
    endThreshold: threshold,
    minSpeechMs: 0,
    prefixPaddingMs: p.prefixPaddingMs ?? 300,
    minSilenceMs: p.silenceDurationMs ?? 500,
    pauseMs: Math.min(200, p.silenceDurationMs ?? 500),
  };
}

export interface SegmentUpdate {
  kind: 'start' | 'pause' | 'end';
  /** Stream sample of the boundary: speech onset (minus prefix padding), or where the silence began. */
  sample: number;
  /** Stream sample at which the segmenter decided it (end of the deciding frame): boundary latency = at − sample. */
  at: number;
}

type State = 'idle' | 'candidate' | 'speech';

export class SpeechSegmenter {
  readonly options: SegmenterOptions;
  private state: State = 'idle';
  private candStart = 0;
  private candSpeech = 0; // samples of speech frames in the candidate
  private utterStart = 0; // onset of the current utterance (unpadded)
  private silenceRun = 0; // samples of consecutive sub-threshold frames
  private silenceFrom = 0; // where the current silence run began
  private pauseEmitted = false;
  private lastEnd = 0; // stream position after the last frame seen

  constructor(opts: Partial<SegmenterOptions> = {}) {
    const defined = Object.fromEntries(Object.entries(opts).filter(([, v]) => v !== undefined));
    const o: SegmenterOptions = { ...DEFAULT_SEGMENTER, ...defined };
    const bad = (msg: string) => new SoundFlowError('invalid_argument', `segmenter: ${msg}`);
    for (const k of ['startThreshold', 'endThreshold'] as const) {
      if (!(o[k] >= 0 && o[k] <= 1)) throw bad(`${k} must be in 0..1, got ${o[k]}`);
    }
    if (o.endThreshold > o.startThreshold) throw bad('endThreshold must not exceed startThreshold');
    for (const k of ['minSpeechMs', 'minSilenceMs', 'pauseMs', 'prefixPaddingMs'] as const) {
      if (!(o[k] >= 0 && Number.isFinite(o[k]))) throw bad(`${k} must be a finite number >= 0, got ${o[k]}`);
    }
    if (!(o.frameSamples >= 1)) throw bad('frameSamples must be >= 1');
    if (o.pauseMs > o.minSilenceMs) o.pauseMs = o.minSilenceMs;
    this.options = o;
  }

  get inSpeech(): boolean {
    return this.state === 'speech';
  }

  /** Length of the current silence run (ms); while idle, time since the last speech frame. */
  get silenceMs(): number {
    return (this.silenceRun * 1000) / SAMPLE_RATE;
  }

  /**
   * Stream sample where the current silence inside an utterance began (the `sample` of its pause and
   * end updates); null while speech goes on or outside an utterance.
   */
  get silenceStart(): number | null {
    return this.state === 'speech' && this.silenceRun > 0 ? this.silenceFrom : null;
  }

  /** Duration of the current utterance so far (ms), 0 when not in speech. */
  get speechMs(): number {
    return this.state === 'speech' ? ((this.lastEnd - this.utterStart) * 1000) / SAMPLE_RATE : 0;
  }

  /** True inside an utterance whose current silence has lasted at least pauseMs. */
  get inPause(): boolean {
    return this.state === 'speech' && this.silenceMs >= this.options.pauseMs;
  }

  /** Feeds the VAD output of one call (probs[i] belongs to the frame ending at frameEnds[i]). */
  update(probs: number[], frameEnds: number[]): SegmentUpdate[] {
    if (probs.length !== frameEnds.length) {
      throw new SoundFlowError('invalid_input', `segmenter: ${probs.length} probs but ${frameEnds.length} frameEnds`, { recoverable: true });
    }
    const out: SegmentUpdate[] = [];
    const o = this.options;
    const ms = (n: number) => (n * 1000) / SAMPLE_RATE;
    for (let i = 0; i < probs.length; i++) {
      const p = probs[i];
      const end = frameEnds[i];
      if (!Number.isFinite(p) || !(end > this.lastEnd) || !Number.isFinite(end)) {
        throw new SoundFlowError('invalid_input', `segmenter: bad frame (p=${p}, end=${end}, previous end=${this.lastEnd})`, { recoverable: true });
      }
      const len = this.lastEnd > 0 ? end - this.lastEnd : Math.min(end, o.frameSamples);
      const start = end - len;
      this.lastEnd = end;

      if (this.state === 'idle') {
        if (p >= o.startThreshold) {
          this.state = 'candidate';
          this.candStart = start;
          this.candSpeech = 0;
          this.silenceRun = 0;
        } else {
          this.silenceRun += len;
          continue;
        }
      }

      const speechy = p >= o.endThreshold; // the candidate's first frame passed startThreshold already
      if (speechy) {
        this.silenceRun = 0;
        this.pauseEmitted = false;
      } else {
        if (this.silenceRun === 0) this.silenceFrom = start;
        this.silenceRun += len;
      }

      if (this.state === 'candidate') {
        if (speechy) this.candSpeech += len;
        if (ms(this.candSpeech) >= o.minSpeechMs && speechy) {
          this.state = 'speech';
          this.utterStart = this.candStart;
          const padded = Math.max(0, this.candStart - Math.round((o.prefixPaddingMs * SAMPLE_RATE) / 1000));
          out.push({ kind: 'start', sample: padded, at: end });
        } else if (ms(this.silenceRun) >= o.pauseMs) {
          this.state = 'idle'; // too short to be speech: a click or a cough-like blip
        }
        continue;
      }

      // state === 'speech'
      if (!speechy) {
        if (ms(this.silenceRun) >= o.minSilenceMs) {
          this.state = 'idle';
          out.push({ kind: 'end', sample: this.silenceFrom, at: end });
        } else if (!this.pauseEmitted && ms(this.silenceRun) >= o.pauseMs) {
          this.pauseEmitted = true;
          out.push({ kind: 'pause', sample: this.silenceFrom, at: end });
        }
      }
    }
    return out;
  }

  /** True while neither an utterance nor a candidate onset is open. */
  get idle(): boolean {
    return this.state === 'idle';
  }

  /**
   * Ends the open utterance now: the caller knows the turn is over before the closing silence has
   * passed (a complete command heard at a pause). Returns the 'end' update, or null outside speech.
   */
  endNow(): SegmentUpdate | null {
    if (this.state !== 'speech') return null;
    this.state = 'idle';
    return { kind: 'end', sample: this.silenceRun > 0 ? this.silenceFrom : this.lastEnd, at: this.lastEnd };
  }

  /** End of stream: closes an open utterance at the last speech frame (or now). */
  finish(): SegmentUpdate[] {
    if (this.state !== 'speech') {
      this.state = 'idle';
      return [];
    }
    this.state = 'idle';
    const sample = this.silenceRun > 0 ? this.silenceFrom : this.lastEnd;
    return [{ kind: 'end', sample, at: this.lastEnd }];
  }

  reset(): void {
    this.state = 'idle';
    this.candStart = this.candSpeech = this.utterStart = this.silenceRun = this.silenceFrom = this.lastEnd = 0;
    this.pauseEmitted = false;
  }
}
