import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SileroVad, VAD_FRAME } from '../src/perception/vad.ts';
import { SpeechSegmenter, serverVadPreset, type SegmentUpdate } from '../src/perception/segmenter.ts';
import { SoundFlowError } from '../src/util/errors.ts';
import { SR, concat, noise, silence, speech } from '../src/testing/audio.ts';

const CHUNK = 6400;

/** espeak pads its output with silence: cut it so the speech boundaries are known. */
function trimmed(x: Float32Array): Float32Array {
  const thr = 0.01;
  let a = 0;
  let b = x.length;
  while (a < b && Math.abs(x[a]) < thr) a++;
  while (b > a && Math.abs(x[b - 1]) < thr) b--;
  return x.slice(a, b);
}

async function vadOf(x: Float32Array, vad?: SileroVad): Promise<{ probs: number[]; frameEnds: number[] }> {
  const v = vad ?? (await SileroVad.create());
  const probs: number[] = [];
  const frameEnds: number[] = [];
  for (let o = 0; o < x.length; o += CHUNK) {
    const r = await v.process(x.subarray(o, Math.min(x.length, o + CHUNK)));
    probs.push(...r.probs);
    frameEnds.push(...r.frameEnds);
  }
  return { probs, frameEnds };
}

function fractionAbove(r: { probs: number[]; frameEnds: number[] }, from: number, to: number, thr = 0.5): number {
  let n = 0;
  let k = 0;
  r.probs.forEach((p, i) => {
    const end = r.frameEnds[i];
    if (end - VAD_FRAME >= from && end <= to) {
      n++;
      if (p >= thr) k++;
    }
  });
  assert.ok(n > 0, `no frames in ${from}..${to}`);
  return k / n;
}

const sentence = trimmed(speech('Please remind me to water the plants tomorrow morning.'));
// [1.2 s silence][speech][2.5 s pink noise at a moderate level][0.6 s silence]
const lead = Math.round(1.2 * SR);
const sceneA = concat(silence(1.2), sentence, noise(2.5, { amplitude: 0.05 }), silence(0.6));
const speechEnd = lead + sentence.length;

test('VAD finds the speech and ignores silence and moderate pink noise', async () => {
  const r = await vadOf(sceneA);
  assert.equal(r.probs.length, Math.floor(sceneA.length / VAD_FRAME));
  r.frameEnds.forEach((e, i) => assert.equal(e, (i + 1) * VAD_FRAME));
  const inSpeech = fractionAbove(r, lead + 0.1 * SR, speechEnd - 0.1 * SR);
  const inSilence = fractionAbove(r, 0, lead - 0.1 * SR);
  const inNoise = fractionAbove(r, speechEnd + 0.3 * SR, speechEnd + 2.5 * SR);
  assert.ok(inSpeech > 0.8, `speech fraction inside speech ${inSpeech}`);
  assert.ok(inSilence < 0.05, `speech fraction in silence ${inSilence}`);
  assert.ok(inNoise < 0.1, `speech fraction in noise ${inNoise}`);
});

test('a 6400-sample chunk gives 12 or 13 frames, carrying the 256 leftover samples', async () => {
  const v = await SileroVad.create();
  const counts: number[] = [];
  for (let c = 0; c < 4; c++) counts.push((await v.process(sceneA.subarray(c * CHUNK, (c + 1) * CHUNK))).probs.length);
  assert.deepEqual(counts, [12, 13, 12, 13]);
});

test('each instance keeps its own state on the shared model; reset restarts it', async () => {
  const x = sceneA.subarray(0, 10 * CHUNK);
  const alone = await vadOf(x);
  const a = await SileroVad.create();
  const b = await SileroVad.create();
  const ra: number[] = [];
  const rb: number[] = [];
  // Interleave two streams (b hears noise) and fire calls without awaiting each one.
  const pending: Promise<void>[] = [];
  const noisy = noise(4, { amplitude: 0.2, color: 'white' });
  for (let c = 0; c < 10; c++) {
    pending.push(a.process(x.subarray(c * CHUNK, (c + 1) * CHUNK)).then((r) => void ra.push(...r.probs)));
    pending.push(b.process(noisy.subarray(c * CHUNK, (c + 1) * CHUNK)).then((r) => void rb.push(...r.probs)));
  }
  await Promise.all(pending);
  assert.deepEqual(ra, alone.probs);
  a.reset();
  assert.deepEqual((await vadOf(x, a)).probs, alone.probs);
  await assert.rejects(a.process(new Float32Array([0, NaN])), (e: unknown) => e instanceof SoundFlowError && e.code === 'invalid_audio');
});

function run(seg: SpeechSegmenter, r: { probs: number[]; frameEnds: number[] }): SegmentUpdate[] {
  const out: SegmentUpdate[] = [];
  // Feed in the per-chunk slices the pipeline would use (12/13 frames each).
  for (let i = 0; i < r.probs.length; i += 12) out.push(...seg.update(r.probs.slice(i, i + 12), r.frameEnds.slice(i, i + 12)));
  return out;
}

const near = (sample: number, target: number, ms = 200) => Math.abs(sample - target) <= (ms * SR) / 1000;

test('segmenter start/end land within 200 ms of the true speech boundaries', async () => {
  const second = trimmed(speech('And also buy some milk.'));
  const x = concat(sceneA, second, silence(1.0));
  const start2 = sceneA.length;
  const r = await vadOf(x);
  const seg = new SpeechSegmenter();
  const ups = run(seg, r).filter((u) => u.kind !== 'pause');
  assert.deepEqual(ups.map((u) => u.kind), ['start', 'end', 'start', 'end'], JSON.stringify(ups));
  assert.ok(near(ups[0].sample, lead), `start ${ups[0].sample / SR}s vs ${lead / SR}s`);
  assert.ok(near(ups[1].sample, speechEnd), `end ${ups[1].sample / SR}s vs ${speechEnd / SR}s`);
  assert.ok(near(ups[2].sample, start2), `start ${ups[2].sample / SR}s vs ${start2 / SR}s`);
  assert.ok(near(ups[3].sample, start2 + second.length), `end ${ups[3].sample / SR}s`);
  // The end is decided after minSilenceMs of silence, not before.
  assert.ok(ups[1].at - ups[1].sample >= 0.5 * SR - VAD_FRAME);
  assert.equal(seg.inSpeech, false);
});

test('a short pause inside an utterance is a pause, not an end', async () => {
  const a = trimmed(speech('Turn on the lights'));
  const b = trimmed(speech('in the kitchen.'));
  const x = concat(silence(0.8), a, silence(0.35), b, silence(1.0));
  const r = await vadOf(x);
  const seg = new SpeechSegmenter({ pauseMs: 200, minSilenceMs: 600 });
  const ups = run(seg, r);
  const kinds = ups.map((u) => u.kind);
  assert.deepEqual(kinds.filter((k) => k !== 'pause'), ['start', 'end'], JSON.stringify(ups));
  const pauseAt = 0.8 * SR + a.length;
  assert.ok(ups.some((u) => u.kind === 'pause' && near(u.sample, pauseAt)), `pause near ${pauseAt / SR}s: ${JSON.stringify(ups)}`);
  assert.ok(near(ups.at(-1)!.sample, x.length - SR), 'end after the second phrase');
});

test('server_vad preset: start includes 300 ms of prefix padding', async () => {
  const r = await vadOf(sceneA);
  const seg = new SpeechSegmenter(serverVadPreset({ threshold: 0.5, prefixPaddingMs: 300, silenceDurationMs: 500 }));
  const ups = run(seg, r);
  const start = ups.find((u) => u.kind === 'start')!;
  const end = ups.find((u) => u.kind === 'end')!;
  assert.ok(near(start.sample, lead - 0.3 * SR), `start ${start.sample / SR}s`);
  assert.ok(near(end.sample, speechEnd), `end ${end.sample / SR}s`);
  // server_vad reports as soon as one frame passes the threshold.
  assert.ok(start.at - (start.sample + 0.3 * SR) <= 2 * VAD_FRAME + 0.2 * SR);
});

test('segmenter rejects bad options and mismatched input', () => {
  assert.throws(() => new SpeechSegmenter({ startThreshold: 0.3, endThreshold: 0.6 }), (e: unknown) => e instanceof SoundFlowError && e.code === 'invalid_argument');
  assert.throws(() => new SpeechSegmenter({ minSilenceMs: -1 }), (e: unknown) => e instanceof SoundFlowError);
  const seg = new SpeechSegmenter();
  assert.throws(() => seg.update([0.9], []), (e: unknown) => e instanceof SoundFlowError && e.code === 'invalid_input');
  assert.throws(() => seg.update([0.9, 0.9], [512, 512]), (e: unknown) => e instanceof SoundFlowError && e.code === 'invalid_input');
});
