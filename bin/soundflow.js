#!/usr/bin/env node
// In a clone, runs the TypeScript sources directly through tsx (no build step between a clone and a
// working CLI); an installed package has no sources and runs the built dist/ instead.
import { existsSync } from 'node:fs';

const src = new URL('../src/transport/cli/main.ts', import.meta.url);
let main;
if (existsSync(src)) {
  const { register } = await import('tsx/esm/api');
  register();
  ({ main } = await import(src.href));
} else {
  ({ main } = await import('../dist/transport/cli/main.js'));
}
process.exitCode = await main(process.argv.slice(2));
