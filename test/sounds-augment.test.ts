// The 'source' training recipe's pieces (drawing recordings by source package, log-mel masks) and the
// opt-in extended corpus sources: what they change, deterministically (seeded).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { pickClip, maskFeatures, type Clip } from '../src/soundflow/train/sounds-data.ts';
import { INPUT_FRAMES, N_MELS } from '../src/perception/sounds/model.ts';
import { EXTENDED_PACKAGE_SOURCES, PACKAGE_SOURCES, packageSources } from '../src/soundflow/corpus/sources.ts';
import { run as corpusCommand } from '../src/transport/cli/commands/corpus.ts';
import { SoundFlowError } from '../src/util/errors.ts';
import { makeRng } from '../src/util/rng.ts';

function clip(pkg: string, i: number): Clip {
  return {
    entry: { id: `${pkg}:${i}`, file: `${pkg}-${i}.wav`, cls: 'cough', package: pkg, source: '', licence: '', seconds: 1, split: 'train', origin: 'recorded' },
    x: new Float32Array(16),
    activeDb: -20,
  };
}

test('drawing by source package: a package with 1 file is drawn as often as one with 9', () => {
  const clips = [...Array.from({ length: 9 }, (_, i) => clip('big', i)), clip('small', 0)];
  const share = (bySource: boolean) => {
    const rng = makeRng(5);
    let small = 0;
    for (let i = 0; i < 4000; i++) if (pickClip(rng, clips, bySource).entry.package === 'small') small++;
    return small / 4000;
  };
  const byFile = share(false);
  const bySource = share(true);
  assert.ok(byFile > 0.07 && byFile < 0.13, `by file: ${byFile}`);
  assert.ok(bySource > 0.45 && bySource < 0.55, `by source: ${bySource}`);
});

test('log-mel masks: whole bands set to the window mean, the rest untouched', () => {
  const f = new Float32Array(INPUT_FRAMES * N_MELS);
  for (let t = 0; t < INPUT_FRAMES; t++) for (let m = 0; m < N_MELS; m++) f[t * N_MELS + m] = -10 + m * 0.1 + t * 0.01;
  const before = Float32Array.from(f);
  const mean = before.reduce((a, b) => a + b, 0) / before.length;
  maskFeatures(f, makeRng(3));
  let changed = 0;
  const maskedBins = new Set<number>();
  for (let m = 0; m < N_MELS; m++) {
    let all = true;
    for (let t = 0; t < INPUT_FRAMES; t++) {
      const v = f[t * N_MELS + m];
      if (v !== before[t * N_MELS + m]) {
        changed++;
        assert.ok(Math.abs(v - mean) < 1e-4, 'a masked value is the window mean');
      } else all = false;
    }
    if (all) maskedBins.add(m);
  }
  assert.ok(maskedBins.size >= 2 && maskedBins.size <= 16, `masked bands: ${maskedBins.size} bins`);
  assert.ok(changed < f.length / 3, 'most of the window is kept');
});

test('extended corpus sources: opt-in, new packages only', () => {
  assert.equal(packageSources('default'), PACKAGE_SOURCES);
  const base = new Set(PACKAGE_SOURCES.map((s) => s.pkg));
  for (const s of EXTENDED_PACKAGE_SOURCES) assert.ok(!base.has(s.pkg), `${s.pkg} is already a default source`);
  assert.equal(packageSources('extended').length, PACKAGE_SOURCES.length + EXTENDED_PACKAGE_SOURCES.length);
  // The extension adds a second source package of cough, thunder and thud_fall.
  const classes = new Set(EXTENDED_PACKAGE_SOURCES.flatMap((s) => s.rules.map((r) => r.cls)));
  for (const c of ['cough', 'thunder', 'thud_fall']) assert.ok(classes.has(c as never), c);
});

test('corpus build --sources with an unknown set: a clear error before anything is fetched', async () => {
  await assert.rejects(corpusCommand(['build', '--sources', 'everything', '--dir', '/nonexistent/never-created']), (e: unknown) => e instanceof SoundFlowError && e.code === 'invalid_argument' && /default or extended/.test(e.message));
});
