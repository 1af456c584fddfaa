// A session's first utterance read by the streamed grammar reader (seed null: own-mean decodes, default floor
// retry) for the first-utterance bench's 13 phrases × 10 voices × clean/noise25, one after another on one
// decoder pair; writes each verdict, sentence, word fit and margin to OUT (compare two builds' files).
//   node --import tsx bench/first-utterance-grammar.ts OUT.json
import { writeFileSync } from 'node:fs';
import { GrammarStream, openGrammarStreamPool } from '../src/perception/asr/grammar-stream.ts';
import { DEFAULT_FLOOR_RETRY } from '../src/perception/asr/grammar-recognizer.ts';
import { floatToPcm16 } from '../src/testing/audio.ts';
import { FIRST_UTTERANCE_VOICES, utterance, cleanUp } from './first-utterance-audio.ts';
const COMMANDS = ['what time is it', 'what is your name', 'how are you', 'set a timer for ten seconds', 'stop translating', 'what can you do', 'tell me when the doorbell rings', 'translate to spanish'];
const PHRASES: string[][] = [...COMMANDS.map((c) => [c]), ['The museum opens at nine and closes at six on weekdays.'], ['Please remember to water the plants while we are away.'], ['She reads the newspaper every morning with a cup of tea.'], ['good morning', 'i would like a cup of coffee'], ['excuse me', 'what time does the train leave']];
const pool = openGrammarStreamPool({ max: 1, spare: 0, idleMs: 60_000 });
const out: Record<string, unknown>[] = [];
const c0 = process.cpuUsage();
for (const voice of FIRST_UTTERANCE_VOICES) for (const cond of ['clean', 'noise25'] as const) for (const [k, parts] of PHRASES.entries()) {
  const u = utterance(parts, voice, cond, 1 + k);
  const pcm = floatToPcm16(new Float32Array([...u.preRoll, ...u.audio.subarray(0, u.audio.length - Math.round(0.6 * 16000))]));
  const s = new GrammarStream(pool, { seed: async () => null, floorRetry: DEFAULT_FLOOR_RETRY });
  s.start();
  for (let i = 0; i < pcm.length; i += 6400) s.feed(pcm.subarray(i, i + 6400));
  const r = await s.finish();
  s.close();
  out.push({ voice, cond, said: parts.join(' '), accepted: r?.accepted ?? null, text: r?.text ?? null, floored: !!r?.floored, wordScore: r?.wordScore, margin: r?.margin });
}
const c = process.cpuUsage(c0);
writeFileSync(process.argv[2], JSON.stringify(out, null, 1));
console.log(`readings ${out.length}, accepted ${out.filter((o) => o.accepted).length}, CPU ${((c.user + c.system) / 1000).toFixed(0)} ms`);
pool.close(); cleanUp();
