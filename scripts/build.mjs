#!/usr/bin/env node
// Builds the package: TypeScript sources → dist/ (.js + .d.ts) with tsc, plus the browser page's static
// files (served from dist/transport/web when installed). Runs on `npm pack`/`npm publish` (prepack).
import { cpSync, rmSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';

const root = new URL('..', import.meta.url).pathname;
rmSync(`${root}dist`, { recursive: true, force: true });
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
const r = spawnSync(process.execPath, [tsc, '-p', 'tsconfig.build.json'], { cwd: root, stdio: 'inherit' });
if (r.status !== 0) process.exit(r.status ?? 1);
cpSync(`${root}src/transport/web`, `${root}dist/transport/web`, { recursive: true });
