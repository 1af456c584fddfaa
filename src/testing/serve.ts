// Starts `soundflow serve` as a child process on a free loopback port and resolves once it listens:
// the one way benches (and scripts) get a real server to talk to.
import { spawn, type ChildProcess } from 'node:child_process';

export interface ServeChild {
  child: ChildProcess;
  /** http://127.0.0.1:PORT */
  base: string;
  /** ws://127.0.0.1:PORT (append /ws or /v1/realtime) */
  ws: string;
}

/** Spawns `node ...nodeArgs bin/soundflow.js serve --port 0 --quiet ...extra` (run from the repository root). */
export async function startServe(extra: string[] = [], nodeArgs: string[] = []): Promise<ServeChild> {
  const child = spawn(process.execPath, [...nodeArgs, 'bin/soundflow.js', 'serve', '--port', '0', '--quiet', ...extra], { stdio: ['ignore', 'pipe', 'inherit'] });
  const base = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d) => {
      out += d;
      const m = /listening (\S+)/.exec(out);
      if (m) resolve(m[1]);
    });
    child.once('exit', (c) => reject(new Error(`serve exited with ${c}`)));
  });
  return { child, base, ws: base.replace(/^http/, 'ws') };
}
