// Benchmark of the always-on loop (issue: per-stage latency, decision latency, real-time factor,
// memory, concurrent vs sequential first-reply latency). Prints a table, writes bench/results/loop.json.
// Run: npm run bench -- loop   (or: node --import tsx bench/loop.ts)
import { mkdirSync, writeFileSync } from 'node:fs';
import { createEngine } from '../src/engine/registry.ts';
import { DEFAULT_ASR, EmbeddedEngine } from '../src/engine/embedded.ts';
import type { EmbeddedSession } from '../src/engine/session.ts';
import type { SessionOptions } from '../src/engine/options.ts';
import type { Engine } from '../src/engine/types.ts';
import type { SessionEvent } from '../src/events.ts';
import { TimingLog } from '../src/util/timing.ts';
import { concat, mix, noise, silence, speech, SR } from '../src/testing/audio.ts';
import { CHUNK_SAMPLES } from '../src/audio/chunk.ts';
import { soundHeavy, speechHeavy } from './streams.ts';
import { otherThreadsIdle } from './threads.ts';

interface RunResult {
  wallMs: number;
  audioS: number;
  events: SessionEvent[];
  session: EmbeddedSession;
  firstReplyAudioMs: number | null;
}

/** Streams audio through a session; paced = real time (as a live client would), else as fast as possible. */
async function stream(engine: Engine, audio: Float32Array, opts: Partial<SessionOptions>, paced: boolean): Promise<RunResult> {
  const session = (await engine.createSession(opts)) as EmbeddedSession;
  const events: SessionEvent[] = [];
  let respondAt: number | null = null;
  let firstAudio: number | null = null;
  const chunkDone = new Map<number, number>();
  const reader = (async () => {
    for await (const ev of session) {
      events.push(ev);
      if (ev.type === 'chunk' && ev.decision === 'respond' && respondAt === null) respondAt = chunkDone.get(ev.index) ?? null;
      if (ev.type === 'response.audio' && firstAudio === null && respondAt !== null) firstAudio = performance.now() - respondAt;
    }
  })();
  const t0 = performance.now();
  const piece = 1600; // 100 ms pieces, like a live client
  for (let i = 0; i < audio.length; i += piece) {
    await session.push(audio.subarray(i, i + piece));
    const end = i + piece;
    if (end % CHUNK_SAMPLES === 0) chunkDone.set(end / CHUNK_SAMPLES - 1, performance.now());
    if (paced) {
      const ahead = (end / SR) * 1000 - (performance.now() - t0);
      if (ahead > 0) await new Promise((r) => setTimeout(r, ahead));
    }
  }
  await session.end();
  await reader;
  return { wallMs: performance.now() - t0, audioS: audio.length / SR, events, session, firstReplyAudioMs: firstAudio };
}

const f = (x: number, d = 1) => (Number.isFinite(x) ? x.toFixed(d) : '–');

async function main(): Promise<void> {
  const engine = await createEngine('embedded');
  const seconds = Number(process.env.BENCH_SECONDS ?? 60);
  console.error(`building ${seconds} s test streams ...`);
  const talk = speechHeavy(seconds);
  const sounds = soundHeavy(seconds);
  // A question in the middle of quiet room noise, for first-reply latency.
  const question = mix(concat(silence(2), speech('What can you do?'), silence(12)), noise(2 + 1.2 + 12 + 1, { amplitude: 0.01 }), 30);
  await stream(engine, silence(2), {}, false); // warm-up: model loads, JIT

  console.error('speech-heavy, as fast as possible ...');
  const a = await stream(engine, talk, {}, false);
  // The speech stream's recogniser work goes on for seconds after its session ended (1.2-1.5 s CPU on
  // libuv's pool, measured by bench/perception-tail.ts); the sound-heavy stream measures perception, so it
  // starts once that is done instead of sharing the two cores with it.
  const leftover = await otherThreadsIdle();
  console.error(`sound-heavy, as fast as possible (after ${(leftover.ms / 1000).toFixed(1)} s for ${leftover.cpuMs.toFixed(0)} ms of earlier recogniser work) ...`);
  const b = await stream(engine, sounds, {}, false);
  // The other recogniser (one streaming pass or two passes, whichever is not the default) on the same
  // streams in the same run, so the recogniser's share of the decision latency is a same-load comparison.
  const otherAsr = DEFAULT_ASR === 'two-pass' ? 'one-pass' : 'two-pass';
  const other = new EmbeddedEngine({ asr: otherAsr });
  await stream(other, silence(2), {}, false);
  await otherThreadsIdle();
  console.error(`sound-heavy, as fast as possible, ${otherAsr} recogniser ...`);
  const b0 = await stream(other, sounds, {}, false);
  console.error(`speech-heavy, real-time paced (decision latency), ${otherAsr} recogniser ...`);
  const c0 = await stream(other, talk.subarray(0, 30 * SR), {}, true);
  console.error('speech-heavy, real-time paced (decision latency) ...');
  const c = await stream(engine, talk.subarray(0, 30 * SR), {}, true);
  console.error(`paced question, ${otherAsr} recogniser ...`);
  const q0 = await stream(other, question, { speak: true, mode: 'concurrent' }, true);
  await other.close();
  // Idle cost: quiet room noise (no speech, no events) as fast as possible; CPU of all threads per chunk.
  console.error('quiet room, as fast as possible (idle cost) ...');
  const quiet = noise(20, { amplitude: 0.003 });
  const cpu0 = process.cpuUsage();
  const idle = await stream(engine, quiet, {}, false);
  const cpuIdle = process.cpuUsage(cpu0);
  const idleCpuPerChunkMs = (cpuIdle.user + cpuIdle.system) / 1000 / (idle.audioS / 0.4);
  console.error('first reply: concurrent vs sequential, real-time paced ...');
  const conc = await stream(engine, question, { speak: true, mode: 'concurrent' }, true);
  const seq = await stream(engine, question, { speak: true, mode: 'sequential' }, true);

  const pt = b.session.perceiver.timings;
  // Perception + decision per chunk, without ASR: the early end-of-turn check at a pause waits for the
  // recogniser (grammar reading, transcript so far) inside perceive(), and an utterance's end chunk waits
  // for its final transcript before the policy runs (session finalWaitMs); both waits are ASR, shown apart.
  const noAsr = (r: RunResult) => {
    const out = new TimingLog();
    const pol = r.session.timings.policyMs.values();
    const wait = r.session.perceiver.timings.turnCheckMs.values();
    const fin = r.session.timings.finalWaitMs.values();
    r.session.timings.perceptionMs.values().forEach((v, i) => out.add(v - (wait[i] ?? 0) + (pol[i] ?? 0) - (fin[i] ?? 0)));
    return out;
  };
  const withWait = (r: RunResult) => {
    const out = new TimingLog();
    const pol = r.session.timings.policyMs.values();
    r.session.timings.perceptionMs.values().forEach((v, i) => out.add(v + (pol[i] ?? 0)));
    return out;
  };
  const p2 = (t: TimingLog, d = 1): [string, string] => [f(t.percentile(50), d), f(t.percentile(99), d)];
  const rows: [string, string, string, string, string][] = [
    ['log-mel per chunk (ms)', ...p2(pt.featuresMs, 2), ...p2(b0.session.perceiver.timings.featuresMs, 2)],
    ['Silero VAD per chunk (ms)', ...p2(pt.vadMs, 2), ...p2(b0.session.perceiver.timings.vadMs, 2)],
    ['sound model per chunk (ms)', ...p2(pt.soundsMs, 2), ...p2(b0.session.perceiver.timings.soundsMs, 2)],
    ['ASR op on speech (ms, worker)', ...p2(a.session.perceiver.timings.asrMs), '', ''],
    ['perception+decision without ASR, sound-heavy (ms)', ...p2(noAsr(b), 2), ...p2(noAsr(b0), 2)],
    ['… with the early end-of-turn and final-transcript waits (ms)', ...p2(withWait(b), 2), ...p2(withWait(b0), 2)],
    ['decision latency, paced speech, all chunks (ms)', ...p2(c.session.timings.decisionMs), ...p2(c0.session.timings.decisionMs)],
    ['decision latency, paced speech, utterance ends (ms)', ...p2(c.session.timings.utteranceEndMs), ...p2(c0.session.timings.utteranceEndMs)],
    // A final not ready within the decision budget is decided on a later chunk: the end chunk is fast,
    // the utterance's own decision is not. Both shown, and how many chunks were decided without it.
    ['… utterance end → the chunk that decided its final, deferred incl. (ms)', ...p2(c.session.timings.finalDecisionMs), ...p2(c0.session.timings.finalDecisionMs)],
    ['… chunks decided without a late final (count)', String(c.session.timings.deferredDecisions), '', String(c0.session.timings.deferredDecisions), ''],
    // The session's first utterance (decoded again with its own mean unless understood live) is the slowest end.
    ['… the session\'s first utterance: end chunk / its decision (ms)', f(c.session.timings.utteranceEndMs.values()[0] ?? NaN), f(c.session.timings.finalDecisionMs.values()[0] ?? NaN), f(c0.session.timings.utteranceEndMs.values()[0] ?? NaN), f(c0.session.timings.finalDecisionMs.values()[0] ?? NaN)],
    ['decision latency, paced question, utterance end (ms)', ...p2(conc.session.timings.utteranceEndMs), ...p2(q0.session.timings.utteranceEndMs)],
    ['… question end → the chunk that decided it, deferred incl. (ms)', ...p2(conc.session.timings.finalDecisionMs), ...p2(q0.session.timings.finalDecisionMs)],
  ];
  const rtfSpeech = a.audioS / (a.wallMs / 1000);
  const rtfSound = b.audioS / (b.wallMs / 1000);
  const ratio = seq.firstReplyAudioMs && conc.firstReplyAudioMs ? seq.firstReplyAudioMs / conc.firstReplyAudioMs : NaN;
  const rss = process.resourceUsage().maxRSS / 1024;

  const load = (await import('node:os')).loadavg()[0];
  console.log(`\nSoundFlow loop benchmark (embedded engine, this machine, load average ${load.toFixed(1)} at the end)\n`);
  console.log(`| stage | ${DEFAULT_ASR} (default) p50 | p99 | ${otherAsr} recogniser, same run: p50 | p99 |\n|---|---|---|---|---|`);
  for (const r of rows) console.log(`| ${r.join(' | ')} |`);
  const redo = c.session.perceiver.lastRedecode;
  if (redo) console.log(`\nfirst utterance decoded again: ${redo.pieces.map((p) => `[${(p.from / SR).toFixed(2)}–${(p.to / SR).toFixed(2)} s] ${p.reused ? (p.pendingAtEnd ? 'reused, still decoding at the end' : 'reused, done') : 'decoded at the end'} (ready ${p.readyAfterMs ?? '?'} ms after the end)`).join('; ')}; silence onsets ${redo.onsets}, pieces started early ${redo.speculated}, no idle decoder ${redo.noHelper}`);
  console.log('\n| whole-stream | value |\n|---|---|');
  console.log(`| real-time factor, speech-heavy (${seconds} s) | ${f(rtfSpeech)}× |`);
  console.log(`| real-time factor, sound-heavy (${seconds} s) | ${f(rtfSound)}× |`);
  console.log(`| first reply audio after respond chunk, concurrent | ${f(conc.firstReplyAudioMs ?? NaN)} ms |`);
  console.log(`| first reply audio after respond chunk, sequential | ${f(seq.firstReplyAudioMs ?? NaN)} ms |`);
  console.log(`| sequential / concurrent first-reply latency | ${f(ratio, 2)}× |`);
  console.log(`| idle (quiet room) CPU per 0.4 s chunk, all threads | ${f(idleCpuPerChunkMs, 2)} ms (${f((idleCpuPerChunkMs / 400) * 100, 2)}% of a core per session) |`);
  console.log(`| peak RSS | ${f(rss, 0)} MiB |`);

  mkdirSync('bench/results', { recursive: true });
  const json = {
    date: new Date().toISOString(),
    loadAverage: (await import('node:os')).loadavg(),
    seconds,
    stagesMs: Object.fromEntries(rows.map((r) => [r[0], { p50: Number(r[1]), p99: Number(r[2]), ...(r[3] ? { [otherAsr]: { p50: Number(r[3]), p99: Number(r[4]) } } : {}) }])),
    recognizer: DEFAULT_ASR,
    utteranceEndsMs: { [DEFAULT_ASR]: c.session.timings.utteranceEndMs.values(), [otherAsr]: c0.session.timings.utteranceEndMs.values() },
    utteranceDecisionsMs: { [DEFAULT_ASR]: c.session.timings.finalDecisionMs.values(), [otherAsr]: c0.session.timings.finalDecisionMs.values() },
    // Per piece of the first utterance's re-decode: decoded before its end (at a silence's onset or pause) and reused, or at the end.
    firstUtteranceRedecode: c.session.perceiver.lastRedecode,
    deferredDecisions: { [DEFAULT_ASR]: c.session.timings.deferredDecisions, [otherAsr]: c0.session.timings.deferredDecisions },
    rtfSpeech,
    rtfSound,
    firstReplyMs: { concurrent: conc.firstReplyAudioMs, sequential: seq.firstReplyAudioMs, ratio },
    peakRssMiB: rss,
    idleCpuPerChunkMs,
    recognizerWorkBeforeSoundHeavy: leftover,
    replies: { speechHeavy: a.events.filter((e) => e.type === 'response.start').length, soundHeavy: b.events.filter((e) => e.type === 'response.start').length },
  };
  writeFileSync('bench/results/loop.json', JSON.stringify(json, null, 2));
  console.log('\nwrote bench/results/loop.json');
  await engine.close?.();
}

await main();
