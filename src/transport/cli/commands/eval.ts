// `soundflow eval --data DIR --policy P[,P...]|all [--json] [--report DIR] [--tolerance N] [--limit N]`
import { intFlag, parseFlags, required } from '../args.ts';
import { Progress } from '../../../util/progress.ts';
import { evaluate, toJson } from '../../../soundflow/eval/evaluate.ts';
import { parsePolicies } from '../../../soundflow/eval/policies.ts';
import { streamDetailsText, textTable, writeReport } from '../../../soundflow/eval/report.ts';
import { loadStreams } from '../../../soundflow/eval/dataset.ts';

export async function run(args: string[]): Promise<number> {
  const { values } = parseFlags(args, {
    data: { type: 'string' }, policy: { type: 'string' }, json: { type: 'boolean' }, report: { type: 'string' },
    tolerance: { type: 'string' }, limit: { type: 'string' }, quiet: { type: 'boolean' }, details: { type: 'boolean' },
  }, 'usage: soundflow eval --data DIR [--policy P[,P...]|all] [--json] [--report DIR] [--tolerance N] [--limit N] [--details] [--quiet]', {
    data: 'evaluation set directory (e.g. .cache/eval/v1, made by `soundflow data eval-set`)',
    policy: 'rules, learned, server_vad, never, always, comma-separated, or all (default rules)',
    json: 'print the results as JSON',
    report: 'also write a report (tables, JSON) to this directory',
    tolerance: 'chunks after the labelled one a reply still counts as a hit (default 2)',
    limit: 'evaluate only the first N streams',
    quiet: 'no progress bar',
    details: 'after the table, list per stream what was heard, each reply and each miss (first policy)',
  });
  const data = required(values.data, 'data');
  const policies = parsePolicies(values.policy ?? 'rules');
  const limit = intFlag(values.limit, 'limit', 1);
  const n = loadStreams(data, limit).length;
  const progress = new Progress(n * policies.length, 'eval', process.stderr, !values.quiet);
  const result = await evaluate({ data, policies, tolerance: intFlag(values.tolerance, 'tolerance'), limit, onStream: (p) => progress.tick(p) });
  const json = toJson(result);
  const report = values.report;
  if (report) writeReport(result, report, json);
  process.stdout.write(values.json ? JSON.stringify(json) + '\n' : textTable(result));
  if (values.details && !values.json) process.stdout.write(streamDetailsText(result.results[policies[0]].streams, loadStreams(data, limit).map((x) => x.row), result.tolerance));
  return 0;
}
