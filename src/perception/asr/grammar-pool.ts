// Command-grammar readings for every session of an engine. One recogniser serialises all of them, so
// at a pause in one session the reading could wait behind another session's; a few recognisers (one
// per core by default) read in parallel. Each call goes to the one with the fewest readings queued.
import { ConstrainedRecognizer, type RecognitionDetail, type RecognizerOptions } from './grammar-recognizer.ts';

/** What the perceiver needs from the grammar side. */
export interface GrammarReader {
  recognizeDetailed(pcm: Float32Array | Int16Array): Promise<RecognitionDetail | null>;
}

export class GrammarPool implements GrammarReader {
  private readonly slots: { rec: Promise<ConstrainedRecognizer>; queued: number }[] = [];

  constructor(
    private readonly size = 2,
    private readonly opts: RecognizerOptions = {},
  ) {}

  recognizeDetailed(pcm: Float32Array | Int16Array): Promise<RecognitionDetail | null> {
    const slot = this.pick();
    slot.queued++;
    return slot.rec.then((r) => r.recognizeDetailed(pcm)).finally(() => slot.queued--);
  }

  /** Opens the first recogniser ahead of use (the rest open on demand). */
  warm(): Promise<unknown> {
    return this.slots.length ? this.slots[0].rec : this.open().rec;
  }

  close(): void {
    for (const s of this.slots.splice(0)) void s.rec.then((r) => r.close(), () => undefined);
  }

  private pick(): { rec: Promise<ConstrainedRecognizer>; queued: number } {
    const idle = this.slots.find((s) => s.queued === 0);
    if (idle) return idle;
    if (this.slots.length < this.size) return this.open();
    return this.slots.reduce((a, b) => (b.queued < a.queued ? b : a));
  }

  private open(): { rec: Promise<ConstrainedRecognizer>; queued: number } {
    const slot = { rec: ConstrainedRecognizer.open(this.opts), queued: 0 };
    // A failed open is retried by the next call rather than poisoning the slot for good.
    slot.rec.catch(() => {
      const i = this.slots.indexOf(slot);
      if (i >= 0) this.slots.splice(i, 1);
    });
    this.slots.push(slot);
    return slot;
  }
}
