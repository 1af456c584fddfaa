// The always-on loop end to end on real audio: embedded engine, real VAD/ASR/skills/TTS.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { SessionOptions } from '../src/engine/options.ts';
import type { SessionEvent } from '../src/events.ts';
import { concat, noise, silence, speech, mix, SR } from '../src/testing/audio.ts';
import { eventsOf, runSession as run } from '../src/testing/session.ts';

/** 200 ms pieces unless a test says otherwise. */
const runSession = (audio: Float32Array, opts: Partial<SessionOptions> = {}, piece = 3200) => run(audio, opts, piece);
import { base64ToPcm16 } from '../src/audio/pcm.ts';


const of = eventsOf;

/** End of speech (s) in a signal: last sample above a small amplitude. */
function speechEnd(x: Float32Array, from: number): number {
  let last = from;
  for (let i = from; i < x.length; i++) if (Math.abs(x[i]) > 0.02) last = i;
  return last / SR;
}

test('a spoken "what is your name" gets a reply naming SoundFlow within 2 chunks of the speech end, none before', async () => {
  const question = speech('What is your name?');
  const lead = 2.0;
  const audio = mix(concat(silence(lead), question, silence(3)), noise(lead + question.length / SR + 3, { amplitude: 0.02 }), 25);
  const end = speechEnd(concat(silence(lead), question), Math.round(lead * SR));
  const events = await runSession(audio);

  const chunks = of(events, 'chunk');
  assert.equal(chunks.length, Math.ceil(audio.length / 6400), 'one chunk event per 0.4 s');
  const responds = chunks.filter((c) => c.decision === 'respond');
  assert.equal(responds.length, 1, `exactly one respond chunk, got ${JSON.stringify(responds)}`);
  assert.ok(chunks.filter((c) => c.t <= lead).every((c) => c.decision === 'silent'), 'silent during the leading silence');
  const endChunk = Math.floor(end / 0.4);
  assert.ok(responds[0].index >= endChunk && responds[0].index <= endChunk + 2, `respond at chunk ${responds[0].index}, speech ends in chunk ${endChunk}`);

  const start = of(events, 'response.start')[0];
  assert.equal(start.task, 'chat');
  const done = of(events, 'response.end')[0];
  assert.match(done.text, /soundflow/i);
  assert.equal(done.interrupted, false);
  const finals = of(events, 'transcript').filter((e) => e.final);
  assert.ok(finals.length >= 1);
  assert.equal(events[0].type, 'session.started');
  assert.equal(events.at(-1)!.type, 'session.ended');
});

test('sequential and concurrent modes give the same decisions', async () => {
  const audio = concat(silence(1), speech('What time is it?'), silence(1.5), speech('the weather was lovely in the park yesterday', { voice: 'en+m3' }), silence(2));
  const [a, b] = [await runSession(audio, { mode: 'concurrent' }, 1000), await runSession(audio, { mode: 'sequential' }, 7777)];
  const sig = (evs: SessionEvent[]) => of(evs, 'chunk').map((c) => `${c.index}:${c.decision}`);
  assert.deepEqual(sig(a), sig(b));
  assert.ok(sig(a).some((x) => x.endsWith('respond')), 'the question is answered');
  assert.match(of(a, 'response.end')[0].text, /\d|o'clock|noon|midnight/i);
});

test('barge-in: speech starting while a reply plays cuts it within one chunk', async () => {
  // A long spoken reply (the capabilities answer, asked by text at the start), then the user talks over it.
  const lead = 1.2;
  const interruption = speech('Stop, stop, I have another question for you please');
  const audio = concat(silence(lead), interruption, silence(2.5));
  const events = await runSession(audio, { speak: true, instructions: ['What can you do?'] });
  const start = of(events, 'response.start')[0];
  assert.ok(start, 'the typed question was answered');
  assert.equal(start.t, 0);
  const end = of(events, 'response.end').find((e) => e.id === start.id)!;
  assert.equal(end.interrupted, true, 'the reply was cut');
  const speechStart = of(events, 'speech.started')[0];
  assert.ok(speechStart, 'speech was detected');
  // Cut in the chunk where the user's speech is detected, at most one chunk after it starts.
  assert.ok(end.t >= lead && end.t <= Math.ceil(lead / 0.4) * 0.4 + 0.4 + 1e-9, `cut at ${end.t}, interruption starts at ${lead}`);
  assert.equal(end.t, speechStart.t);
  const audioEvents = of(events, 'response.audio').filter((e) => e.id === start.id);
  assert.ok(audioEvents.length > 0, 'reply audio was produced before the cut');
  const lastAudio = events.lastIndexOf(audioEvents.at(-1)!);
  assert.ok(lastAudio < events.indexOf(end), 'no reply audio after the cut');
});

test('background chatter between other people gets no reply', async () => {
  const audio = concat(
    silence(0.8),
    speech('I think we should paint the kitchen blue this weekend', { voice: 'en+m3' }),
    silence(0.6),
    speech('Sure, but the hardware store closes early on Sunday', { voice: 'en+f3' }),
    silence(2),
  );
  const events = await runSession(audio);
  assert.equal(of(events, 'response.start').length, 0, JSON.stringify(of(events, 'response.end')));
  assert.ok(of(events, 'transcript').some((t) => t.final), 'it did hear the speech');
});

test('full duplex: the reply echoing back through the microphone neither cuts the reply nor gets answered', async () => {
  // First run: the reply's own audio (espeak is deterministic).
  const ask = { speak: true, instructions: ['What can you do?'] };
  const first = await runSession(silence(1.2), ask);
  const id = of(first, 'response.start')[0].id;
  const replyAudio = concat(...of(first, 'response.audio').filter((e) => e.id === id).map((e) => Float32Array.from(base64ToPcm16(e.pcm), (v) => v / 32768)));
  assert.ok(replyAudio.length > SR * 5, 'a long spoken reply');

  // Second run: the microphone hears that reply 150 ms late, 10 dB down, in a quiet room.
  const delay = silence(0.15);
  const echoed = concat(delay, replyAudio.map((v) => v * 0.316), silence(2));
  const mic = mix(echoed, noise(echoed.length / SR, { amplitude: 0.01 }), 30);
  const events = await runSession(mic, ask);
  const start = of(events, 'response.start')[0];
  const end = of(events, 'response.end').find((e) => e.id === start.id)!;
  assert.equal(end.interrupted, false, `the reply was cut at ${end.t}s by its own echo`);
  assert.equal(of(events, 'response.start').length, 1, 'nothing answered the echo');
});

test('full duplex: the user talking over the echoed reply still interrupts it', async () => {
  const ask = { speak: true, instructions: ['What can you do?'] };
  const first = await runSession(silence(1.2), ask);
  const id = of(first, 'response.start')[0].id;
  const replyAudio = concat(...of(first, 'response.audio').filter((e) => e.id === id).map((e) => Float32Array.from(base64ToPcm16(e.pcm), (v) => v / 32768)));
  const echoed = concat(silence(0.15), replyAudio.map((v) => v * 0.316), silence(2));
  // 4 s in, the user speaks up (louder than the echo), over the reply.
  const user = speech('Stop please, I want to ask something else', { voice: 'en+m3' });
  const at = 4.0;
  const mic = mix(mix(echoed, user, -6, Math.round(at * SR)), noise(echoed.length / SR, { amplitude: 0.01 }), 30);
  const events = await runSession(mic, ask);
  const start = of(events, 'response.start')[0];
  const end = of(events, 'response.end').find((e) => e.id === start.id)!;
  assert.equal(end.interrupted, true, 'the reply was cut by the user');
  assert.ok(end.t > at && end.t <= at + 1.6, `cut at ${end.t}s, the user started at ${at}s`);
});
