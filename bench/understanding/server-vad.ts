// Questions answered right in server_vad turn detection vs the default, on the same audio. Run it
// against another checkout to compare before/after: --root /path/to/checkout (default: this one).
// Usage: node --import tsx bench/understanding/server-vad.ts [--root DIR] [--voices flite:slt,...]
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}
const root = resolve(arg('root') ?? new URL('../..', import.meta.url).pathname);
const voices = (arg('voices') ?? 'flite:slt,flite:rms,flite:awb,flite:kal16,en-us+klatt,en+klatt').split(',');
const { createEngine } = await import(pathToFileURL(join(root, 'src/engine/registry.ts')).href);
const { concat, loadFile, silence, speech } = await import(pathToFileURL(join(root, 'src/testing/audio.ts')).href);
const { collect } = await import(pathToFileURL(join(root, 'src/testing/session.ts')).href);

// [question, what a right answer contains]
const QUESTIONS: [string, RegExp][] = [
  ['what is your name', /SoundFlow/],
  ['what time is it', /\d:\d\d/],
  ['what is seven times eight', /\b56\b/],
  ['what is three plus four', /\b7\b/],
  ['what can you do', /transcribe/],
  ['what day is it today', /day/],
];

const tmp = mkdtempSync(join(tmpdir(), 'sf-svad-'));
function say(text: string, voice: string): Float32Array {
  if (!voice.startsWith('flite:')) return speech(text, { voice });
  const file = join(tmp, 'f.wav');
  execFileSync('flite', ['-voice', voice.slice(6), '-t', text, '-o', file]);
  return loadFile(file);
}

const engine = await createEngine('embedded');
const score: Record<string, { right: number; n: number; heard: string[] }> = {};
for (const turn of ['soundflow', 'server_vad'] as const) {
  score[turn] = { right: 0, n: 0, heard: [] };
  for (const v of voices) {
    for (const [q, right] of QUESTIONS) {
      const audio = concat(silence(0.6), say(q, v), silence(2));
      const events = await collect(await engine.createSession({ turnDetection: turn, mode: 'sequential', speak: false }), audio);
      const replies = events.filter((e: { type: string }) => e.type === 'response.end').map((e: { text: string }) => e.text).join(' ');
      const heard = events.filter((e: { type: string; final?: boolean }) => e.type === 'transcript' && e.final).map((e: { text: string }) => e.text).join(' | ');
      score[turn].n++;
      if (right.test(replies)) score[turn].right++;
      else score[turn].heard.push(`${v}: "${q}" → heard "${heard}" → "${replies}"`);
    }
  }
}
await engine.close?.();
rmSync(tmp, { recursive: true, force: true });
console.log(`checkout ${root}`);
for (const [turn, s] of Object.entries(score)) {
  console.log(`${turn.padEnd(10)} right ${s.right}/${s.n}`);
  for (const h of s.heard) console.log(`   ${h}`);
}
