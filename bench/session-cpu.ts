// CPU per speaking session, in the served engine's configuration (one-pass recogniser, command grammar
// read in batches at pauses, perception on one worker per core): N in-process sessions are fed the
// knee's audio (bench/knee.ts profiles) as fast as they take it, and the process's CPU time (all
// threads: recogniser calls on libuv's pool, perception workers, main thread) is counted. CPU-seconds
// per session-minute of audio depend far less on other load than the knee's missed deadlines, so
// two builds can be compared on a shared machine. The room noise comes from a fixed seed, so the audio
// is the same in every run; the signature hashes each session's respond chunks and final transcripts
// (listed in the JSON). Whether a first utterance's re-decode finds an idle second decoder depends on
// timing and leaves the decoders' noise estimates in different states, so transcripts can still differ
// between runs of one build: compare the lists, not only the hash.
//   node --import tsx bench/session-cpu.ts [--profile conversation|continuous] [--sessions 8] [--seconds 40] [--rounds 1]
import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { EmbeddedEngine } from '../src/engine/embedded.ts';
import { concat, mix, silence, speech } from '../src/testing/audio.ts';
import { feedRotated, seededRoomNoise } from './streams.ts';
import { processCpuMs } from './threads.ts';

const { values } = parseArgs({
  options: {
    profile: { type: 'string', default: 'conversation' },
    sessions: { type: 'string', default: '8' },
    seconds: { type: 'string', default: '40' },
    rounds: { type: 'string', default: '1' },
    /** Command-grammar readings: batch (the server's default) or streamed (the library's). */
    grammar: { type: 'string', default: 'batch' },
    out: { type: 'string', default: 'bench/results/session-cpu.json' },
  },
});
const profile = values.profile === 'continuous' ? 'continuous' : 'conversation';
const sessions = Number(values.sessions);
const seconds = Number(values.seconds);
const grammar = values.grammar === 'streamed' ? 'streamed' : 'batch';
const SR = 16000;
const CHUNK = 6400;


// The knee's profiles (bench/knee.ts): the same sentences and voices.
const STATEMENTS = [
  'The museum opens at nine and closes at six on weekdays.',
  'We cooked pasta with tomatoes and basil from the garden.',
  'The meeting was moved to Thursday afternoon because of the holiday.',
  'She reads the newspaper every morning with a cup of tea.',
];
function buildAudio(): Float32Array {
  const parts: Float32Array[] = [];
  let n = 0;
  const push = (x: Float32Array) => {
    parts.push(x);
    n += x.length;
  };
  for (let i = 0; n < seconds * SR; i++) {
    if (profile === 'continuous') {
      push(speech(STATEMENTS[i % STATEMENTS.length], { voice: i % 2 ? 'en+m3' : 'en-us+klatt' }));
      push(silence(0.3));
    } else {
      push(speech('how are you', { voice: 'en-us+klatt' }));
      push(silence(4.5));
      push(speech(STATEMENTS[i % STATEMENTS.length], { voice: 'en+m3' }));
      push(silence(Math.max(1, 20 - (n % (20 * SR)) / SR)));
    }
  }
  const x = concat(...parts).subarray(0, seconds * SR);
  return mix(x, seededRoomNoise(seconds * SR, 0x9e3779b9), 30);
}

interface Run {
  allMs: number;
  mainMs: number;
  wallS: number;
  cpuSecondsPerSessionMinute: number;
  signature: string;
  /** Per session: respond chunks (R<index>) and final transcripts (T<utterance>:<text>), in order. */
  log: string[][];
  responds: number;
  finals: number;
}

async function run(audio: Float32Array): Promise<Run> {
  const engine = new EmbeddedEngine({ asr: 'one-pass', grammar, perceptionWorkers: availableParallelism() });
  await engine.warmUp();
  const ss = await Promise.all(Array.from({ length: sessions }, () => engine.createSession()));
  const logs: string[][] = ss.map(() => []);
  let responds = 0;
  let finals = 0;
  const readers = ss.map(async (s, i) => {
    for await (const e of s) {
      if (e.type === 'chunk' && e.decision === 'respond') {
        responds++;
        logs[i].push(`R${e.index}`);
      } else if (e.type === 'transcript' && e.final) {
        finals++;
        logs[i].push(`T${e.utterance}:${e.text}`);
      }
    }
  });
  const c0 = processCpuMs();
  const w0 = performance.now();
  // Phase-shifted as in the knee, so speech does not coincide.
  await feedRotated(ss, audio, (i) => Math.floor(((i / sessions) * audio.length) / CHUNK) * CHUNK);
  await Promise.all(readers);
  const c1 = processCpuMs();
  const wallS = (performance.now() - w0) / 1000;
  await engine.close();
  const allMs = c1.all - c0.all;
  return {
    allMs,
    mainMs: c1.main - c0.main,
    wallS,
    cpuSecondsPerSessionMinute: allMs / 1000 / ((sessions * seconds) / 60),
    signature: createHash('sha256').update(JSON.stringify(logs)).digest('hex').slice(0, 12),
    log: logs,
    responds,
    finals,
  };
}

const audio = buildAudio();
const load0 = loadavg()[0];
const runs: Run[] = [];
for (let r = 0; r < Number(values.rounds); r++) {
  const x = await run(audio);
  runs.push(x);
  console.error(
    `round ${r + 1}: ${x.cpuSecondsPerSessionMinute.toFixed(2)} CPU-s per session-minute (all threads ${(x.allMs / 1000).toFixed(1)} s, main ${(x.mainMs / 1000).toFixed(1)} s, wall ${x.wallS.toFixed(1)} s), ${x.finals} finals, ${x.responds} respond chunks, signature ${x.signature}`,
  );
}
console.log(`\n${sessions} sessions × ${seconds} s, ${profile} profile, grammar ${grammar}, as fast as they go (load avg ${load0.toFixed(1)} at start)\n`);
console.log('| round | CPU-s per session-minute | all threads s | main thread s | finals | respond chunks | signature |\n|---|---|---|---|---|---|---|');
runs.forEach((x, i) => console.log(`| ${i + 1} | ${x.cpuSecondsPerSessionMinute.toFixed(2)} | ${(x.allMs / 1000).toFixed(1)} | ${(x.mainMs / 1000).toFixed(1)} | ${x.finals} | ${x.responds} | ${x.signature} |`));
mkdirSync('bench/results', { recursive: true });
writeFileSync(values.out, JSON.stringify({ date: new Date().toISOString(), profile, sessions, seconds, grammar, loadAvgAtStart: load0, runs }, null, 1) + '\n');
