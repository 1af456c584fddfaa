// A new session's perception state must not throw V8's optimised code for the previous session's
// state back to the interpreter: a fresh `[]` in each session (alarm pulses, acoustic context history)
// used to meet code specialised on the last session's already-widened arrays, deoptimise at the
// session's first chunk and be compiled again during its first chunks (docs/notes/server.md, round 15).
// Read from V8's own deoptimisation trace in a child process (test/helpers/session-start-deopt.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const script = fileURLToPath(new URL('./helpers/session-start-deopt.ts', import.meta.url));

test('a third session of acoustic context and alarm detector runs on the code the first two optimised', () => {
  // The child's stdout (V8's trace and its markers, in write order) goes to a file: on a pipe the trace
  // can fill the buffer and the markers' synchronous writes fail with EAGAIN.
  const dir = mkdtempSync(join(tmpdir(), 'soundflow-deopt-'));
  const file = join(dir, 'trace.txt');
  const fd = openSync(file, 'w');
  let out: string;
  try {
    const r = spawnSync(process.execPath, ['--trace-deopt-verbose', '--import', 'tsx', script], { encoding: 'utf8', timeout: 180_000, stdio: ['ignore', fd, 'pipe'] });
    assert.equal(r.status, 0, r.stderr.slice(-500));
    out = readFileSync(file, 'utf8');
  } finally {
    closeSync(fd);
    rmSync(dir, { recursive: true, force: true });
  }
  const from = out.indexOf('@@third session');
  const to = out.indexOf('@@done');
  assert.ok(from >= 0 && to > from, 'the child ran all three sessions');
  // The trace is read as V8 prints it: the earlier sessions' first-time deoptimisations prove the format
  // still parses (else an empty third session would pass for the wrong reason).
  assert.ok(/deoptimize at <[^>]*\/src\//.test(out.slice(0, from)), 'no deoptimisation location found in the trace: has its format changed?');
  const lines = out.slice(from, to).split('\n');
  const bad: string[] = [];
  let reason = '';
  for (const l of lines) {
    const m = l.match(/reason: ([^)]*)\)/);
    if (m) reason = m[1];
    const at = l.match(/deoptimize at <[^>]*\/src\/(perception\/(?:acoustic-context|sounds\/alarm)\.ts:[0-9:]+)>/);
    // Code paths the third session is the first to take are V8 learning, not the state's shape.
    if (at && !reason.startsWith('Insufficient type feedback')) bad.push(`${at[1]} (${reason})`);
  }
  assert.deepEqual(bad, [], `deoptimised in the third session: ${bad.join('; ')}`);
});
