// The package as users get it: built (tsc → dist/), packed with `npm pack`, unpacked into a fresh
// project's node_modules, imported by name, and the README's embedding example run from there on real
// speech. The temporary project sits inside the checkout so that the package's dependencies resolve
// from the checkout's node_modules (node walks up parent directories) without any download.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { concat, silence, speech, writeWav } from '../src/testing/audio.ts';

const ROOT = new URL('..', import.meta.url).pathname;
let dir: string;
let project: string;
let files: string[];

function run(cmd: string, args: string[], cwd: string, timeout = 120_000): Promise<{ stdout: string; stderr: string }> {
  return new Promise((resolve, reject) =>
    execFile(cmd, args, { cwd, timeout, maxBuffer: 1 << 26 }, (err, stdout, stderr) => (err ? reject(new Error(`${cmd} ${args.join(' ')}: ${err.message}\n${stdout.slice(-4000)}\n${stderr}`)) : resolve({ stdout, stderr }))),
  );
}

before(async () => {
  mkdirSync(join(ROOT, '.scratch'), { recursive: true });
  dir = mkdtempSync(join(ROOT, '.scratch', 'pack-'));
  await run(process.execPath, ['scripts/build.mjs'], ROOT, 300_000);
  const { stdout } = await run('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', dir], ROOT);
  const info = JSON.parse(stdout)[0] as { filename: string; files: { path: string }[] };
  files = info.files.map((f) => f.path);
  project = join(dir, 'app');
  mkdirSync(join(project, 'node_modules', 'soundflow'), { recursive: true });
  writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'app', version: '1.0.0', type: 'module', dependencies: { soundflow: `file:../${info.filename}` } }));
  execFileSync('tar', ['xzf', join(dir, info.filename), '-C', join(project, 'node_modules', 'soundflow'), '--strip-components=1']);
});

after(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

test('npm pack ships the built library, the CLI and the models, and no tests, benches or sources', () => {
  for (const f of ['package.json', 'README.md', 'bin/soundflow.js', 'dist/index.js', 'dist/index.d.ts', 'dist/transport/web/index.html', 'models/sounds/weights.bin']) {
    assert.ok(files.includes(f), `${f} is in the tarball`);
  }
  const stray = files.filter((f) => /^(test|bench|src|scripts\/(?!debian-packages)|docs|data|\.)/.test(f) || f.endsWith('.test.js'));
  assert.deepEqual(stray, []);
});

test("import('soundflow') from a project that installed the tarball lists the API", async () => {
  const { stdout } = await run(process.execPath, ['-e', "import('soundflow').then(m => console.log(JSON.stringify(Object.keys(m))))"], project);
  const keys = JSON.parse(stdout) as string[];
  for (const k of ['createEngine', 'startServer', 'decodeFile', 'SoundFlowError', 'EMOTIONS', 'resolveOptions']) assert.ok(keys.includes(k), `${k} exported`);
  const types = readFileSync(join(project, 'node_modules/soundflow/dist/index.d.ts'), 'utf8');
  assert.match(types, /createEngine/);
  assert.match(readFileSync(join(project, 'node_modules/soundflow/dist/engine/types.d.ts'), 'utf8'), /push\(pcm: Float32Array \| Int16Array\): Promise<void>/);
  // The installed CLI runs from dist (no TypeScript sources in the package).
  const version = await run(process.execPath, ['node_modules/soundflow/bin/soundflow.js', '--version'], project);
  assert.equal(version.stdout.trim(), JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).version);
});

test("the README's embedding example runs as written against the installed package", async () => {
  const example = readFileSync(join(ROOT, 'examples/embed.mjs'), 'utf8');
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const body = example.split('\n').filter((l) => !l.startsWith('//')).join('\n').trim();
  assert.ok(readme.includes(body), 'README shows examples/embed.mjs verbatim (minus its header comment)');
  writeFileSync(join(project, 'embed.mjs'), example);
  const wav = writeWav(concat(silence(0.5), speech('how are you'), silence(2)), join(project, 'talk.wav'));
  const { stdout } = await run(process.execPath, ['embed.mjs', wav], project);
  assert.match(stdout, /heard at \d+\.\d s: how are you/);
  assert.match(stdout, /replied: .+/);
});

test('the API reference in docs/api is generated from the current types', async () => {
  await run(process.execPath, ['scripts/api-docs.mjs', '--check'], ROOT);
});
