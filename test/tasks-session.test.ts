// Tasks served by one session while it keeps listening: spoken instructions, translation with speech in
// the target language, transcription and translation together, proactive alarms and live counting.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { SessionOptions } from '../src/engine/options.ts';
import type { SessionEvent } from '../src/events.ts';
import { base64ToPcm16 } from '../src/audio/pcm.ts';
import { translate } from '../src/response/translate/apertium.ts';
import { smokeAlarm } from '../src/soundflow/corpus/synth.ts';
import { makeRng } from '../src/util/rng.ts';
import { concat, mix, noise, silence, speech, SR } from '../src/testing/audio.ts';
import { heldOut, loopTo, pickFile } from './sounds-fixtures.ts';
import { eventsOf, runSession } from '../src/testing/session.ts';


const of = eventsOf;
const replies = (events: SessionEvent[]) =>
  of(events, 'response.start').map((s) => ({ ...s, text: of(events, 'response.end').find((e) => e.id === s.id)?.text ?? '' }));

test('a spoken instruction starts translation; the next English sentence comes back as Spanish text and Spanish audio', async () => {
  const audio = concat(
    silence(0.8),
    speech('Translate what I say into Spanish.'),
    silence(2.2),
    speech('Good morning, I would like a cup of coffee.'),
    silence(3),
  );
  const events = await runSession(audio, { speak: true });
  const started = of(events, 'task.started');
  assert.equal(started.length, 1, JSON.stringify(of(events, 'transcript').filter((t) => t.final)));
  assert.equal(started[0].task, 'translate');
  assert.equal(started[0].params.targetLang, 'es');
  const r = replies(events);
  assert.equal(r[0].task, 'ack');
  assert.match(r[0].text, /spanish/i);
  const tr = r.find((x) => x.task === 'translate');
  assert.ok(tr, `a translation reply, got ${JSON.stringify(r)}`);
  // The reply is the Apertium translation of what the recogniser heard (open-vocabulary ASR may garble
  // words, so compare with the translator's own output on the final transcript).
  const heard = of(events, 'transcript').filter((t) => t.final).at(-1)!.text;
  assert.equal(tr.text, await translate(heard, { from: 'en', to: 'es' }));
  assert.notEqual(tr.text.toLowerCase(), heard.toLowerCase());
  assert.match(tr.text, /[áéíóúñ]|\b(el|la|los|las|un|una|que|de|y|buenos|me|gustaría)\b/i, tr.text);
  const audioOut = of(events, 'response.audio').filter((e) => e.id === tr.id);
  const samples = audioOut.reduce((n, e) => n + base64ToPcm16(e.pcm).length, 0);
  assert.ok(samples / 16000 > 0.8, `spoken translation, ${samples} samples`);
});

test('transcription and translation run together on typed instructions', async () => {
  const audio = concat(silence(0.6), speech('The museum opens at nine and closes at six.'), silence(2.5));
  const events = await runSession(audio, { instructions: ['transcribe everything', 'translate into Catalan'] });
  const tasks = of(events, 'task.started').map((t) => t.task).sort();
  assert.deepEqual(tasks, ['transcribe', 'translate']);
  const r = replies(events).filter((x) => x.task !== 'ack');
  const transcript = r.find((x) => x.task === 'transcribe');
  const translation = r.find((x) => x.task === 'translate');
  assert.ok(transcript && translation, JSON.stringify(r));
  assert.match(transcript.text, /museum|nine|six/);
  assert.notEqual(translation.text.toLowerCase(), transcript.text.toLowerCase(), 'the translation differs from the transcript');
  assert.equal(transcript.t, translation.t, 'both answer the same utterance at the same chunk');
});

test('"translate into Klingon" is refused with the supported languages, and no task starts', async () => {
  const events = await runSession(silence(1.2), { instructions: ['translate into Klingon'] });
  assert.equal(of(events, 'task.started').length, 0);
  const r = replies(events);
  assert.equal(r.length, 1);
  assert.match(r[0].text, /Spanish/);
});

test('a smoke alarm in room noise gets one urgent reply within 2 chunks of its onset', async () => {
  const lead = 2.0;
  const alarm = smokeAlarm(makeRng(11));
  // Where the first beep really starts (the generator adds a random lead-in).
  let onset = 0;
  while (onset < alarm.length && Math.abs(alarm[onset]) < 0.05) onset++;
  const clip = concat(silence(lead), alarm, silence(2));
  const audio = mix(clip, noise(clip.length / SR, { amplitude: 0.03 }), 15);
  const events = await runSession(audio);
  const alerts = replies(events).filter((r) => r.task === 'alert');
  assert.equal(alerts.length, 1, JSON.stringify(alerts));
  assert.equal(alerts[0].emotion, 'urgent');
  const onsetT = lead + onset / SR;
  const onsetChunk = Math.floor(onsetT / 0.4);
  const replyChunk = Math.round(alerts[0].t / 0.4) - 1;
  assert.ok(replyChunk >= onsetChunk && replyChunk <= onsetChunk + 2, `reply at chunk ${replyChunk}, onset in chunk ${onsetChunk}`);
  assert.match(alerts[0].text, /smoke|alarm|fire/i);
});

test('quiet room noise for a minute gets no reply at all', async () => {
  const audio = noise(60, { color: 'pink', amplitude: 0.02 });
  const events = await runSession(audio);
  assert.equal(of(events, 'response.start').length, 0, JSON.stringify(replies(events)));
  assert.equal(of(events, 'chunk').length, 150);
});

test('"count the knocks": each held-out knock is counted aloud in the chunk where it happens', async (t) => {
  const files = await heldOut(t, ['door_knock', 'ambient']);
  if (!files) return;
  const knock = pickFile(files, 'door_knock', /place_node_hard/).x;
  const bed = pickFile(files, 'ambient', /country/).x.slice(0, 6 * SR);
  const at = [0.9, 2.1, 3.7];
  let x: Float32Array = bed;
  for (const s of at) x = mix(x, knock, -20, Math.round(s * SR));
  const events = await runSession(x, { instructions: ['count the knocks'] });
  assert.equal(of(events, 'task.started')[0]?.task, 'count');
  const counts = replies(events).filter((r) => r.task === 'count');
  assert.deepEqual(
    counts.map((c) => [Math.round(c.t / 0.4) - 1, c.text]),
    [
      [2, 'Once!'],
      [5, 'Twice!'],
      [9, 'Three times!'],
    ],
  );
});

test('ten minutes of held-out ambience (birds, rain, typing, traffic, wind, water) get at most one reply', async (t) => {
  const classes = ['birds', 'rain', 'typing', 'traffic', 'wind', 'water'];
  const files = await heldOut(t, classes);
  if (!files) return;
  // Round-robin over every held-out recording of these classes, 20 s at a time, until 10 minutes.
  const clips = classes.flatMap((c) => files.get(c) ?? []).map((f) => f.x);
  assert.ok(clips.length >= 4, `held-out ambience recordings: ${clips.length}`);
  const parts: Float32Array[] = [];
  let n = 0;
  for (let i = 0; n < 600 * SR; i++) {
    const clip = loopTo(clips[i % clips.length], 20 * SR);
    parts.push(clip);
    n += clip.length;
  }
  const audio = concat(...parts).subarray(0, 600 * SR);
  const events = await runSession(audio);
  const said = replies(events);
  assert.ok(said.length <= 1, `replies: ${JSON.stringify(said.map((r) => [r.t, r.task, r.text]))}`);
  assert.equal(of(events, 'chunk').length, 1500);
});
