// `npm run bench [-- NAME ...]`: runs each benchmark script in its own process (so peak memory is
// per benchmark), in order. Each prints a table and writes bench/results/NAME.json.
import { existsSync } from 'node:fs';
import { spawnSync } from 'node:child_process';

const ALL = ['loop', 'sounds', 'alarms', 'counting', 'sound-path', 'music', 'instructions', 'server', 'server-hostile', 'server-churn', 'eval'];
// Arguments starting with -- are passed to every benchmark run (e.g. `npm run bench -- voice --tuning`).
const flags = process.argv.slice(2).filter((a) => a.startsWith('--'));
const names = process.argv.slice(2).filter((a) => !a.startsWith('--'));
const wanted = names.length ? names : ALL;
let failed = 0;
for (const name of wanted) {
  const file = `bench/${name}.ts`;
  if (!existsSync(file)) {
    console.error(`bench: no ${file}, skipped`);
    continue;
  }
  console.log(`\n=== bench ${name} ===`);
  const r = spawnSync(process.execPath, ['--import', 'tsx', file, ...flags], { stdio: 'inherit' });
  if (r.status !== 0) failed++;
}
process.exit(failed ? 1 : 0);
