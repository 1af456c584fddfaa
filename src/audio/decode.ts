// Any audio file -> 16 kHz mono PCM16, streamed through ffmpeg so an hour-long file is never held in memory.
// `-` means raw PCM16 16 kHz mono on stdin (the CLI contract), read without ffmpeg.
import { spawn, type ChildProcess } from 'node:child_process';
import { stat } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { MissingDependencyError, SoundFlowError } from '../util/errors.ts';
import { pcm16ToFloat } from './pcm.ts';
import { SAMPLE_RATE } from './chunk.ts';

export interface DecodeOptions {
  /** Stops decoding (and kills ffmpeg); the iteration then throws `aborted`. */
  signal?: AbortSignal;
  /** Where `-` reads from (default process.stdin); tests pass their own stream. */
  stdin?: Readable;
  /** Output rate (default 16000). */
  sampleRate?: number;
  /** ffmpeg binary (default "ffmpeg" on PATH). */
  ffmpegPath?: string;
  /** Told about recoverable input problems that do not stop decoding (e.g. `odd_byte_count` on stdin). */
  onWarning?: (err: SoundFlowError) => void;
}

const STDERR_KEEP = 16 * 1024;

function aborted(signal: AbortSignal): SoundFlowError {
  return new SoundFlowError('aborted', 'decoding aborted', { recoverable: true, cause: signal.reason });
}

/** Collects PCM16 from byte pieces whose boundaries may split a sample. */
class Pcm16Assembler {
  private carry: number | null = null;
  total = 0;

  /** True when the bytes so far end in half a sample. */
  get oddByte(): boolean {
    return this.carry !== null;
  }

  push(chunk: Uint8Array): Int16Array {
    const extra = this.carry === null ? 0 : 1;
    const bytes = chunk.length + extra;
    const out = new Int16Array(bytes >> 1);
    const u8 = new Uint8Array(out.buffer);
    let src = 0;
    if (this.carry !== null && out.length > 0) {
      u8[0] = this.carry;
      u8.set(chunk.subarray(0, out.length * 2 - 1), 1);
      src = out.length * 2 - 1;
      this.carry = null;
    } else if (out.length > 0) {
      u8.set(chunk.subarray(0, out.length * 2));
      src = out.length * 2;
    }
    if (src < chunk.length) this.carry = chunk[src];
    this.total += out.length;
    return out; // little-endian host assumed (x86/arm), as everywhere in Node audio code
  }
}

/** ffmpeg's stderr boiled down to its last meaningful lines, for error messages. */
function summarize(stderr: string): string {
  const lines = stderr
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter(Boolean);
  const text = lines.slice(-3).join(' | ');
  return text.length > 400 ? text.slice(0, 400) + '…' : text || 'no diagnostic output';
}

async function* readRawStdin(stream: Readable, signal?: AbortSignal, onWarning?: (err: SoundFlowError) => void): AsyncGenerator<Int16Array> {
  const asm = new Pcm16Assembler();
  const onAbort = () => stream.destroy();
  signal?.addEventListener('abort', onAbort, { once: true });
  try {
    for await (const chunk of stream) {
      if (signal?.aborted) throw aborted(signal);
      const pcm = asm.push(typeof chunk === 'string' ? Buffer.from(chunk, 'latin1') : (chunk as Uint8Array));
      if (pcm.length) yield pcm;
    }
    if (signal?.aborted) throw aborted(signal);
    if (asm.oddByte) {
      onWarning?.(new SoundFlowError('odd_byte_count', `stdin ended with an odd number of bytes (${asm.total * 2 + 1}): the last byte, half a PCM16 sample, was dropped`, { recoverable: true }));
    }
    if (asm.total === 0) throw new SoundFlowError('empty_audio', 'no audio on stdin');
  } catch (err) {
    if (signal?.aborted) throw aborted(signal);
    throw err;
  } finally {
    signal?.removeEventListener('abort', onAbort);
  }
}

async function checkFile(path: string): Promise<void> {
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(path)) return; // a URL: ffmpeg's business
  let st;
  try {
    st = await stat(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') throw new SoundFlowError('not_found', `audio file not found: ${path}`);
    throw new SoundFlowError('invalid_audio', `cannot read ${path}: ${(err as Error).message}`, { cause: err });
  }
  if (st.isDirectory()) throw new SoundFlowError('invalid_audio', `${path} is a directory, not an audio file`);
  if (st.isFile() && st.size === 0) throw new SoundFlowError('empty_audio', `${path} is empty (0 bytes)`);
}

async function* readFfmpeg(path: string, opts: DecodeOptions): AsyncGenerator<Int16Array> {
  await checkFile(path);
  const { signal } = opts;
  if (signal?.aborted) throw aborted(signal);
  const rate = opts.sampleRate ?? SAMPLE_RATE;
  const args = ['-nostdin', '-hide_banner', '-loglevel', 'error', '-i', path, '-vn', '-sn', '-dn', '-ac', '1', '-ar', String(rate), '-f', 's16le', '-acodec', 'pcm_s16le', 'pipe:1'];
  const child: ChildProcess = spawn(opts.ffmpegPath ?? 'ffmpeg', args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr!.setEncoding('utf8');
  child.stderr!.on('data', (d: string) => {
    stderr = (stderr + d).slice(-STDERR_KEEP);
  });
  let spawnError: NodeJS.ErrnoException | null = null;
  // Exit status; 'close' fires after stdio is drained, 'error' when the binary cannot start.
  const exited = new Promise<number | null>((resolve) => {
    child.once('error', (err) => {
      spawnError = err;
      resolve(null);
    });
    child.once('close', (code) => resolve(code));
  });
  const kill = () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  };
  const onAbort = () => {
    kill();
    child.stdout!.destroy();
  };
  signal?.addEventListener('abort', onAbort, { once: true });
  const asm = new Pcm16Assembler();
  try {
    try {
      for await (const chunk of child.stdout!) {
        const pcm = asm.push(chunk as Buffer);
        if (pcm.length) yield pcm; // the consumer's pace pauses the pipe, and ffmpeg with it
      }
    } catch (err) {
      if (signal?.aborted) throw aborted(signal);
      if (!spawnError) throw err;
    }
    if (signal?.aborted) throw aborted(signal);
    const code = await exited;
    if (spawnError) {
      if ((spawnError as NodeJS.ErrnoException).code === 'ENOENT') throw new MissingDependencyError('ffmpeg', 'ffmpeg');
      throw new SoundFlowError('invalid_audio', `cannot run ffmpeg: ${(spawnError as Error).message}`, { cause: spawnError });
    }
    if (signal?.aborted) throw aborted(signal);
    if (code !== 0) {
      if (/No such file or directory/i.test(stderr)) throw new SoundFlowError('not_found', `audio file not found: ${path}`);
      throw new SoundFlowError('invalid_audio', `cannot decode ${path}: ${summarize(stderr)}`);
    }
    if (asm.total === 0) throw new SoundFlowError('empty_audio', `${path} contains no audio samples`);
  } finally {
    // Runs on normal end, on errors and when the consumer stops early (break/return): never leave ffmpeg behind.
    signal?.removeEventListener('abort', onAbort);
    kill();
    child.stdout!.destroy();
  }
}

/**
 * Streams `source` as 16 kHz (or opts.sampleRate) mono PCM16 pieces of varying length.
 * `source` is a path, a URL ffmpeg understands, or `-` for raw PCM16 mono on stdin.
 * Errors: not_found, invalid_audio (with ffmpeg's message), empty_audio, missing_dependency, aborted.
 */
export async function* decodeStream(source: string, opts: DecodeOptions = {}): AsyncGenerator<Int16Array> {
  if (typeof source !== 'string' || source === '') throw new SoundFlowError('invalid_argument', 'audio source must be a file path or "-"');
  if (source === '-') yield* readRawStdin(opts.stdin ?? process.stdin, opts.signal, opts.onWarning);
  else yield* readFfmpeg(source, opts);
}

/** Decodes a whole file (or `-`) to Float32 in [-1, 1]. Meant for short clips; stream long ones. */
export async function decodeFile(source: string, opts: DecodeOptions = {}): Promise<Float32Array> {
  const parts: Int16Array[] = [];
  let total = 0;
  for await (const p of decodeStream(source, opts)) {
    parts.push(p);
    total += p.length;
  }
  const out = new Float32Array(total);
  let o = 0;
  for (const p of parts) {
    out.set(pcm16ToFloat(p), o);
    o += p.length;
  }
  return out;
}
