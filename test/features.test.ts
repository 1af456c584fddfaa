import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  FRAMES_PER_CHUNK,
  LogMel,
  MEL_BINS,
  MEL_DB_OFFSET,
  framePowerSpectrum,
  logMelOfSignal,
  melCenterFrequencies,
} from '../src/perception/features.ts';
import { SoundFlowError } from '../src/util/errors.ts';
import { concat, mix, noise, rms, speech, tone } from '../src/testing/audio.ts';

const CHUNK = 6400;
const audio = concat(speech('Set a timer for ten minutes, please.'), mix(tone(880, 1.0, 0.2), noise(1.0, { amplitude: 0.05 }), 10));

function streamFrames(x: Float32Array, sizes: number[]): Float32Array {
  const lm = new LogMel();
  const parts: Float32Array[] = [];
  let o = 0;
  for (let i = 0; o < x.length; i++) {
    const n = Math.min(sizes[i % sizes.length], x.length - o);
    parts.push(lm.process(x.subarray(o, o + n)));
    o += n;
  }
  return concat(...parts);
}

test('a 6400-sample chunk yields exactly 40 frames of 64 bins', () => {
  const lm = new LogMel();
  for (let c = 0; c < 3; c++) assert.equal(lm.process(audio.subarray(c * CHUNK, (c + 1) * CHUNK)).length, FRAMES_PER_CHUNK * MEL_BINS);
});

test('chunked log-mel equals the whole-signal computation exactly', () => {
  const whole = logMelOfSignal(audio);
  assert.equal(whole.frames, Math.floor(audio.length / 160));
  const usable = Math.floor(audio.length / CHUNK) * CHUNK;
  const chunked = streamFrames(audio.subarray(0, usable), [CHUNK]);
  assert.equal(chunked.length, (usable / 160) * MEL_BINS);
  assert.deepEqual(chunked, whole.data.subarray(0, chunked.length));
  // Odd push sizes (not multiples of the hop) give the same frames too.
  const odd = streamFrames(audio, [1000, 37, 6400, 333]);
  assert.deepEqual(odd, whole.data);
});

test('reset returns to the stream start', () => {
  const lm = new LogMel();
  const first = lm.process(audio.subarray(0, CHUNK));
  lm.process(audio.subarray(CHUNK, 2 * CHUNK));
  lm.reset();
  assert.deepEqual(lm.process(audio.subarray(0, CHUNK)), first);
});

test('the real FFT matches a direct DFT on a speech frame', () => {
  const frame = audio.subarray(4000, 4400);
  const p = framePowerSpectrum(frame);
  let peak = 0;
  for (const v of p) peak = Math.max(peak, v);
  for (let k = 0; k <= 256; k += 7) {
    let re = 0;
    let im = 0;
    for (let n = 0; n < 400; n++) {
      const w = 0.5 - 0.5 * Math.cos((2 * Math.PI * n) / 400);
      re += frame[n] * w * Math.cos((2 * Math.PI * k * n) / 512);
      im -= frame[n] * w * Math.sin((2 * Math.PI * k * n) / 512);
    }
    assert.ok(Math.abs(re * re + im * im - p[k]) <= 1e-9 * peak, `bin ${k}`);
  }
});

test('summed mel energy is calibrated to the signal level, and a tone lands in its band', () => {
  const white = noise(1, { color: 'white', amplitude: 0.1 });
  const { frames, data } = logMelOfSignal(white);
  let sum = 0;
  for (let f = 5; f < frames; f++) for (let m = 0; m < MEL_BINS; m++) sum += Math.exp(data[f * MEL_BINS + m]);
  const melDb = 10 * Math.log10(sum / (frames - 5)) - MEL_DB_OFFSET;
  assert.ok(Math.abs(melDb - 20 * Math.log10(rms(white))) < 1, `mel ${melDb.toFixed(2)} dB vs rms ${(20 * Math.log10(rms(white))).toFixed(2)} dB`);

  const t = logMelOfSignal(tone(1000, 0.5, 0.3));
  const centers = melCenterFrequencies();
  const f = 20;
  let best = 0;
  for (let m = 1; m < MEL_BINS; m++) if (t.data[f * MEL_BINS + m] > t.data[f * MEL_BINS + best]) best = m;
  const nearest = centers.reduce((bi, c, i) => (Math.abs(c - 1000) < Math.abs(centers[bi] - 1000) ? i : bi), 0);
  assert.ok(Math.abs(best - nearest) <= 1, `tone peak in band ${best}, 1 kHz is band ${nearest}`);
});

test('bad input gets a clear error', () => {
  const lm = new LogMel();
  const bad = new Float32Array(CHUNK);
  bad[10] = NaN;
  assert.throws(() => lm.process(bad), (e: unknown) => e instanceof SoundFlowError && e.code === 'invalid_audio');
  assert.throws(() => lm.process([0, 1] as unknown as Float32Array), (e: unknown) => e instanceof SoundFlowError && e.code === 'invalid_audio');
  assert.throws(() => new LogMel({ nMels: 0 }), (e: unknown) => e instanceof SoundFlowError && e.code === 'invalid_argument');
});
