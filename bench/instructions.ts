// Instruction recognition across TTS voices and noise levels, constrained recogniser vs the open
// n-gram decoder in one run, and the streamed grammar reading the engine uses with the one-pass
// recogniser (live decoders fed 0.4 s chunks, seeded like a session: each voice × noise level is one
// session whose one-pass recogniser hears every item); then Apertium translation latency per sentence.
// Usage: node --import tsx bench/instructions.ts [--voices en-us,flite:slt] [--snr clean,20,10] [--quick] [--no-streamed] [--no-floor]
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { intentOf } from '../src/response/intent.ts';
import { ConstrainedRecognizer, DEFAULT_FLOOR_RETRY } from '../src/perception/asr/grammar-recognizer.ts';
import { GrammarStream, openGrammarStreamPool } from '../src/perception/asr/grammar-stream.ts';
import { OnePassRecognizer, openOnePassPool } from '../src/perception/asr/one-pass.ts';
import { floatToPcm16 } from '../src/audio/pcm.ts';
import { closeTranslators, sharedTranslator, supportedTargets } from '../src/response/translate/apertium.ts';
import { concat, loadFile, mix, noise, silence, speech } from '../src/testing/audio.ts';
import { CHUNK_SAMPLES, SAMPLE_RATE } from '../src/audio/chunk.ts';

/** [spoken text, expected intent text (parsed the same way), in grammar?] */
const COMMANDS: [string, string][] = [
  ['translate what I say into Spanish', 'translate what i say into spanish'],
  ['translate to Catalan', 'translate to catalan'],
  ['stop translating', 'stop translating'],
  ['transcribe this', 'transcribe this'],
  ['count how many times the dog barks', 'count how many times the dog barks'],
  ['count the knocks', 'count the knocks'],
  ['tell me if the baby cries', 'tell me if the baby cries'],
  ['tell me when the doorbell rings', 'tell me when the doorbell rings'],
  ["don't comment on the dog", "don't comment on the dog"],
  ['be quiet for five minutes', 'be quiet for five minutes'],
  ['stop', 'stop'],
  ['what is your name', 'what is your name'],
  ['what can you do', 'what can you do'],
  ['what time is it', 'what time is it'],
  ['what is seven times eight', 'what is seven times eight'],
  ['set a timer for ten seconds', 'set a timer for ten seconds'],
];
const CHATTER = [
  'I went to the market yesterday and bought apples',
  'my brother is coming home late tonight',
  'the weather is really nice outside',
  'did you see where I put my keys',
  'we should order pizza for dinner',
  'that movie was absolutely fantastic',
];

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}
const quick = process.argv.includes('--quick');
const voices = (arg('voices') ?? (quick ? 'en-us,en+f3,flite:slt' : 'en-us,en-us+klatt,en+f3,en+m3,en-gb,flite:slt,flite:rms,flite:awb,flite:kal16')).split(',');
const snrs = (arg('snr') ?? (quick ? 'clean,10' : 'clean,20,10')).split(',');

const tmp = mkdtempSync(join(tmpdir(), 'sf-bench-instr-'));
function say(text: string, voice: string): Float32Array {
  if (!voice.startsWith('flite:')) return speech(text, { voice });
  const file = join(tmp, 'flite.wav');
  execFileSync('flite', ['-voice', voice.slice(6), '-t', text, '-o', file]);
  return loadFile(file);
}

interface Row {
  voice: string; snr: string; n: number; cmdOk: number; cmdWrong: number; cmdRejected: number; openOk: number; chatter: number; chatterAccepted: number; openChatterAccepted: number; msMean: number;
  /** The streamed reading (same items, one session per row). */
  streamOk: number; streamWrong: number; streamRejected: number; streamChatterAccepted: number; streamSameAsBatch: number;
}

const streamed = !process.argv.includes('--no-streamed');
// The engine's default second reading over a noise floor (docs/notes/eval-v1-misses.md, ninth round); --no-floor: without.
const floorRetry = process.argv.includes('--no-floor') ? null : DEFAULT_FLOOR_RETRY;
const rec = await ConstrainedRecognizer.open({ withOpenDecoder: true, floorRetry });
const onePassPool = streamed ? openOnePassPool({}, { max: 1, spare: 0, idleMs: 60_000 }) : null;
const streamPool = streamed ? openGrammarStreamPool({ max: 1, spare: 0, idleMs: 60_000 }) : null;
const rows: Row[] = [];
const samples: { voice: string; snr: string; said: string; constrained: string; margin: number; wordScore: number; accepted: boolean; open: string; streamed?: string; streamedMargin?: number; streamedAccepted?: boolean }[] = [];
for (const voice of voices) {
  for (const snr of snrs) {
    const row: Row = { voice, snr, n: 0, cmdOk: 0, cmdWrong: 0, cmdRejected: 0, openOk: 0, chatter: 0, chatterAccepted: 0, openChatterAccepted: 0, msMean: 0, streamOk: 0, streamWrong: 0, streamRejected: 0, streamChatterAccepted: 0, streamSameAsBatch: 0 };
    // One session per row: the streamed reading starts from the session's cepstral estimate, which the
    // one-pass recogniser keeps (the first item starts from the model's prior, as a new session does).
    const onePass = onePassPool ? new OnePassRecognizer(onePassPool) : null;
    const gs = streamPool && onePass ? new GrammarStream(streamPool, { seed: () => onePass.settled().then(() => onePass.cmnState), floorRetry }) : null;
    const items: [string, string | null][] = [...COMMANDS.map(([s, e]): [string, string | null] => [s, e]), ...CHATTER.map((s): [string, string | null] => [s, null])];
    for (const [said, expected] of items) {
      let audio = concat(silence(0.2), say(said, voice), silence(0.2));
      if (snr !== 'clean') audio = mix(audio, noise(audio.length / SAMPLE_RATE + 0.1, { color: 'pink' }), Number(snr));
      const d = await rec.recognizeDetailed(audio);
      const open = await rec.openDecode(audio);
      const got = d?.accepted ? intentOf(d.text) : null;
      const openGot = intentOf(open);
      let sd: Awaited<ReturnType<GrammarStream['finish']>> = null;
      if (gs && onePass) {
        const pcm = floatToPcm16(audio);
        onePass.startUtterance();
        gs.start();
        for (let i = 0; i < pcm.length; i += CHUNK_SAMPLES) {
          void onePass.feed(pcm.subarray(i, i + CHUNK_SAMPLES)).catch(() => undefined);
          gs.feed(pcm.subarray(i, i + CHUNK_SAMPLES));
        }
        [sd] = await Promise.all([gs.finish(), onePass.finish()]);
        const sgot = sd?.accepted ? intentOf(sd.text) : null;
        if (sgot === got) row.streamSameAsBatch++;
        if (expected) {
          if (sgot === intentOf(expected)) row.streamOk++;
          else if (sgot) row.streamWrong++;
          else row.streamRejected++;
        } else if (sgot) row.streamChatterAccepted++;
      }
      samples.push({
        voice, snr, said, constrained: d?.text ?? '', margin: d ? Number(d.margin.toFixed(2)) : NaN, wordScore: d ? Number(d.wordScore.toFixed(2)) : NaN, accepted: !!d?.accepted, open,
        ...(gs ? { streamed: sd?.text ?? '', streamedMargin: sd ? Number(sd.margin.toFixed(2)) : NaN, streamedAccepted: !!sd?.accepted } : {}),
      });
      row.msMean += d?.ms ?? 0;
      if (expected) {
        row.n++;
        const want = intentOf(expected);
        if (got === want) row.cmdOk++;
        else if (got) row.cmdWrong++;
        else row.cmdRejected++;
        if (openGot === want) row.openOk++;
      } else {
        row.chatter++;
        if (got) row.chatterAccepted++;
        if (openGot) row.openChatterAccepted++;
      }
    }
    row.msMean /= items.length;
    rows.push(row);
    gs?.close();
    onePass?.close();
    const st = gs ? ` | streamed ${row.streamOk}/${row.n} ok, ${row.streamWrong} wrong, chatter ${row.streamChatterAccepted}/${row.chatter}, same as batch ${row.streamSameAsBatch}/${items.length}` : '';
    console.log(`${voice.padEnd(12)} ${snr.padEnd(6)} constrained ${row.cmdOk}/${row.n} ok, ${row.cmdWrong} wrong, ${row.cmdRejected} rejected | open ${row.openOk}/${row.n} | chatter accepted: constrained ${row.chatterAccepted}/${row.chatter}, open ${row.openChatterAccepted}/${row.chatter}${st} | ${row.msMean.toFixed(0)} ms/utt`);
  }
}
rec.close();
streamPool?.close();
onePassPool?.close();

const total = (k: keyof Row) => rows.reduce((s, r) => s + (r[k] as number), 0);
const summary = {
  commands: total('n'),
  constrainedAccuracy: total('cmdOk') / total('n'),
  constrainedWrong: total('cmdWrong') / total('n'),
  constrainedRejected: total('cmdRejected') / total('n'),
  openAccuracy: total('openOk') / total('n'),
  chatterFalseAcceptConstrained: total('chatterAccepted') / total('chatter'),
  chatterFalseAcceptOpen: total('openChatterAccepted') / total('chatter'),
  ...(streamed
    ? {
        streamedAccuracy: total('streamOk') / total('n'),
        streamedWrong: total('streamWrong') / total('n'),
        streamedRejected: total('streamRejected') / total('n'),
        chatterFalseAcceptStreamed: total('streamChatterAccepted') / total('chatter'),
        streamedSameAsBatch: total('streamSameAsBatch') / (total('n') + total('chatter')),
      }
    : {}),
};
console.log('\nsummary', JSON.stringify(summary, null, 1));

// Translation latency per sentence, after each pipeline's warm-up.
const SENTENCES = ['my name is john and i live in london', 'where is the train station', 'i would like a cup of coffee please', 'the meeting starts at nine tomorrow morning', 'can you help me find my keys', 'the weather is nice today and i want to go to the beach'];
const translation: Record<string, { warmupMs: number; meanMs: number; p95Ms: number; example: string }> = {};
for (const l of supportedTargets()) {
  const t0 = performance.now();
  await sharedTranslator().warmup(l.code);
  const warmupMs = performance.now() - t0;
  const times: number[] = [];
  let example = '';
  for (let rep = 0; rep < 5; rep++) {
    for (const s of SENTENCES) {
      const t = performance.now();
      const out = await sharedTranslator().translate(s, { to: l.code });
      times.push(performance.now() - t);
      if (!example) example = out;
    }
  }
  times.sort((a, b) => a - b);
  translation[l.code] = { warmupMs: Math.round(warmupMs), meanMs: Number((times.reduce((a, b) => a + b, 0) / times.length).toFixed(2)), p95Ms: Number(times[Math.floor(times.length * 0.95)].toFixed(2)), example };
  console.log(`translate en→${l.code}: warm-up ${warmupMs.toFixed(0)} ms, mean ${translation[l.code].meanMs} ms, p95 ${translation[l.code].p95Ms} ms  ("${example}")`);
}
closeTranslators();
rmSync(tmp, { recursive: true, force: true });
mkdirSync('bench/results', { recursive: true });
writeFileSync('bench/results/instructions.json', JSON.stringify({ date: new Date().toISOString(), voices, snrs, rows, summary, translation, samples }, null, 1));
console.log('wrote bench/results/instructions.json');
