// Leave-one-package-out folds over the committed corpus manifest: every package is held out exactly
// once, and no fold takes away every source of a class that is scored (≥ 2 packages).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readManifest } from '../src/soundflow/corpus/manifest.ts';
import { assignFolds, packagesByClass } from '../src/soundflow/train/sounds-lopo.ts';

const manifest = readManifest('models/sounds/manifest.json');

test('package folds: each package held out once, every scored class keeps a training package in every fold', () => {
  const byClass = packagesByClass(manifest.entries);
  const packages = new Set(manifest.entries.map((e) => e.package));
  for (const k of [3, 4]) {
    const folds = assignFolds(manifest.entries, k);
    assert.equal(folds.length, k);
    const all = folds.flat();
    assert.equal(all.length, packages.size, `k=${k}: a package is in two folds or none`);
    assert.deepEqual(new Set(all), packages);
    for (const [cls, pk] of byClass) {
      if (pk.size < 2) continue;
      for (const [i, f] of folds.entries()) assert.ok([...pk].some((p) => !f.includes(p)), `k=${k} fold ${i}: all of ${cls}'s packages held out`);
    }
    assert.deepEqual(assignFolds(manifest.entries, k), folds, 'deterministic');
  }
});

test('one fold cannot hold out anything and keep the classes trainable: a clear error', () => {
  assert.throws(() => assignFolds(manifest.entries, 1), /no assignment of packages to 1 folds/);
});
