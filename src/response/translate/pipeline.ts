// One persistent Apertium process chain for one language pair. Requests are serialised: each is
// written followed by "\0" and its answer is everything up to the next "\0" on the last stage's
// stdout. A chain that dies is restarted on the next request (and the request retried once).
import { spawn, type ChildProcess } from 'node:child_process';
import type { Readable, Writable } from 'node:stream';
import { MissingDependencyError, SoundFlowError } from '../../util/errors.ts';

/** Apertium stream-format characters that plain text must escape. */
const RESERVED = /[\\^$/<>@*[\]{}#~|+]/g;

export function escapeApertium(text: string): string {
  return text.replace(RESERVED, (c) => `\\${c}`);
}

/** Output back to plain text: drop superblanks and the sentence-closing dot we added, unescape. */
export function unescapeApertium(out: string): string {
  let s = out.replace(/(?<!\\)\[[^\]]*\]/g, '');
  s = s.replace(/\s+$/, '');
  if (s.endsWith('.') && !s.endsWith('\\.')) s = s.slice(0, -1);
  s = s.replace(/\\(.)/g, '$1');
  // Generation marks that survive -n ("#word" when a form cannot be generated).
  s = s.replace(/(^|\s)[#@*](?=\S)/g, '$1');
  return s.replace(/\s+/g, ' ').replace(/\s+([,.;:!?])/g, '$1').trim();
}

type Pending = { resolve: (s: string) => void; reject: (e: Error) => void; chunks: Buffer[] };

class Chain {
  readonly children: ChildProcess[] = [];
  private pending: Pending | null = null;
  private stderrTail = '';
  dead: Error | null = null;

  constructor(stages: string[][], name: string) {
    let prev: Readable | null = null;
    for (const [cmd, ...args] of stages) {
      const child: ChildProcess = spawn(cmd, args, {
        stdio: [prev ?? 'pipe', 'pipe', 'pipe'],
        env: { ...process.env, LC_ALL: 'C.UTF-8' },
      });
      child.on('error', (err: NodeJS.ErrnoException) =>
        this.die(err.code === 'ENOENT' ? new MissingDependencyError(`Apertium tool ${cmd}`, 'apertium') : new SoundFlowError('translation_failed', `${name}: ${cmd}: ${err.message}`, { recoverable: true })),
      );
      child.on('exit', (code, signal) => this.die(new SoundFlowError('translation_failed', `${name}: ${cmd} exited (${signal ?? code})${this.stderrTail ? `: ${this.stderrTail.trim()}` : ''}`, { recoverable: true })));
      child.stderr!.on('data', (d: Buffer) => (this.stderrTail = (this.stderrTail + d.toString()).slice(-400)));
      // Idle chains must not keep the process alive; pending requests hold a timer that does.
      child.unref();
      (child.stderr as unknown as { unref?: () => void }).unref?.();
      this.children.push(child);
      prev = child.stdout!;
    }
    const first = this.children[0].stdin as Writable;
    first.on('error', () => {}); // EPIPE surfaces through 'exit'.
    (first as unknown as { unref?: () => void }).unref?.();
    const last = this.children[this.children.length - 1].stdout!;
    (last as unknown as { unref?: () => void }).unref?.();
    last.on('data', (d: Buffer) => this.onData(d));
  }

  private onData(d: Buffer): void {
    let rest = d;
    while (rest.length) {
      const z = rest.indexOf(0);
      if (!this.pending) return; // stray flushes at shutdown
      if (z < 0) {
        this.pending.chunks.push(rest);
        return;
      }
      this.pending.chunks.push(rest.subarray(0, z));
      const p = this.pending;
      this.pending = null;
      p.resolve(Buffer.concat(p.chunks).toString('utf8'));
      rest = rest.subarray(z + 1);
    }
  }

  private die(err: Error): void {
    if (this.dead) return;
    this.dead = err;
    this.kill();
    const p = this.pending;
    this.pending = null;
    p?.reject(err);
  }

  request(payload: string): Promise<string> {
    if (this.dead) return Promise.reject(this.dead);
    return new Promise((resolve, reject) => {
      this.pending = { resolve, reject, chunks: [] };
      this.children[0].stdin!.write(payload + '\0');
    });
  }

  kill(): void {
    for (const c of this.children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  }

  shutdown(reason: Error): void {
    this.die(reason);
  }
}

export interface PipelineOptions {
  /** Per-request limit; a chain that overruns it is killed and restarted. */
  timeoutMs?: number;
}

export class ApertiumPipeline {
  private chain: Chain | null = null;
  private queue: Promise<unknown> = Promise.resolve();
  /** How many chains were started (1 + restarts); for tests and logs. */
  starts = 0;
  private closed = false;

  constructor(
    readonly name: string,
    private readonly stages: string[][],
    private readonly opts: PipelineOptions = {},
  ) {}

  /** Translates one text (plain, already truecased); requests run one at a time. */
  translate(text: string, timeoutMs = this.opts.timeoutMs ?? 10_000): Promise<string> {
    const run = this.queue.then(() => this.run(text, timeoutMs, true));
    this.queue = run.catch(() => {});
    return run;
  }

  /** The process ids of the current chain (tests kill one to check the restart). */
  pids(): number[] {
    return this.chain?.children.map((c) => c.pid ?? -1) ?? [];
  }

  close(): void {
    this.closed = true;
    this.chain?.shutdown(new SoundFlowError('translation_closed', `${this.name}: translator closed`, { recoverable: true }));
    this.chain = null;
  }

  private async run(text: string, timeoutMs: number, retry: boolean): Promise<string> {
    if (this.closed) throw new SoundFlowError('translation_closed', `${this.name}: translator closed`, { recoverable: true });
    if (!this.chain || this.chain.dead) {
      this.chain = new Chain(this.stages, this.name);
      this.starts++;
    }
    const chain = this.chain;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new SoundFlowError('translation_timeout', `${this.name}: no answer within ${timeoutMs} ms`, { recoverable: true })), timeoutMs);
    });
    try {
      // The trailing ".[]" mirrors apertium-destxt: the dot closes the sentence so the tagger does not
      // hold the last word back, the superblank carries the flush through every stage.
      const out = await Promise.race([chain.request(`${escapeApertium(text)}.[]`), timeout]);
      return unescapeApertium(out);
    } catch (err) {
      // A chain that timed out is in an unknown state; a dead one is restarted once for this request.
      if (err instanceof SoundFlowError && err.code === 'translation_timeout') chain.shutdown(err);
      else if (retry && chain.dead && !(err instanceof MissingDependencyError) && !this.closed) return this.run(text, timeoutMs, false);
      throw err;
    } finally {
      clearTimeout(timer);
    }
  }
}
