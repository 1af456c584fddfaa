// `npm run bench [-- NAME ...]`: runs each benchmark script in its own process (so peak memory is
// per benchmark), in order. Each prints a table and writes bench/results/NAME.json.
import { existsSync } from 'node:fs';
import { spawnSync } from 'node:child_process';

const ALL = ['loop', 'sounds', 'alarms', 'counting', 'sound-path', 'music', 'instructions', 'server', 'server-hostile', 'server-churn', 'eval'];
const wanted = process.argv.slice(2).length ? process.argv.slice(2) : ALL;
let failed = 0;
for (const name of wanted) {
  const file = `bench/${name}.ts`;
  if (!existsSync(file)) {
    console.error(`bench: no ${file}, skipped`);
    continue;
  }
  console.log(`\n=== bench ${name} ===`);
  const r = spawnSync(process.execPath, ['--import', 'tsx', file], { stdio: 'inherit' });
  if (r.status !== 0) failed++;
}
process.exit(failed ? 1 : 0);
