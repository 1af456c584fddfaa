// The StreamAudio builder on real audio: espeak-ng turns, sox noise. Alignment, determinism, resume,
// bad input.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, unlinkSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { noise, speech, tone, writeWav } from '../src/testing/audio.ts';
import { build } from '../src/soundflow/data/build.ts';
import { readWavFile } from '../src/audio/wav.ts';
import type { StreamPlan, StreamRow } from '../src/soundflow/data/layout.ts';
import { logMelOfSignal } from '../src/perception/features.ts';
import { SoundFlowError } from '../src/util/errors.ts';

const CHUNK = 6400;
let dir: string;
let input: string;
let noiseDir: string;
let qLen: number;
let chatLen: number;

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'sf-builder-'));
  mkdirSync(join(dir, 'clips'));
  noiseDir = join(dir, 'noise');
  mkdirSync(noiseDir);
  writeWav(noise(6, { color: 'pink', amplitude: 0.02 }), join(noiseDir, 'pink.wav'));
  writeWav(noise(5, { color: 'brown', amplitude: 0.02 }), join(noiseDir, 'brown.wav'));
  const q = speech('what is seven times eight', { voice: 'en-us' });
  const chat = speech('did you see the game last night', { voice: 'en+f3' });
  qLen = q.length;
  chatLen = chat.length;
  writeWav(q, join(dir, 'clips', 'q.wav'));
  writeWav(chat, join(dir, 'clips', 'chat.wav'));
  writeWav(tone(3000, 1.5), join(dir, 'clips', 'alarm.wav'));
  writeFileSync(join(dir, 'clips', 'corrupt.wav'), Buffer.from('RIFF....WAVEfmt garbage that is not audio'));
  input = join(dir, 'in.jsonl');
  writeFileSync(
    input,
    [
      { conversation: [{ audio_path: 'clips/q.wav', assistant: '56', emotion: 'normal' }, { audio_path: 'clips/chat.wav', assistant: '<no need to response>', emotion: 'normal' }] },
      { merge_path: 'clips/alarm.wav', assistant: 'An alarm is going off!', emotion: 'urgent' },
      { id: 'sa2m/7', stream_scene_type: 'asr', num_turns: 2, turns: [
        { user: 'what is seven times eight', assistant: 'what is seven times eight', emotion: 'normal', scene_type: 'asr', audio_path: 'clips/q.wav' },
        { user: '', assistant: '<no need to response>', emotion: 'normal', scene_type: 'asr', audio_path: 'clips/chat.wav' },
      ] },
      { merge_path: 'clips/corrupt.wav', assistant: 'x', emotion: 'happy' },
      { merge_path: 'clips/missing.wav', assistant: 'x', emotion: 'happy' },
    ].map((r) => JSON.stringify(r)).join('\n') + '\n{not json\n',
  );
});

const rows = (out: string): StreamRow[] => readFileSync(join(out, 'streams.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
const plan = (out: string, id: string): StreamPlan => JSON.parse(readFileSync(join(out, 'plan', `${id}.json`), 'utf8'));

test('labels fall on the chunk where each turn ends; audio is spliced exactly as planned', async () => {
  const out = join(dir, 'a');
  const s = await build({ input, noise: noiseDir, out, seed: 11, jobs: 0, log: null });
  assert.equal(s.input, 6);
  assert.equal(s.built, 3);
  const rs = rows(out);
  assert.deepEqual(rs.map((r) => r.id), ['seq-000001', 'seq-000002', 'sa2m_7']);

  const r = rs[0];
  const p = plan(out, r.id);
  const lead0 = p.turns[0].lead.samples;
  const lead1 = p.turns[1].lead.samples;
  // Leads are whole 40 ms frames in 0.8..2.4 s; the stream ends on a chunk boundary.
  for (const l of [lead0, lead1]) assert.ok(l % 640 === 0 && l >= 12800 && l <= 38400, `lead ${l}`);
  assert.equal(p.turns[0].samples, qLen);
  assert.equal(p.turns[1].samples, chatLen);
  assert.equal(p.totalSamples % CHUNK, 0);
  assert.ok(p.tail.samples >= 12800, 'tail keeps at least the nominal 0.8 s');
  assert.equal(p.totalSamples, lead0 + qLen + lead1 + chatLen + p.tail.samples);
  assert.equal(r.numChunks, p.totalSamples / CHUNK);
  assert.equal(r.chunks.length, r.numChunks);

  const qEnd = lead0 + qLen;
  const respond = r.chunks.filter((c) => c.label === 'respond');
  assert.deepEqual(respond, [{ index: Math.floor((qEnd - 1) / CHUNK), label: 'respond', text: '56', emotion: 'normal' }]);
  // The no-response turn and everything while the question is still being asked stay silent.
  assert.equal(r.turns[1].respond, false);
  assert.ok(r.chunks.slice(0, respond[0].index).every((c) => c.label === 'silent'));
  assert.equal(r.turns[0].startChunk, Math.floor(lead0 / CHUNK));

  // The WAV holds noise slice -> question -> noise slice -> chat -> tail, sample for sample (16-bit).
  const wav = readWavFile(join(out, r.audio)).samples;
  const q = readWavFile(join(dir, 'clips', 'q.wav')).samples;
  assert.equal(wav.length, p.totalSamples);
  const near = (a: Float32Array, b: Float32Array) => a.every((v, i) => Math.abs(v - b[i]) < 2 / 32768);
  assert.ok(near(wav.subarray(lead0, qEnd), q), 'question audio spliced at its planned offset');
  const pinkOrBrown = readWavFile(p.turns[0].lead.file!).samples;
  assert.ok(near(wav.subarray(0, lead0), pinkOrBrown.subarray(p.turns[0].lead.offset, p.turns[0].lead.offset + lead0)), 'lead noise is the planned slice');

  // StreamAudio-2M rows: scene type gives the task; the single-turn row keeps its emotion.
  assert.equal(rs[2].chunks.find((c) => c.label === 'respond')!.task, 'transcribe');
  assert.equal(rs[1].chunks.find((c) => c.label === 'respond')!.emotion, 'urgent');
});

test('bad lines are skipped with a reason and the run goes on', async () => {
  const out = join(dir, 'a');
  const s = JSON.parse(readFileSync(join(out, 'build-summary.json'), 'utf8'));
  const byLine = Object.fromEntries(s.skipped.map((x: { line: number; reason: string }) => [x.line, x.reason]));
  assert.match(byLine[4], /cannot decode .*corrupt\.wav/);
  assert.match(byLine[5], /not found: .*missing\.wav/);
  assert.match(byLine[6], /invalid JSON/);
  assert.equal(s.skipped.length, 3);
});

test('same seed gives the same bytes (in-thread or over worker threads); another seed differs', async () => {
  const a = join(dir, 'a');
  const b = join(dir, 'b');
  await build({ input, noise: noiseDir, out: b, seed: 11, jobs: 2, log: null });
  assert.equal(readFileSync(join(b, 'streams.jsonl'), 'utf8'), readFileSync(join(a, 'streams.jsonl'), 'utf8'));
  for (const r of rows(a)) assert.ok(readFileSync(join(a, r.audio)).equals(readFileSync(join(b, r.audio))), `${r.id} WAV differs`);
  const c = join(dir, 'c');
  await build({ input, noise: noiseDir, out: c, seed: 12, jobs: 0, log: null, limit: 1 });
  assert.notDeepEqual(plan(c, 'seq-000001').turns.map((t) => t.lead), plan(a, 'seq-000001').turns.map((t) => t.lead));
  assert.equal(rows(c).length, 1, '--limit 1 builds one sequence');
});

test('resume: deleting one output rebuilds only that step of that stream', async () => {
  const out = join(dir, 'b');
  const before = readFileSync(join(out, 'streams.jsonl'), 'utf8');
  const mtimes = (id: string) => ['plan', 'labels'].map((d) => statSync(join(out, d, `${id}.${d === 'audio' ? 'wav' : 'json'}`)).mtimeMs);
  const keep = mtimes('seq-000002');
  unlinkSync(join(out, 'audio', 'seq-000001.wav'));
  // A half-written file (interrupted run) is not taken as complete either.
  const wav3 = join(out, 'audio', 'sa2m_7.wav');
  writeFileSync(wav3, readFileSync(wav3).subarray(0, 1000));
  const s = await build({ input, noise: noiseDir, out, seed: 11, jobs: 0, log: null });
  const steps = Object.fromEntries(s.streams.filter((r) => r.status !== 'failed').map((r) => [r.id, r.steps]));
  assert.deepEqual(steps, { 'seq-000001': ['audio'], 'seq-000002': [], 'sa2m_7': ['audio'] });
  assert.equal(s.cached, 1);
  assert.deepEqual(mtimes('seq-000002'), keep);
  assert.equal(readFileSync(join(out, 'streams.jsonl'), 'utf8'), before);
  assert.ok(readFileSync(join(out, 'audio', 'sa2m_7.wav')).equals(readFileSync(join(dir, 'a', 'audio', 'sa2m_7.wav'))));
  // A different seed into the same dir is refused rather than silently mixing plans.
  const s2 = await build({ input, noise: noiseDir, out, seed: 99, jobs: 0, log: null, limit: 1 });
  assert.match(s2.skipped[0].reason, /seed 11/);
});

test('--features writes log-mel per chunk equal to logMelOfSignal of the stored stream', async () => {
  const out = join(dir, 'f');
  await build({ input, noise: noiseDir, out, seed: 3, jobs: 0, log: null, limit: 2, features: true });
  const r = rows(out)[1];
  assert.deepEqual(r.featureShape, [r.numChunks, 40, 64]);
  const buf = readFileSync(join(out, r.features!));
  assert.equal(buf.length, r.numChunks * 40 * 64 * 4);
  const f = new Float32Array(buf.buffer, buf.byteOffset, buf.length / 4);
  const ref = logMelOfSignal(readWavFile(join(out, r.audio)).samples).data;
  assert.deepEqual(Array.from(f.subarray(0, 640)), Array.from(ref.subarray(0, 640)));
  // The alarm (a 3 kHz tone) stands out in its mel band against the noise lead.
  // Loudest mel band (time-averaged) in the chunk before the reply vs in the first (noise-only) chunk.
  const inAlarm = r.chunks.findIndex((c) => c.label === 'respond') - 1;
  const peak = (k: number) => Math.max(...Array.from({ length: 64 }, (_, m) => { let s = 0; for (let fr = 0; fr < 40; fr++) s += f[k * 2560 + fr * 64 + m]; return s / 40; }));
  assert.ok(peak(inAlarm) > peak(0) + 5, `alarm chunk ${peak(inAlarm)} vs noise chunk ${peak(0)}`);
});

test('a noise library too short for a slice is a clear error; a missing one too', async () => {
  const short = join(dir, 'shortnoise');
  mkdirSync(short);
  writeWav(noise(1, { amplitude: 0.02 }), join(short, 'n.wav'));
  await assert.rejects(build({ input, noise: short, out: join(dir, 's'), jobs: 0, log: null }), (e: unknown) => e instanceof SoundFlowError && e.code === 'noise_too_short' && /longest file is 1\.00 s/.test(e.message));
  await assert.rejects(build({ input, noise: join(dir, 'nope'), out: join(dir, 's'), jobs: 0, log: null }), (e: unknown) => e instanceof SoundFlowError && e.code === 'noise_missing');
  assert.ok(!existsSync(join(dir, 's', 'streams.jsonl')));
});

test('cleanup', () => rmSync(dir, { recursive: true, force: true }));
