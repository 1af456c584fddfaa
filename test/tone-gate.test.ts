// Steady tones do not open utterances, speech still does: Silero VAD and the segmenter on real audio
// (sox sines over room noise, espeak-ng voices), the tone gate between them as the perceiver has it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LogMel } from '../src/perception/features.ts';
import { SileroVad } from '../src/perception/vad.ts';
import { SpeechSegmenter } from '../src/perception/segmenter.ts';
import { ToneGate } from '../src/perception/tone-gate.ts';
import { concat, mix, noise, silence, speech, tone, SR } from '../src/testing/audio.ts';
import { runSession, eventsOf } from '../src/testing/session.ts';
import { soundHeavy } from '../bench/streams.ts';

const CHUNK = 6400;

/** Utterance starts (s) the segmenter forms from Silero's probabilities, with the tone gate between them or not. */
async function starts(x: Float32Array, gate: ToneGate | null): Promise<number[]> {
  const vad = await SileroVad.create();
  const mel = new LogMel();
  const seg = new SpeechSegmenter({ minSilenceMs: 600 });
  const out: number[] = [];
  const n = Math.ceil(x.length / CHUNK) * CHUNK;
  const padded = concat(x, new Float32Array(n - x.length));
  for (let s = 0; s < n; s += CHUNK) {
    const chunk = padded.subarray(s, s + CHUNK);
    const m = mel.process(chunk);
    const { probs, frameEnds } = await vad.process(chunk);
    const p = gate ? gate.gate(m, probs, frameEnds, s) : probs;
    for (const u of seg.update(p, frameEnds)) if (u.kind === 'start') out.push(u.sample / SR);
  }
  return out;
}

const room = (seconds: number, seed: number) => noise(seconds, { color: 'brown', amplitude: 0.02, seed });

test('the loop bench\'s 520 Hz beep, which Silero takes for speech, opens an utterance without the gate and none with it', async () => {
  const x = soundHeavy(4); // beep 0.5 s, noise burst, the 520 Hz tone at 2.2–3.0 s, over brown room noise
  assert.ok((await starts(x, null)).length >= 1, 'Silero no longer hears this tone as speech: the test needs another tone');
  const gate = new ToneGate();
  assert.deepEqual(await starts(x, gate), []);
  assert.ok(gate.gated >= 2, `gated ${gate.gated} VAD frames`);
});

test('no speech frame of several voices is gated; speech right after a tone opens its own utterance', async () => {
  for (const voice of ['en-us', 'en+f3', 'en-gb-scotland+m3', 'en-us+whisper']) {
    const said = speech('what time is it and where did I put my glasses', { voice });
    const len = said.length / SR;
    const alone = concat(silence(0.8), said, silence(1.2));
    const gate = new ToneGate();
    const withGate = await starts(mix(alone, room(alone.length / SR, 5), 30), gate);
    assert.equal(gate.gated, 0, `${voice}: ${gate.gated} speech frames gated`);
    assert.deepEqual(withGate, await starts(mix(alone, room(alone.length / SR, 5), 30), null), voice);
    // A beep, 0.3 s of quiet, then the same words: the words' utterance starts where they do.
    const x = concat(silence(0.8), tone(330, 0.6, 0.2), silence(0.3), said, silence(1.2));
    const s = await starts(mix(x, room(x.length / SR, 6), 30), new ToneGate());
    assert.ok(s.length >= 1 && s.every((t) => t > 1.3 && t < 1.7 + len / 2), `${voice}: starts ${s} (words from 1.7 s)`);
  }
});

test('a session over the loop bench sound stream hears no speech, and a question after it is still answered', async () => {
  const x = concat(soundHeavy(8), speech('what time is it'), silence(2));
  const events = await runSession(x);
  const started = eventsOf(events, 'speech.started').map((e) => e.t);
  assert.ok(started.every((t) => t > 7.5), `speech started at ${started}`);
  assert.ok(eventsOf(events, 'response.start').some((e) => e.t > 8), 'the question was not answered');
});
