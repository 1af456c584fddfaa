// A session that moves from a quiet office to a street that swells and ebbs (+20 dB on average; the
// synthetic street's level rises and falls by ~14 dB over 6.7 s). A question asked in the quiet first
// teaches the recogniser the office's cepstral mean; the question 5 s after the step starts in a trough
// of the street, where the floor stands only ~8 dB over the office's, and ends under the next swell.
// Judged by the floor at its start the room had not changed, the office's mean was kept and the
// question was misread ("what is seven times five" → 35, or "what is that what i've read of"); the
// room's level is now the highest floor of the last seconds (docs/notes/voice.md, round 10).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AMBIENCE } from '../src/soundflow/data/synth.ts';
import { createRng } from '../src/util/rng.ts';
import { concat, rms, speech, SR } from '../src/testing/audio.ts';
import { eventsOf, runSession } from '../src/testing/session.ts';

test('session: quiet office → swelling street +20 dB: the question asked again 5 s after the step is answered rightly, nothing else is', async () => {
  const scale = (x: Float32Array, r: number) => x.map((v) => (v * r) / rms(x));
  const office = scale(concat(AMBIENCE.office(createRng(400)), AMBIENCE.office(createRng(401))), 0.003).subarray(0, 8 * SR);
  const street = scale(concat(AMBIENCE.street(createRng(410)), AMBIENCE.street(createRng(411))), 0.03).subarray(0, 12 * SR);
  const audio = concat(office, street);
  const q = speech('what is seven times eight', { voice: 'en+m7', speed: 160 });
  let peak = 0;
  for (const v of q) peak = Math.max(peak, Math.abs(v));
  for (const at of [1.5, 13]) for (let i = 0; i < q.length; i++) audio[Math.round(at * SR) + i] += (q[i] * 0.25) / peak;
  const events = await runSession(audio, {}, 3200);
  const finals = eventsOf(events, 'transcript').filter((t) => t.final).map((t) => `${t.t.toFixed(1)} "${t.text}" snr=${t.voice?.snrDb}`);
  const ends = eventsOf(events, 'response.end');
  const why = `${ends.map((r) => `${r.t.toFixed(1)} ${r.text}`).join(' | ')} ${finals.join(' | ')}`;
  const starts = eventsOf(events, 'response.start');
  const qEnd = (at: number) => at + q.length / SR;
  // One reply to each question, none to the step or the street.
  assert.equal(starts.length, 2, why);
  assert.ok(starts[0].t < qEnd(1.5) + 3, `the quiet question answered within 3 s: ${why}`);
  assert.ok(starts[1].t >= 13 && starts[1].t < qEnd(13) + 3, `the street question answered within 3 s: ${why}`);
  const second = ends.find((e) => e.id === starts[1].id)?.text ?? '';
  assert.match(second, /56/, why);
});
