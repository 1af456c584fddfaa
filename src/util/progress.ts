// The one progress bar (data builder, eval, trainers): one line on stderr. On a terminal it redraws in place; otherwise (CI logs, pipes) it
// prints a line at every 10% so logs stay short.

export class Progress {
  private done = 0;
  private lastDecile = -1;
  private readonly tty: boolean;
  private readonly started = Date.now();

  constructor(private readonly total: number, private readonly label: string, private readonly out: NodeJS.WriteStream = process.stderr, private readonly enabled = true) {
    this.tty = Boolean(out.isTTY);
  }

  tick(note = ''): void {
    this.update(this.done + 1, note);
  }

  /** Sets the count done so far (for work that reports its own position). */
  update(done: number, note = ''): void {
    this.done = done;
    if (!this.enabled || this.total === 0) return;
    const frac = this.done / this.total;
    const secs = (Date.now() - this.started) / 1000;
    const eta = this.done ? (secs / this.done) * (this.total - this.done) : 0;
    const line = `${this.label} ${bar(frac, 24)} ${this.done}/${this.total} ${secs.toFixed(0)}s eta ${eta.toFixed(0)}s${note ? ' ' + note : ''}`;
    if (this.tty) {
      this.out.write(`\r${line}\x1b[K`);
      if (this.done === this.total) this.out.write('\n');
    } else {
      const decile = Math.floor(frac * 10);
      if (decile !== this.lastDecile) {
        this.lastDecile = decile;
        this.out.write(line + '\n');
      }
    }
  }
}

function bar(frac: number, width: number): string {
  const n = Math.round(Math.max(0, Math.min(1, frac)) * width);
  return '[' + '#'.repeat(n) + '.'.repeat(width - n) + ']';
}
