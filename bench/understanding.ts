// Understanding on real audio: every TEST phrasing (bench/understanding/phrasings.ts; tuning phrasings
// never appear here) spoken by several voices (flite slt/rms/awb/kal16, espeak-ng klatt and formant
// variants). Default: the utterance goes through what the session runs when an utterance ends — the
// final open decode (with n-best), the command grammar with its rejection, the rules' hold and
// agreement logic — into the Assistant (the VAD/partials are left out: 2-3× cheaper on a shared box).
// --session runs each through a fresh embedded session instead. When the assistant asks to confirm
// ("Count the dog barks?"), the same voice answers "yes". Scores: in-scope intended task/answer, out-of-scope honest reply, chatter reply rate;
// cost: understand() per utterance and the n-best search, p50/p99.
// --asr-cache FILE keeps each rendering's recogniser output (open decode, n-best, grammar reading) keyed
// by voice and text, so changes to the understanding layer re-score in seconds; pocketsphinx, espeak-ng
// and flite are deterministic, so a cached run gives the same inputs as a fresh one (delete the file
// after changing the recogniser, the grammar or the voices; a cache written before the floored flag and the
// open fit were kept has neither).
// Usage: node --import tsx bench/understanding.ts [--split test|tune] [--voices-per 4] [--limit N] [--jobs 2] [--session] [--asr-cache FILE] [--no-floor] [--no-open-fit]
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createEngine } from '../src/engine/registry.ts';
import type { SessionEvent } from '../src/events.ts';
import { NBEST_MS, PocketSphinxDecoder } from '../src/perception/asr/pocketsphinx.ts';
import { FINAL_BEAMS } from '../src/perception/asr/config.ts';
import { NBEST_MAX_SECONDS } from '../src/perception/asr/streaming.ts';
import { normalizeTranscript } from '../src/perception/asr/wer.ts';
import { ConstrainedRecognizer, DEFAULT_FLOOR_RETRY } from '../src/perception/asr/grammar-recognizer.ts';
import { Assistant } from '../src/response/assistant.ts';
import { agreedCommand, soundsUnfinished } from '../src/decision/rules.ts';
import { UNDERSTANDING_MS, Understander, type UnderstandInput } from '../src/response/understanding/understand.ts';
import { concat, loadFile, silence, speech } from '../src/testing/audio.ts';
import { collect } from '../src/testing/session.ts';
import { phrasings, VOICES, type Expect, type Phrasing, type Split } from './understanding/phrasings.ts';

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}
const split = (arg('split') ?? 'test') as Split;
const voicesPer = Number(arg('voices-per') ?? 4);
const limit = Number(arg('limit') ?? Infinity);
const jobs = Number(arg('jobs') ?? 2);
const viaSession = process.argv.includes('--session');
const cacheFile = arg('asr-cache');
const noOpenFit = process.argv.includes('--no-open-fit');

/** What the recogniser made of one rendering (the utterance-end path's inputs). */
interface AsrOutput {
  open: string; nbest?: string[]; command?: string; candidate?: string; accepted: boolean;
  /** The grammar's reading was the floored second one; the open decode's word fit (as the session passes them). */
  floored?: boolean; openFit?: number;
}
const asrCache: Record<string, AsrOutput> = cacheFile && existsSync(cacheFile) ? JSON.parse(readFileSync(cacheFile, 'utf8')) : {};
let cacheHits = 0;

const tmp = mkdtempSync(join(tmpdir(), 'sf-bench-und-'));
let fileSeq = 0;
function say(text: string, voice: string): Float32Array {
  if (!voice.startsWith('flite:')) return speech(text, { voice });
  const file = join(tmp, `f${fileSeq++}.wav`);
  execFileSync('flite', ['-voice', voice.slice(6), '-t', text, '-o', file]);
  const x = loadFile(file);
  rmSync(file, { force: true });
  return x;
}

interface Item { p: Phrasing; voice: string }
const items: Item[] = [];
phrasings(split).forEach((p, i) => {
  for (let k = 0; k < voicesPer; k++) items.push({ p, voice: VOICES[(i + k * 3) % VOICES.length] });
});
const run = items.slice(0, limit);

interface Outcome { item: Item; ok: boolean; direct: boolean; replied: boolean; confirmed: boolean; transcript: string; replies: string[]; reasons: string[]; asr?: AsrOutput }

function judge(e: Expect, events: SessionEvent[]): { ok: boolean; replied: boolean } {
  const replies = events.filter((x) => x.type === 'response.start').length;
  const reasons = events.flatMap((x) => (x.type === 'chunk' ? [x.reason] : []));
  const texts = events.flatMap((x) => (x.type === 'response.end' ? [x.text] : []));
  const started = events.flatMap((x) => (x.type === 'task.started' ? [x] : []));
  const replied = replies > 0;
  switch (e.kind) {
    case 'task':
      return {
        replied,
        ok: started.some((s) =>
          e.task === 'quiet'
            ? s.task === 'ack' && s.params.quiet === true
            : s.task === e.task && (!e.label || s.params.label === e.label) && (!e.lang || s.params.targetLang === e.lang)),
      };
    case 'skill':
      return { replied, ok: reasons.includes(`answer:${e.skill}`) && (!e.answerIncludes || texts.some((x) => x.includes(e.answerIncludes!))) };
    case 'sound_question':
      // Answered now, or as a question task ("question:…", ":pending" until the evidence arrives).
      return { replied, ok: reasons.some((r) => r.startsWith('sound-question') || r.startsWith('question:')) };
    case 'limits':
      return { replied, ok: reasons.some((r) => r === 'answer:fallback' || r === 'answer:llm' || r === 'instruction:refused') };
    case 'silence':
      return { replied, ok: !replied };
  }
}

const engine = viaSession ? await createEngine('embedded') : null;
// The engine's default grammar reading, incl. the floored second reading of fit-rejected utterances (--no-floor: without).
const grammar = viaSession ? null : await ConstrainedRecognizer.open({ floorRetry: process.argv.includes('--no-floor') ? null : DEFAULT_FLOOR_RETRY });
const decoders = viaSession ? [] : await Promise.all(Array.from({ length: jobs }, () => PocketSphinxDecoder.open({ beams: FINAL_BEAMS })));
const outcomes: Outcome[] = [];
/** Every utterance-end input, replayed below for a CPU-time measure of understand(). */
const inputs: UnderstandInput[] = [];
const t0 = performance.now();
let next = 0;

/** What the session does at an utterance end, without VAD and partials. */
async function recognise(dec: PocketSphinxDecoder, key: string, render: () => Float32Array): Promise<AsrOutput> {
  const hit = asrCache[key];
  if (hit) {
    cacheHits++;
    return hit;
  }
  const pcm = render();
  const [open, cmd] = await Promise.all([dec.decode(pcm, { nbest: pcm.length / 16000 <= NBEST_MAX_SECONDS ? 5 : 0 }), grammar!.recognizeDetailed(pcm)]);
  const out: AsrOutput = {
    open: open.text, nbest: open.nbest, command: cmd?.text || undefined, accepted: !!cmd?.accepted,
    ...(cmd?.accepted && cmd.floored ? { floored: true } : {}), ...(Number.isFinite(open.wordScore) ? { openFit: open.wordScore } : {}),
  };
  if (cacheFile) asrCache[key] = out;
  return out;
}

async function utteranceEnd(assistant: Assistant, dec: PocketSphinxDecoder, key: string, render: () => Float32Array, t: number): Promise<{ events: SessionEvent[]; transcript: string; asr: AsrOutput }> {
  const asr = await recognise(dec, key, render);
  const text = normalizeTranscript(asr.open);
  const alternatives = asr.nbest?.map(normalizeTranscript).filter(Boolean);
  const command = asr.accepted ? asr.command : undefined;
  const candidate = !asr.accepted && asr.command ? asr.command : undefined;
  const events: SessionEvent[] = [];
  if (!text && !command) return { events, transcript: '', asr };
  const unfinished = soundsUnfinished(text) || (command !== undefined && soundsUnfinished(command));
  // Held as unfinished: after the pause it is handled with the grammar's reading when that one is complete.
  const heldCommand = command !== undefined && !soundsUnfinished(command) ? command : undefined;
  inputs.push(unfinished ? { text: text || command!, command: heldCommand, typed: false, now: new Date(), t } : { text: text || command!, command: command ?? agreedCommand(candidate, text), candidate, alternatives, typed: false, now: new Date(), t });
  // As the rules pass them: a floored reading and the open decode's fit (--no-open-fit: the fit withheld,
  // so a floored reading is never contradicted by the open transcript, as before it was measured).
  const floorEvidence = asr.floored ? { commandFloored: true, ...(asr.openFit !== undefined && !noOpenFit ? { openFit: asr.openFit } : {}) } : {};
  const r = assistant.onUtterance(unfinished
    ? { text: text || command!, command: heldCommand, t, typed: false }
    : { text: text || command!, command: command ?? agreedCommand(candidate, text), candidate, alternatives, t, typed: false, ...floorEvidence });
  events.push({ type: 'chunk', t, index: 0, decision: r.responses.length ? 'respond' : 'silent', reason: r.reason } as SessionEvent, ...r.events);
  for (const x of r.responses) {
    events.push({ type: 'response.start', t } as SessionEvent);
    let out = x.text ?? '';
    if (x.produce) for await (const d of x.produce(new AbortController().signal)) out += d;
    events.push({ type: 'response.end', t, text: out } as SessionEvent);
  }
  return { events, transcript: r.heard ?? text, asr };
}

async function worker(w: number): Promise<void> {
  while (next < run.length) {
    const item = run[next++];
    let events: SessionEvent[];
    let transcript: string;
    let asr: AsrOutput | undefined;
    if (engine) {
      const request = concat(silence(0.6), say(item.p.text, item.voice), silence(1.4));
      events = await collect(await engine.createSession({ mode: 'sequential', speak: false }), request);
      // Asked to confirm: the same voice answers "yes" (a second pass only then, to save CPU).
      if (events.some((x) => x.type === 'chunk' && x.reason === 'confirm')) {
        events = await collect(await engine.createSession({ mode: 'sequential', speak: false }), concat(request, silence(1.2), say('yes', item.voice), silence(1.4)));
      }
      transcript = events.flatMap((x) => (x.type === 'transcript' && x.final ? [x.text] : [])).join(' | ');
    } else {
      const assistant = new Assistant();
      const first = await utteranceEnd(assistant, decoders[w], `${item.voice}|${item.p.text}`, () => concat(silence(0.3), say(item.p.text, item.voice), silence(0.3)), 2);
      events = first.events;
      transcript = first.transcript;
      asr = first.asr;
      if (events.some((x) => x.type === 'chunk' && x.reason === 'confirm')) {
        const yes = await utteranceEnd(assistant, decoders[w], `${item.voice}|yes`, () => concat(silence(0.3), say('yes', item.voice), silence(0.3)), 5);
        events = [...events, ...yes.events];
        transcript += ` | ${yes.transcript}`;
      }
    }
    const reasons = events.flatMap((x) => (x.type === 'chunk' && x.reason !== 'quiet' && x.reason !== 'speech' && x.reason !== 'speech-tail' ? [x.reason] : []));
    const confirmed = reasons.includes('confirm');
    const { ok, replied } = judge(item.p.expect, events);
    const replies = events.flatMap((x) => (x.type === 'response.end' ? [x.text] : []));
    outcomes.push({ item, ok, direct: ok && !confirmed, replied, confirmed, transcript, replies, reasons, asr });
    if (outcomes.length % 20 === 0 && cacheFile) writeFileSync(cacheFile, JSON.stringify(asrCache));
    if (outcomes.length % 20 === 0) console.error(`understanding: ${outcomes.length}/${run.length} ${((performance.now() - t0) / 1000).toFixed(0)} s`);
  }
}
await Promise.all(Array.from({ length: jobs }, (_, w) => worker(w)));
await engine?.close?.();
grammar?.close();
for (const d of decoders) d.close();
rmSync(tmp, { recursive: true, force: true });
if (cacheFile) {
  writeFileSync(cacheFile, JSON.stringify(asrCache));
  console.error(`asr cache: ${cacheHits} hits, ${Object.keys(asrCache).length} entries in ${cacheFile}`);
}

const pct = (a: number, b: number) => (b ? `${((100 * a) / b).toFixed(1)}%` : '-');
const rows: Record<string, unknown>[] = [];
console.log(`\n${run.length} utterances (${split} phrasings), ${new Set(run.map((r) => r.voice)).size} voices, ${((performance.now() - t0) / 1000).toFixed(0)} s wall`);
console.log('category       n    intended (direct)  intended (incl. one confirmation)  any reply');
for (const cat of ['in_scope', 'out_of_scope', 'chatter'] as const) {
  const o = outcomes.filter((x) => x.item.p.category === cat);
  const row = { category: cat, n: o.length, direct: o.filter((x) => x.direct).length, ok: o.filter((x) => x.ok).length, replied: o.filter((x) => x.replied).length, confirmations: o.filter((x) => x.confirmed).length };
  rows.push(row);
  console.log(`${cat.padEnd(13)} ${String(o.length).padStart(3)}    ${pct(row.direct, row.n).padStart(8)}           ${pct(row.ok, row.n).padStart(8)}                       ${pct(row.replied, row.n).padStart(7)}`);
}
console.log('\nper voice (in scope intended incl. confirmation / out of scope honest / chatter replied):');
const perVoice: Record<string, unknown> = {};
for (const v of VOICES) {
  const o = outcomes.filter((x) => x.item.voice === v);
  if (!o.length) continue;
  const c = (cat: string) => o.filter((x) => x.item.p.category === cat);
  perVoice[v] = { inScope: [c('in_scope').filter((x) => x.ok).length, c('in_scope').length], outOfScope: [c('out_of_scope').filter((x) => x.ok).length, c('out_of_scope').length], chatterReplied: [c('chatter').filter((x) => x.replied).length, c('chatter').length] };
  console.log(`  ${v.padEnd(14)} ${pct(c('in_scope').filter((x) => x.ok).length, c('in_scope').length).padStart(7)} ${pct(c('out_of_scope').filter((x) => x.ok).length, c('out_of_scope').length).padStart(7)} ${pct(c('chatter').filter((x) => x.replied).length, c('chatter').length).padStart(7)}`);
}
// understand() cost in CPU time (wall time on a machine shared by many jobs measures the others).
// Every recorded input runs through a warmed Understander 5 times; the per-call CPU time is kept.
const cpu: number[] = [];
{
  const u = new Understander();
  for (let rep = 0; rep < 5; rep++) {
    for (const inp of inputs) {
      const c0 = process.cpuUsage();
      u.understand(inp);
      const c = process.cpuUsage(c0);
      if (rep > 0) cpu.push((c.user + c.system) / 1000);
      u.followUp('', 1e9);
    }
  }
  cpu.sort((a, b) => a - b);
}
const cpuPct = (p: number) => cpu[Math.min(cpu.length - 1, Math.max(0, Math.ceil((p / 100) * cpu.length) - 1))] ?? NaN;
const timing = {
  understandCpuMs: { n: cpu.length, p50: cpuPct(50), p99: cpuPct(99), max: cpu.at(-1) ?? NaN },
  understandMs: { n: UNDERSTANDING_MS.count, p50: UNDERSTANDING_MS.percentile(50), p99: UNDERSTANDING_MS.percentile(99), max: UNDERSTANDING_MS.percentile(100) },
  nbestMs: { n: NBEST_MS.count, p50: NBEST_MS.percentile(50), p99: NBEST_MS.percentile(99), max: NBEST_MS.percentile(100) },
};
console.log(`\nunderstand() per utterance: p50 ${timing.understandMs.p50.toFixed(2)} ms, p99 ${timing.understandMs.p99.toFixed(2)} ms (n ${timing.understandMs.n})`);
console.log(`n-best search per final decode: p50 ${timing.nbestMs.p50.toFixed(2)} ms, p99 ${timing.nbestMs.p99.toFixed(2)} ms (n ${timing.nbestMs.n})`);
console.log(`understand() CPU time per utterance-end input (replayed ×4): p50 ${timing.understandCpuMs.p50.toFixed(2)} ms, p99 ${timing.understandCpuMs.p99.toFixed(2)} ms, max ${timing.understandCpuMs.max.toFixed(2)} ms (n ${timing.understandCpuMs.n})`);
console.log(`understanding added to the utterance-ending decision, p99 ≈ ${(timing.understandCpuMs.p99 + timing.nbestMs.p99).toFixed(1)} ms CPU (target ≤ 30; wall figures above include a shared machine, load ${(await import('node:os')).loadavg()[0].toFixed(1)})`);
const failures = outcomes.filter((x) => !x.ok).map((x) => ({ category: x.item.p.category, voice: x.item.voice, said: x.item.p.text, heard: x.transcript, reasons: [...new Set(x.reasons)], replies: x.replies, asr: x.asr }));
mkdirSync('bench/results', { recursive: true });
writeFileSync(`bench/results/understanding${split === 'test' ? '' : `-${split}`}${viaSession ? '-session' : ''}.json`, `${JSON.stringify({ split, path: viaSession ? 'session' : 'utterance-end', utterances: run.length, voices: [...new Set(run.map((r) => r.voice))], rows, perVoice, timing, failures }, null, 1)}\n`);
