// Two `soundflow serve` instances behind HAProxy (deploy/local-cluster.sh with deploy/haproxy.cfg):
// sessions go through the balancer, one instance is drained with SIGTERM mid-run, and every live
// session on it finishes while every new session is served by the other — none cut, none refused.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { get } from 'node:http';
import { TestClient } from './helpers/ws-client.ts';

/**
 * A run of n free ports below the kernel's ephemeral range (32768-60999 here): a port the kernel handed
 * out for port 0 and we released can be handed to any outgoing connection on the machine during the
 * seconds the cluster takes to start, and HAProxy then fails to bind it.
 */
async function consecutiveFreePorts(n: number): Promise<number> {
  for (let tries = 0; tries < 20; tries++) {
    const base = 20000 + Math.floor(Math.random() * 12000);
    const ok = await Promise.all(Array.from({ length: n }, (_, i) => portFree(base + i)));
    if (ok.every(Boolean)) return base;
  }
  throw new Error('no free port range');
}

function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createServer();
    s.once('error', () => resolve(false));
    s.listen(port, '127.0.0.1', () => s.close(() => resolve(true)));
  });
}

function healthz(base: string): Promise<{ sessionsActive: number; sessionsTotal: number }> {
  return new Promise((resolve, reject) => {
    get(`${base}/healthz`, (res) => {
      let b = '';
      res.on('data', (d) => (b += d));
      res.on('end', () => resolve(JSON.parse(b)));
    }).on('error', reject);
  });
}

interface Cluster {
  child: ChildProcess;
  lb: string;
  instances: { pid: number; url: string }[];
  out: string[];
}

async function startCluster(): Promise<Cluster> {
  const basePort = await consecutiveFreePorts(3);
  const lbPort = basePort + 2;
  const child = spawn('bash', ['deploy/local-cluster.sh', '-n', '2', '--lb-port', String(lbPort), '--base-port', String(basePort), '--', '--drain-grace', '60'], {
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  const out: string[] = [];
  let stderr = '';
  child.stderr!.on('data', (d) => (stderr += d));
  const instances: Cluster['instances'] = [];
  let lb = '';
  await new Promise<void>((resolve, reject) => {
    let buf = '';
    child.stdout!.on('data', (d) => {
      buf += d;
      let i;
      while ((i = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, i);
        buf = buf.slice(i + 1);
        out.push(line);
        const m = /^instance \d+ pid (\d+) (\S+)/.exec(line);
        if (m) instances.push({ pid: Number(m[1]), url: m[2] });
        const h = /^haproxy pid \d+ (\S+)/.exec(line);
        if (h) lb = h[1];
        if (line === 'ready') resolve();
      }
    });
    child.once('exit', (code) => reject(new Error(`cluster exited ${code}: ${stderr}`)));
    setTimeout(() => reject(new Error(`cluster not ready in time: ${stderr}`)), 120_000).unref();
  });
  return { child, lb, instances, out };
}

/** A session through the balancer: opens, starts, asks a typed question, waits for the whole reply, ends. */
async function session(lb: string): Promise<{ opened: boolean; started: boolean; replied: boolean; ended: boolean; code: number; error: string }> {
  const c = new TestClient(`${lb.replace(/^http/, 'ws')}/ws`);
  const r = { opened: false, started: false, replied: false, ended: false, code: 0, error: '' };
  try {
    await c.opened;
    r.opened = true;
    c.send({ type: 'session.update' });
    await c.waitType('session.started', 60_000);
    r.started = true;
    // Live for a while (the drain happens meanwhile), then a question and a clean end.
    await new Promise((res) => setTimeout(res, 2500));
    c.send({ type: 'instruction', text: 'what is your name' });
    const end = await c.waitType('response.end', 60_000);
    r.replied = !end.interrupted;
    c.send({ type: 'end' });
    await Promise.race([c.waitType('session.ended', 120_000), c.closed.then(() => c.waitType('session.ended', 0))]);
    r.ended = true;
  } catch (err) {
    r.error = String(err); // counted as a failure below
  }
  r.code = (await Promise.race([c.closed, new Promise<{ code: number }>((res) => setTimeout(() => res({ code: -1 }), 10_000))])).code;
  return r;
}

test('drain one of two instances behind HAProxy: 0 sessions cut, 0 new sessions refused', { timeout: 300_000 }, async () => {
  const cluster = await startCluster();
  try {
    const [a, b] = cluster.instances;
    // Four live sessions, spread by leastconn over both instances (few: each is a real engine session,
    // and the test must hold on a loaded 2-core machine).
    const live = Array.from({ length: 4 }, () => session(cluster.lb));
    await new Promise((r) => setTimeout(r, 1500));
    const before = [await healthz(a.url), await healthz(b.url)];
    assert.equal(before[0].sessionsActive + before[1].sessionsActive, 4);
    assert.ok(before[0].sessionsActive > 0 && before[1].sessionsActive > 0, `both instances used: ${JSON.stringify(before)}`);

    // Watch A's session count while it drains: after its drain delay (3 s) it must take no new session.
    const seenA: { t: number; total: number }[] = [];
    const t0 = Date.now();
    let aGone = false;
    const exited = new Promise<void>((resolve) => {
      const poll = setInterval(() => {
        healthz(a.url).then(
          (h) => seenA.push({ t: Date.now() - t0, total: h.sessionsTotal }),
          () => {
            aGone = true;
            clearInterval(poll);
            resolve();
          },
        );
      }, 200);
    });
    process.kill(a.pid, 'SIGTERM');
    // New sessions while A drains: right away (inside A's delay window) and after HAProxy noticed.
    const fresh: ReturnType<typeof session>[] = [];
    for (let i = 0; i < 6; i++) {
      fresh.push(session(cluster.lb));
      await new Promise((r) => setTimeout(r, 700));
    }
    const all = await Promise.all([...live, ...fresh]);
    const cut = all.filter((r) => r.opened && !(r.replied && r.ended && r.code === 1000));
    const refused = all.filter((r) => !r.opened || !r.started);
    assert.deepEqual({ cut: cut.length, refused: refused.length }, { cut: 0, refused: 0 }, JSON.stringify(all));
    await exited;
    assert.ok(aGone, 'A exited after its sessions finished');
    const afterDelay = seenA.filter((s) => s.t > 3500).map((s) => s.total);
    assert.ok(afterDelay.length > 0, 'A was observed after its drain delay');
    assert.equal(Math.max(...afterDelay), Math.min(...afterDelay), `A took no new session after its drain delay: ${JSON.stringify(seenA)}`);
    const bAfter = await healthz(b.url);
    assert.ok(bAfter.sessionsTotal - before[1].sessionsTotal >= 6 - (afterDelay[0] - before[0].sessionsTotal), 'the other new sessions went to B');
  } finally {
    try {
      process.kill(-cluster.child.pid!, 'SIGTERM');
    } catch {
      // already gone
    }
    await new Promise((r) => cluster.child.once('exit', r));
  }
});
