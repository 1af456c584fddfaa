// Worker-thread side of the build pool: receives sequences, runs buildStream, posts results back.
import { parentPort, workerData } from 'node:worker_threads';
import type { InputSequence } from './input.ts';
import { buildStream, type BuildContext } from './stream.ts';

const ctx = workerData as BuildContext;
parentPort!.on('message', async (msg: { seq: InputSequence } | { stop: true }) => {
  if ('stop' in msg) {
    parentPort!.close();
    return;
  }
  parentPort!.postMessage(await buildStream(msg.seq, ctx));
});
