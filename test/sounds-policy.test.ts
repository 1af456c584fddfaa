// Proactive replies on held-out recordings mixed into recorded ambience: alarms get an urgent reply
// fast, a cough a caring one, birds/rain/hum/silence/clipping/DC get nothing; overrides and the
// "not while the user talks" rule.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { concat, mix, noise, silence, speech } from '../src/testing/audio.ts';
import { heldOut, loopTo, pickFile } from './sounds-fixtures.ts';
import { SoundClassifier } from '../src/perception/sounds/classifier.ts';
import { analyseSignal } from '../src/perception/sounds/stream.ts';
import { SoundResponder, type SoundReply } from '../src/decision/sound-policy.ts';
import { soundLabelFor } from '../src/instructions/sounds.ts';

const SR = 16000;
let clfP: Promise<SoundClassifier> | null = null;
const classifier = () => (clfP ??= SoundClassifier.load());

async function replies(x: Float32Array, opts: { speaking?: (chunk: number) => boolean; setup?: (r: SoundResponder) => void } = {}): Promise<{ chunk: number; reply: SoundReply }[]> {
  const clf = await classifier();
  const r = new SoundResponder({ classes: clf.classes, thresholds: clf.thresholds });
  opts.setup?.(r);
  const out: { chunk: number; reply: SoundReply }[] = [];
  for (const c of analyseSignal(x, clf)) {
    const reply = r.update(c.probs, { t: c.t, userSpeaking: opts.speaking?.(c.index) ?? false });
    if (reply) out.push({ chunk: c.index, reply });
  }
  return out;
}

test('held-out smoke alarms get one urgent reply within 2 chunks of onset', async (t) => {
  const files = await heldOut(t, ['smoke_alarm', 'ambient']);
  if (!files) return;
  const bed = pickFile(files, 'ambient', /country/).x;
  for (const alarm of files.get('smoke_alarm')!.slice(0, 3)) {
    const onset = alarm.x.findIndex((v) => Math.abs(v) > 0.05) + 2 * SR;
    const x = mix(bed.slice(0, 2 * SR + alarm.x.length + SR), alarm.x, -10, 2 * SR);
    const got = await replies(x);
    assert.equal(got.length, 1, `${alarm.entry.id}: ${JSON.stringify(got)}`);
    const onsetChunk = Math.floor(onset / 6400);
    assert.ok(got[0].chunk - onsetChunk <= 1, `${alarm.entry.id}: reply at chunk ${got[0].chunk}, onset chunk ${onsetChunk}`);
    assert.equal(got[0].reply.label, 'smoke_alarm');
    assert.equal(got[0].reply.urgent, true);
    assert.match(got[0].reply.text, /smoke alarm/i);
  }
});

test('held-out coughs get a caring reply (not while the user talks, not when told to stop)', async (t) => {
  const files = await heldOut(t, ['cough', 'ambient']);
  if (!files) return;
  const bed = pickFile(files, 'ambient', /country/).x;
  const results: { id: string; x: Float32Array; got: { chunk: number; reply: SoundReply }[] }[] = [];
  for (const c of files.get('cough')!) {
    const x = mix(bed.slice(0, c.x.length + Math.round(2.5 * SR)), c.x, -15, Math.round(1.5 * SR));
    results.push({ id: c.entry.id, x, got: await replies(x) });
  }
  const caring = results.filter((r) => r.got.length === 1 && r.got[0].reply.label === 'cough');
  // Known miss (docs/notes/sounds.md): the one recorded held-out cough (scratch Cough-female) reads as a sneeze.
  assert.ok(caring.length >= 3, `caring replies for ${caring.length}/${results.length}: ${JSON.stringify(results.map((r) => [r.id, r.got.map((g) => g.reply.label)]))}`);
  for (const r of results) for (const g of r.got) assert.equal(g.reply.urgent, false, `${r.id}: ${g.reply.label}`);
  const { x, got } = caring[0];
  assert.equal(got[0].reply.emotion, 'sad');
  assert.match(got[0].reply.text, /cough/i);
  assert.ok(got[0].chunk >= 3, 'not before the cough starts (1.5 s = chunk 3)');
  // Not while the user talks (not urgent): deferred until they stop.
  const stop = got[0].chunk + 2;
  const deferred = await replies(x, { speaking: (k) => k <= stop });
  assert.equal(deferred.length, 1);
  assert.equal(deferred[0].chunk, stop + 1);
  // "Don't comment on my cough."
  assert.equal((await replies(x, { setup: (r) => r.setOverride('cough', 'ignore') })).length, 0);
});

test('birds, rain and recorded ambience get no reply', async (t) => {
  const files = await heldOut(t, ['birds', 'rain', 'ambient']);
  if (!files) return;
  const parts = [...files.get('birds')!, ...files.get('rain')!, pickFile(files, 'ambient', /country/)].map((h) => h.x.slice(0, 30 * SR));
  const got = await replies(concat(...parts));
  assert.deepEqual(got, []);
});

test('clipped loud audio, DC offset, constant hum and long silence give no false alarms', async () => {
  const loud = speech('This is very loud speech that clips the input completely.').map((v) => Math.max(-1, Math.min(1, v * 30)));
  const dc = noise(10, { amplitude: 0.01 }).map((v) => v + 0.4);
  const hum = new Float32Array(20 * SR).map((_, i) => 0.3 * Math.sin((2 * Math.PI * 50 * i) / SR) + 0.1 * Math.sin((2 * Math.PI * 150 * i) / SR));
  const clippedNoise = noise(5, { color: 'white', amplitude: 2 }).map((v) => Math.max(-1, Math.min(1, v)));
  const got = await replies(concat(silence(30), loopTo(loud, 10 * SR), dc, hum, clippedNoise, silence(30)));
  assert.deepEqual(got, []);
});

test('"tell me when the doorbell rings" turns a silent class into replies', async (t) => {
  const files = await heldOut(t, ['doorbell', 'ambient']);
  if (!files) return;
  const bed = pickFile(files, 'ambient', /country/).x.slice(0, 5 * SR);
  const x = mix(bed, pickFile(files, 'doorbell', /doorbell_chime/).x, -15, SR);
  assert.equal((await replies(x)).length, 0);
  const label = soundLabelFor('tell me when the doorbell rings');
  assert.equal(label, 'doorbell');
  const got = await replies(x, { setup: (r) => r.setOverride(label!, 'respond') });
  assert.equal(got.length, 1, JSON.stringify(got));
  assert.match(got[0].reply.text, /door/i);
});

test('one reply per episode, a reminder while an urgent sound goes on', async () => {
  const classes = ['smoke_alarm', 'cough', 'ambient'];
  const r = new SoundResponder({ classes, thresholds: [0.5, 0.5, 0.5], reminderSec: 4 });
  const out: (SoundReply | null)[] = [];
  for (let k = 0; k < 30; k++) out.push(r.update([k < 25 ? 0.9 : 0.01, 0, 0.1], { t: 0.4 * (k + 1), userSpeaking: true }));
  const got = out.map((x, k) => (x ? { k, reminder: x.reminder } : null)).filter(Boolean);
  // Urgent: replies while the user talks; first at once, reminders every 4 s (10 chunks).
  assert.deepEqual(got, [{ k: 0, reminder: false }, { k: 10, reminder: true }, { k: 20, reminder: true }]);
  assert.throws(() => r.setOverride('unicorn', 'respond'));
  assert.throws(() => r.update([0.1], { t: 1 }));
});
