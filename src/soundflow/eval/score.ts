// Scores one policy run against a labelled stream, and sums streams into overall numbers.
//
// Definitions (see docs/eval.md):
// - chunk P/R/F1: a labelled respond chunk L is hit by a predicted respond chunk P with L <= P <= L + tolerance
//   (one-to-one, greedy in time). Unmatched predictions are false replies.
// - event level: every turn is an event, RESPOND if it has a reply; the policy RESPONDed to it if any
//   respond decision falls in [turn start, turn end + tolerance], clipped to start after the previous
//   turn's window. Balanced accuracy = mean of recall on RESPOND and IGNORE events.
// - turn-over: a turn with a mid-utterance pause is taken over if a reply falls between the pause start
//   and the turn's labelled chunk (exclusive).
import { corpusBleu } from '../metrics/bleu.ts';
import { balancedAccuracy, matchChunks, mean, percentile, prf } from '../metrics/decision.ts';
import { corpusWer } from '../../perception/asr/wer.ts';
import type { StreamRow } from '../data/layout.ts';
import type { PolicyRun, PolicyResponse } from './policies.ts';

export const DEFAULT_TOLERANCE = 2;

export interface StreamScore {
  id: string;
  sceneType?: string;
  chunks: number;
  duration: number;
  labels: number;
  predictions: number;
  tp: number;
  fp: number;
  fn: number;
  delays: number[];
  events: { turn: number; truth: boolean; pred: boolean }[];
  pauses: number;
  turnOvers: number;
  /** Labelled replies with checkable text, paired with what the policy said ('' if nothing). */
  counts: { ref: string; hyp: string; ok: boolean }[];
  transcripts: { ref: string; hyp: string }[];
  translations: { ref: string; hyp: string }[];
  emotionHits: number;
  taskHits: number;
  /** Matched labels that name a task (the denominator of task accuracy). */
  taskMatched: number;
  wallMs: number | null;
  chunkLatencyMs: number[];
  replyLatencyMs: number[];
  errors: string[];
}

const WORD_NUM: Record<string, number> = {
  zero: 0, one: 1, two: 2, three: 3, four: 4, five: 5, six: 6, seven: 7, eight: 8, nine: 9, ten: 10,
  // Counting replies say "Once!", "Twice!", "Three times!".
  once: 1, twice: 2, thrice: 3,
  eleven: 11, twelve: 12, thirteen: 13, fourteen: 14, fifteen: 15, sixteen: 16, seventeen: 17, eighteen: 18, nineteen: 19, twenty: 20,
};

/** The first number in a reply ("3", "three", "That's 3 knocks") or null. */
export function firstNumber(text: string): number | null {
  for (const w of text.toLowerCase().match(/\d+|[a-z]+/g) ?? []) {
    if (/^\d+$/.test(w)) return Number(w);
    if (w in WORD_NUM) return WORD_NUM[w];
  }
  return null;
}

/** The reply a matched prediction produced: the first response at or after its chunk, within the tolerance. */
function responseFor(pred: number, responses: PolicyResponse[], tolerance: number, used: Set<PolicyResponse>): PolicyResponse | undefined {
  return responses.find((r) => !used.has(r) && r.chunk >= pred && r.chunk <= pred + tolerance) ?? responses.find((r) => !used.has(r) && Math.abs(r.chunk - pred) <= tolerance);
}

export function scoreStream(row: StreamRow, run: PolicyRun, tolerance = DEFAULT_TOLERANCE): StreamScore {
  const labels = row.chunks.filter((c) => c.label === 'respond').map((c) => c.index);
  const preds = run.decisions.flatMap((d, i) => (d ? [i] : []));
  const m = matchChunks(labels, preds, tolerance);
  const tp = m.pairs.filter((p) => p.pred !== null).length;

  // Event level.
  const events: StreamScore['events'] = [];
  let prevEnd = -1;
  for (const t of row.turns) {
    const lo = Math.max(t.startChunk, prevEnd + 1);
    const hi = t.endChunk + tolerance;
    prevEnd = hi;
    events.push({ turn: t.index, truth: t.respond, pred: preds.some((p) => p >= lo && p <= hi) });
  }

  // Pause handling.
  let pauses = 0, turnOvers = 0;
  for (const t of row.turns) {
    for (const p of t.pauses ?? []) {
      pauses++;
      if (preds.some((q) => q >= p.startChunk && q < t.endChunk)) turnOvers++;
    }
  }

  // Reply content where the labels allow checking it.
  const used = new Set<PolicyResponse>();
  const counts: StreamScore['counts'] = [];
  const transcripts: StreamScore['transcripts'] = [];
  const translations: StreamScore['translations'] = [];
  let emotionHits = 0, taskHits = 0, taskMatched = 0;
  for (const pair of m.pairs) {
    const label = row.chunks[pair.label];
    const r = pair.pred === null ? undefined : responseFor(pair.pred, run.responses, tolerance, used);
    if (r) used.add(r);
    const hyp = r?.text ?? '';
    if (r && r.emotion === label.emotion) emotionHits++;
    if (pair.pred !== null && label.task) {
      taskMatched++;
      if (r && r.task === label.task) taskHits++;
    }
    if (label.task === 'count') {
      const want = firstNumber(label.text ?? '');
      counts.push({ ref: label.text ?? '', hyp, ok: want !== null && firstNumber(hyp) === want });
    } else if (label.task === 'transcribe') transcripts.push({ ref: label.text ?? '', hyp });
    else if (label.task === 'translate') translations.push({ ref: label.text ?? '', hyp });
  }

  return {
    id: row.id,
    sceneType: row.sceneType,
    chunks: row.chunks.length,
    duration: row.duration ?? (row.chunks.length * 0.4),
    labels: labels.length,
    predictions: preds.length,
    tp,
    fp: m.falsePreds.length,
    fn: labels.length - tp,
    delays: m.pairs.flatMap((p) => (p.pred === null ? [] : [p.pred - p.label])),
    events,
    pauses,
    turnOvers,
    counts,
    transcripts,
    translations,
    emotionHits,
    taskHits,
    taskMatched,
    wallMs: run.wallMs,
    chunkLatencyMs: run.chunkLatencyMs,
    replyLatencyMs: run.replyLatencyMs,
    errors: run.errors,
  };
}

export interface Summary {
  streams: number;
  hours: number;
  tolerance: number;
  precision: number;
  recall: number;
  f1: number;
  tp: number;
  fp: number;
  fn: number;
  balancedAccuracy: number | null;
  respondRecall: number | null;
  ignoreRecall: number | null;
  meanDelayChunks: number | null;
  /** Unmatched replies per hour over all audio. */
  falseRepliesPerHour: number;
  /** Replies per hour on streams that need no reply at all (ambient-only), null when there are none. */
  ambientFalseRepliesPerHour: number | null;
  /** Share of mid-utterance pauses in which the policy replied (lower is better), null without pauses. */
  turnOverRate: number | null;
  countExactMatch: number | null;
  wer: number | null;
  bleu: number | null;
  emotionAccuracy: number | null;
  taskAccuracy: number | null;
  rtf: number | null;
  chunkLatencyMsP50: number | null;
  chunkLatencyMsP95: number | null;
  replyLatencyMsP50: number | null;
  errors: number;
}

const round = (x: number | null, d = 4) => (x === null || !Number.isFinite(x) ? x : Math.round(x * 10 ** d) / 10 ** d);

export function summarize(scores: StreamScore[], tolerance = DEFAULT_TOLERANCE): Summary {
  const sum = (f: (s: StreamScore) => number) => scores.reduce((a, s) => a + f(s), 0);
  const c = prf({ tp: sum((s) => s.tp), fp: sum((s) => s.fp), fn: sum((s) => s.fn) });
  const hours = sum((s) => s.duration) / 3600;
  const ambient = scores.filter((s) => s.labels === 0);
  const ambientHours = ambient.reduce((a, s) => a + s.duration, 0) / 3600;
  const ba = balancedAccuracy(scores.flatMap((s) => s.events));
  const pauses = sum((s) => s.pauses);
  const counts = scores.flatMap((s) => s.counts);
  const tr = scores.flatMap((s) => s.transcripts);
  const tl = scores.flatMap((s) => s.translations);
  const timed = scores.filter((s) => s.wallMs !== null);
  const audioSec = timed.reduce((a, s) => a + s.duration, 0);
  const withEmotion = c.tp;
  const withTask = sum((s) => s.taskMatched);
  return {
    streams: scores.length,
    hours: round(hours, 6)!,
    tolerance,
    precision: round(c.precision)!,
    recall: round(c.recall)!,
    f1: round(c.f1)!,
    tp: c.tp,
    fp: c.fp,
    fn: c.fn,
    balancedAccuracy: round(ba.value),
    respondRecall: round(ba.tpr),
    ignoreRecall: round(ba.tnr),
    meanDelayChunks: round(mean(scores.flatMap((s) => s.delays))),
    falseRepliesPerHour: round(hours > 0 ? c.fp / hours : 0, 2)!,
    ambientFalseRepliesPerHour: ambient.length ? round(ambient.reduce((a, s) => a + s.fp, 0) / ambientHours, 2) : null,
    turnOverRate: pauses ? round(sum((s) => s.turnOvers) / pauses) : null,
    countExactMatch: counts.length ? round(counts.filter((x) => x.ok).length / counts.length) : null,
    wer: tr.length ? round(corpusWer(tr)) : null,
    bleu: tl.length ? round(corpusBleu(tl.map((x) => x.hyp), tl.map((x) => x.ref)).score, 2) : null,
    emotionAccuracy: withEmotion ? round(sum((s) => s.emotionHits) / withEmotion) : null,
    taskAccuracy: withTask ? round(sum((s) => s.taskHits) / withTask) : null,
    rtf: timed.length && audioSec > 0 ? round(timed.reduce((a, s) => a + (s.wallMs ?? 0), 0) / 1000 / audioSec) : null,
    chunkLatencyMsP50: round(percentile(scores.flatMap((s) => s.chunkLatencyMs), 50), 1),
    chunkLatencyMsP95: round(percentile(scores.flatMap((s) => s.chunkLatencyMs), 95), 1),
    replyLatencyMsP50: round(percentile(scores.flatMap((s) => s.replyLatencyMs), 50), 1),
    errors: sum((s) => s.errors.length),
  };
}
