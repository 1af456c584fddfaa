// Offline replay of the learned policy on dumped streams: the rule candidates recorded per chunk go
// through the same ReplyGate the policy uses, with the model's per-chunk p(respond), and the result is
// scored by the eval harness's own scorer. Used to pick the gate's threshold/hold on held-out training
// streams, and to compare with the rules (the gate with threshold 0 passes every candidate at once).
import { ReplyGate, ungated } from '../../decision/learned.ts';
import type { StreamRow } from '../data/layout.ts';
import type { PolicyRun } from '../eval/policies.ts';
import { scoreStream, summarize, type Summary } from '../eval/score.ts';
import type { StreamDump } from './decision-data.ts';
import { CHUNK_SAMPLES, SAMPLE_RATE } from '../../audio/chunk.ts';

const chunkEnd = (i: number) => ((i + 1) * CHUNK_SAMPLES) / SAMPLE_RATE;

/** The policy run the gate would produce on one stream, given p(respond) per chunk. */
export function replay(dump: StreamDump, probs: ArrayLike<number>, threshold: number, maxHold: number): PolicyRun {
  const n = dump.candidates.length;
  const gate = new ReplyGate<StreamDump['candidates'][number][number]>(threshold, maxHold);
  const decisions = new Array<boolean>(n).fill(false);
  const responses: PolicyRun['responses'] = [];
  for (let i = 0; i < n; i++) {
    // What the policy never holds (urgent replies, live counts) bypasses the gate here too.
    const direct = dump.candidates[i].filter(ungated);
    const { emit } = gate.step(i, probs[i], dump.candidates[i].filter((c) => !ungated(c)));
    for (const c of [...direct, ...emit]) {
      decisions[i] = true;
      responses.push({ chunk: i, t: chunkEnd(i), task: c.task, text: c.text });
    }
  }
  return { decisions, responses, wallMs: null, chunkLatencyMs: [], replyLatencyMs: [], errors: [] };
}

export function scoreReplay(rows: StreamRow[], dumps: StreamDump[], probs: ArrayLike<number>[], threshold: number, maxHold: number, tolerance: number): Summary {
  return summarize(
    rows.map((row, k) => scoreStream(row, replay(dumps[k], probs[k], threshold, maxHold), tolerance)),
    tolerance,
  );
}

export interface GateChoice {
  threshold: number;
  maxHold: number;
  summary: Summary;
}

/**
 * Grid search of the gate on held-out streams. The objective is F1 + balanced accuracy (the learned policy
 * must beat the rules on both to become the default); ties go to the lower threshold and shorter hold.
 */
export function tuneGate(rows: StreamRow[], dumps: StreamDump[], probs: ArrayLike<number>[], tolerance: number): { best: GateChoice; grid: GateChoice[] } {
  const grid: GateChoice[] = [];
  for (const maxHold of [0, 1, 2, 3, 5]) {
    for (let k = 1; k <= 19; k++) {
      const threshold = k / 20;
      grid.push({ threshold, maxHold, summary: scoreReplay(rows, dumps, probs, threshold, maxHold, tolerance) });
    }
  }
  const key = (g: GateChoice) => [g.summary.f1 + (g.summary.balancedAccuracy ?? 0), g.summary.f1, -g.threshold, -g.maxHold];
  const best = grid.reduce((a, b) => {
    const ka = key(a), kb = key(b);
    for (let i = 0; i < ka.length; i++) if (kb[i] !== ka[i]) return kb[i] > ka[i] ? b : a;
    return a;
  });
  return { best, grid };
}
