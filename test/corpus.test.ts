// The corpus builder: split rules, synthesised patterns, and a real Debian package converted end to end.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { assignSplits, splitCounts } from '../src/soundflow/corpus/split.ts';
import { smokeAlarm, doorKnocks } from '../src/soundflow/corpus/synth.ts';
import { makeRng } from '../src/util/rng.ts';
import { convertToWav, readWav } from '../src/soundflow/corpus/convert.ts';
import { buildCorpus } from '../src/soundflow/corpus/build.ts';
import { SoundFlowError } from '../src/util/errors.ts';
import { framePowerSpectrum } from '../src/perception/features.ts';

test('splits are by file, stable, and every group of 2+ files has a test file', () => {
  assert.deepEqual(splitCounts(1), { test: 0, val: 0 });
  assert.deepEqual(splitCounts(2), { test: 1, val: 0 });
  assert.deepEqual(splitCounts(10), { test: 2, val: 2 });
  const items = Array.from({ length: 30 }, (_, i) => ({ id: `pkg:/f${i}.wav`, cls: i % 3 === 0 ? 'a' : 'b', origin: 'recorded' }));
  const s1 = assignSplits(items);
  assert.equal(s1.size, 30);
  // A subset (only class a) gets exactly the same splits for its files.
  const s2 = assignSplits(items.filter((x) => x.cls === 'a'));
  for (const [id, split] of s2) assert.equal(s1.get(id), split);
  const a = [...s2.values()];
  assert.ok(a.includes('test') && a.includes('val') && a.includes('train'));
});

test('synthesised smoke alarm follows the T3 pattern at ~3 kHz', () => {
  const x = smokeAlarm(makeRng(5));
  // 10 ms energy envelope → on/off segments.
  const on: boolean[] = [];
  for (let i = 0; i + 160 <= x.length; i += 160) {
    let s = 0;
    for (let j = i; j < i + 160; j++) s += x[j] * x[j];
    on.push(s / 160 > 1e-3);
  }
  const runs: { on: boolean; len: number }[] = [];
  for (const v of on) {
    if (runs.length && runs[runs.length - 1].on === v) runs[runs.length - 1].len++;
    else runs.push({ on: v, len: 1 });
  }
  const beeps = runs.filter((r) => r.on);
  assert.ok(beeps.length === 3 || beeps.length === 6, `beeps: ${beeps.length}`);
  for (const b of beeps) assert.ok(b.len >= 43 && b.len <= 57, `beep length ${b.len * 10} ms`);
  // Frequency: the spectral peak of a frame inside the first beep.
  const start = on.indexOf(true) * 160 + 1600;
  const spec = framePowerSpectrum(x.slice(start, start + 400));
  let k = 0;
  for (let i = 1; i < spec.length; i++) if (spec[i] > spec[k]) k = i;
  const hz = (k * 16000) / 512;
  assert.ok(hz > 2700 && hz < 3600, `peak at ${hz} Hz`);
});

test('synthesised knocks are separate impulses', () => {
  const x = doorKnocks(makeRng(3));
  let peaks = 0;
  let last = -1e9;
  for (let i = 0; i < x.length; i++) {
    if (Math.abs(x[i]) > 0.25 && i - last > 1600) {
      peaks++;
      last = i;
    }
  }
  assert.ok(peaks >= 2 && peaks <= 5, `knocks: ${peaks}`);
});

test('an undecodable file is reported, not a crash', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sf-corpus-'));
  const bad = join(dir, 'bad.ogg');
  writeFileSync(bad, 'this is not audio at all');
  await assert.rejects(convertToWav(bad, join(dir, 'out.wav'), 10), (e: unknown) => e instanceof SoundFlowError && e.code === 'undecodable');
});

test('a real Debian package becomes 16 kHz WAVs with licence, package and split', async (t) => {
  let m;
  try {
    m = await buildCorpus({ classes: ['cough', 'sneeze'], noSynth: true });
  } catch (err) {
    if (err instanceof SoundFlowError && err.code === 'download_failed') return t.skip(`apt-get download impossible here: ${err.message}`);
    throw err;
  }
  const coughs = m.entries.filter((e) => e.cls === 'cough');
  assert.equal(coughs.length, 2);
  for (const e of m.entries) {
    assert.equal(e.package, 'scratch');
    assert.match(e.licence, /GPL/);
    const x = readWav(join('.cache/corpus', e.file));
    assert.ok(Math.abs(x.length / 16000 - e.seconds) < 0.01);
    assert.ok(x.length > 0.3 * 16000);
  }
  // Two recordings of a class: one trains, the other is held out.
  assert.deepEqual(coughs.map((e) => e.split).sort(), ['test', 'train']);
});
