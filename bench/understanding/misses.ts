// Lists the misses of an understanding bench run with every reading the recogniser gave: the open
// transcript (*), its n-best alternatives and the grammar's reading, each with its addressed score
// (L: opens as a request by its form; ~: the request opener its first words sound like, re-read).
// Read the TUNE run's misses when changing the understanding layer; the test run is for reporting.
// Usage: node --import tsx bench/understanding/misses.ts [bench/results/understanding-tune.json] [out_of_scope,chatter]
import { readFileSync } from 'node:fs';
import { normalizeTranscript } from '../../src/perception/asr/wer.ts';
import { addressedScore, requestLead } from '../../src/response/understanding/addressed.ts';
import { openerRewrite } from '../../src/response/understanding/openers.ts';

interface Failure { category: string; voice: string; said: string; reasons: string[]; replies: string[]; asr?: { open: string; nbest?: string[]; command?: string; accepted: boolean } }

const file = process.argv[2] ?? 'bench/results/understanding-tune.json';
const categories = (process.argv[3] ?? 'out_of_scope').split(',');
const { failures } = JSON.parse(readFileSync(file, 'utf8')) as { failures: Failure[] };
for (const f of failures.filter((x) => categories.includes(x.category))) {
  console.log(`--- ${f.category} ${f.voice} | ${f.said} | ${f.reasons.join(',')} ${f.replies[0] ?? ''}`);
  if (!f.asr) continue;
  const open = normalizeTranscript(f.asr.open);
  for (const r of [...new Set([open, ...(f.asr.nbest ?? []).map(normalizeTranscript)].filter(Boolean))]) {
    const rw = openerRewrite(r);
    const tail = rw ? `  ~ ${rw.opener} (${rw.similarity.toFixed(2)}) → ${addressedScore(rw.text).toFixed(2)}` : '';
    console.log(`   ${addressedScore(r).toFixed(2)}${requestLead(r) ? 'L' : ' '} ${r === open ? '*' : ' '} ${r}${tail}`);
  }
  console.log(`   grammar: ${f.asr.command ?? '-'} (${f.asr.accepted ? 'accepted' : 'rejected'})`);
}
