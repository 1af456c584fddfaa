// What runs between the loop bench's first utterance's closing-silence onset and the decision on its
// final: every pocketsphinx operation (which decoder, what, when it started and ended on its queue), the
// one pass's onset/pause/end calls, and the chunks' decisions; then each whole-audio decode of that window
// (own-mean re-decode pieces, own-mean grammar readings) is replayed alone, one after another, for its CPU
// time (process CPU, all threads: load-independent, unlike the wall times).
// Same engine, warm-up and paced stream as bench/loop.ts's "speech-heavy, real-time paced" (its first 30 s),
// without the streams the loop bench runs before it (--fast-first yes runs the 60 s speech stream as fast as
// possible first, as the loop bench does).
//   node --import tsx bench/first-utterance-path.ts [--seconds 12] [--fast-first no] [--replay yes]
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { createEngine } from '../src/engine/registry.ts';
import type { EmbeddedSession } from '../src/engine/session.ts';
import type { Engine } from '../src/engine/types.ts';
import { silence, SR } from '../src/testing/audio.ts';
import { CHUNK_SAMPLES } from '../src/audio/chunk.ts';
import { PocketSphinxDecoder } from '../src/perception/asr/pocketsphinx.ts';
import { GrammarDecoderPair } from '../src/perception/asr/grammar-stream.ts';
import { GrammarStream } from '../src/perception/asr/grammar-stream.ts';
import { OnePassRecognizer, ONE_PASS_BEAMS } from '../src/perception/asr/one-pass.ts';
import { openGrammarDecoder } from '../src/perception/asr/grammar-recognizer.ts';
import { playThrough, speechHeavy } from './streams.ts';

const { values } = parseArgs({ options: { seconds: { type: 'string', default: '12' }, 'fast-first': { type: 'string', default: 'no' }, replay: { type: 'string', default: 'yes' } } });

let T0 = performance.now();
const now = () => performance.now() - T0;
interface Op { dec: string; op: string; samples: number; queued: number; start?: number; end?: number; pcm?: Int16Array; opts?: unknown }
const ops: Op[] = [];
const marks: { at: number; what: string }[] = [];
const names = new WeakMap<object, string>();
let pairs = 0;
let others = 0;
const nameOf = (d: object) => {
  let n = names.get(d);
  if (!n) names.set(d, (n = `op${others++}`));
  return n;
};
const pairOpen = GrammarDecoderPair.open;
GrammarDecoderPair.open = async () => {
  const p = await pairOpen.call(GrammarDecoderPair);
  const k = pairs++;
  names.set(p.grammar, `gram${k}`);
  names.set(p.loop, `loop${k}`);
  return p;
};
const proto = PocketSphinxDecoder.prototype as unknown as Record<string, (...a: unknown[]) => unknown>;
let label: Op | null = null;
const enqueue = proto.enqueue;
proto.enqueue = function (this: object, ...a: unknown[]) {
  const op = a[0] as () => Promise<unknown>;
  const rec = label;
  label = null;
  if (!rec) return enqueue.call(this, op);
  rec.queued = now();
  ops.push(rec);
  return enqueue.call(this, async () => {
    rec.start = now();
    try {
      return await op();
    } finally {
      rec.end = now();
    }
  });
};
for (const m of ['decodeOwnMean', 'process', 'end', 'decode']) {
  const orig = proto[m];
  proto[m] = function (this: object, ...a: unknown[]) {
    const pcm = a[0] instanceof Int16Array ? a[0] : null;
    label = { dec: nameOf(this), op: m, samples: pcm?.length ?? 0, queued: 0, ...(m === 'decodeOwnMean' ? { pcm: pcm!.slice(), opts: a[1] } : {}) };
    try {
      return orig.apply(this, a);
    } finally {
      label = null;
    }
  };
}
const one = OnePassRecognizer.prototype as unknown as Record<string, (...a: unknown[]) => unknown>;
for (const m of ['silenceBegan', 'commitSegment', 'finish', 'startUtterance']) {
  const orig = one[m];
  one[m] = function (this: object, ...a: unknown[]) {
    marks.push({ at: now(), what: `onepass.${m}` });
    return orig.apply(this, a);
  };
}
const gs = GrammarStream.prototype as unknown as Record<string, (...a: unknown[]) => unknown>;
for (const m of ['read', 'start', 'cancel']) {
  const orig = gs[m];
  gs[m] = function (this: object, ...a: unknown[]) {
    marks.push({ at: now(), what: `grammar.${m}` });
    return orig.apply(this, a);
  };
}

async function paced(engine: Engine, audio: Float32Array): Promise<{ session: EmbeddedSession; chunkAt: number[]; decidedAt: Map<number, number> }> {
  const session = (await engine.createSession({})) as EmbeddedSession;
  const chunkAt: number[] = [];
  const decidedAt = new Map<number, number>();
  const reader = (async () => {
    for await (const ev of session) {
      if (ev.type === 'chunk') {
        decidedAt.set(ev.index, now());
        if ((ev as { final?: unknown }).final !== undefined || (ev as { transcript?: unknown }).transcript) marks.push({ at: now(), what: `chunk ${ev.index} decided with final` });
      }
      if (ev.type === 'transcript') marks.push({ at: now(), what: `${ev.type} "${(ev as { text?: string }).text ?? ''}"` });
    }
  })();
  T0 = performance.now();
  for (let i = 0; i < audio.length; i += 1600) {
    await session.push(audio.subarray(i, i + 1600));
    const end = i + 1600;
    if (end % CHUNK_SAMPLES === 0) chunkAt[end / CHUNK_SAMPLES - 1] = now();
    const ahead = (end / SR) * 1000 - now();
    if (ahead > 0) await new Promise((r) => setTimeout(r, ahead));
  }
  await session.end();
  await reader;
  return { session, chunkAt, decidedAt };
}

const engine = await createEngine('embedded');
const seconds = Number(values.seconds);
const talk = speechHeavy(60);
await playThrough(await engine.createSession({}), silence(2));
if (values['fast-first'] === 'yes') await playThrough(await engine.createSession({}), talk);
await new Promise((r) => setTimeout(r, 2000));
ops.length = 0;
marks.length = 0;
const cpu0 = process.cpuUsage();
const { session, chunkAt, decidedAt } = await paced(engine, talk.subarray(0, seconds * SR));
const cpu = process.cpuUsage(cpu0);
const ends = session.timings.utteranceEndMs.values();
const redo = session.perceiver.lastRedecode;
console.log(`load ${loadavg().map((x) => x.toFixed(2)).join(' ')}; CPU of the paced run ${((cpu.user + cpu.system) / 1000).toFixed(0)} ms`);
console.log(`utterance ends (ms): ${ends.map((x) => x.toFixed(1)).join(', ')}`);
if (redo) console.log(`first utterance re-decode: ${JSON.stringify(redo)}`);
// The window: the first onepass.finish → the chunk that carried its final.
const firstFinish = marks.find((m) => m.what === 'onepass.finish')!.at;
const windowStart = (marks.find((m) => m.what === 'onepass.silenceBegan' && m.at <= firstFinish) ?? marks.find((m) => m.what === 'onepass.commitSegment')!).at - 50;
const finalMark = marks.find((m) => m.what.includes('decided with final') && m.at > firstFinish);
const windowEnd = (finalMark?.at ?? firstFinish + 2000) + 300;
console.log(`\nchunks: ${chunkAt.map((t, i) => (t >= windowStart - 500 && t <= windowEnd ? `#${i} in ${t.toFixed(0)} out ${decidedAt.get(i)?.toFixed(0)}` : '')).filter(Boolean).join('; ')}`);
const tm = session.timings;
const col = (t: { values(): number[] }, i: number) => (t.values()[i] ?? NaN).toFixed(0);
console.log(`per chunk (perceive / policy / of it waiting for a final / decision ms): ${chunkAt.map((t, i) => (t >= windowStart - 500 && t <= windowEnd ? `#${i} ${col(tm.perceptionMs, i)}/${col(tm.policyMs, i)}/${col(tm.finalWaitMs, i)}/${col(tm.decisionMs, i)}` : '')).filter(Boolean).join('; ')}`);
console.log('\nmarks in the window:');
for (const m of marks) if (m.at >= windowStart && m.at <= windowEnd) console.log(`  ${m.at.toFixed(0).padStart(6)} ${m.what}`);
console.log('\nheavy decoder ops overlapping the window (queued/start/end ms; process ops > 20 ms only):');
for (const o of ops) {
  if (o.end === undefined || o.end < windowStart || o.queued > windowEnd) continue;
  if (o.op === 'process' && o.end - (o.start ?? o.end) < 20) continue;
  console.log(`  ${o.dec.padEnd(6)} ${o.op.padEnd(13)} ${(o.samples / SR).toFixed(2)} s  q ${o.queued.toFixed(0)} start ${o.start?.toFixed(0)} end ${o.end.toFixed(0)} (${(o.end - o.start!).toFixed(0)} ms wall)`);
}
const light = ops.filter((o) => o.op === 'process' && o.end !== undefined && o.end >= windowStart && o.queued <= windowEnd);
const byDec = new Map<string, number>();
for (const o of light) byDec.set(o.dec, (byDec.get(o.dec) ?? 0) + (o.end! - o.start!));
console.log(`  live feeds in the window (wall ms per decoder): ${[...byDec].map(([d, ms]) => `${d} ${ms.toFixed(0)}`).join(', ')}`);
await engine.close?.();

if (values.replay === 'yes') {
  // CPU per whole-audio decode, replayed alone on fresh decoders of the same kind.
  const onePass = await PocketSphinxDecoder.open({ beams: ONE_PASS_BEAMS, cmn: 'live' });
  const gram = await openGrammarDecoder({ cmn: 'live' });
  const loop = await openGrammarDecoder({ cmn: 'live' });
  loop.setSearch('loop');
  await loop.withHandle(() => undefined);
  console.log('\nCPU per own-mean decode of the window, replayed alone (process CPU, all threads):');
  let total = 0;
  for (const o of ops) {
    if (o.op !== 'decodeOwnMean' || o.end === undefined || o.end < windowStart || o.queued > windowEnd) continue;
    const d = o.dec.startsWith('gram') ? gram : o.dec.startsWith('loop') ? loop : onePass;
    const c0 = process.cpuUsage();
    const t = performance.now();
    const r = await d.decodeOwnMean(o.pcm!, o.opts as { nbest?: number });
    const c = process.cpuUsage(c0);
    const ms = (c.user + c.system) / 1000;
    total += ms;
    console.log(`  ${o.dec.padEnd(6)} ${(o.samples / SR).toFixed(2)} s: ${ms.toFixed(0)} ms CPU (${(performance.now() - t).toFixed(0)} ms wall) "${r.text}"`);
  }
  console.log(`  total ${total.toFixed(0)} ms CPU`);
  onePass.close();
  gram.close();
  loop.close();
}
