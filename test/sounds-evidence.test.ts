// Evidence over time: consistent moderate probabilities trigger a sustained sound's reply, an isolated
// spike does not; the event segmenter merges one sound across chunk boundaries and splits a bout.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EvidenceAccumulator } from '../src/decision/evidence.ts';
import { SoundResponder } from '../src/decision/sound-policy.ts';
import { EventSegmenter } from '../src/perception/sounds/segmenter.ts';
import { LogMel } from '../src/perception/features.ts';
import { noise, SR } from '../src/testing/audio.ts';

const CLASSES = ['kettle_whistle', 'cough', 'ambient'];

function run(seq: number[][]): (string | null)[] {
  const r = new SoundResponder({ classes: CLASSES, thresholds: [0.5, 0.5, 0.5] });
  return seq.map((p, k) => r.update(p, { t: 0.4 * (k + 1) })?.label ?? null);
}

test('six kettle chunks at p 0.45 (under the 0.5 threshold) trigger one reply; one spike at 0.95 does not', () => {
  const steady = run(Array.from({ length: 8 }, () => [0.45, 0, 0.1]));
  assert.deepEqual(steady.filter(Boolean), ['kettle_whistle']);
  assert.ok(steady.indexOf('kettle_whistle') >= 4 && steady.indexOf('kettle_whistle') <= 6, JSON.stringify(steady));
  const spike = run([[0.1, 0, 0.9], [0.95, 0, 0.1], [0.1, 0, 0.9], [0.1, 0, 0.9], [0.1, 0, 0.9]]);
  assert.deepEqual(spike.filter(Boolean), []);
  // p 0.3 forever is not evidence of a kettle (below the floor the sum never reaches the level).
  assert.deepEqual(run(Array.from({ length: 30 }, () => [0.3, 0, 0.5])).filter(Boolean), []);
});

test('the accumulator leaks: evidence separated by long gaps never adds up', () => {
  const a = new EvidenceAccumulator(1);
  let fired = false;
  for (let k = 0; k < 60; k++) fired ||= a.update(0, k % 10 === 0 ? 0.8 : 0.05, 0.5);
  assert.equal(fired, false);
  assert.ok(a.value(0) < 0.6);
});

/** Noise bursts of given (start, length) seconds over quiet room noise, through the streaming segmenter. */
function segments(bursts: [number, number][], seconds: number): { onset: number; offset: number }[] {
  let x = noise(seconds, { color: 'pink', amplitude: 0.003 });
  const burst = noise(2, { color: 'white', amplitude: 0.3 });
  x = x.slice();
  for (const [at, len] of bursts) for (let i = 0; i < len * SR; i++) x[Math.round(at * SR) + i] += burst[i];
  const lm = new LogMel();
  const seg = new EventSegmenter();
  const out: { onset: number; offset: number }[] = [];
  for (let i = 0; i < x.length; i += 6400) {
    const c = new Float32Array(6400);
    c.set(x.subarray(i, i + 6400));
    out.push(...seg.process(lm.process(c)));
  }
  return out;
}

test('one sound spanning three chunks is one event with 10 ms onset/offset; three quick bursts are three events', () => {
  const one = segments([[1.05, 1.1]], 4);
  assert.equal(one.length, 1, JSON.stringify(one));
  assert.ok(Math.abs(one[0].onset - 1.05) <= 0.03 && Math.abs(one[0].offset - 2.15) <= 0.04, JSON.stringify(one));
  const bout = segments([[1.0, 0.25], [1.55, 0.25], [2.1, 0.25]], 4);
  assert.equal(bout.length, 3, JSON.stringify(bout));
  const quiet = segments([], 6);
  assert.deepEqual(quiet, []);
});
