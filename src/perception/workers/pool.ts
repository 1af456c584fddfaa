// ChunkModels on a worker_threads pool: every session's VAD and sound-model jobs go into one bounded
// queue; an idle worker takes what is queued as one batch (VAD frames of all its streams stacked into one
// ORT run per frame step), so batches grow with load and a lone job goes at once. Jobs carry their own
// state, so a worker that dies is replaced and its batch re-run elsewhere; a job that was in flight
// when workers died twice fails alone (a clear error for its session; nobody else loses anything).
import { Worker } from 'node:worker_threads';
import { availableParallelism } from 'node:os';
import { SoundFlowError } from '../../util/errors.ts';
import { DEFAULT_SOUND_MODEL_DIR } from '../sounds/classifier.ts';
import type { ChunkModels, VadJob, VadOutput } from '../chunk-models.ts';
import type { BatchRequest, WorkerReply } from './model-worker.ts';

export interface PerceptionPoolOptions {
  /** Worker threads (default: one per core). */
  workers: number;
  /** Jobs waiting for a worker before new ones are refused (`engine_busy`). */
  maxQueued: number;
  /** Most jobs in one batch. */
  maxBatch: number;
  /** Tries per job when the workers running it die (then it fails with `engine_error`). */
  attempts: number;
  soundModelDir: string;
}

type Job =
  | { kind: 'vad'; input: VadJob; resolve: (o: VadOutput) => void; reject: (e: Error) => void; tries: number }
  | { kind: 'sounds'; input: Float32Array; resolve: (o: Float32Array) => void; reject: (e: Error) => void; tries: number };

interface Slot {
  worker: Worker;
  ready: Promise<void>;
  batch: { id: number; jobs: Job[] } | null;
  /** Set when it must not take work any more (close, replacement). */
  retiring: boolean;
  loaded: boolean;
  /** Its thread has ended (close() must not wait for an exit that already happened). */
  exited: boolean;
  /** Test hook: crash right after the next batch is handed over. */
  crashNext?: boolean;
}

/** Counters for metrics and tests. */
export interface PerceptionPoolStats {
  workers: number;
  queued: number;
  batches: number;
  jobs: number;
  /** Largest batch so far. */
  maxBatchSeen: number;
  /** Workers that died and were replaced. */
  restarts: number;
  /** Jobs refused because the queue was full. */
  refused: number;
  /** Jobs re-run on another worker after theirs died. */
  retried: number;
  /** Jobs that failed after their workers died `attempts` times. */
  failed: number;
}

const bootstrap = (tsxApi: string, entry: string) => `
import(${JSON.stringify(tsxApi)}).then((m) => { m.register(); return import(${JSON.stringify(entry)}); })
  .catch((e) => { console.error(e); process.exit(1); });
`;

function spawnWorker(soundModelDir: string): Worker {
  const entry = new URL('./model-worker' + (import.meta.url.endsWith('.ts') ? '.ts' : '.js'), import.meta.url);
  // From sources (tsx), each worker registers the TypeScript loader first: main-thread hooks do not reach workers.
  if (entry.pathname.endsWith('.ts')) return new Worker(bootstrap(import.meta.resolve('tsx/esm/api'), entry.href), { eval: true, workerData: { soundModelDir } });
  return new Worker(entry, { workerData: { soundModelDir } });
}

export class PerceptionPool implements ChunkModels {
  readonly options: PerceptionPoolOptions;
  private readonly slots: Slot[] = [];
  private queue: Job[] = [];
  private nextId = 1;
  private scheduled = false;
  private closed = false;
  /** Workers in a row that died before loading; past 3 the pool gives up (a broken install, not a crash). */
  private loadDeaths = 0;
  private broken: SoundFlowError | null = null;
  readonly stats: PerceptionPoolStats = { workers: 0, queued: 0, batches: 0, jobs: 0, maxBatchSeen: 0, restarts: 0, refused: 0, retried: 0, failed: 0 };

  constructor(options: Partial<PerceptionPoolOptions> = {}) {
    this.options = { workers: availableParallelism(), maxQueued: 1024, maxBatch: 64, attempts: 2, soundModelDir: DEFAULT_SOUND_MODEL_DIR, ...options };
    if (!(this.options.workers >= 1)) throw new SoundFlowError('invalid_argument', `perception workers must be >= 1, got ${this.options.workers}`);
    for (let i = 0; i < this.options.workers; i++) this.slots.push(this.start());
    this.stats.workers = this.slots.length;
  }

  vad(job: VadJob): Promise<VadOutput> {
    return new Promise((resolve, reject) => this.enqueue({ kind: 'vad', input: job, resolve, reject, tries: 0 }));
  }

  sounds(window: Float32Array): Promise<Float32Array> {
    return new Promise((resolve, reject) => this.enqueue({ kind: 'sounds', input: window, resolve, reject, tries: 0 }));
  }

  /** Resolves once every worker has loaded the VAD model; rejects if it cannot be loaded. */
  async warm(): Promise<void> {
    await Promise.all(this.slots.map((s) => s.ready));
  }

  /** Kills worker `i` as a crash would, in the middle of its current or next batch (tests). */
  crashWorker(i: number): void {
    const slot = this.slots[i];
    if (!slot) return;
    if (slot.batch) slot.worker.postMessage({ type: 'crash' });
    else slot.crashNext = true;
  }

  /** Thread ids of the current workers (a replaced worker gets a new one). */
  get threadIds(): number[] {
    return this.slots.map((s) => s.worker.threadId);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const err = () => new SoundFlowError('engine_error', 'perception pool closed');
    for (const j of this.queue.splice(0)) j.reject(err());
    await Promise.all(
      this.slots.map(async (s) => {
        s.retiring = true;
        for (const j of s.batch?.jobs ?? []) j.reject(err());
        s.batch = null;
        // Asked, never terminated: a worker ends itself between ORT runs. Terminating one (or letting the
        // process exit under it) while it is inside a native call, a run or the model load, aborts the
        // whole process with a Napi::Error; so does a "grace period then terminate" fallback on a loaded
        // machine, where a worker still loading its model can take seconds. Referenced until it is gone, so
        // the process cannot exit under it either.
        if (s.exited) return;
        const exited = new Promise<void>((res) => s.worker.once('exit', () => res()));
        s.worker.ref();
        s.worker.postMessage({ type: 'close' });
        await exited;
      }),
    );
  }

  private enqueue(job: Job): void {
    if (this.closed) return job.reject(new SoundFlowError('engine_error', 'perception pool closed'));
    if (this.broken) return job.reject(this.broken);
    if (this.queue.length >= this.options.maxQueued) {
      this.stats.refused++;
      return job.reject(new SoundFlowError('engine_busy', `perception queue full (${this.options.maxQueued} jobs waiting): the server is overloaded`, { recoverable: true }));
    }
    this.queue.push(job);
    this.stats.queued = this.queue.length;
    // Jobs queued in the same turn of the event loop go out together.
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(() => {
        this.scheduled = false;
        this.pump();
      });
    }
  }

  /** Hands queued jobs to idle workers, split evenly among them. */
  private pump(): void {
    const idle = this.slots.filter((s) => !s.batch && !s.retiring);
    for (let k = 0; k < idle.length && this.queue.length; k++) {
      const take = Math.min(this.options.maxBatch, Math.ceil(this.queue.length / (idle.length - k)));
      this.send(idle[k], this.queue.splice(0, take));
    }
    this.stats.queued = this.queue.length;
  }

  private send(slot: Slot, jobs: Job[]): void {
    const id = this.nextId++;
    slot.batch = { id, jobs };
    this.stats.batches++;
    this.stats.jobs += jobs.length;
    this.stats.maxBatchSeen = Math.max(this.stats.maxBatchSeen, jobs.length);
    const msg: BatchRequest = {
      type: 'run',
      id,
      vad: jobs.flatMap((j) => (j.kind === 'vad' ? [j.input] : [])),
      sounds: jobs.flatMap((j) => (j.kind === 'sounds' ? [j.input] : [])),
    };
    slot.worker.ref(); // work in flight keeps the process alive; an idle pool does not
    slot.worker.postMessage(msg);
    if (slot.crashNext) slot.worker.postMessage({ type: 'crash' });
  }

  private start(): Slot {
    const worker = spawnWorker(this.options.soundModelDir);
    let readyResolve: () => void = () => undefined;
    let readyReject: (e: Error) => void = () => undefined;
    const ready = new Promise<void>((res, rej) => ((readyResolve = res), (readyReject = rej)));
    const slot: Slot = { worker, ready, batch: null, retiring: false, loaded: false, exited: false };
    // Loading keeps the process alive (someone may be awaiting warm()); an idle loaded worker does not,
    // unless it is closing: the process must not exit under its last native calls.
    const idle = () => !slot.batch && !slot.retiring && worker.unref();
    ready.then(idle, idle);
    worker.on('message', (m: WorkerReply) => {
      if (m.type === 'ready') {
        slot.loaded = true;
        if (!m.error) this.loadDeaths = 0;
        return m.error ? readyReject(new SoundFlowError('model_load_failed', `cannot load Silero VAD model: ${m.error}`)) : readyResolve();
      }
      const b = slot.batch;
      if (!b || b.id !== m.id) return;
      slot.batch = null;
      worker.unref();
      if (m.type === 'failed') {
        // A model error (not a crash): every job of the batch gets it, the worker stays.
        for (const j of b.jobs) j.reject(new SoundFlowError('engine_error', `perception worker: ${m.message}`));
      } else {
        let v = 0;
        let s = 0;
        for (const j of b.jobs) {
          if (j.kind === 'vad') j.resolve(m.vad[v++]);
          else j.resolve(m.sounds[s++]);
        }
      }
      this.pump();
    });
    // 'error' (an exception escaped the worker) is followed by 'exit'.
    worker.on('error', () => undefined);
    worker.on('exit', (code) => {
      slot.exited = true;
      if (slot.retiring || this.closed) return;
      readyReject(new SoundFlowError('engine_error', `perception worker exited (code ${code}) while loading`));
      this.replace(slot, code);
    });
    return slot;
  }

  /** A worker died: a new one takes its place and its batch goes back to the front of the queue. */
  private replace(dead: Slot, code: number): void {
    const i = this.slots.indexOf(dead);
    if (i < 0) return;
    dead.retiring = true;
    if (!dead.loaded && ++this.loadDeaths >= 3) {
      // Workers die while starting: nothing a retry fixes. Every job fails from now on, clearly.
      this.broken = new SoundFlowError('model_load_failed', `perception workers cannot start (exit code ${code}, ${this.loadDeaths} times in a row)`);
      for (const j of [...this.queue.splice(0), ...(dead.batch?.jobs ?? [])]) j.reject(this.broken);
      dead.batch = null;
      return;
    }
    this.stats.restarts++;
    this.slots[i] = this.start();
    const lost = dead.batch?.jobs ?? [];
    dead.batch = null;
    const retry: Job[] = [];
    for (const j of lost) {
      if (++j.tries >= this.options.attempts) {
        this.stats.failed++;
        j.reject(new SoundFlowError('engine_error', `perception worker died (exit code ${code}) running this chunk ${j.tries} times`));
      } else {
        this.stats.retried++;
        retry.push(j);
      }
    }
    this.queue.unshift(...retry);
    this.pump();
  }
}
