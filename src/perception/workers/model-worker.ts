// Worker-thread side of the perception pool: runs one batch of VAD and sound-model jobs per message
// (all streams' VAD frames stacked into one ORT run per frame step) and posts the results back.
import { parentPort, workerData } from 'node:worker_threads';
import { createVadSession, loadSoundNet, runVadBatch, type VadJob } from '../chunk-models.ts';
import { errorMessage } from '../../util/errors.ts';
import type { SoundNet } from '../sounds/model.ts';

export interface BatchRequest {
  type: 'run';
  id: number;
  vad: VadJob[];
  sounds: Float32Array[];
}
export type WorkerReply =
  | { type: 'done'; id: number; vad: { probs: Float32Array; h: Float32Array; c: Float32Array }[]; sounds: Float32Array[] }
  | { type: 'failed'; id: number; message: string }
  /** Sent once, after the VAD model loaded (or failed to). */
  | { type: 'ready'; error?: string };

const { soundModelDir } = workerData as { soundModelDir: string };
const session = createVadSession();
session.catch(() => undefined); // reported with the first batch that needs it
let net: SoundNet | null = null;

/** Set once the worker must end: it does so only between ORT runs. */
let exitCode: number | null = null;
let busy = false;

/**
 * Ends the worker. Never while an ORT run is in flight: a thread that goes away under onnxruntime-node's
 * pending run makes its completion throw into a dead environment, and that aborts the whole process.
 */
async function end(code: number): Promise<void> {
  if (code === 0) await (await session.catch(() => undefined))?.release();
  process.exit(code);
}

type ToWorker = BatchRequest | { type: 'crash' } | { type: 'close' };

parentPort!.on('message', async (msg: ToWorker) => {
  if (msg.type === 'crash' || msg.type === 'close') {
    // 'crash' is a test hook: the worker dies as a fatal error would, its batch never answered.
    exitCode = msg.type === 'crash' ? 70 : 0;
    if (!busy) await end(exitCode);
    return;
  }
  busy = true;
  let reply: WorkerReply;
  try {
    const vad = msg.vad.length ? await runVadBatch(await session, msg.vad) : [];
    const sounds = msg.sounds.map((w) => (net ??= loadSoundNet(soundModelDir)).forward(w));
    reply = { type: 'done', id: msg.id, vad, sounds };
  } catch (err) {
    reply = { type: 'failed', id: msg.id, message: errorMessage(err) };
  }
  busy = false;
  if (exitCode !== null) return end(exitCode);
  parentPort!.postMessage(reply);
});
session.then(
  () => parentPort!.postMessage({ type: 'ready' } satisfies WorkerReply),
  (err: unknown) => parentPort!.postMessage({ type: 'ready', error: errorMessage(err) } satisfies WorkerReply),
);
