// The evaluation harness on a tiny set rendered from synthetic scenes (TTS speech, synthetic sounds)
// and built by the builder: the analytic baselines get exactly the scores the labels imply.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateScenes } from '../src/soundflow/data/scenes.ts';
import { renderScenes } from '../src/soundflow/data/render.ts';
import { build } from '../src/soundflow/data/build.ts';
import type { StreamRow } from '../src/soundflow/data/layout.ts';
import { evaluate, toJson } from '../src/soundflow/eval/evaluate.ts';
import { SoundFlowError } from '../src/util/errors.ts';
import { readWav } from '../src/soundflow/corpus/convert.ts';
import { logMelOfSignal } from '../src/perception/features.ts';
import { EventSegmenter } from '../src/perception/sounds/segmenter.ts';
import { makeRng } from '../src/util/rng.ts';

let dir: string;
let built: string;
let rows: StreamRow[];

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'sf-eval-'));
  // 11 specs cycle through every scene type once; keep qa (with a pause), proactive, ambient, count, translate.
  const specs = generateScenes({ n: 11, seed: 4, split: 'test' });
  const pick = ['qa', 'proactive', 'ambient', 'count', 'translate'].map((t) => specs.find((s) => s.type === t)!);
  const r = await renderScenes(pick, join(dir, 'scenes'), { kind: 'synth' });
  built = join(dir, 'built');
  await build({ input: r.input, noise: r.noiseDir, out: built, seed: 1, jobs: 0, log: null });
  rows = readFileSync(join(built, 'streams.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
});

test('the rendered scenes carry the labels their templates promise', () => {
  assert.equal(rows.length, 5);
  const byType: Record<string, StreamRow> = Object.fromEntries(rows.map((r) => [r.id.split('-').pop()!, r]));
  assert.equal(byType.ambient.chunks.filter((c) => c.label === 'respond').length, 0, 'ambient-only stream needs no reply');
  const count = byType.count.chunks.filter((c) => c.task === 'count').map((c) => c.text);
  assert.deepEqual(count, count.map((_, i) => String(i + 1)), 'running count 1, 2, ...');
  assert.equal(byType.translate.chunks.filter((c) => c.task === 'translate').length, 2);
  for (const r of rows) assert.equal(r.chunks.length * 6400, Math.round(r.duration * 16000));
});

test('a count turn is one event of its class, and its clip ends where that event ends', () => {
  const input = readFileSync(join(dir, 'scenes', 'input.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
  const count = input.find((r) => r.stream_scene_type === 'count');
  const clips = count.turns.filter((t: { task?: string }) => t.task === 'count').map((t: { audio_path: string }) => readWav(join(dir, 'scenes', t.audio_path)));
  assert.ok(clips.length >= 2);
  for (const [k, clip] of clips.entries()) {
    // 0.6 s of a quiet bed first: the segmenter needs a background before its first onset.
    const rng = makeRng(k + 1);
    const x = new Float32Array(9600 + clip.length + 3200);
    for (let i = 0; i < x.length; i++) x[i] = (rng() - 0.5) * 2e-3;
    for (let i = 0; i < clip.length; i++) x[9600 + i] += clip[i];
    const events = new EventSegmenter().process(logMelOfSignal(x).data);
    assert.equal(events.length, 1, `count turn ${k + 1}: ${events.length} events (${events.map((e) => `${e.onset}-${e.offset}`).join(', ')})`);
    // The label sits at the clip's last sample: no more than 0.15 s after the event's end.
    assert.ok(0.6 + clip.length / 16000 - events[0].offset < 0.15, `clip ends ${(0.6 + clip.length / 16000 - events[0].offset).toFixed(2)} s after its event`);
  }
});

test('never and always get exactly the scores the labels imply', async () => {
  const res = await evaluate({ data: built, policies: ['never', 'always'] });
  const L = rows.reduce((n, r) => n + r.chunks.filter((c) => c.label === 'respond').length, 0);
  const N = rows.reduce((n, r) => n + r.chunks.length, 0);
  const hours = (N * 0.4) / 3600;
  const never = res.results.never.summary;
  assert.equal(never.tp, 0);
  assert.equal(never.fn, L);
  assert.deepEqual([never.precision, never.recall, never.f1, never.balancedAccuracy, never.falseRepliesPerHour], [0, 0, 0, 0.5, 0]);
  assert.equal(never.meanDelayChunks, null);
  assert.equal(never.countExactMatch, 0);
  assert.equal(never.bleu, 0);
  const always = res.results.always.summary;
  assert.equal(always.tp, L);
  assert.equal(always.fp, N - L);
  assert.equal(always.recall, 1);
  assert.equal(always.precision, Math.round((L / N) * 1e4) / 1e4);
  assert.equal(always.f1, Math.round(((2 * (L / N)) / (L / N + 1)) * 1e4) / 1e4);
  assert.equal(always.balancedAccuracy, 0.5);
  assert.equal(always.meanDelayChunks, 0);
  assert.equal(always.falseRepliesPerHour, Math.round(((N - L) / hours) * 100) / 100);
  assert.equal(always.ambientFalseRepliesPerHour, 9000, 'a reply every 0.4 s = 9000 per hour');
  const pauses = rows.flatMap((r) => r.turns.flatMap((t) => t.pauses ?? [])).length;
  assert.equal(always.turnOverRate, pauses ? 1 : null);
  assert.equal(never.turnOverRate, pauses ? 0 : null);
  // The JSON contract: top-level numbers for the first policy, the others side by side.
  const j = toJson(res) as Record<string, any>;
  assert.equal(j.policy, 'never');
  for (const k of ['f1', 'precision', 'recall', 'balancedAccuracy', 'meanDelayChunks', 'falseRepliesPerHour']) assert.ok(k in j, k);
  assert.equal(j.comparison.always.recall, 1);
  assert.equal(j.streams.length, 5);
});

test('CLI: --json prints one JSON object; --report writes report.md and SVG plots', () => {
  const report = join(dir, 'report');
  const out = execFileSync(process.execPath, ['bin/soundflow.js', 'eval', '--data', built, '--policy', 'always,never', '--json', '--quiet', '--report', report], { encoding: 'utf8' });
  const j = JSON.parse(out);
  assert.equal(j.policy, 'always');
  assert.equal(j.recall, 1);
  assert.equal(j.comparison.never.f1, 0);
  assert.match(readFileSync(join(report, 'report.md'), 'utf8'), /\| F1 \(respond chunk\) \| [0-9.]+ \| 0 \|/);
  assert.match(readFileSync(join(report, 'metrics.svg'), 'utf8'), /^<svg/);
  assert.ok(existsSync(join(report, 'timeline.svg')));
});

test('mismatched label and audio lengths are a clear error naming the stream', async () => {
  const bad = join(dir, 'bad');
  cpSync(built, bad, { recursive: true });
  const jsonl = join(bad, 'streams.jsonl');
  const lines = readFileSync(jsonl, 'utf8').trim().split('\n');
  const r = JSON.parse(lines[1]);
  r.chunks.push({ index: r.chunks.length, label: 'silent' });
  lines[1] = JSON.stringify(r);
  writeFileSync(jsonl, lines.join('\n') + '\n');
  await assert.rejects(evaluate({ data: bad, policies: ['never'] }), (e: unknown) => e instanceof SoundFlowError && e.code === 'eval_label_mismatch' && e.message.includes(`stream "${r.id}"`) && /labels have/.test(e.message));
  const cli = spawnSync(process.execPath, ['bin/soundflow.js', 'eval', '--data', bad, '--policy', 'never', '--json'], { encoding: 'utf8' });
  assert.equal(cli.status, 1);
  assert.match(cli.stderr, new RegExp(`stream "${r.id}"`));
});

test('server_vad runs a real embedded session: a decision per chunk, replies to the spoken questions', async () => {
  // Stream 0 is the qa scene: two questions (server_vad replies to every utterance end).
  const res = await evaluate({ data: built, policies: ['server_vad'], limit: 1 });
  const sum = res.results.server_vad.summary;
  const st = res.results.server_vad.streams[0];
  assert.equal(st.id, rows[0].id);
  assert.equal(sum.tp + sum.fn, st.labelled.length);
  assert.ok(sum.rtf !== null && sum.rtf > 0 && sum.rtf < 5, `rtf ${sum.rtf}`);
  assert.ok(sum.chunkLatencyMsP50 !== null && sum.chunkLatencyMsP50 >= 0);
  assert.ok(st.predicted.length >= 2, `server_vad replied at ${st.predicted}`);
  // Every reply starts at a chunk whose decision was respond, and never before the first question ends.
  for (const r of st.replies) assert.ok(st.predicted.includes(r.chunk), `reply at ${r.chunk} not in ${st.predicted}`);
  assert.ok(st.replies.some((r) => r.text.length > 0));
  assert.ok(Math.min(...st.predicted) >= rows[0].turns[0].endChunk, 'no reply before the first utterance ends');
});

test('cleanup', () => rmSync(dir, { recursive: true, force: true }));
