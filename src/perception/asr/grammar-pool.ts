// Command-grammar readings for every session of an engine. One recogniser serialises all of them, so
// at a pause in one session the reading could wait behind another session's; a few recognisers (one
// per core by default) read in parallel. Each call goes to the one with the fewest readings queued.
import { ConstrainedRecognizer, PARALLEL_LOOP_MAX_SECONDS, type RecognitionDetail, type RecognizerOptions } from './grammar-recognizer.ts';
import { SAMPLE_RATE } from '../../audio/chunk.ts';

/** What the perceiver needs from the grammar side. */
export interface GrammarReader {
  /** `onGrammar`: the grammar decode's words once known, before the reading's confidence (see ConstrainedRecognizer). */
  recognizeDetailed(pcm: Float32Array | Int16Array, onGrammar?: (text: string | null) => void): Promise<RecognitionDetail | null>;
  /** A reading nobody waits for yet, started only if it costs other readings nothing (null: not now). */
  speculate?(pcm: Float32Array | Int16Array, onGrammar?: (text: string | null) => void): Promise<RecognitionDetail | null> | null;
}

export class GrammarPool implements GrammarReader {
  private readonly slots: { rec: Promise<ConstrainedRecognizer>; queued: number; ready: boolean }[] = [];

  constructor(
    private readonly size = 2,
    private readonly opts: RecognizerOptions = {},
  ) {}

  recognizeDetailed(pcm: Float32Array | Int16Array, onGrammar?: (text: string | null) => void): Promise<RecognitionDetail | null> {
    const slot = this.pick();
    slot.queued++;
    // A second idle reader takes the free-loop decode of the same audio, in parallel (only when idle:
    // a busy engine keeps one reading per reader, so sessions do not queue behind each other; only for
    // short audio: a longer reading decodes the loop after the grammar, and only if it can matter).
    const short = pcm.length <= PARALLEL_LOOP_MAX_SECONDS * SAMPLE_RATE;
    const helper = short ? this.slots.find((s) => s !== slot && s.ready && s.queued === 0) : undefined;
    if (helper) helper.queued++;
    const reading = Promise.all([slot.rec, helper?.rec]).then(([r, h]) => r.recognizeDetailed(pcm, h, onGrammar));
    void reading.finally(() => slot.queued--).catch(() => undefined);
    // A reading the grammar decode already settled (no path, or rejected by its word fit) returns at
    // once; the helper stays counted busy until its loop decode is over.
    if (helper) void reading.catch(() => undefined).then(() => helper.rec).then((h) => h.settled(), () => undefined).finally(() => helper.queued--);
    return reading;
  }

  /**
   * A reading of a silence that may become a pause: only while every loaded reader is idle, and on one
   * reader with its free-loop decode after the grammar's (~1.3× the wall time of a split reading), so a
   * reading another session needs meanwhile finds a reader free. At 12 knee sessions, speculative readings
   * that took both readers made other sessions' finals late (docs/notes/server.md, round 16).
   */
  speculate(pcm: Float32Array | Int16Array, onGrammar?: (text: string | null) => void): Promise<RecognitionDetail | null> | null {
    const ready = this.slots.filter((s) => s.ready);
    if (!ready.length || ready.some((s) => s.queued > 0)) return null;
    const slot = ready[0];
    slot.queued++;
    const reading = slot.rec.then((r) => r.recognizeDetailed(pcm, undefined, onGrammar));
    void reading.finally(() => slot.queued--).catch(() => undefined);
    return reading;
  }

  /**
   * Opens two readers ahead of use (one reads, the other takes its free-loop decode; more open on
   * demand); resolves when the first is ready, the second loads meanwhile.
   */
  warm(): Promise<unknown> {
    while (this.slots.length < Math.min(2, this.size)) this.open();
    return Promise.any(this.slots.map((s) => s.rec));
  }

  close(): void {
    for (const s of this.slots.splice(0)) void s.rec.then((r) => r.close(), () => undefined);
  }

  private pick(): { rec: Promise<ConstrainedRecognizer>; queued: number; ready: boolean } {
    const ready = this.slots.filter((s) => s.ready);
    const idle = ready.find((s) => s.queued === 0);
    if (idle) return idle;
    // A reader that is still loading (~1 s, more under load) is slower than queuing behind a loaded one's
    // reading (tens of ms): it opens in the background and serves once ready.
    if (this.slots.length < this.size) {
      const slot = this.open();
      if (!ready.length) return slot;
    }
    const pool = ready.length ? ready : this.slots;
    return pool.reduce((a, b) => (b.queued < a.queued ? b : a));
  }

  private open(): { rec: Promise<ConstrainedRecognizer>; queued: number; ready: boolean } {
    const slot = { rec: ConstrainedRecognizer.open(this.opts), queued: 0, ready: false };
    slot.rec.then(
      () => (slot.ready = true),
      () => {
        // A failed open is retried by the next call rather than poisoning the slot for good.
        const i = this.slots.indexOf(slot);
        if (i >= 0) this.slots.splice(i, 1);
      },
    );
    this.slots.push(slot);
    return slot;
  }
}
