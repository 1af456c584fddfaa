// Utterance segmentation in a room full of other voices. Silero marks the babble of a café as speech
// throughout, so an utterance opened there never closes and a question asked into it is not heard on
// its own. When the room's level floor (10th percentile of the 300–3000 Hz level over the last 2 s) has
// risen well over the session's quietest, the level holds steady near that floor (a crowd's bed, not one
// talker's syllables and pauses) and the VAD has held one utterance open for seconds, the room is taken
// for babble: from then on a VAD frame counts as speech for the segmenter only when its level
// (smoothed over ~100 ms) stands a margin over the babble's own level (the median of the same window,
// learnt while no utterance is open). A near talker is louder than the crowd; the crowd's peaks mostly
// are not. Quiet rooms and stationary noise (where Silero stays quiet) never arm it.
import { MEL_BINS, MEL_DB_OFFSET, melCenterFrequencies } from './features.ts';

export interface BabbleGateOptions {
  /** Smoothed level a VAD frame needs over the babble's median to count as speech, dB (Infinity: off). */
  marginDb: number;
  /** Rise of the level floor over the session's quietest that, with a long open utterance, arms the gate, dB. */
  riseDb: number;
  /** The gate stays armed while the room's median level stands at least this much over its quietest, dB. */
  keepRiseDb: number;
  /** An utterance open this long over a risen floor means the VAD is hearing the room, ms. */
  openMs: number;
}

// Chosen on the tuning voices over the café bed (docs/notes/voice.md); the rise values match the
// noise suppressor's (10 dB); it stays armed while the room's median level stays 7 dB up.
export const DEFAULT_BABBLE_GATE: BabbleGateOptions = { marginDb: 4, riseDb: 10, keepRiseDb: 7, openMs: 2500 };

/** Window of 10 ms frame levels the floor and the babble level are taken over (2 s). */
const WINDOW = 200;
/** Largest spread between the window's median and floor (dB) that reads as a crowd's steady bed. */
const STEADY_DB = 10;
/** Chunks in a row the bed must hold before the gate arms (1.2 s). */
const STEADY_CHUNKS = 3;
/** VAD frames the level is smoothed over (~100 ms). */
const SMOOTH = 3;
const MID_BANDS = melCenterFrequencies(MEL_BINS)
  .map((c, i) => (c >= 300 && c <= 3000 ? i : -1))
  .filter((i) => i >= 0);

export class BabbleGate {
  readonly options: BabbleGateOptions;
  private readonly levels = new Float64Array(WINDOW);
  private filled = 0;
  private pos = 0;
  private quietestFloor = Infinity;
  private quietestMedian = Infinity;
  private babbleDb = 0;
  private armed = false;
  private steadyChunks = 0;
  /** Powers of the last SMOOTH VAD frames. */
  private recent: number[] = [];

  constructor(opts: Partial<BabbleGateOptions> = {}) {
    this.options = { ...DEFAULT_BABBLE_GATE, ...opts };
  }

  /** Whether the room is being treated as babble. */
  get active(): boolean {
    return this.armed;
  }

  /**
   * One chunk: its log-mel frames, the VAD's probabilities and frame ends (stream samples), where the
   * chunk starts (stream sample), and the segmenter's state before this chunk. Returns the probabilities
   * the segmenter should see (the VAD's own while the gate is not armed).
   */
  gate(mel: Float32Array, probs: number[], frameEnds: number[], chunkStartSample: number, openUtteranceMs: number, segmenterIdle: boolean): number[] {
    if (!Number.isFinite(this.options.marginDb)) return probs;
    const frames = Math.floor(mel.length / MEL_BINS);
    const lv = new Float64Array(frames);
    for (let f = 0; f < frames; f++) {
      let s = 0;
      for (const b of MID_BANDS) s += Math.exp(mel[f * MEL_BINS + b]);
      lv[f] = 10 * Math.log10(s + 1e-12) - MEL_DB_OFFSET;
      this.levels[this.pos] = lv[f];
      this.pos = (this.pos + 1) % WINDOW;
      this.filled = Math.min(WINDOW, this.filled + 1);
    }
    if (this.filled < WINDOW) return probs;
    const sorted = Array.from(this.levels).sort((a, b) => a - b);
    const floor = sorted[Math.floor(0.1 * WINDOW)];
    const median = sorted[WINDOW >> 1];
    this.quietestFloor = Math.min(this.quietestFloor, floor);
    this.quietestMedian = Math.min(this.quietestMedian, median);
    // Armed on the floor (the whole window loud: not one talker's pauses); kept on the median (babble
    // has gaps that can pull the floor down for a moment).
    // A crowd is a steady bed (median within STEADY_DB of the floor); one talker's syllables and pauses
    // spread wider, so a long utterance in a quiet room does not arm it.
    const bed = floor - this.quietestFloor >= this.options.riseDb && median - floor <= STEADY_DB;
    this.steadyChunks = bed ? this.steadyChunks + 1 : 0;
    if (!this.armed && openUtteranceMs >= this.options.openMs && this.steadyChunks >= STEADY_CHUNKS) this.armed = true;
    else if (this.armed && median - this.quietestMedian < this.options.keepRiseDb) this.armed = false;
    // The babble's level is learnt while nobody is heard (the gate's own utterances would lift it).
    if (!this.armed || segmenterIdle) this.babbleDb = median;
    if (!this.armed) {
      this.recent = [];
      return probs;
    }
    const hop = frames > 0 ? 160 : 1;
    return probs.map((p, i) => {
      // The mel frames of this chunk inside the VAD frame (512 samples ending at frameEnds[i]).
      const end = frameEnds[i] - chunkStartSample;
      const a = Math.max(0, Math.floor((end - 512) / hop));
      const b = Math.min(frames, Math.max(a + 1, Math.floor(end / hop)));
      let pow = 0;
      for (let f = a; f < b; f++) pow += 10 ** (lv[f] / 10);
      this.recent.push(pow / Math.max(1, b - a));
      if (this.recent.length > SMOOTH) this.recent.shift();
      const smoothed = 10 * Math.log10(this.recent.reduce((s, x) => s + x, 0) / this.recent.length + 1e-12);
      return smoothed >= this.babbleDb + this.options.marginDb ? p : 0;
    });
  }

  reset(): void {
    this.levels.fill(0);
    this.filled = this.pos = 0;
    this.quietestFloor = this.quietestMedian = Infinity;
    this.armed = false;
    this.steadyChunks = 0;
    this.recent = [];
  }
}
