// Sound events through a whole session: counting counts events (not chunks), one count per reply;
// "count the claps" counts a sound the model has no class for; a standard T3 smoke alarm made of a
// square wave gets one urgent reply within its first cycle; appliance beeps and bad input get none.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SessionEvent } from '../src/events.ts';
import { fetchPackage } from '../src/soundflow/corpus/debian.ts';
import { DEFAULT_CORPUS_DIR } from '../src/soundflow/corpus/build.ts';
import { APPLIANCE_PATTERNS, patternSignal, T3_CYCLE } from '../src/soundflow/corpus/alarm-patterns.ts';
import { makeRng, uniform } from '../src/util/rng.ts';
import { SoundFlowError } from '../src/util/errors.ts';
import { concat, loadFile, mix, noise, silence, speech, tone, SR } from '../src/testing/audio.ts';
import { heldOut, pickFile } from './sounds-fixtures.ts';
import { eventsOf, runSession } from '../src/testing/session.ts';

const of = eventsOf;
const replies = (events: SessionEvent[]) =>
  of(events, 'response.start').map((s) => ({ ...s, text: of(events, 'response.end').find((e) => e.id === s.id)?.text ?? '' }));

function flite(text: string, voice: string): Float32Array {
  const file = join(mkdtempSync(join(tmpdir(), 'sf-flite-')), 'say.wav');
  execFileSync('flite', ['-voice', voice, '-t', text, '-o', file]);
  return loadFile(file);
}

/** `clip` added into `bed` at each time (s), `db` above the bed's RMS. */
function place(bed: Float32Array, clip: Float32Array, times: number[], db: number): Float32Array {
  let x = bed;
  for (const s of times) x = mix(x, clip, -db, Math.round(s * SR));
  return x;
}

// The instruction is spoken into the stream (so voice activity and the recogniser run as they would), and
// also given as text: pocketsphinx hears this sentence as "the body parts" often enough under load that the
// count itself would be a test of the recogniser (docs/notes/sounds.md).
test('"please count how many times the dog barks", then five held-out barks 1.6 s apart: five replies, once to five times', async (t) => {
  const files = await heldOut(t, ['dog_bark']);
  if (!files) return;
  // qabcs-data dog.ogg (a held-out package) holds two barks: take the first, 0.3 s.
  const bark = pickFile(files, 'dog_bark', /noises\/dog\.ogg$/).x.slice(0, Math.round(0.3 * SR));
  // Said in a quiet room (under room noise pocketsphinx hears "the body parts"); the barks come over room noise.
  const instruction = concat(silence(0.6), speech('Please count how many times the dog barks.'), silence(1.4));
  const barkAt = [0, 1.6, 3.2, 4.8, 6.4].map((s) => instruction.length / SR + s);
  const total = barkAt[4] + 2;
  const room = noise(total, { color: 'pink', amplitude: 0.004 });
  const quietUntil = instruction.length - Math.round(0.8 * SR);
  const withSpeech = room.map((v, i) => (i < quietUntil ? instruction[i] : v * Math.min(1, (i - quietUntil) / (0.3 * SR)) + (instruction[i] ?? 0)));
  const x = place(withSpeech, bark, barkAt, 20);
  const events = await runSession(x, { instructions: ['please count how many times the dog barks'] });
  assert.equal(of(events, 'task.started')[0]?.task, 'count');
  const counts = replies(events).filter((r) => r.task === 'count');
  assert.deepEqual(counts.map((c) => c.text), ['Once!', 'Twice!', 'Three times!', 'Four times!', 'Five times!']);
  // Each count within one chunk of the end of its bark.
  counts.forEach((c, i) => {
    const endChunk = Math.floor((barkAt[i] + 0.3) / 0.4);
    const replyChunk = Math.round(c.t / 0.4) - 1;
    assert.ok(replyChunk >= endChunk && replyChunk <= endChunk + 1, `count ${i + 1} at chunk ${replyChunk}, bark ends in chunk ${endChunk}`);
  });
  // The bark events carry their onset at 10 ms resolution.
  const sounds = of(events, 'sound').filter((e) => e.onset !== undefined && e.offset !== undefined);
  for (const s of sounds) assert.ok(s.offset! > s.onset! && s.t >= s.offset!, JSON.stringify(s));
});

test('"count the claps" counts real hand claps, a sound the model has no class for, and not the talk around them', async (t) => {
  let root: string;
  try {
    root = await fetchPackage(DEFAULT_CORPUS_DIR, 'scratch');
  } catch (err) {
    if (err instanceof SoundFlowError && err.code === 'download_failed') return t.skip(err.message);
    throw err;
  }
  const clap = loadFile(join(root, 'usr/share/scratch/Media/Sounds/Percussion/HandClap.wav'));
  const bed = noise(9, { color: 'pink', amplitude: 0.01 });
  const at = [1.0, 2.3, 3.1, 4.9, 6.0];
  let x = place(bed, clap, at, 25);
  x = mix(x, speech('One more time.', { voice: 'en+f3' }), 0, Math.round(7.2 * SR));
  const events = await runSession(x, { instructions: ['count the claps'] });
  assert.equal(of(events, 'task.started')[0]?.params.label, 'this_sound');
  const counts = replies(events).filter((r) => r.task === 'count').map((r) => r.text);
  assert.deepEqual(counts, ['Once!', 'Twice!', 'Three times!', 'Four times!', 'Five times!']);
});

test('a T3 smoke alarm made of a 3.3 kHz square wave, in room noise: one urgent reply within 4 s of the first beep', async () => {
  const { x, onset } = patternSignal(T3_CYCLE, 2, { freqHz: 3300, wave: 'square', levelDbfs: -20 }, { leadSec: 1.3, tailSec: 2 });
  const audio = mix(x, noise(x.length / SR, { color: 'pink', amplitude: 0.02 }), 15);
  const events = await runSession(audio);
  const alerts = replies(events).filter((r) => r.task === 'alert');
  assert.equal(alerts.length, 1, JSON.stringify(alerts));
  assert.equal(alerts[0].emotion, 'urgent');
  assert.match(alerts[0].text, /smoke|fire/i);
  assert.ok(alerts[0].t - onset <= 4.0 && alerts[0].t - onset > 2.5, `reply ${(alerts[0].t - onset).toFixed(2)} s after onset`);
  const smoke = of(events, 'sound').find((e) => e.label === 'smoke_alarm');
  assert.equal(smoke?.pattern, 'T3');
  assert.ok(Math.abs(smoke!.onset! - onset) < 0.05, `onset ${smoke?.onset} vs ${onset}`);
});

test('microwave, timer and alarm-clock beeps get no urgent reply', async () => {
  const rng = makeRng(5);
  const parts: Float32Array[] = [];
  for (const name of ['microwave', 'kitchen-timer', 'alarm-clock', 'long-beep', 'continuous']) {
    const p = APPLIANCE_PATTERNS.find((q) => q.name === name)!;
    const { timing, repeats } = p.make(rng);
    parts.push(patternSignal(timing, repeats, { freqHz: uniform(rng, 2500, 4000), wave: 'square', levelDbfs: -15 }, { leadSec: 0.5, tailSec: 1 }).x);
  }
  const x = concat(...parts);
  const audio = mix(x, noise(x.length / SR, { color: 'pink', amplitude: 0.02 }), 15);
  const events = await runSession(audio);
  const urgent = replies(events).filter((r) => r.emotion === 'urgent');
  assert.deepEqual(urgent.map((r) => r.text), []);
  assert.ok(!of(events, 'sound').some((e) => e.label === 'smoke_alarm' || e.label === 'co_alarm'));
});

test('bad input through a session: silence, DC offset, clipping, a 1 kHz tone, full-scale white noise: no sound, no reply, no error', async () => {
  const dc = new Float32Array(4 * SR).fill(0.5);
  const clipped = speech('This is very loud speech that clips.').map((v) => Math.max(-0.2, Math.min(0.2, v * 8)));
  const audio = concat(silence(3), dc, silence(1), clipped, silence(1), tone(1000, 4, 0.9), silence(1), noise(4, { color: 'white', amplitude: 1 }), silence(2));
  const events = await runSession(audio);
  assert.deepEqual(of(events, 'sound'), []);
  assert.deepEqual(replies(events).map((r) => r.text), []);
  assert.deepEqual(of(events, 'error'), []);
  assert.equal(of(events, 'chunk').length, Math.ceil(audio.length / 6400));
});

test('bad input while counting "this sound": DC offset, clipping, a 1 kHz tone, full-scale white noise between stretches of room noise are never counted', async () => {
  const room = (s: number) => noise(s, { color: 'pink', amplitude: 0.01 });
  const dc = new Float32Array(2 * SR).fill(0.5);
  const clipped = speech('This is very loud speech that clips.').map((v) => Math.max(-0.2, Math.min(0.2, v * 8)));
  // The instruction is given as text; the stream starts with room noise, so the background is known
  // before each bad stretch begins and ends (the ends are sudden changes a novelty detector could take
  // for the example).
  const audio = concat(room(3), dc, room(2), clipped, room(2), tone(1000, 2, 0.9), room(2), noise(2, { color: 'white', amplitude: 1 }), room(3));
  const events = await runSession(audio, { instructions: ['count this sound'] });
  assert.equal(of(events, 'task.started')[0]?.params.label, 'this_sound');
  assert.deepEqual(replies(events).filter((r) => r.task === 'count').map((r) => r.text), []);
  assert.deepEqual(of(events, 'error'), []);
});
