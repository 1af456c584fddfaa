// Starts short-lived child processes (espeak-ng per reply) from a small helper process instead of this one.
//
// Why (issue #12): child_process.spawn() is synchronous up to the child's exec, and on Linux libuv forks,
// i.e. the kernel copies this process's page tables. A server with 16 sessions has ~1.2 GB resident
// (pocketsphinx decoders, ONNX sessions), so each spawn held its event loop for 60–110 ms measured in a
// bare 1 GB process and up to ~250–360 ms inside the loaded server (CPU profile: `spawn` under
// EspeakTts.synthesize), every time a reply started: those were the event-loop stalls behind the knee's
// missed deadlines. From a worker thread the fork still copies the same page tables and blocks the
// other threads' page faults, so the work goes to a separate, small process (plain Node, ~40 MB):
// started once (early, while this process is small: `startSpawnHelper()`), it spawns the children and
// relays their stdio over its IPC channel. Without a working helper, spawns fall back to
// child_process.spawn in this process.
import { spawn as spawnHere, type ChildProcess } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { PassThrough, Writable, type Readable } from 'node:stream';

/** The part of a ChildProcess that callers of spawnChild() use. */
export interface ChildLike extends EventEmitter {
  readonly stdin: Writable;
  readonly stdout: Readable;
  readonly stderr: Readable;
  readonly exitCode: number | null;
  readonly signalCode: NodeJS.Signals | null;
  kill(signal?: NodeJS.Signals): boolean;
}

/** Runs in the helper (plain CommonJS: works from the sources and from dist/ alike). */
const HELPER_SOURCE = String.raw`
const { spawn } = require('node:child_process');
const kids = new Map();
// With a callback a send into a channel that just closed is not an unhandled 'error' (EPIPE) in the helper.
const send = (m) => { if (process.connected) process.send(m, () => {}); };
process.on('message', (m) => {
  if (m.t === 'spawn') {
    let c;
    try {
      c = spawn(m.cmd, m.args, { stdio: ['pipe', 'pipe', 'pipe'] });
    } catch (e) {
      send({ t: 'error', id: m.id, code: e.code, message: String(e.message) });
      send({ t: 'close', id: m.id, code: null, signal: null });
      return;
    }
    kids.set(m.id, c);
    c.on('error', (e) => send({ t: 'error', id: m.id, code: e.code, message: String(e.message) }));
    c.stdout.on('data', (d) => send({ t: 'out', id: m.id, d }));
    c.stderr.on('data', (d) => send({ t: 'err', id: m.id, d }));
    c.stdin.on('error', () => {});
    c.on('close', (code, signal) => {
      kids.delete(m.id);
      send({ t: 'close', id: m.id, code, signal });
    });
  } else if (m.t === 'in') {
    const c = kids.get(m.id);
    if (!c) return;
    // 'drained' once the bytes are in the child's pipe: the caller's stdin holds its next write till then.
    if (m.d !== undefined) c.stdin.write(m.d, () => send({ t: 'drained', id: m.id }));
    if (m.end) c.stdin.end();
  } else if (m.t === 'pause' || m.t === 'resume') {
    // The caller's copy of the child's output is full (or drained): stop (or go on) reading the pipe,
    // so a child that writes faster than the caller reads blocks on its pipe, as without the helper.
    const c = kids.get(m.id);
    const s = c && (m.s === 'err' ? c.stderr : c.stdout);
    if (s) m.t === 'pause' ? s.pause() : s.resume();
  } else if (m.t === 'kill') {
    const c = kids.get(m.id);
    if (c && c.exitCode === null && c.signalCode === null) c.kill(m.sig);
  }
});
process.on('disconnect', () => {
  for (const c of kids.values()) c.kill('SIGKILL');
  process.exit(0);
});
send({ t: 'ready' });
`;

type FromHelper =
  | { t: 'ready'; id?: undefined }
  | { t: 'error'; id: number; code?: string; message: string }
  | { t: 'out' | 'err'; id: number; d: Uint8Array }
  | { t: 'close'; id: number; code: number | null; signal: NodeJS.Signals | null }
  | { t: 'drained'; id: number };

class RemoteChild extends EventEmitter implements ChildLike {
  readonly stdout = new PassThrough();
  readonly stderr = new PassThrough();
  readonly stdin: Writable;
  exitCode: number | null = null;
  signalCode: NodeJS.Signals | null = null;
  private done = false;
  /** The stdin write the helper has not yet put into the child's pipe (a Writable has one at a time). */
  private pendingWrite: (() => void) | null = null;

  constructor(
    private readonly helper: Helper,
    readonly id: number,
  ) {
    super();
    this.stdin = new Writable({
      decodeStrings: false,
      // Back-pressure like a ChildProcess's stdin: a write completes when the helper has handed it to
      // the child's pipe, so a child that reads slowly fills this Writable (write() returns false)
      // instead of the helper's memory.
      write: (chunk: string | Buffer, _enc, cb) => {
        if (this.done) return cb();
        this.pendingWrite = cb;
        this.helper.send({ t: 'in', id, d: typeof chunk === 'string' ? chunk : new Uint8Array(chunk) });
      },
      final: (cb) => {
        this.helper.send({ t: 'in', id, end: true });
        cb();
      },
    });
  }

  kill(signal: NodeJS.Signals = 'SIGTERM'): boolean {
    if (this.done) return false;
    this.helper.send({ t: 'kill', id: this.id, sig: signal });
    return true;
  }

  /** A message from the helper about this child. */
  onMessage(m: FromHelper): void {
    if (m.t === 'out' || m.t === 'err') this.relay(m.t, Buffer.from(m.d.buffer, m.d.byteOffset, m.d.byteLength));
    else if (m.t === 'error') this.emit('error', Object.assign(new Error(m.message), { code: m.code }));
    else if (m.t === 'close') this.finish(m.code, m.signal);
    else if (m.t === 'drained') this.releaseWrite();
  }

  private readonly paused = { out: false, err: false };

  /** Child output into stdout/stderr; past their high-water mark the helper stops reading until they drain. */
  private relay(which: 'out' | 'err', d: Buffer): void {
    const stream = which === 'out' ? this.stdout : this.stderr;
    if (stream.write(d) || this.paused[which] || this.done) return;
    this.paused[which] = true;
    this.helper.send({ t: 'pause', id: this.id, s: which });
    stream.once('drain', () => {
      this.paused[which] = false;
      this.helper.send({ t: 'resume', id: this.id, s: which });
    });
  }

  private releaseWrite(): void {
    const cb = this.pendingWrite;
    this.pendingWrite = null;
    cb?.();
  }

  /** The child is gone (or the helper died): end its streams, then 'exit' and 'close' like a ChildProcess. */
  finish(code: number | null, signal: NodeJS.Signals | null): void {
    if (this.done) return;
    this.done = true;
    this.exitCode = code;
    this.signalCode = signal;
    // A write the child never took: complete it (as a dead child's EPIPE, the exit status tells what happened).
    this.releaseWrite();
    this.stdout.end();
    this.stderr.end();
    this.emit('exit', code, signal);
    // 'close' after the streams' own end, as child_process does.
    setImmediate(() => this.emit('close', code, signal));
  }
}

class Helper {
  private readonly proc: ChildProcess;
  private readonly kids = new Map<number, RemoteChild>();
  private nextId = 1;
  alive = true;
  /** The helper ran its script (a runtime whose execPath is not node, e.g. an embedding app, never gets here). */
  ready = false;

  constructor(onExit: (wasReady: boolean) => void) {
    this.proc = spawnHere(process.execPath, ['-e', HELPER_SOURCE], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'], serialization: 'advanced' });
    this.proc.on('message', (m: FromHelper) => {
      if (m.t === 'ready') this.ready = true;
      else this.kids.get(m.id)?.onMessage(m);
    });
    const gone = () => {
      if (!this.alive) return;
      this.alive = false;
      onExit(this.ready);
      for (const k of this.kids.values()) {
        k.emit('error', Object.assign(new Error('the spawn helper process exited'), { code: 'EHELPER' }));
        k.finish(null, 'SIGKILL');
      }
      this.kids.clear();
    };
    this.proc.on('exit', gone);
    this.proc.on('error', gone);
    this.proc.on('disconnect', gone);
    this.idle();
  }

  spawn(cmd: string, args: string[]): RemoteChild {
    const id = this.nextId++;
    const k = new RemoteChild(this, id);
    this.kids.set(id, k);
    k.once('close', () => {
      this.kids.delete(id);
      if (!this.kids.size) this.idle();
    });
    this.busy();
    this.send({ t: 'spawn', id, cmd, args });
    return k;
  }

  get pid(): number | undefined {
    return this.proc.pid;
  }

  send(m: Record<string, unknown>): void {
    if (this.alive && this.proc.connected) this.proc.send(m);
  }

  /** Closed on purpose (useSpawnHelper(false)), not lost. */
  closing = false;

  close(): void {
    this.closing = true;
    if (this.proc.connected) this.proc.disconnect();
  }

  // The helper must not keep this process alive while nothing runs through it.
  private busy(): void {
    this.proc.ref();
    (this.proc.channel as { ref?: () => void } | undefined)?.ref?.();
  }

  private idle(): void {
    this.proc.unref();
    (this.proc.channel as { unref?: () => void } | undefined)?.unref?.();
  }
}

let helper: Helper | null = null;
let enabled = true;
/** A helper died before running its script: this runtime cannot run one; spawn in-process from now on. */
let unusable = false;

/**
 * Starts the helper now (idempotent), so its own start-up spawn happens while this process is still
 * small; call it early (server start-up). Without it the first spawnChild() starts it.
 */
export function startSpawnHelper(): void {
  if (!enabled || unusable || helper?.alive) return;
  try {
    const h: Helper = new Helper((wasReady) => {
      if (helper === h) helper = null;
      if (!wasReady && !h.closing) unusable = true;
    });
    helper = h;
  } catch {
    helper = null;
  }
}

/** Whether children are started through the helper (default) or by this process itself (false). */
export function useSpawnHelper(on: boolean): void {
  enabled = on;
  unusable = false;
  if (!on) {
    helper?.close();
    helper = null;
  }
}

/** The helper's process id while it runs (tests, diagnostics). */
export function spawnHelperPid(): number | undefined {
  return helper?.alive ? helper.pid : undefined;
}

/** Spawns `cmd args` with piped stdin/stdout/stderr, through the helper process when there is one. */
export function spawnChild(cmd: string, args: string[]): ChildLike {
  startSpawnHelper();
  if (helper?.alive) return helper.spawn(cmd, args);
  return spawnHere(cmd, args, { stdio: ['pipe', 'pipe', 'pipe'] }) as ChildProcess & ChildLike;
}
