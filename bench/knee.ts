// Server knee sweep: N concurrent real-time sessions over /ws for each N in --levels, each streaming a
// profile for --seconds, then an SVG plot (sessions vs missed deadlines and chunk latency).
//   node --import tsx bench/knee.ts [--profile conversation|continuous] [--levels 1,4,8,12,16] [--seconds 40]
//     [--serve-args="--asr one-pass --perception-workers 0"]
// Profiles (espeak-ng + flite speech over low pink-noise ambience, 100 ms frames at real-time pace):
//   conversation: ≈ 25% speech; every session asks a question ("how are you", answered by the skills)
//                 every ~20 s and says a statement in between; sessions are phase-shifted;
//   continuous:   sentences back to back (0.3 s gaps), no silence to rest in.
// A chunk misses its deadline when its `chunk` event arrives more than 400 ms after its last sample left
// the client. Turn-taking = the question's last sample sent → first reply audio received.
// The server runs at the default nice level (0); the machine's load average is recorded with each level.
// With --trace yes (default) the server writes per-chunk timing spans (SOUNDFLOW_CHUNK_TRACE) and each
// level prints where its missed chunks' time went: the root cause of each miss (the chunk whose wait
// started the backlog: early end-of-turn check at a pause, final transcript or grammar reading at an
// utterance end, VAD/sound model, main-thread perception), mean spans, event-loop stalls and GC.
import { copyFileSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { loadavg, tmpdir } from 'node:os';
import { parseArgs } from 'node:util';
import { startServe } from '../src/testing/serve.ts';
import { percentile as pct, streamWsSession, type WsSessionResult } from '../src/testing/ws-session.ts';
import { concat, floatToPcm16, mix, noise, silence, speech } from '../src/testing/audio.ts';
import { explainMisses, mainThreadPerChunk, readTrace, stallSummary } from '../src/testing/chunk-trace-report.ts';

const { values } = parseArgs({
  options: {
    profile: { type: 'string', default: 'conversation' },
    levels: { type: 'string', default: '1,4,8,12,16' },
    seconds: { type: 'string', default: '40' },
    out: { type: 'string' },
    svg: { type: 'string' },
    'stop-after-miss': { type: 'boolean', default: false },
    /** Extra `soundflow serve` flags, space-separated (e.g. "--asr one-pass"). */
    'serve-args': { type: 'string', default: '' },
    /** Node flags for the server process, space-separated (e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof"). */
    'node-args': { type: 'string', default: '' },
    /** Per-chunk timing spans from the server, to explain missed deadlines (yes|no). */
    trace: { type: 'string', default: 'yes' },
    /** Keep the server's trace (JSON lines) at this path instead of deleting it. */
    'keep-trace': { type: 'string' },
  },
});
const profile = values.profile === 'continuous' ? 'continuous' : 'conversation';
const levels = values.levels.split(',').map(Number).filter((n) => n >= 1 && n <= 64);
const seconds = Math.max(10, Number(values.seconds));
const outJson = values.out ?? `bench/results/knee-${profile}.json`;
const outSvg = values.svg ?? `docs/knee-${profile}.svg`;

const SR = 16000;
const CHUNK = 6400;
const QUESTION = 'how are you';
const STATEMENTS = [
  'The museum opens at nine and closes at six on weekdays.',
  'We cooked pasta with tomatoes and basil from the garden.',
  'The meeting was moved to Thursday afternoon because of the holiday.',
  'She reads the newspaper every morning with a cup of tea.',
];

/** One period of the profile's audio and where its questions end (sample indices). */
function buildProfile(): { audio: Int16Array; questionEnds: number[]; speechShare: number } {
  const parts: Float32Array[] = [];
  let speechSamples = 0;
  const say = (text: string, voice: string) => {
    const s = speech(text, { voice });
    speechSamples += s.length;
    return s;
  };
  const questionEnds: number[] = [];
  let n = 0;
  const push = (x: Float32Array) => {
    parts.push(x);
    n += x.length;
  };
  if (profile === 'continuous') {
    for (let i = 0; n < seconds * SR; i++) {
      push(say(STATEMENTS[i % STATEMENTS.length], i % 2 ? 'en+m3' : 'en-us+klatt'));
      push(silence(0.3));
    }
  } else {
    // 20 s period: question (~1 s) + 4.5 s for the reply, statement (~3.5 s), then quiet: ≈ 25% speech.
    for (let i = 0; n < seconds * SR; i++) {
      const q = say(QUESTION, 'en-us+klatt');
      push(q);
      questionEnds.push(n);
      push(silence(4.5));
      push(say(STATEMENTS[i % STATEMENTS.length], 'en+m3'));
      push(silence(Math.max(1, 20 - (n % (20 * SR)) / SR)));
    }
  }
  const x = concat(...parts).subarray(0, seconds * SR);
  // espeak pads its clips with silence, so this overstates speech a little.
  return { audio: floatToPcm16(mix(x, noise(seconds, { amplitude: 0.01 }), 30)), questionEnds: questionEnds.filter((e) => e < x.length), speechShare: Math.min(1, speechSamples / x.length) };
}

/** Chunks decided without a final that was not ready within the budget, early checks looked at again later, and how long the late finals took from their utterance's end chunk to the chunk that decided them. */
function deferrals(t: ReturnType<typeof readTrace>, sessions: Set<string | undefined>): { finals: number; checks: number; lateP50: number; lateMax: number } {
  const mine = [...t.chunks.values()].filter((c) => sessions.has(c.session));
  const late = mine.filter((c) => c.lateFinal && c.finalDecidedAfterMs !== undefined).map((c) => c.finalDecidedAfterMs!);
  return {
    finals: mine.filter((c) => c.deferredFinal).length,
    checks: mine.filter((c) => c.p.deferredCheck).length,
    lateP50: late.length ? Math.round(pct(late, 50)) : 0,
    lateMax: late.length ? Math.round(Math.max(...late)) : 0,
  };
}

function procStat(pid: number): { ticks: number; rssMiB: number } {
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return { ticks: Number(f[11]) + Number(f[12]), rssMiB: (Number(f[21]) * 4096) / 2 ** 20 };
}

/** One session, started at a different point of the period so questions do not all coincide. */
function runSession(url: string, audio: Int16Array, questionEnds: number[], offset: number, delayMs = 0): Promise<WsSessionResult> {
  const rolled = new Int16Array(audio.length);
  rolled.set(audio.subarray(offset));
  rolled.set(audio.subarray(0, offset), audio.length - offset);
  const ends = questionEnds.map((e) => (e - offset + audio.length) % audio.length);
  return streamWsSession(url, rolled, { questionEnds: ends, turnWindowMs: 3000, tailMs: 800, delayMs });
}

function svgPlot(rows: Record<string, number>[], title: string): string {
  const W = 640, H = 360, L = 60, R = 60, T = 40, B = 50;
  const xs = rows.map((r) => r.sessions);
  const xMax = Math.max(...xs, 1);
  const latMax = Math.max(400, ...rows.map((r) => r.chunkLatencyP99Ms)) * 1.1;
  const missMax = Math.max(1, ...rows.map((r) => r.missedDeadlines)) * 1.1;
  const px = (x: number) => L + (x / xMax) * (W - L - R);
  const pyL = (y: number) => H - B - (y / latMax) * (H - T - B);
  const pyM = (y: number) => H - B - (y / missMax) * (H - T - B);
  const line = (pts: [number, number][], color: string, dash = '') =>
    `<polyline fill="none" stroke="${color}" stroke-width="2" ${dash ? `stroke-dasharray="${dash}"` : ''} points="${pts.map(([x, y]) => `${x.toFixed(1)},${y.toFixed(1)}`).join(' ')}"/>` +
    pts.map(([x, y]) => `<circle cx="${x.toFixed(1)}" cy="${y.toFixed(1)}" r="3" fill="${color}"/>`).join('');
  const out: string[] = [];
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" font-family="sans-serif" font-size="12">`);
  out.push(`<rect width="${W}" height="${H}" fill="white"/>`);
  out.push(`<text x="${W / 2}" y="20" text-anchor="middle" font-size="14">${title}</text>`);
  out.push(`<line x1="${L}" y1="${H - B}" x2="${W - R}" y2="${H - B}" stroke="black"/><line x1="${L}" y1="${T}" x2="${L}" y2="${H - B}" stroke="black"/><line x1="${W - R}" y1="${T}" x2="${W - R}" y2="${H - B}" stroke="black"/>`);
  for (const x of xs) out.push(`<text x="${px(x)}" y="${H - B + 16}" text-anchor="middle">${x}</text>`);
  out.push(`<text x="${W / 2}" y="${H - 12}" text-anchor="middle">concurrent real-time sessions</text>`);
  for (let i = 0; i <= 4; i++) {
    const v = (latMax / 4) * i;
    out.push(`<text x="${L - 6}" y="${pyL(v) + 4}" text-anchor="end">${Math.round(v)}</text><line x1="${L}" y1="${pyL(v)}" x2="${W - R}" y2="${pyL(v)}" stroke="#eee"/>`);
    const m = (missMax / 4) * i;
    out.push(`<text x="${W - R + 6}" y="${pyM(m) + 4}" fill="#c33">${Math.round(m)}</text>`);
  }
  out.push(`<line x1="${L}" y1="${pyL(400)}" x2="${W - R}" y2="${pyL(400)}" stroke="#999" stroke-dasharray="2,3"/><text x="${L + 4}" y="${pyL(400) - 4}" fill="#999">400 ms deadline</text>`);
  out.push(`<text transform="translate(16,${H / 2}) rotate(-90)" text-anchor="middle">chunk latency (ms)</text>`);
  out.push(`<text transform="translate(${W - 12},${H / 2}) rotate(90)" text-anchor="middle" fill="#c33">missed deadlines</text>`);
  out.push(line(rows.map((r) => [px(r.sessions), pyL(r.chunkLatencyP50Ms)]), '#36c'));
  out.push(line(rows.map((r) => [px(r.sessions), pyL(r.chunkLatencyP99Ms)]), '#36c', '6,3'));
  out.push(line(rows.map((r) => [px(r.sessions), pyM(r.missedDeadlines)]), '#c33'));
  out.push(`<text x="${L + 10}" y="${T + 12}" fill="#36c">— chunk latency p50, - - p99</text><text x="${L + 10}" y="${T + 28}" fill="#c33">— missed 0.4 s deadlines (all sessions)</text>`);
  out.push('</svg>');
  return out.join('\n') + '\n';
}

/** Stalls of this (client) process's event loop: a late client reads `chunk` events late and the server gets the blame. */
const clientStalls: { at: number; ms: number }[] = [];
{
  let expected = performance.now() + 10;
  setInterval(() => {
    const now = performance.now();
    if (now - expected > 20) clientStalls.push({ at: now, ms: now - expected });
    expected = now + 10;
  }, 10).unref();
}

async function main(): Promise<void> {
  const { audio, questionEnds, speechShare } = buildProfile();
  const traceFile = values.trace === 'no' ? null : join(tmpdir(), `soundflow-knee-trace-${process.pid}.jsonl`);
  if (traceFile) process.env.SOUNDFLOW_CHUNK_TRACE = traceFile;
  const { child, ws } = await startServe(['--max-sessions', '128', ...values['serve-args'].split(' ').filter(Boolean)], values['node-args'].split(' ').filter(Boolean));
  const causes: Record<string, unknown>[] = [];
  const url = `${ws}/ws`;
  const rows: Record<string, number>[] = [];
  try {
    await runSession(url, audio.subarray(0, 4 * SR), [], 0); // warm-up: model loads, JIT
    const idleRss = procStat(child.pid!).rssMiB;
    for (const n of levels) {
      const load0 = loadavg()[0];
      const s0 = procStat(child.pid!);
      const w0 = performance.now();
      let peakRss = s0.rssMiB;
      const sampler = setInterval(() => (peakRss = Math.max(peakRss, procStat(child.pid!).rssMiB)), 500);
      const results = await Promise.all(
        Array.from({ length: n }, (_, i) => runSession(url, audio, questionEnds, Math.floor((i / n) * (audio.length / CHUNK)) * CHUNK, (i * 400) / n)),
      );
      clearInterval(sampler);
      const cl = clientStalls.filter((x) => x.at >= w0 && x.ms >= 100);
      process.stderr.write(`  client (bench) event-loop stalls >= 100 ms: ${cl.length}${cl.length ? ` (max ${Math.round(Math.max(...cl.map((x) => x.ms)))} ms)` : ''}\n`);
      const wall = (performance.now() - w0) / 1000;
      const s1 = procStat(child.pid!);
      const all = (k: 'chunkLatencyMs' | 'turnTakingMs' | 'decisionToAudioMs') => results.flatMap((r) => r[k]);
      const row = {
        sessions: n,
        chunks: all('chunkLatencyMs').length,
        missedDeadlines: results.reduce((s, r) => s + r.missed, 0),
        chunkLatencyP50Ms: Math.round(pct(all('chunkLatencyMs'), 50)),
        chunkLatencyP99Ms: Math.round(pct(all('chunkLatencyMs'), 99)),
        chunkLatencyMaxMs: Math.round(Math.max(...all('chunkLatencyMs'))),
        turns: all('turnTakingMs').length,
        turnTakingP50Ms: Math.round(pct(all('turnTakingMs'), 50)),
        turnTakingP90Ms: Math.round(pct(all('turnTakingMs'), 90)),
        decisionToAudioP50Ms: Math.round(pct(all('decisionToAudioMs'), 50)),
        sessionSetupMaxMs: Math.round(Math.max(...results.map((r) => r.setupMs))),
        serverCpuPct: Math.round(((s1.ticks - s0.ticks) / 100 / wall) * 100),
        // Less load-sensitive than missed deadlines (bench/session-cpu.ts measures it without the sockets).
        cpuSecondsPerSessionMinute: Math.round(((s1.ticks - s0.ticks) / 100 / ((n * seconds) / 60)) * 100) / 100,
        peakRssMiB: Math.round(peakRss),
        rssPerSessionMiB: Math.round((peakRss - idleRss) / n),
        loadAvg: Math.round(((load0 + loadavg()[0]) / 2) * 10) / 10,
        errors: results.reduce((s, r) => s + r.errors.length, 0),
        clientStalls100: cl.length,
      };
      if (traceFile) {
        await new Promise((r) => setTimeout(r, 300)); // the server's write stream catches up
        const t = readTrace(traceFile);
        const m = explainMisses(t, results);
        const ids = new Set(results.map((r) => r.sessionId));
        const mains = mainThreadPerChunk({ ...t, chunks: new Map([...t.chunks].filter(([, c]) => ids.has(c.session))) });
        Object.assign(row, { mainMsPerChunkP50: Math.round(pct(mains, 50) * 10) / 10, mainMsPerChunkP99: Math.round(pct(mains, 99) * 10) / 10 });
        // Decisions that did not wait for recognition past the budget (the final or the early end-of-turn
        // check went to a later chunk): the price of the deadlines, shown beside them.
        const d = deferrals(t, ids);
        // Event-loop stalls of the server while this level ran (its sessions' first chunk queued → last emitted).
        const mine = [...t.chunks.values()].filter((c) => ids.has(c.session));
        const st = stallSummary(t, 100, Math.min(...mine.map((c) => c.queuedAt)), Math.max(...mine.map((c) => c.emittedAt)));
        Object.assign(row, { stalls100: st.count, stallMaxMs: Math.round(st.maxMs) });
        process.stderr.write(`  server event-loop stalls >= 100 ms: ${st.count} (max ${Math.round(st.maxMs)} ms, mean ${st.meanMs} ms = main thread on a CPU ${st.cpuMs} + waiting for a CPU ${st.runqMs} + blocked ${st.blockedMs}; ${st.duringTrim} during a C-heap trim, ${st.duringGc} during a GC); ${st.trims} trims, longest ${Math.round(st.trimMsMax)} ms\n`);
        Object.assign(row, { deferredFinals: d.finals, deferredChecks: d.checks, lateFinalsP50Ms: d.lateP50, lateFinalsMaxMs: d.lateMax });
        causes.push({ sessions: n, ...m, rootCauses: Object.fromEntries(m.rootCauses) });
        if (m.found + m.missing) {
          process.stderr.write(`  ${m.found + m.missing} missed: mean spans ${JSON.stringify(m.meanSpans)}, transport ${m.transportMs} ms, with loop stall ≥50 ms ${m.withLoopLag}, with GC ≥50 ms ${m.withGc}, untraced ${m.missing}\n`);
          for (const [c, k] of [...m.rootCauses].sort((a, b) => b[1] - a[1])) process.stderr.write(`    ${k} × ${c}\n`);
        }
      }
      rows.push(row);
      process.stderr.write(`${n} session(s): ${row.missedDeadlines} missed, chunk p50/p99 ${row.chunkLatencyP50Ms}/${row.chunkLatencyP99Ms} ms, turn p50 ${row.turnTakingP50Ms} ms, cpu ${row.serverCpuPct}%, rss ${row.peakRssMiB} MiB, load ${row.loadAvg}${'deferredFinals' in row ? `, deferred decisions: ${(row as Record<string, number>).deferredFinals} chunks without a late final (max ${(row as Record<string, number>).lateFinalsMaxMs} ms end → decision), ${(row as Record<string, number>).deferredChecks} early checks` : ''}\n`);
      if (values['stop-after-miss'] && row.missedDeadlines > 0) break;
    }
  } finally {
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
    if (traceFile && values['keep-trace']) copyFileSync(traceFile, values['keep-trace']);
    if (traceFile) rmSync(traceFile, { force: true });
  }
  const knee = rows.filter((r) => r.missedDeadlines === 0).reduce((m, r) => Math.max(m, r.sessions), 0);
  const cols = Object.keys(rows[0] ?? {});
  console.log(`\nknee sweep, profile ${profile}, ${seconds} s per session (${questionEnds.length} questions each, speech ${Math.round(speechShare * 100)}% of the audio incl. espeak's padding)\n`);
  console.log(`| ${cols.join(' | ')} |\n|${cols.map(() => '---').join('|')}|`);
  for (const r of rows) console.log(`| ${cols.map((c) => r[c]).join(' | ')} |`);
  console.log(`\nknee: ${knee} concurrent real-time session(s) with zero missed 0.4 s deadlines`);
  for (const c of causes) {
    const rc = Object.entries(c.rootCauses as Record<string, number>).sort((a, b) => b[1] - a[1]);
    if (rc.length) console.log(`missed at ${c.sessions}: ${rc.map(([k, v]) => `${v} × ${k}`).join('; ')}`);
  }
  mkdirSync(dirname(outJson), { recursive: true });
  writeFileSync(outJson, JSON.stringify({ date: new Date().toISOString(), profile, seconds, serveArgs: values['serve-args'], speechShare, questionsPerSession: questionEnds.length, knee, rows, missCauses: causes }, null, 1) + '\n');
  mkdirSync(dirname(outSvg), { recursive: true });
  writeFileSync(outSvg, svgPlot(rows, `SoundFlow server knee (${profile}, load avg ${rows.length ? rows[rows.length - 1].loadAvg : '?'})`));
  console.log(`wrote ${outJson}, ${outSvg}`);
}

await main();
