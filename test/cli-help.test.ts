// Every command and subcommand answers --help with exit 0 and its full option list; the top-level help
// lists every command; --version prints the package version.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { RUN_OPTIONS } from '../src/transport/cli/commands/run.ts';

const ROOT = new URL('..', import.meta.url).pathname;

function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) =>
    execFile(process.execPath, ['bin/soundflow.js', ...args], { cwd: ROOT, timeout: 60_000 }, (err, stdout, stderr) =>
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    ),
  );
}

/** Flags each help must list (the ones users are told about in README/docs). */
const EXPECTED: Record<string, string[]> = {
  run: Object.keys(RUN_OPTIONS),
  demo: Object.keys(RUN_OPTIONS),
  serve: ['port', 'host', 'token', 'tls', 'dev-tls', 'tls-dir', 'cert', 'key', 'engine', 'engine-url', 'llm-url', 'llm-model', 'asr-url', 'asr-model', 'max-sessions', 'idle-timeout', 'max-duration', 'quiet'],
  'corpus build': ['dir', 'classes', 'no-synth', 'sources', 'manifest-out'],
  'corpus list': ['dir'],
  'train sounds': ['corpus', 'out', 'epochs', 'seed'],
  'train decision': ['data', 'out'],
  'data scenes': ['out', 'n', 'seed'],
  'data build': ['input', 'noise', 'out', 'seed'],
  'data eval-set': ['name', 'out'],
  eval: ['data', 'policy', 'json'],
};

test('--help on every command and subcommand: exit 0, usage and every option', async () => {
  const runs = await Promise.all(Object.keys(EXPECTED).map(async (cmd) => [cmd, await cli([...cmd.split(' '), '--help'])] as const));
  for (const [cmd, r] of runs) {
    assert.equal(r.code, 0, `${cmd} --help: exit ${r.code}\n${r.stderr}`);
    assert.match(r.stdout, /^usage:/, cmd);
    assert.match(r.stdout, /\noptions:\n/, cmd);
    for (const flag of EXPECTED[cmd]) assert.match(r.stdout, new RegExp(`--${flag}\\b`), `${cmd} --help lists --${flag}`);
  }
  // -h and `soundflow help <command>` are the same thing.
  assert.equal((await cli(['serve', '-h'])).stdout, runs.find(([c]) => c === 'serve')![1].stdout);
  assert.equal((await cli(['help', 'run'])).stdout, runs.find(([c]) => c === 'run')![1].stdout);
});

test('top-level help lists every command and subcommand; --version', async () => {
  const r = await cli(['--help']);
  assert.equal(r.code, 0);
  for (const cmd of Object.keys(EXPECTED)) assert.match(r.stdout, new RegExp(`\\n  ${cmd}\\b`), `top-level help lists ${cmd}`);
  const v = await cli(['--version']);
  assert.equal(v.code, 0);
  assert.equal(v.stdout.trim(), JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')).version);
  const bad = await cli(['serve', '--no-such-flag']);
  assert.notEqual(bad.code, 0);
  assert.match(bad.stderr, /no-such-flag/);
});

test('serve --engine aim-served takes --engine-url (and says what it needs without one)', async () => {
  const { startFakeAim } = await import('./helpers/fake-servers.ts');
  const { spawn } = await import('node:child_process');
  const missing = await cli(['serve', '--engine', 'aim-served', '--port', '0', '--quiet']);
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /--engine-url or SOUNDFLOW_AIM_URL/);
  const aim = await startFakeAim();
  const p = spawn(process.execPath, ['bin/soundflow.js', 'serve', '--engine', 'aim-served', '--engine-url', aim.url, '--port', '0', '--quiet'], { cwd: ROOT });
  try {
    const url = await new Promise<string>((resolve, reject) => {
      let out = '';
      p.stdout.on('data', (d) => {
        out += d;
        const m = /listening (\S+)/.exec(out);
        if (m) resolve(m[1]);
      });
      p.once('exit', (code) => reject(new Error(`serve exited ${code}`)));
    });
    const health = (await (await fetch(`${url}/healthz`)).json()) as { engine: string };
    assert.equal(health.engine, 'aim-served');
  } finally {
    p.kill('SIGTERM');
    await aim.close();
  }
});
