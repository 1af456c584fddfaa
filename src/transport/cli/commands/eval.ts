// `soundflow eval --data DIR --policy P[,P...]|all [--json] [--report DIR] [--tolerance N] [--limit N]`
import { checkKnown, int, parseArgs, str } from '../../../soundflow/data/args.ts';
import { Progress } from '../../../soundflow/data/progress.ts';
import { evaluate, toJson } from '../../../soundflow/eval/evaluate.ts';
import { parsePolicies } from '../../../soundflow/eval/policies.ts';
import { textTable, writeReport } from '../../../soundflow/eval/report.ts';
import { loadStreams } from '../../../soundflow/eval/dataset.ts';

export async function run(args: string[]): Promise<number> {
  const a = parseArgs(args, ['json', 'quiet']);
  checkKnown(a, ['data', 'policy', 'json', 'report', 'tolerance', 'limit', 'quiet']);
  const data = str(a, 'data', true)!;
  const policies = parsePolicies(str(a, 'policy') ?? 'rules');
  const limit = int(a, 'limit', 1);
  const n = loadStreams(data, limit).length;
  const progress = new Progress(n * policies.length, 'eval', process.stderr, !a.flags.has('quiet'));
  const result = await evaluate({ data, policies, tolerance: int(a, 'tolerance'), limit, onStream: (p) => progress.tick(p) });
  const json = toJson(result);
  const report = str(a, 'report');
  if (report) writeReport(result, report, json);
  process.stdout.write(a.flags.has('json') ? JSON.stringify(json) + '\n' : textTable(result));
  return 0;
}
