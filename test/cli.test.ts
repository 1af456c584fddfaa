// The CLI contract: `soundflow run FILE --json` prints the event union as JSON lines, one `chunk` event
// per 0.4 s of input (the padded last chunk included), and exits 0; bad input exits non-zero with a
// clear message and never hangs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync, execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { concat, silence, speech, writeWav, floatToPcm16 } from '../src/testing/audio.ts';

const BIN = new URL('../bin/soundflow.js', import.meta.url).pathname;

function cli(args: string[], input?: Buffer) {
  const r = spawnSync(process.execPath, [BIN, ...args], { input, timeout: 120_000, maxBuffer: 1 << 28 });
  return { code: r.status, stdout: r.stdout.toString(), stderr: r.stderr.toString(), timedOut: r.error !== undefined };
}

function events(stdout: string): any[] {
  return stdout.trim().split('\n').filter(Boolean).map((l) => JSON.parse(l));
}

test('run --json: one chunk event per 0.4 s including the padded last chunk, a reply, exit 0', () => {
  const audio = concat(silence(0.7), speech('What is your name?'), silence(2.1));
  const file = writeWav(audio);
  const r = cli(['run', file, '--json']);
  assert.equal(r.code, 0, r.stderr);
  const evs = events(r.stdout);
  const chunks = evs.filter((e) => e.type === 'chunk');
  assert.equal(chunks.length, Math.ceil(audio.length / 6400));
  chunks.forEach((c, i) => {
    assert.equal(c.index, i);
    assert.ok(Math.abs(c.t - (i + 1) * 0.4) < 1e-6);
    assert.ok(c.decision === 'silent' || c.decision === 'respond');
    assert.equal(typeof c.reason, 'string');
  });
  assert.ok(evs.some((e) => e.type === 'response.end' && /soundflow/i.test(e.text)));
  assert.ok(!evs.some((e) => e.type === 'response.audio'), 'no audio unless speech is asked for');
});

test('run: stereo 44.1 kHz mp3 is decoded, downmixed and resampled; --instruction is applied', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sf-cli-'));
  const wav = writeWav(concat(speech('Hello there, this is a test of a stereo file.'), silence(1)));
  const mp3 = join(dir, 'stereo.mp3');
  execFileSync('ffmpeg', ['-v', 'error', '-i', wav, '-ac', '2', '-ar', '44100', mp3]);
  const r = cli(['run', mp3, '--json', '--instruction', 'transcribe this']);
  assert.equal(r.code, 0, r.stderr);
  const evs = events(r.stdout);
  assert.ok(evs.some((e) => e.type === 'task.started' && e.task === 'transcribe'));
  assert.ok(evs.some((e) => e.type === 'response.start' && e.task === 'transcribe'), 'the transcription task responds');
  assert.ok(evs.filter((e) => e.type === 'chunk').length >= 6);
});

test('run: raw PCM16 on stdin with "-"', () => {
  const pcm = floatToPcm16(concat(speech('testing one two three'), silence(0.5)));
  const r = cli(['run', '-', '--json'], Buffer.from(pcm.buffer));
  assert.equal(r.code, 0, r.stderr);
  assert.equal(events(r.stdout).filter((e) => e.type === 'chunk').length, Math.ceil(pcm.length / 6400));
});

test('run: corrupt, empty and missing files fail clearly with a non-zero exit', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sf-cli-'));
  const corrupt = join(dir, 'corrupt.wav');
  writeFileSync(corrupt, Buffer.concat([Buffer.from('RIFF\x00\x00\x00\x00WAVEjunk'), Buffer.alloc(3000, 0x7f)]));
  const empty = join(dir, 'empty.wav');
  writeFileSync(empty, Buffer.alloc(0));
  for (const [file, pattern] of [
    [corrupt, /bad_audio|empty_audio|invalid|corrupt/i],
    [empty, /empty|bad_audio/i],
    [join(dir, 'nope.wav'), /not found|not_found/i],
  ] as const) {
    const r = cli(['run', file, '--json']);
    assert.notEqual(r.code, 0, `${file} should fail`);
    assert.equal(r.timedOut, false);
    assert.match(r.stderr, pattern);
  }
  const bad = cli(['run']);
  assert.notEqual(bad.code, 0);
  assert.match(bad.stderr, /usage/);
});
