// Segmentation in a room of other voices: with a VAD that hears the babble as speech throughout (what
// Silero does in a café of real voices), the babble gate arms once the room's level floor has risen and
// one utterance has been held open, then lets only a nearer, louder voice through; a quiet room with
// one long utterance never arms it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LogMel } from '../src/perception/features.ts';
import { BabbleGate } from '../src/perception/babble-gate.ts';
import { SpeechSegmenter } from '../src/perception/segmenter.ts';
import { concat, noise, rms, silence, speech, SR } from '../src/testing/audio.ts';
import { RulePolicy } from '../src/decision/rules.ts';
import { Assistant } from '../src/response/assistant.ts';
import type { FinalTranscript } from '../src/perception/types.ts';
import { IDLE_CONTEXT, policyPercept } from './helpers/policy-percepts.ts';

const CHUNK = 6400;
const VAD_FRAME = 512;

/** Several espeak voices talking at once, each a run of sentences, scaled to `level` rms. */
function babble(seconds: number, level: number): Float32Array {
  const n = Math.round(seconds * SR);
  const out = new Float32Array(n);
  const talkers: [string, string[]][] = [
    ['en-us', ['the shop on the corner closes early on sundays', 'we should paint the fence before the winter']],
    ['en+f3', ['my cousin moved to the coast last spring', 'the soup needs a little more salt i think']],
    ['en+m7', ['nobody told me the meeting was moved', 'the bus was full so we walked all the way']],
    ['en-us+f2', ['she reads the paper every single morning', 'there is a new bakery near the station']],
    ['en+m3', ['the garden looks lovely after the rain', 'he forgot his umbrella at the office again']],
    ['en-gb-x-rp', ['the kettle is on if anyone wants tea', 'they sold the old car for almost nothing']],
  ];
  // espeak pads its output with silence; a café's talkers do not pause in step.
  const trim = (x: Float32Array) => {
    let a = 0, b = x.length;
    while (a < b && Math.abs(x[a]) < 0.01) a++;
    while (b > a && Math.abs(x[b - 1]) < 0.01) b--;
    return x.subarray(a, b);
  };
  talkers.forEach(([voice, lines], k) => {
    let o = Math.round(k * 0.23 * SR);
    for (let j = 0; o < n; j++) {
      const x = trim(speech(lines[j % lines.length], { voice }));
      for (let i = 0; i < x.length && o + i < n; i++) out[o + i] += x[i];
      o += x.length + Math.round(0.1 * SR);
    }
  });
  const k = level / rms(out);
  return out.map((v) => v * k);
}

/** Runs the gate over a signal with VAD probabilities `vadP(t)`; returns the gated probability per VAD frame and its time. */
interface Run {
  frames: { t: number; raw: number; p: number; armed: boolean }[];
  /** Utterances the segmenter formed from the gated probabilities, s. */
  utterances: [number, number][];
}
function run(x: Float32Array, vadP: (t: number) => number, gate = new BabbleGate()): Run {
  const mel = new LogMel();
  const seg = new SpeechSegmenter({ minSilenceMs: 600 });
  const out: Run['frames'] = [];
  const utterances: Run['utterances'] = [];
  let start = -1;
  let consumed = 0;
  for (let c = 0; c * CHUNK < x.length; c++) {
    const chunk = new Float32Array(CHUNK);
    chunk.set(x.subarray(c * CHUNK, Math.min(x.length, (c + 1) * CHUNK)));
    const m = mel.process(chunk);
    const probs: number[] = [];
    const ends: number[] = [];
    while (consumed + VAD_FRAME <= (c + 1) * CHUNK) {
      consumed += VAD_FRAME;
      ends.push(consumed);
      probs.push(vadP(consumed / SR));
    }
    const gated = gate.gate(m, probs, ends, c * CHUNK, seg.speechMs, seg.idle);
    for (const u of seg.update(gated, ends)) {
      if (u.kind === 'start') start = u.sample / SR;
      if (u.kind === 'end') utterances.push([start, u.sample / SR]);
    }
    gated.forEach((p, i) => out.push({ t: ends[i] / SR, raw: probs[i], p, armed: gate.active }));
  }
  if (seg.inSpeech) utterances.push([start, x.length / SR]);
  return { frames: out, utterances };
}

test('babble gate: in a room of voices a nearer voice passes and the crowd does not; a quiet room never arms it', () => {
  const quiet = noise(4, { color: 'pink', amplitude: 0.003 });
  const crowd = babble(12, 0.03);
  const q = speech('what is the time in london right now');
  const qAt = 10;
  const x = concat(quiet, crowd);
  const qs = Math.round(qAt * SR);
  const gain = (2 * 0.03) / rms(q); // the near talker 6 dB over the crowd
  for (let i = 0; i < q.length; i++) x[qs + i] += q[i] * gain;
  const qEnd = qAt + q.length / SR;
  // The VAD hears speech from the crowd's start on, as Silero does in a café.
  const { frames, utterances } = run(x, (t) => (t >= 4 ? 0.95 : 0.02));
  const armedAt = frames.find((f) => f.armed)?.t;
  assert.ok(armedAt !== undefined && armedAt > 4 && armedAt < 9, `armed at ${armedAt}`);
  // The question forms an utterance of its own (without the gate the crowd's one utterance runs from 4 s
  // to the end); most of the crowd's frames after arming are not speech to the segmenter.
  const own = utterances.filter(([a, b]) => a > qAt - 0.5 && a < qAt + 0.5 && b > qEnd - 0.8 && b < qEnd + 1);
  assert.equal(own.length, 1, `question ${qAt}–${qEnd.toFixed(2)} s, utterances ${JSON.stringify(utterances)}`);
  const crowdOnly = frames.filter((f) => f.armed && (f.t < qAt - 0.3 || f.t > qEnd + 0.3));
  const passCrowd = crowdOnly.filter((f) => f.p > 0).length / crowdOnly.length;
  assert.ok(passCrowd <= 0.15, `crowd frames passed ${passCrowd.toFixed(2)}`);

  // A quiet room, one talker going on for 8 s (VAD on throughout): never armed, nothing gated.
  const talk = concat(silence(2.5), speech('the shop on the corner closes early on sundays and we should paint the fence before the winter comes, my cousin said'));
  const room = noise(talk.length / SR, { color: 'pink', amplitude: 0.003 });
  const y = talk.map((v, i) => v * 0.5 + room[i]);
  const quietRun = run(y, (t) => (t >= 2.5 ? 0.95 : 0.02));
  const armedQuiet = quietRun.frames.filter((f) => f.armed).length;
  assert.equal(armedQuiet, 0, `armed on ${armedQuiet} frames of one talker in a quiet room`);
  assert.ok(quietRun.frames.every((f) => f.p === f.raw));
});

test('an utterance the VAD opened on the crowd (the gate armed during it) is not answered, even as a command', async () => {
  const replies = async (room: boolean) => {
    const rules = new RulePolicy(new Assistant(), null);
    const out: string[] = [];
    // Babble read as a sum by the command grammar (seen in the café bench before this rule).
    const fin: FinalTranscript = { text: 'eleven plus one hundred and one', utterance: 1, command: { text: 'eleven plus one hundred and one', confidence: 0.9 }, ...(room ? { room } : {}) };
    for (let i = 0; i < 12; i++) {
      const d = await rules.decide(policyPercept(i, i === 5 ? fin : undefined, -40), IDLE_CONTEXT);
      for (const r of d.responses) out.push(r.text ?? '');
    }
    return out;
  };
  assert.ok((await replies(false)).some((r) => /112/.test(r)), 'the same words from a talker are answered');
  assert.deepEqual(await replies(true), []);
});
