// Child processes started through the spawn helper (src/util/spawner.ts): a small process forks them, so
// the caller's event loop never pays for copying its own page tables; stdio, exit codes, signals, a
// missing binary and the helper's own death behave as with child_process.spawn.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnChild, spawnHelperPid, startSpawnHelper, useSpawnHelper, type ChildLike } from '../src/util/spawner.ts';
import { EspeakTts, synthesizeAll } from '../src/response/tts/index.ts';

async function run(c: ChildLike, stdin?: string): Promise<{ out: string; err: string; code: number | null; signal: string | null; errors: string[] }> {
  let out = '';
  let err = '';
  const errors: string[] = [];
  c.on('error', (e: NodeJS.ErrnoException) => errors.push(e.code ?? e.message));
  c.stdout.on('data', (d: Buffer) => (out += d));
  c.stderr.on('data', (d: Buffer) => (err += d));
  c.stdin.on('error', () => {});
  if (stdin !== undefined) c.stdin.end(stdin);
  const [code, signal] = await new Promise<[number | null, string | null]>((res) => c.once('close', (a, b) => res([a, b])));
  return { out, err, code, signal, errors };
}

test('children are started by the helper process, not by this one, with stdin, stdout, stderr and the exit code', async () => {
  startSpawnHelper();
  const helper = spawnHelperPid();
  assert.ok(helper && helper !== process.pid);
  const r = await run(spawnChild('sh', ['-c', 'echo $PPID; cat; echo oops >&2; exit 3']), 'hello\n');
  assert.deepEqual(r.out.split('\n'), [String(helper), 'hello', '']);
  assert.equal(r.err, 'oops\n');
  assert.equal(r.code, 3);
  assert.deepEqual(r.errors, []);
});

test('a missing binary is an ENOENT error, then close, as with child_process', async () => {
  const r = await run(spawnChild('soundflow-no-such-binary', []), 'x');
  assert.deepEqual(r.errors, ['ENOENT']);
  assert.notEqual(r.code, 0);
});

test('kill reaches the child; a dead helper fails its children and the next spawn starts a new one', async () => {
  const c = spawnChild('sleep', ['30']);
  setTimeout(() => c.kill('SIGKILL'), 100);
  const r = await run(c);
  assert.equal(r.signal, 'SIGKILL');

  const first = spawnHelperPid()!;
  const orphan = spawnChild('sleep', ['1']);
  const done = run(orphan);
  await new Promise((res) => setTimeout(res, 100));
  process.kill(first, 'SIGKILL');
  const o = await done;
  assert.deepEqual(o.errors, ['EHELPER']);
  assert.equal(o.code, null);
  const again = await run(spawnChild('sh', ['-c', 'echo $PPID']));
  assert.notEqual(Number(again.out), first);
  assert.notEqual(Number(again.out), process.pid);
  assert.equal(Number(again.out), spawnHelperPid());
});

test('espeak-ng replies go through the helper; with it switched off they are spawned here and sound the same', async () => {
  const tts = new EspeakTts();
  const viaHelper = await synthesizeAll(tts, 'the kettle is boiling', { sampleRate: 16000 });
  useSpawnHelper(false);
  try {
    assert.equal(spawnHelperPid(), undefined);
    const r = await run(spawnChild('sh', ['-c', 'echo $PPID']));
    assert.equal(Number(r.out), process.pid);
    const here = await synthesizeAll(tts, 'the kettle is boiling', { sampleRate: 16000 });
    assert.ok(viaHelper.length > 16000 * 0.8);
    assert.deepEqual(here, viaHelper);
  } finally {
    useSpawnHelper(true);
  }
});

test('switching the helper off and on again at once keeps the new helper', async () => {
  startSpawnHelper();
  const old = spawnHelperPid();
  assert.ok(old);
  useSpawnHelper(false);
  useSpawnHelper(true);
  startSpawnHelper();
  const pid = spawnHelperPid();
  assert.ok(pid && pid !== old);
  await new Promise((r) => setTimeout(r, 200)); // the old helper's disconnect has been seen by now
  assert.equal(spawnHelperPid(), pid);
  const r = await run(spawnChild('sh', ['-c', 'echo $PPID']));
  assert.equal(Number(r.out), pid);
});

test('stdin through the helper has back-pressure: a child that does not read yet holds the writer, then gets every byte', async () => {
  startSpawnHelper();
  // The child reads nothing for a second, then echoes its input's length.
  const c = spawnChild('sh', ['-c', 'sleep 1; wc -c']);
  let out = '';
  c.stdout.on('data', (d: Buffer) => (out += d));
  const closed = new Promise((res) => c.once('close', res));
  const piece = Buffer.alloc(16 * 1024, 7);
  const total = 64; // 1 MiB
  let accepted = 0; // bytes written before the first write() that asked us to wait
  let sent = 0;
  let blocked = false;
  for (let i = 0; i < total; i++) {
    const ok = c.stdin.write(piece);
    sent += piece.length;
    if (!blocked) accepted = sent;
    if (!ok) {
      blocked = true;
      await new Promise((res) => c.stdin.once('drain', res));
    }
  }
  c.stdin.end();
  await closed;
  assert.ok(blocked, 'every write was accepted at once: nothing held the writer');
  // Held after the pipe (64 KiB) and a Writable's buffer (16 KiB) are full, far short of the 1 MiB.
  assert.ok(accepted <= 256 * 1024, `accepted ${accepted} bytes before waiting`);
  assert.equal(Number(out.trim()), total * piece.length);
});

test('a child\'s output through the helper has back-pressure: unread, it waits in the child\'s pipe, not in this process', async () => {
  startSpawnHelper();
  const size = 8 * 1024 * 1024;
  const c = spawnChild('head', ['-c', String(size), '/dev/zero']);
  const closed = new Promise((res) => c.once('close', res));
  await new Promise((res) => setTimeout(res, 1000)); // the child could have written it all by now
  const held = c.stdout.readableLength;
  assert.ok(held <= 1024 * 1024, `${held} bytes of unread output buffered here`);
  let got = 0;
  c.stdout.on('data', (d: Buffer) => (got += d.length));
  await closed;
  assert.equal(got, size);
});
