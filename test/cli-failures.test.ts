// `soundflow run --json` when things go wrong: stdout stays a complete event stream (an `error` event,
// then `session.ended`), and input problems that do not stop the run are reported, not swallowed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { concat, floatToPcm16, silence, speech } from '../src/testing/audio.ts';

const BIN = new URL('../bin/soundflow.js', import.meta.url).pathname;

function run(args: string[], input?: Buffer) {
  const r = spawnSync(process.execPath, [BIN, 'run', ...args, '--json'], { input, timeout: 120_000, maxBuffer: 1 << 28 });
  const events = r.stdout.toString().trim().split('\n').filter(Boolean).map((l) => JSON.parse(l));
  return { code: r.status, events, stderr: r.stderr.toString() };
}

test('run --json: a missing or corrupt file still ends stdout with an error event and session.ended', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sf-clifail-'));
  const corrupt = join(dir, 'corrupt.wav');
  writeFileSync(corrupt, Buffer.concat([Buffer.from('RIFF\x00\x00\x00\x00WAVEjunk'), Buffer.alloc(3000, 0x7f)]));
  for (const [file, code] of [[join(dir, 'nope.wav'), 'not_found'], [corrupt, /invalid_audio|empty_audio/]] as const) {
    const r = run([file]);
    assert.notEqual(r.code, 0);
    const types = r.events.map((e) => e.type);
    assert.deepEqual(types.slice(-2), ['error', 'session.ended'], `${file}: ${types.join(',')}`);
    const err = r.events.at(-2);
    assert.equal(err.recoverable, false);
    if (typeof code === 'string') assert.equal(err.code, code);
    else assert.match(err.code, code);
    assert.equal(r.events.filter((e) => e.type === 'session.ended').length, 1);
  }
});

test('run --json: an odd byte count on stdin is reported as a recoverable error; the run goes on', () => {
  const pcm = floatToPcm16(concat(speech('testing one two three'), silence(0.5)));
  const bytes = Buffer.concat([Buffer.from(pcm.buffer), Buffer.from([0x42])]);
  const r = run(['-'], bytes);
  assert.equal(r.code, 0, r.stderr);
  const odd = r.events.filter((e) => e.type === 'error');
  assert.equal(odd.length, 1, JSON.stringify(odd));
  assert.equal(odd[0].code, 'odd_byte_count');
  assert.equal(odd[0].recoverable, true);
  assert.match(r.stderr, /odd_byte_count/);
  assert.equal(r.events.filter((e) => e.type === 'chunk').length, Math.ceil(pcm.length / 6400));
  assert.equal(r.events.at(-1).type, 'session.ended');
});
