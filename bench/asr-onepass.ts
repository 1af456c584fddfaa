// One streaming pass vs today's two passes (cheap partial decoder + batch re-decode of the saved audio),
// on the same audio in one run: WER, command accuracy, end-of-utterance wait, CPU per chunk.
// Each voice is one "session": its utterances go through one recogniser in order, so the one-pass
// recogniser's running CMN estimate carries from one utterance to the next as it would live.
// Audio is fed in 0.4 s chunks as it would arrive, each awaited (the decoder keeps up); the
// end-of-utterance wait is finish() → transcript.
//   node --import tsx bench/asr-onepass.ts [--voices en-us+klatt,flite:slt] [--repeat 1]
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { StreamingRecognizer } from '../src/perception/asr/streaming.ts';
import { ONE_PASS_BEAMS, OnePassRecognizer, openOnePassPool } from '../src/perception/asr/one-pass.ts';
import { corpusWer, normalizeTranscript } from '../src/perception/asr/wer.ts';
import { concat, loadFile, silence, speech } from '../src/testing/audio.ts';

const { values } = parseArgs({
  options: {
    voices: { type: 'string', default: 'en-us+klatt,en-us+klatt4,en+m3,en-us+f2,flite:slt,flite:rms,flite:awb,flite:kal16' },
    out: { type: 'string', default: 'bench/results/asr-onepass.json' },
    /** One-pass variant: 'yes' adds the flat-lexicon second pass (more work at the end, fewer errors). */
    fwdflat: { type: 'string', default: 'no' },
    /** 'no' keeps a session's first utterance as the live pass decoded it (no re-decode with its own CMN); a number sets the history threshold in frames. */
    redecode: { type: 'string', default: 'yes' },
  },
});

/** Commands and questions (command accuracy = exact transcript) and free sentences, interleaved. */
const COMMANDS = ['what time is it', 'what is your name', 'how are you', 'set a timer for ten seconds', 'stop translating', 'what can you do', 'tell me when the doorbell rings', 'translate to spanish'];
const SENTENCES = [
  'The museum opens at nine and closes at six on weekdays.',
  'Please remember to water the plants while we are away.',
  'The train to the city leaves every twenty minutes from platform two.',
  'She reads the newspaper every morning with a cup of tea.',
];
const UTTERANCES = COMMANDS.flatMap((c, i) => (i % 2 === 1 ? [c, SENTENCES[(i - 1) / 2]] : [c]));

const tmp = mkdtempSync(join(tmpdir(), 'sf-onepass-'));
function say(text: string, voice: string): Float32Array {
  if (!voice.startsWith('flite:')) return speech(text, { voice });
  const file = join(tmp, 'flite.wav');
  execFileSync('flite', ['-voice', voice.slice(6), '-t', text, '-o', file]);
  return loadFile(file);
}

interface Recogniser {
  startUtterance(pre?: Int16Array | Float32Array): void;
  feed(pcm: Float32Array): Promise<string>;
  finish(opts?: { tailHasSpeech?: boolean }): Promise<{ text: string }>;
}

const CHUNK = 6400;
async function run(rec: Recogniser, audio: Float32Array): Promise<{ text: string; endMs: number; endCpuMs: number; feedMs: number[] }> {
  const pre = silence(0.3);
  rec.startUtterance(pre);
  const feedMs: number[] = [];
  for (let i = 0; i < audio.length; i += CHUNK) {
    const t = performance.now();
    await rec.feed(audio.subarray(i, i + CHUNK));
    feedMs.push(performance.now() - t);
  }
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  const r = await rec.finish();
  const c = process.cpuUsage(c0);
  return { text: r.text, endMs: performance.now() - t0, endCpuMs: (c.user + c.system) / 1000, feedMs };
}

function pct(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] : NaN;
}

const voices = values.voices.split(',');
const pool = openOnePassPool({ beams: { ...ONE_PASS_BEAMS, fwdflat: values.fwdflat === 'yes' } }, { max: 2, spare: 1 });
const rows: Record<string, unknown>[] = [];
const all = { two: [] as { ref: string; hyp: string }[], one: [] as { ref: string; hyp: string }[], oneFirst: [] as { ref: string; hyp: string }[] };
const endMs = { two: [] as number[], one: [] as number[] };
// CPU of the end-of-utterance work (all threads; nothing else runs in this process meanwhile): unlike the
// wall time it does not grow with other load on a shared machine.
const endCpuMs = { two: [] as number[], one: [] as number[] };
const cpuPerChunk = { two: [] as number[], one: [] as number[] };
const cmdHits = { two: 0, one: 0, n: 0 };
// End-of-utterance CPU of each voice's first utterance (re-decoded with its own CMN) and of the rest.
const endCpuFirst: number[] = [];
const endCpuLater: number[] = [];
for (const voice of voices) {
  const clips = UTTERANCES.map((u) => ({ ref: normalizeTranscript(u), audio: concat(say(u, voice), silence(0.6)) }));
  const two = await StreamingRecognizer.create();
  const one = new OnePassRecognizer(pool, values.redecode === 'no' ? { redecodeBelowFrames: 0 } : values.redecode === 'yes' ? {} : { redecodeBelowFrames: Number(values.redecode) });
  const pairs = { two: [] as { ref: string; hyp: string }[], one: [] as { ref: string; hyp: string }[] };
  for (const [k, clip] of clips.entries()) {
    for (const [name, rec] of [['two', two], ['one', one]] as const) {
      const c0 = process.cpuUsage();
      const r = await run(rec, clip.audio);
      const c = process.cpuUsage(c0);
      cpuPerChunk[name].push((c.user + c.system) / 1000 / Math.ceil(clip.audio.length / CHUNK));
      endMs[name].push(r.endMs);
      endCpuMs[name].push(r.endCpuMs);
      pairs[name].push({ ref: clip.ref, hyp: r.text });
      all[name].push({ ref: clip.ref, hyp: r.text });
      if (name === 'one' && k === 0) all.oneFirst.push({ ref: clip.ref, hyp: r.text });
      if (name === 'one') (k === 0 ? endCpuFirst : endCpuLater).push(r.endCpuMs);
      if (COMMANDS.includes(clip.ref)) {
        if (name === 'two') cmdHits.n++;
        if (r.text === clip.ref) cmdHits[name]++;
      }
    }
  }
  two.close();
  one.close();
  const row = { voice, twoPassWer: corpusWer(pairs.two), onePassWer: corpusWer(pairs.one), samples: clips.map((c, i) => ({ ref: c.ref, two: pairs.two[i].hyp, one: pairs.one[i].hyp })) };
  rows.push(row);
  console.error(`${voice}: WER two-pass ${(row.twoPassWer * 100).toFixed(1)}%, one-pass ${(row.onePassWer * 100).toFixed(1)}%`);
}
pool.close();
rmSync(tmp, { recursive: true, force: true });

const load = (await import('node:os')).loadavg();
const f = (x: number) => x.toFixed(1);
console.log(`\nASR one pass vs two passes (${voices.length} voices × ${UTTERANCES.length} utterances; load average ${load[0].toFixed(1)})\n`);
console.log('| voice | two-pass WER | one-pass WER |\n|---|---|---|');
for (const r of rows) console.log(`| ${r.voice} | ${f((r.twoPassWer as number) * 100)}% | ${f((r.onePassWer as number) * 100)}% |`);
console.log(`| **all** | **${f(corpusWer(all.two) * 100)}%** | **${f(corpusWer(all.one) * 100)}%** |`);
console.log('\n| measure | two-pass | one-pass |\n|---|---|---|');
console.log(`| command exact match (${cmdHits.n}) | ${cmdHits.two} | ${cmdHits.one} |`);
console.log(`| end-of-utterance wait p50 / p99 (ms) | ${f(pct(endMs.two, 50))} / ${f(pct(endMs.two, 99))} | ${f(pct(endMs.one, 50))} / ${f(pct(endMs.one, 99))} |`);
console.log(`| end-of-utterance CPU p50 / p99 (ms) | ${f(pct(endCpuMs.two, 50))} / ${f(pct(endCpuMs.two, 99))} | ${f(pct(endCpuMs.one, 50))} / ${f(pct(endCpuMs.one, 99))} |`);
console.log(`| CPU per 0.4 s chunk, mean (ms, all threads) | ${f(cpuPerChunk.two.reduce((a, b) => a + b, 0) / cpuPerChunk.two.length)} | ${f(cpuPerChunk.one.reduce((a, b) => a + b, 0) / cpuPerChunk.one.length)} |`);
console.log(`| first utterance of each voice (model CMN prior), WER | – | ${f(corpusWer(all.oneFirst) * 100)}% |`);
console.log(`| one pass, end CPU p50 / max (ms): first utterances (re-decode ${values.redecode}) vs later ones | – | ${f(pct(endCpuFirst, 50))} / ${f(Math.max(...endCpuFirst))} vs ${f(pct(endCpuLater, 50))} / ${f(Math.max(...endCpuLater))} |`);
mkdirSync('bench/results', { recursive: true });
writeFileSync(
  values.out,
  JSON.stringify({ date: new Date().toISOString(), loadAverage: load, voices, utterances: UTTERANCES, wer: { twoPass: corpusWer(all.two), onePass: corpusWer(all.one), onePassFirst: corpusWer(all.oneFirst) }, commandExact: cmdHits, fwdflat: values.fwdflat, redecode: values.redecode, endCpuFirstMs: { p50: pct(endCpuFirst, 50), max: Math.max(...endCpuFirst) }, endCpuLaterMs: { p50: pct(endCpuLater, 50), max: Math.max(...endCpuLater) }, endMs: { twoPass: { p50: pct(endMs.two, 50), p99: pct(endMs.two, 99) }, onePass: { p50: pct(endMs.one, 50), p99: pct(endMs.one, 99) } }, endCpuMs: { twoPass: { p50: pct(endCpuMs.two, 50), p99: pct(endCpuMs.two, 99) }, onePass: { p50: pct(endCpuMs.one, 50), p99: pct(endCpuMs.one, 99) } }, rows }, null, 1) + '\n',
);
console.log(`\nwrote ${values.out}`);
