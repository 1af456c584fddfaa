// The source tree reads as the pipeline, and imports only run down it: a module may import from its own
// layer or an earlier one, never a later one (docs/ARCHITECTURE.md). Also: bench/ and scripts/ share
// helpers through src/testing (never test/), and only the CLI and server read the environment.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** The pipeline order. Top-level contract files (events.ts, error-codes.ts) sit with util at the bottom. */
const LAYERS: string[][] = [
  ['util', 'events.ts', 'error-codes.ts'],
  ['audio'],
  ['clients'],
  ['instructions'],
  ['perception'],
  ['decision'],
  ['response'],
  ['engine'], // the wiring layer: engines, session factory, registry, options
  ['soundflow'], // the framework: data builder, training, evaluation (drives engines)
  ['transport', 'index.ts'], // CLI, servers, browser page; the package's entry point re-exports from every layer
  ['testing'], // shared helpers for tests, benches and scripts
];

function files(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) files(p, out);
    else if (/\.(ts|mjs)$/.test(name)) out.push(p);
  }
  return out;
}

/** Relative import specifiers of a module: static imports/exports and dynamic import('...'). */
function imports(file: string): string[] {
  const src = readFileSync(file, 'utf8');
  const out: string[] = [];
  for (const m of src.matchAll(/(?:^|\s)(?:import|export)\s[^'"]*?from\s*'(\.[^']+)'|import\(\s*'(\.[^']+)'/gm)) out.push(m[1] ?? m[2]);
  return out;
}

function layerOf(file: string): number {
  const top = relative(join(ROOT, 'src'), file).split('/')[0];
  const i = LAYERS.findIndex((l) => l.includes(top));
  assert.ok(i >= 0, `${relative(ROOT, file)}: src/${top} has no place in the pipeline order (add it to LAYERS and docs/ARCHITECTURE.md)`);
  return i;
}

test('imports never run back up the pipeline', () => {
  const bad: string[] = [];
  for (const f of files(join(ROOT, 'src'))) {
    const from = layerOf(f);
    for (const spec of imports(f)) {
      const target = resolve(dirname(f), spec);
      const rel = relative(join(ROOT, 'src'), target);
      if (rel.startsWith('..')) {
        bad.push(`${relative(ROOT, f)} imports ${spec} (outside src/)`);
        continue;
      }
      const to = layerOf(target);
      if (to > from) bad.push(`${relative(ROOT, f)} (${LAYERS[from][0]}) imports ${relative(ROOT, target)} (${LAYERS[to][0]})`);
    }
  }
  assert.deepEqual(bad, []);
});

test('bench/ and scripts/ use src/testing, never test/', () => {
  const bad: string[] = [];
  for (const dir of ['bench', 'scripts']) {
    for (const f of files(join(ROOT, dir))) {
      for (const spec of imports(f)) if (relative(ROOT, resolve(dirname(f), spec)).startsWith('test/')) bad.push(`${relative(ROOT, f)} imports ${spec}`);
    }
  }
  assert.deepEqual(bad, []);
});

test('only the CLI and the server read the environment', () => {
  const readers = files(join(ROOT, 'src'))
    .filter((f) => !relative(ROOT, f).startsWith('src/transport/') && !relative(ROOT, f).startsWith('src/testing/'))
    // Passing the environment on to a child process is not reading configuration from it.
    .filter((f) => /process\.env\b(?!\s*,)/.test(readFileSync(f, 'utf8').replace(/\{\s*\.\.\.process\.env\b/g, '')));
  assert.deepEqual(readers.map((f) => relative(ROOT, f)), []);
});

test('the layer list is complete: every folder under src/ has a place', () => {
  for (const name of readdirSync(join(ROOT, 'src'))) {
    if (name === 'web') continue;
    assert.ok(LAYERS.some((l) => l.includes(name)), `src/${name} is missing from LAYERS`);
  }
});
