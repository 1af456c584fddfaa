import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AcousticContext, levelDb, type AcousticSnapshot } from '../src/perception/acoustic-context.ts';
import { FRAMES_PER_CHUNK, LogMel } from '../src/perception/features.ts';
import { SileroVad } from '../src/perception/vad.ts';
import { SoundFlowError } from '../src/util/errors.ts';
import { SR, concat, mix, noise, rms, silence, speech, tone } from '../src/testing/audio.ts';

const CHUNK = 6400;

/** The perception front end as the pipeline runs it: features + VAD + context, chunk by chunk. */
async function snapshots(x: Float32Array): Promise<AcousticSnapshot[]> {
  const lm = new LogMel();
  const vad = await SileroVad.create();
  const ctx = new AcousticContext();
  const out: AcousticSnapshot[] = [];
  for (let o = 0; o + CHUNK <= x.length; o += CHUNK) {
    const pcm = x.subarray(o, o + CHUNK);
    const mel = lm.process(pcm);
    const { probs } = await vad.process(pcm);
    out.push(ctx.update(mel, FRAMES_PER_CHUNK, probs, pcm));
  }
  return out;
}

const db = (x: Float32Array) => 20 * Math.log10(rms(x));

test('noise floor matches a steady noise and follows a level change within ~3 s', async () => {
  const quiet = noise(4, { color: 'white', amplitude: 0.01 });
  const loud = noise(6, { color: 'white', amplitude: 0.1 });
  const s = await snapshots(concat(quiet, loud));
  const q = s[9]; // 3.6–4.0 s: quiet noise only
  assert.ok(Math.abs(q.noiseFloorDb - db(quiet)) < 2, `floor ${q.noiseFloorDb.toFixed(1)} vs noise ${db(quiet).toFixed(1)} dB`);
  assert.ok(Math.abs(q.levelDb - db(quiet)) < 1);
  const last = s.at(-1)!;
  assert.ok(Math.abs(last.noiseFloorDb - db(loud)) < 2, `floor ${last.noiseFloorDb.toFixed(1)} vs noise ${db(loud).toFixed(1)} dB`);
  // It rises only after the quiet chunks leave the 3.2 s window: slow tracking, not instant.
  assert.ok(s[11].noiseFloorDb < db(quiet) + 3, 'floor must not jump with the first loud chunk');
  const risen = s.findIndex((x, i) => i >= 10 && x.noiseFloorDb > db(loud) - 3);
  assert.ok(risen >= 15 && risen <= 19, `floor caught up at chunk ${risen}`);
  // Steady noise is no event: one onset at the level step (chunk 10), none elsewhere.
  const onsetChunks = s.flatMap((x, i) => (x.onsetFrames.length ? [i] : []));
  assert.deepEqual(onsetChunks, [10]);
  assert.ok(last.aboveFloorDb < 2 && s[12].aboveFloorDb > 15);
});

test('SNR is higher for speech over a quiet room than over loud noise', async () => {
  const talk = speech('The quick brown fox jumps over the lazy dog.');
  const scene = concat(silence(2), talk, silence(1));
  const bed = noise(scene.length / SR, { amplitude: 0.05 });
  const quiet = (await snapshots(mix(scene, bed, 30))).at(-1)!;
  const loud = (await snapshots(mix(scene, bed, 5))).at(-1)!;
  assert.ok(quiet.snrDb !== null && loud.snrDb !== null);
  assert.ok(quiet.snrDb - loud.snrDb > 15, `quiet ${quiet.snrDb.toFixed(1)} dB vs loud ${loud.snrDb.toFixed(1)} dB`);
  assert.ok(loud.snrDb > 3, 'speech still stands out over the loud noise');
  assert.ok(quiet.speechLevelDb !== null && Math.abs(quiet.speechLevelDb - loud.speechLevelDb!) < 6, 'speech level is about the same in both');
});

test('no speech heard yet: speech level and SNR are null', async () => {
  const s = await snapshots(noise(1.2, { amplitude: 0.05 }));
  assert.equal(s.at(-1)!.speechLevelDb, null);
  assert.equal(s.at(-1)!.snrDb, null);
  assert.equal(s.at(-1)!.speechFraction, 0);
});

test('a tone burst in pink noise gives an onset at its first frame', async () => {
  const onsetSample = Math.round(2.13 * SR); // inside chunk 5, frame 13 (2.13 s − 2.0 s = 130 ms)
  const bed = noise(4, { amplitude: 0.02 });
  const beep = tone(1000, 0.3, 0.1);
  const x = bed.slice();
  for (let i = 0; i < beep.length; i++) x[onsetSample + i] += beep[i];
  const s = await snapshots(x);
  const onsets = s.flatMap((snap, c) => snap.onsetFrames.map((f) => c * FRAMES_PER_CHUNK + f));
  // A causal frame ends on a 10 ms boundary: the first frame touching the onset ends at 2.14 s = frame 213.
  assert.equal(onsets.length, 1, `onsets at frames ${onsets}`);
  assert.ok(Math.abs(onsets[0] - 213) <= 2, `onset at frame ${onsets[0]}`);
  assert.ok(s[5].onsetStrength > 10);
  // Over 72 noise draws the bed's excess in that bin was 0.1-2.0 dB (median 0.3) and the beep's 27-28 dB:
  // 3 dB was within reach of the bed's own fluctuation, 6 dB still leaves the beep 20 dB clear.
  assert.ok(s[5].excessDb[20] > 10 && s[4].excessDb[20] < 6, 'the beep is energy above the floor, the bed is not');
});

test('a sound out of digital silence is an onset; chunk level is 20·log10(rms)', async () => {
  const x = concat(silence(1.0), tone(440, 0.6, 0.3));
  const s = await snapshots(x);
  assert.deepEqual(s[2].onsetFrames, [20]); // 1.0 s = chunk 2 (0.8–1.2 s), frame 20 ends at 1.01 s
  assert.equal(s[0].levelDb, -100);
  assert.ok(Math.abs(s[3].levelDb - levelDb(x.subarray(3 * CHUNK, 4 * CHUNK))) < 1e-9);
  assert.ok(Math.abs(s[3].levelDb - 20 * Math.log10(0.3 / Math.SQRT2)) < 0.5);
});

test('bad input gets a clear error', () => {
  const ctx = new AcousticContext();
  const pcm = new Float32Array(CHUNK);
  assert.throws(() => ctx.update(new Float32Array(10), FRAMES_PER_CHUNK, [], pcm), (e: unknown) => e instanceof SoundFlowError && e.code === 'invalid_input');
  assert.throws(() => ctx.update(new Float32Array(0), 0, [], pcm), (e: unknown) => e instanceof SoundFlowError);
});
