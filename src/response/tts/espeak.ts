// espeak-ng as a streaming synthesiser: `espeak-ng --stdout` writes a WAV stream (22050 Hz, size unknown)
// within ~15 ms, so we parse the header as it comes, resample each piece and yield it right away.
import { MissingDependencyError, SoundFlowError } from '../../util/errors.ts';
import { WavStreamDecoder } from '../../audio/wav.ts';
import { Resampler } from '../../audio/resample.ts';
import { concatSamples, floatToPcm16 } from '../../audio/pcm.ts';
import { prosodyFor } from './prosody.ts';
import { Semaphore } from './semaphore.ts';
import { spawnChild, startSpawnHelper } from '../../util/spawner.ts';
import type { Tts, TtsOptions } from './types.ts';

export interface EspeakOptions {
  /** Voice when a call gives none (default en-us). */
  voice?: string;
  /** Binary (default espeak-ng on PATH). */
  binary?: string;
  /** Concurrency cap; by default all EspeakTts instances share one cap of MAX_ESPEAK_PROCESSES. */
  slots?: Semaphore;
  /** Longest piece yielded, in ms (default 200): small pieces make barge-in and pacing fine-grained. */
  maxPieceMs?: number;
}

/** Cap on espeak-ng processes across all sessions of this Node process (2-core target machine). */
export const MAX_ESPEAK_PROCESSES = 4;
export const sharedEspeakSlots = new Semaphore(MAX_ESPEAK_PROCESSES);

/** Voice ids are espeak names like "en-us", "es", "en+f3", "gmw/en-US": nothing that could be read as a flag. */
const VOICE_RE = /^[A-Za-z0-9][A-Za-z0-9_+\-/]{0,63}$/;

function abortError(signal: AbortSignal): SoundFlowError {
  return new SoundFlowError('aborted', 'speech synthesis aborted', { recoverable: true, cause: signal.reason });
}

export class EspeakTts implements Tts {
  readonly name = 'espeak-ng';
  private readonly voice: string;
  private readonly binary: string;
  private readonly slots: Semaphore;
  private readonly maxPieceMs: number;
  private running = 0;

  constructor(opts: EspeakOptions = {}) {
    this.voice = opts.voice ?? 'en-us';
    this.binary = opts.binary ?? 'espeak-ng';
    this.slots = opts.slots ?? sharedEspeakSlots;
    this.maxPieceMs = opts.maxPieceMs ?? 200;
    // Started now, not at the first reply: booting the helper takes ~50 ms and its own spawn costs what
    // any spawn from this process costs, less the earlier it happens (src/util/spawner.ts).
    startSpawnHelper();
  }

  /** espeak-ng processes of this instance still alive (they are counted until the OS reports them gone). */
  get activeProcesses(): number {
    return this.running;
  }

  async *synthesize(text: string, opts: TtsOptions = {}): AsyncGenerator<Int16Array> {
    const { signal } = opts;
    const rate = opts.sampleRate ?? 16000;
    if (!Number.isInteger(rate) || rate < 8000 || rate > 48000) throw new SoundFlowError('invalid_argument', `TTS sample rate must be an integer 8000..48000, got ${rate}`);
    const voice = whisperVariant(opts.voice ?? this.voice, opts.emotion);
    if (!VOICE_RE.test(voice)) throw new SoundFlowError('invalid_argument', `invalid voice name ${JSON.stringify(voice)}`);
    const p = prosodyFor(opts.emotion ?? 'normal');
    if (typeof text !== 'string') throw new SoundFlowError('invalid_argument', 'TTS text must be a string');
    // Control characters can switch espeak into odd modes; speech needs none of them.
    const clean = text.replace(/[\u0000-\u0008\u000b-\u001f\u007f]/g, ' ').trim();
    if (!clean) return;
    if (signal?.aborted) throw abortError(signal);

    const release = await this.slots.acquire(signal);
    const args = ['--stdout', '-v', voice, '-s', String(p.speed), '-p', String(p.pitch), '-a', String(p.amplitude), '-g', String(p.wordGap)];
    let child;
    try {
      // Through a small helper process: spawning from a large process holds its event loop (src/util/spawner.ts).
      child = spawnChild(this.binary, args);
    } catch (err) {
      release();
      throw err;
    }
    this.running++;
    let gone = false;
    const onGone = () => {
      if (gone) return;
      gone = true;
      this.running--;
      release(); // the slot frees only when the process is really gone
    };
    let spawnError: NodeJS.ErrnoException | null = null;
    const closed = new Promise<number | null>((resolve) => {
      child.once('error', (err) => {
        spawnError = err;
        onGone();
        resolve(null);
      });
      child.once('close', (code) => {
        onGone();
        resolve(code);
      });
    });
    let stderr = '';
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (d: string) => (stderr = (stderr + d).slice(-4096)));
    const kill = () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    };
    const onAbort = () => {
      kill();
      child.stdout.destroy();
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    // Text goes through stdin: no argument-length limit and no way for the text to look like an option.
    child.stdin.on('error', () => {}); // EPIPE when espeak dies early; the exit status reports the real problem
    child.stdin.end(clean);

    const decoder = new WavStreamDecoder();
    let resampler: Resampler | null = null;
    const maxPiece = Math.max(1, Math.round((rate * this.maxPieceMs) / 1000));
    try {
      try {
        for await (const chunk of child.stdout) {
          const mono = decoder.push(chunk as Buffer);
          if (!decoder.header) continue;
          resampler ??= new Resampler(decoder.header.sampleRate, rate);
          yield* split(floatToPcm16(resampler.process(mono)), maxPiece);
        }
      } catch (err) {
        if (signal?.aborted) throw abortError(signal);
        if (!spawnError) throw err;
      }
      if (signal?.aborted) throw abortError(signal);
      const code = await closed;
      if (signal?.aborted) throw abortError(signal);
      if (spawnError) {
        if ((spawnError as NodeJS.ErrnoException).code === 'ENOENT') throw new MissingDependencyError('espeak-ng', 'espeak-ng');
        throw new SoundFlowError('tts_failed', `cannot run espeak-ng: ${(spawnError as Error).message}`);
      }
      if (code !== 0) {
        if (/voice does not exist/i.test(stderr)) throw new SoundFlowError('unknown_voice', `espeak-ng has no voice "${voice}"`);
        throw new SoundFlowError('tts_failed', `espeak-ng exited with ${code}: ${stderr.trim().slice(0, 300)}`);
      }
      if (!decoder.header) {
        try {
          decoder.end();
        } catch (err) {
          throw new SoundFlowError('tts_failed', `espeak-ng produced no audio: ${(err as Error).message}`, { cause: err });
        }
      }
      if (resampler) yield* split(floatToPcm16(resampler.flush()), maxPiece);
    } finally {
      // Normal end, error, abort, or the consumer breaking out early: the process must not outlive us.
      signal?.removeEventListener('abort', onAbort);
      kill();
      child.stdout.destroy();
    }
  }
}

/** A whispered reply uses espeak-ng's whisper variant of the voice ("en-us" → "en-us+whisper"). */
export function whisperVariant(voice: string, emotion: string | undefined): string {
  if (emotion !== 'whisper') return voice;
  return `${voice.split('+')[0]}+whisper`;
}

function* split(pcm: Int16Array, max: number): Generator<Int16Array> {
  for (let i = 0; i < pcm.length; i += max) yield pcm.subarray(i, Math.min(pcm.length, i + max));
}

/** Collects a whole utterance (tests, WAV output): concatenated PCM16 at opts.sampleRate. */
export async function synthesizeAll(tts: Tts, text: string, opts: TtsOptions = {}): Promise<Int16Array> {
  const parts: Int16Array[] = [new Int16Array(0)]; // fixes the element type when nothing is spoken
  for await (const p of tts.synthesize(text, opts)) parts.push(p);
  return concatSamples(parts);
}
