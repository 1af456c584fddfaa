// `soundflow eval --data DIR --policy P[,P...]|all [--json] [--report DIR] [--tolerance N] [--limit N]`
import { intFlag, parseFlags, required } from '../args.ts';
import { Progress } from '../../../util/progress.ts';
import { evaluate, toJson } from '../../../soundflow/eval/evaluate.ts';
import { parsePolicies } from '../../../soundflow/eval/policies.ts';
import { textTable, writeReport } from '../../../soundflow/eval/report.ts';
import { loadStreams } from '../../../soundflow/eval/dataset.ts';

export async function run(args: string[]): Promise<number> {
  const { values } = parseFlags(args, {
    data: { type: 'string' }, policy: { type: 'string' }, json: { type: 'boolean' }, report: { type: 'string' },
    tolerance: { type: 'string' }, limit: { type: 'string' }, quiet: { type: 'boolean' },
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
  return 0;
}
