// Human-readable outputs of an evaluation: a terminal table, report.md and two SVG plots
// (metric bars per policy; a label/prediction timeline of the first streams).
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { EvalResult, StreamDetail } from './evaluate.ts';
import type { StreamRow } from '../data/layout.ts';
import type { Summary } from './score.ts';

const ROWS: [keyof Summary, string, boolean][] = [
  ['f1', 'F1 (respond chunk)', true],
  ['precision', 'precision', true],
  ['recall', 'recall', true],
  ['balancedAccuracy', 'balanced acc. (events)', true],
  ['respondRecall', '  RESPOND recall', true],
  ['ignoreRecall', '  IGNORE recall', true],
  ['meanDelayChunks', 'mean delay (chunks)', false],
  ['falseRepliesPerHour', 'false replies / h', false],
  ['ambientFalseRepliesPerHour', 'replies / h, ambient-only', false],
  ['turnOverRate', 'turn-over rate (pauses)', false],
  ['countExactMatch', 'count exact match', true],
  ['wer', 'transcription WER', false],
  ['bleu', 'translation BLEU', true],
  ['emotionAccuracy', 'emotion accuracy', true],
  ['taskAccuracy', 'task accuracy', true],
  ['rtf', 'RTF', false],
  ['chunkLatencyMsP50', 'chunk latency p50 ms', false],
  ['chunkLatencyMsP95', 'chunk latency p95 ms', false],
  ['replyLatencyMsP50', 'reply latency p50 ms', false],
  ['errors', 'session errors', false],
];

const fmt = (v: unknown) => (v === null || v === undefined ? '-' : typeof v === 'number' ? String(Math.round(v * 1000) / 1000) : String(v));

function grid(r: EvalResult): string[][] {
  const head = ['metric', ...r.policies];
  const body = ROWS.map(([k, name]) => [name, ...r.policies.map((p) => fmt(r.results[p].summary[k]))]);
  return [head, ...body];
}

export function textTable(r: EvalResult): string {
  const g = grid(r);
  const w = g[0].map((_, c) => Math.max(...g.map((row) => row[c].length)));
  const s = r.results[r.policies[0]].summary;
  const lines = g.map((row) => row.map((cell, c) => (c === 0 ? cell.padEnd(w[c]) : cell.padStart(w[c]))).join('  '));
  lines.splice(1, 0, w.map((n) => '-'.repeat(n)).join('  '));
  return `${s.streams} streams, ${(s.hours * 60).toFixed(1)} min of audio, reply tolerance 0..${r.tolerance} chunks\n${lines.join('\n')}\n`;
}

/**
 * Per stream, in time order: each labelled turn (reply expected or not), what the session heard, why it
 * decided, and each reply marked hit/false; the misses are the labelled replies with no hit.
 */
export function streamDetailsText(streams: StreamDetail[], rows: StreamRow[], tolerance: number): string {
  const byId = new Map(rows.map((r) => [r.id, r]));
  const out: string[] = [];
  for (const d of streams) {
    out.push(`\n${d.id}${d.sceneType ? ` (${d.sceneType})` : ''}: tp ${d.tp}, false ${d.fp}, missed ${d.fn}`);
    const lines: [number, number, string][] = [];
    for (const t of byId.get(d.id)?.turns ?? []) {
      const hit = t.respond && d.predicted.some((p) => p >= t.endChunk && p <= t.endChunk + tolerance);
      lines.push([t.startChunk, 0, `turn ${t.startChunk}-${t.endChunk} ${t.respond ? (hit ? 'reply expected, hit ' : 'reply expected, MISSED') : 'no reply expected'}${t.text ? `: "${t.text}"` : ''}`]);
    }
    for (const h of d.heard ?? []) lines.push([h.chunk, 1, h.text !== undefined ? `  heard "${h.text}"` : `  reason ${h.reason}`]);
    for (const r of d.replies) {
      const hit = d.labelled.some((l) => r.chunk >= l && r.chunk <= l + tolerance);
      lines.push([r.chunk, 2, `  reply ${hit ? '(hit)' : '(FALSE)'} ${r.task ?? ''}: "${r.text}"`]);
    }
    lines.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
    for (const [c, , text] of lines) out.push(`  @${String(c).padStart(3)} ${text}`);
  }
  return `${out.join('\n')}\n`;
}

export function markdown(r: EvalResult): string {
  const g = grid(r);
  const s = r.results[r.policies[0]].summary;
  const md = [
    '# SoundFlow evaluation',
    '',
    `Data: \`${r.data}\` — ${s.streams} streams, ${(s.hours * 60).toFixed(1)} min. A reply counts as a hit 0..${r.tolerance} chunks (0.4 s each) after the labelled chunk.`,
    '',
    `| ${g[0].join(' | ')} |`,
    `|${g[0].map((_, i) => (i ? '---:' : '---')).join('|')}|`,
    ...g.slice(1).map((row) => `| ${row.join(' | ')} |`),
    '',
    '![metrics](metrics.svg)',
    '',
    '## Timeline (first streams)',
    '',
    'Top bar per stream: labelled respond chunks; one bar per policy below it: chunks where the policy replied.',
    '',
    '![timeline](timeline.svg)',
    '',
    '## Per stream',
    '',
    `| stream | ${r.policies.map((p) => `${p} tp/fp/fn`).join(' | ')} |`,
    `|---|${r.policies.map(() => '---:').join('|')}|`,
    ...r.results[r.policies[0]].streams.map((st, i) => `| ${st.id} | ${r.policies.map((p) => { const x = r.results[p].streams[i]; return `${x.tp}/${x.fp}/${x.fn}`; }).join(' | ')} |`),
    '',
  ];
  return md.join('\n');
}

const COLORS = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b'];
const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;');

export function metricsSvg(r: EvalResult): string {
  const metrics: [keyof Summary, string][] = [['f1', 'F1'], ['precision', 'precision'], ['recall', 'recall'], ['balancedAccuracy', 'bal. acc.'], ['turnOverRate', 'turn-over']];
  const W = 640, H = 300, left = 40, bottom = 250, top = 30;
  const groupW = (W - left - 20) / metrics.length;
  const barW = Math.min(24, (groupW - 12) / r.policies.length);
  const parts = [`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" font-family="sans-serif" font-size="11">`];
  for (let y = 0; y <= 4; y++) {
    const yy = bottom - ((bottom - top) * y) / 4;
    parts.push(`<line x1="${left}" x2="${W - 10}" y1="${yy}" y2="${yy}" stroke="#ddd"/><text x="${left - 6}" y="${yy + 4}" text-anchor="end">${(y / 4).toFixed(2)}</text>`);
  }
  metrics.forEach(([k, name], m) => {
    const x0 = left + m * groupW + 6;
    r.policies.forEach((p, i) => {
      const v = r.results[p].summary[k];
      const h = typeof v === 'number' ? Math.max(0, Math.min(1, v)) * (bottom - top) : 0;
      parts.push(`<rect x="${x0 + i * barW}" y="${bottom - h}" width="${barW - 2}" height="${h}" fill="${COLORS[i % COLORS.length]}"><title>${esc(p)} ${name}: ${fmt(v)}</title></rect>`);
    });
    parts.push(`<text x="${x0 + (barW * r.policies.length) / 2}" y="${bottom + 16}" text-anchor="middle">${name}</text>`);
  });
  r.policies.forEach((p, i) => parts.push(`<rect x="${left + i * 100}" y="${H - 22}" width="10" height="10" fill="${COLORS[i % COLORS.length]}"/><text x="${left + i * 100 + 14}" y="${H - 13}">${esc(p)}</text>`));
  parts.push('</svg>');
  return parts.join('\n');
}

export function timelineSvg(r: EvalResult, maxStreams = 8): string {
  const streams = r.results[r.policies[0]].streams.slice(0, maxStreams);
  const maxChunks = Math.max(1, ...streams.map((s) => s.chunks));
  const left = 190, cw = Math.max(3, Math.min(12, 600 / maxChunks)), rowH = 8;
  const blockH = (r.policies.length + 1) * rowH + 10;
  const W = left + maxChunks * cw + 20, H = streams.length * blockH + 30;
  const parts = [`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" font-family="sans-serif" font-size="10">`];
  streams.forEach((s, k) => {
    const y0 = 10 + k * blockH;
    parts.push(`<text x="4" y="${y0 + 8}">${esc(s.id.slice(0, 32))}</text>`);
    parts.push(`<rect x="${left}" y="${y0}" width="${s.chunks * cw}" height="${rowH - 1}" fill="#eee"/>`);
    for (const c of s.labelled) parts.push(`<rect x="${left + c * cw}" y="${y0}" width="${cw - 1}" height="${rowH - 1}" fill="#000"/>`);
    r.policies.forEach((p, i) => {
      const y = y0 + (i + 1) * rowH;
      for (const c of r.results[p].streams[k].predicted) parts.push(`<rect x="${left + c * cw}" y="${y}" width="${cw - 1}" height="${rowH - 1}" fill="${COLORS[i % COLORS.length]}"/>`);
    });
  });
  r.policies.forEach((p, i) => parts.push(`<rect x="${left + i * 90}" y="${H - 14}" width="8" height="8" fill="${COLORS[i % COLORS.length]}"/><text x="${left + i * 90 + 12}" y="${H - 6}">${esc(p)}</text>`));
  parts.push('</svg>');
  return parts.join('\n');
}

/** Writes report.md, metrics.svg, timeline.svg and result.json into `dir`. */
export function writeReport(r: EvalResult, dir: string, json: unknown): void {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'report.md'), markdown(r));
  writeFileSync(join(dir, 'metrics.svg'), metricsSvg(r));
  writeFileSync(join(dir, 'timeline.svg'), timelineSvg(r));
  writeFileSync(join(dir, 'result.json'), JSON.stringify(json, null, 1) + '\n');
}
