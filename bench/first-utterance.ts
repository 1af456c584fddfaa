// A session's first utterance, heard four ways on the same audio in one run: as main decodes it (live
// with the model's prior mean, then decoded again segment by segment with its own mean), live with the
// model's prior alone, live with the project's prior (src/perception/asr/cmn-prior.ts; here refitted
// without the voice being heard: leave one voice out), and, for reference, the same audio as a later
// utterance (after one tuning phrase by the same voice, so with the session's own estimate).
// WER and exact command/question transcripts per variant; CPU of the whole utterance (all threads).
//   node --import tsx bench/first-utterance.ts [--voices a,b] [--conditions clean,noise25] [--later no]
import { mkdirSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { OnePassRecognizer, modelCmnInit, openOnePassPool, type OnePassOptions } from '../src/perception/asr/one-pass.ts';
import { CMN_PRIOR } from '../src/perception/asr/cmn-prior.ts';
import { corpusWer, normalizeTranscript } from '../src/perception/asr/wer.ts';
import { SR } from '../src/testing/audio.ts';
import { CONDITIONS, FIRST_UTTERANCE_VOICES, cleanUp, utterance, type Condition, type Utterance } from './first-utterance-audio.ts';
import { TUNING_PHRASES, fitCmnPrior } from '../scripts/fit-cmn-prior.ts';

const { values } = parseArgs({
  options: {
    voices: { type: 'string', default: FIRST_UTTERANCE_VOICES.join(',') },
    conditions: { type: 'string', default: CONDITIONS.join(',') },
    later: { type: 'string', default: 'yes' },
    /** 'lovo': the prior refitted without the voice heard; 'committed': CMN_PRIOR as shipped. */
    prior: { type: 'string', default: 'lovo' },
    out: { type: 'string', default: 'bench/results/first-utterance.json' },
  },
});

/** Reported phrases (none of them used to fit the prior): commands/questions, statements, and two with a pause. */
const COMMANDS = ['what time is it', 'what is your name', 'how are you', 'set a timer for ten seconds', 'stop translating', 'what can you do', 'tell me when the doorbell rings', 'translate to spanish'];
const PHRASES: string[][] = [
  ...COMMANDS.map((c) => [c]),
  ['The museum opens at nine and closes at six on weekdays.'],
  ['Please remember to water the plants while we are away.'],
  ['She reads the newspaper every morning with a cup of tea.'],
  ['good morning', 'i would like a cup of coffee'],
  ['excuse me', 'what time does the train leave'],
];

const voices = values.voices.split(',');
const conditions = values.conditions.split(',') as Condition[];
const pool = openOnePassPool({}, { max: 2, spare: 1 });
const CHUNK = 6400;

/** Feeds one utterance as the perceiver would: 0.4 s chunks, a segment committed 0.2 s into each pause. */
async function hear(rec: OnePassRecognizer, u: Utterance): Promise<{ text: string; cpuMs: number }> {
  const c0 = process.cpuUsage();
  rec.startUtterance(u.preRoll);
  const pauses = [...u.pauses];
  for (let i = 0; i < u.audio.length; i += CHUNK) {
    await rec.feed(u.audio.subarray(i, i + CHUNK));
    const fed = Math.min(u.audio.length, i + CHUNK);
    while (pauses.length && fed >= pauses[0] + 0.2 * SR) rec.commitSegment(fed - pauses.shift()!);
  }
  const r = await rec.finish();
  await rec.settled();
  const c = process.cpuUsage(c0);
  return { text: r.text, cpuMs: (c.user + c.system) / 1000 };
}

type Variant = 'redecode' | 'model' | 'prior' | 'later';
const variants: Variant[] = ['redecode', 'model', 'prior', ...(values.later === 'yes' ? (['later'] as const) : [])];
const pairs = Object.fromEntries(variants.map((v) => [v, [] as { ref: string; hyp: string }[]])) as Record<Variant, { ref: string; hyp: string }[]>;
const byVoice: Record<string, Record<Variant, { ref: string; hyp: string }[]>> = {};
const cmdExact = Object.fromEntries(variants.map((v) => [v, 0])) as Record<Variant, number>;
const cpu = Object.fromEntries(variants.map((v) => [v, [] as number[]])) as Record<Variant, number[]>;
let commands = 0;
const samples: Record<string, unknown>[] = [];

// Each voice's own tuning mean, once; the prior for a voice is the mean of the others' (leave one out).
const d = await pool.acquire();
const voiceMeans = new Map<string, Float32Array>();
if (values.prior === 'lovo') for (const v of FIRST_UTTERANCE_VOICES) voiceMeans.set(v, await fitCmnPrior(d, [v]));
pool.release(d);
function priorFor(voice: string): Float32Array {
  if (values.prior !== 'lovo') return CMN_PRIOR;
  const others = [...voiceMeans].filter(([v]) => v !== voice).map(([, m]) => m);
  return Float32Array.from(others[0], (_, j) => others.reduce((s, m) => s + m[j], 0) / others.length);
}

const model = modelCmnInit()!;
for (const voice of voices) {
  byVoice[voice] = Object.fromEntries(variants.map((v) => [v, []])) as unknown as Record<Variant, { ref: string; hyp: string }[]>;
  const prior = priorFor(voice);
  for (const condition of conditions) {
    for (const [k, parts] of PHRASES.entries()) {
      const u = utterance(parts, voice, condition, 1 + k);
      const ref = normalizeTranscript(parts.join(' '));
      const isCmd = parts.length === 1 && COMMANDS.includes(parts[0]);
      if (isCmd) commands++;
      const row: Record<string, unknown> = { voice, condition, ref };
      for (const variant of variants) {
        const opts: OnePassOptions = variant === 'redecode' ? { cmnPrior: model } : variant === 'model' ? { cmnPrior: model, redecodeBelowFrames: 0 } : { cmnPrior: prior, redecodeBelowFrames: 0 };
        const rec = new OnePassRecognizer(pool, opts);
        if (variant === 'later') await hear(rec, utterance([TUNING_PHRASES[k % TUNING_PHRASES.length]], voice, condition, 1000 + k));
        const r = await hear(rec, u);
        rec.close();
        await rec.settled();
        pairs[variant].push({ ref, hyp: r.text });
        byVoice[voice][variant].push({ ref, hyp: r.text });
        cpu[variant].push(r.cpuMs);
        if (isCmd && r.text === ref) cmdExact[variant]++;
        row[variant] = r.text;
      }
      samples.push(row);
    }
  }
  const exact = (v: Variant) => byVoice[voice][v].filter((p) => COMMANDS.includes(p.ref) && p.hyp === p.ref).length;
  console.error(`${voice}: ${variants.map((v) => `${v} ${(corpusWer(byVoice[voice][v]) * 100).toFixed(1)}% (${exact(v)} commands)`).join(', ')}`);
}
pool.close();
cleanUp();

const f = (x: number) => (x * 100).toFixed(1) + '%';
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const load = loadavg();
console.log(`\nFirst utterance of a session (${voices.length} voices × ${conditions.join('/')} × ${PHRASES.length} phrases; prior ${values.prior}; load average ${load[0].toFixed(1)})\n`);
console.log(`| voice | ${variants.join(' | ')} |\n|---|${variants.map(() => '---').join('|')}|`);
for (const voice of voices) console.log(`| ${voice} | ${variants.map((v) => f(corpusWer(byVoice[voice][v]))).join(' | ')} |`);
console.log(`| **all (WER)** | ${variants.map((v) => `**${f(corpusWer(pairs[v]))}**`).join(' | ')} |`);
console.log(`| commands exact (${commands}) | ${variants.map((v) => cmdExact[v]).join(' | ')} |`);
console.log(`| CPU per utterance, mean ms (loaded) | ${variants.map((v) => mean(cpu[v]).toFixed(0)).join(' | ')} |`);
mkdirSync('bench/results', { recursive: true });
writeFileSync(
  values.out,
  JSON.stringify({ date: new Date().toISOString(), loadAverage: load, voices, conditions, prior: values.prior, wer: Object.fromEntries(variants.map((v) => [v, corpusWer(pairs[v])])), commandExact: { ...cmdExact, of: commands }, cpuMeanMs: Object.fromEntries(variants.map((v) => [v, mean(cpu[v])])), perVoice: Object.fromEntries(voices.map((vo) => [vo, Object.fromEntries(variants.map((v) => [v, corpusWer(byVoice[vo][v])]))])), samples }, null, 1) + '\n',
);
console.log(`\nwrote ${values.out}`);
