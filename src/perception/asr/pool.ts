// Recognisers are costly to open (two pocketsphinx decoders load the acoustic model and the language
// model: ~1 s, more under load) and cheap to reuse, so an engine keeps a small pool: a closing session
// hands its recogniser back, and one spare is kept warm so the next session starts at once.
import { StreamingRecognizer, type StreamingOptions } from './streaming.ts';

export class RecognizerPool {
  private readonly idle: StreamingRecognizer[] = [];
  private warming: Promise<void> | null = null;
  private closed = false;

  constructor(
    private readonly opts: StreamingOptions = {},
    /** Idle recognisers kept at most (the rest are freed). */
    private readonly maxIdle = 4,
    /** Idle recognisers to keep ready ahead of demand (0 for one-shot use such as the CLI). */
    public spare = 0,
  ) {}

  async acquire(): Promise<StreamingRecognizer> {
    const rec = this.idle.pop() ?? (await StreamingRecognizer.create(this.opts));
    this.topUp();
    return rec;
  }

  release(rec: StreamingRecognizer): void {
    rec.cancel();
    if (this.closed || this.idle.length >= this.maxIdle) rec.close();
    else this.idle.push(rec);
  }

  /** Opens a spare in the background (errors surface on the next acquire instead). */
  topUp(): void {
    if (this.closed || this.warming || this.idle.length >= this.spare) return;
    this.warming = StreamingRecognizer.create(this.opts)
      .then((rec) => {
        if (this.closed) rec.close();
        else this.idle.push(rec);
      })
      .catch(() => undefined)
      .finally(() => {
        this.warming = null;
      });
  }

  close(): void {
    this.closed = true;
    for (const rec of this.idle.splice(0)) rec.close();
  }
}
