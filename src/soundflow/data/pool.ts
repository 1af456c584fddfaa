// A small worker_threads pool for the builder. Workers are TypeScript, so each one first registers the
// tsx loader (hooks registered on the main thread do not reach workers) and then imports worker.ts.
import { Worker } from 'node:worker_threads';
import type { InputSequence } from './input.ts';
import { buildStream, type BuildContext, type StreamResult } from './stream.ts';

const bootstrap = (tsxApi: string, entry: string) => `
import(${JSON.stringify(tsxApi)}).then((m) => { m.register(); return import(${JSON.stringify(entry)}); })
  .catch((e) => { console.error(e); process.exit(1); });
`;

/** Runs every sequence through buildStream with `jobs` workers (0 = in this thread); results in input order. */
export async function runPool(seqs: InputSequence[], ctx: BuildContext, jobs: number, onResult: (r: StreamResult) => void): Promise<StreamResult[]> {
  const results: StreamResult[] = new Array(seqs.length);
  if (jobs <= 0 || seqs.length <= 1) {
    for (const [i, s] of seqs.entries()) onResult((results[i] = await buildStream(s, ctx)));
    return results;
  }
  const tsxApi = import.meta.resolve('tsx/esm/api');
  const entry = new URL('./worker.ts', import.meta.url).href;
  let next = 0;
  const workers = Array.from({ length: Math.min(jobs, seqs.length) }, () => new Worker(bootstrap(tsxApi, entry), { eval: true, workerData: ctx }));
  try {
    await Promise.all(
      workers.map(
        (w) =>
          new Promise<void>((resolve, reject) => {
            let current = -1;
            const feed = () => {
              if (next >= seqs.length) {
                w.postMessage({ stop: true });
                resolve();
                return;
              }
              current = next++;
              w.postMessage({ seq: seqs[current] });
            };
            w.on('message', (r: StreamResult) => {
              results[current] = r;
              onResult(r);
              feed();
            });
            w.on('error', reject);
            w.on('exit', (code) => {
              if (current >= 0 && results[current] === undefined) reject(new Error(`build worker exited (code ${code}) while building ${seqs[current].id}`));
            });
            feed();
          }),
      ),
    );
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
  return results;
}
