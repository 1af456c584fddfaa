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

parentPort!.on('message', async (msg: BatchRequest | { type: 'crash' }) => {
  if (msg.type === 'crash') {
    // Test hook: dies the way a native fault would, with a batch possibly in flight.
    process.exit(70);
  }
  try {
    const vad = msg.vad.length ? await runVadBatch(await session, msg.vad) : [];
    const sounds = msg.sounds.map((w) => (net ??= loadSoundNet(soundModelDir)).forward(w));
    const reply: WorkerReply = { type: 'done', id: msg.id, vad, sounds };
    parentPort!.postMessage(reply);
  } catch (err) {
    const reply: WorkerReply = { type: 'failed', id: msg.id, message: errorMessage(err) };
    parentPort!.postMessage(reply);
  }
});
session.then(
  () => parentPort!.postMessage({ type: 'ready' } satisfies WorkerReply),
  (err: unknown) => parentPort!.postMessage({ type: 'ready', error: errorMessage(err) } satisfies WorkerReply),
);
