// "Count this sound" frame by frame (repeats.ts): synthesised chirps fill the gaps between the repeats
// of a harmonic sound, as birdsong does; each repeat is counted once, right after it ends, and another
// sound as loud is not.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LogMel } from '../src/perception/features.ts';
import { RepeatDetector, type RepeatDetectorOptions, type RepeatRun } from '../src/perception/sounds/repeats.ts';
import { noise, SR } from '../src/testing/audio.ts';
import { makeRng, uniform } from '../src/util/rng.ts';

/** `len` s of a sum of sines (Hz, relative amplitude) with 20 ms fades. */
function partials(len: number, parts: [number, number][]): Float32Array {
  const n = Math.round(len * SR);
  const fade = 0.02 * SR;
  return Float32Array.from({ length: n }, (_, i) => {
    let v = 0;
    for (const [f, a] of parts) v += a * Math.sin((2 * Math.PI * f * i) / SR);
    return v * Math.min(1, i / fade, (n - 1 - i) / fade);
  });
}

/** A bird-like chirp: a 40–90 ms sweep within 2.5–6 kHz. */
function chirp(rng: () => number): Float32Array {
  const n = Math.round(uniform(rng, 0.04, 0.09) * SR);
  const f0 = uniform(rng, 2500, 5000);
  const f1 = f0 + uniform(rng, -800, 1000);
  let ph = 0;
  return Float32Array.from({ length: n }, (_, i) => {
    ph += (2 * Math.PI * (f0 + ((f1 - f0) * i) / n)) / SR;
    return Math.sin(ph) * Math.sin((Math.PI * i) / n);
  });
}

function add(x: Float32Array, y: Float32Array, at: number, gain: number): void {
  const s = Math.round(at * SR);
  for (let i = 0; i < y.length && s + i < x.length; i++) x[s + i] += gain * y[i];
}

function run(x: Float32Array, countFrom: number, opts: RepeatDetectorOptions = {}): RepeatRun[] {
  const lm = new LogMel();
  const det = new RepeatDetector(opts);
  const out: RepeatRun[] = [];
  // A tail is the end of a repeat already reported: not a count.
  for (let i = 0; i + 6400 <= x.length; i += 6400) out.push(...det.process({ mel: lm.process(x.slice(i, i + 6400)), t: (i + 6400) / SR, countFrom }).filter((r) => !r.tail));
  return out;
}

test('repeats of a sound with chirps in every gap: one count per repeat, each ending within 60 ms of its sound', () => {
  let worst = 0;
  for (const seed of [1, 2, 3]) {
    const rng = makeRng(seed);
    const x = noise(14, { color: 'pink', amplitude: 0.01 });
    // Chirps throughout, ~5 per second, peaking as high as the sound.
    for (let t = 0.05; t < 13.8; t += uniform(rng, 0.1, 0.3)) add(x, chirp(rng), t, 0.1);
    const sound = partials(0.5, [[420, 1], [840, 0.6], [1260, 0.4], [1680, 0.2]]);
    const starts = [3.4, 4.3, 5.1, 7.0, 7.8, 10.2];
    for (const s of starts) add(x, sound, s, 0.06);
    const runs = run(x, 3);
    assert.equal(runs.length, starts.length, `seed ${seed}: ${runs.map((r) => `${r.onset}-${r.offset}`).join(' ')}`);
    assert.ok(runs[0].example && runs.slice(1).every((r) => !r.example));
    runs.forEach((r, k) => (worst = Math.max(worst, Math.abs(r.offset - (starts[k] + 0.5)))));
  }
  assert.ok(worst <= 0.06, `a count ${worst.toFixed(2)} s from its sound's end`);
});

test('another sound as loud as the counted one is not a repeat, and nothing before countFrom is the example', () => {
  const rng = makeRng(7);
  const x = noise(12, { color: 'pink', amplitude: 0.01 });
  for (let t = 0.05; t < 11.8; t += uniform(rng, 0.1, 0.3)) add(x, chirp(rng), t, 0.1);
  const sound = partials(0.4, [[420, 1], [840, 0.6], [1260, 0.4]]);
  const other = partials(0.4, [[1900, 1], [2300, 0.8], [3100, 0.5]]);
  add(x, other, 1.5, 0.06); // heard while the instruction was given: background, not the example
  for (const s of [3.5, 5.5, 8.5]) add(x, sound, s, 0.06);
  for (const s of [4.5, 7.0, 9.8]) add(x, other, s, 0.06);
  const runs = run(x, 3);
  assert.deepEqual(runs.map((r) => Math.round(r.onset * 2) / 2), [3.5, 5.5, 8.5], runs.map((r) => `${r.onset}-${r.offset}`).join(' '));
});

/** A steady bed from the project's PRNG (sox noise differs on every run; these cases sit near a bar). */
function bed(seconds: number, rng: () => number): Float32Array {
  return Float32Array.from({ length: Math.round(seconds * SR) }, () => uniform(rng, -0.01, 0.01));
}

test('a steady sound in the chirps\' own band, quieter than the chirps, is found by its sustained level', () => {
  // Chirps 2.5 times as loud as the sound fill its band: over each band's 97th percentile the sound
  // stands out less than they do (the instantaneous novelty found 0 or 2 of its 4 repeats), but no chirp
  // holds a band for 130 of 150 ms.
  const starts = [3.4, 5.1, 7.0, 10.2];
  for (const seed of [1, 2, 3, 4, 5, 6, 7, 8]) {
    const rng = makeRng(seed);
    const x = bed(14, rng);
    for (let t = 0.05; t < 13.8; t += uniform(rng, 0.1, 0.3)) add(x, chirp(rng), t, 0.15);
    const sound = partials(0.5, [[3000, 1], [3400, 0.8]]);
    for (const s of starts) add(x, sound, s, 0.06);
    const runs = run(x, 3);
    const shown = runs.map((r) => `${r.onset}-${r.offset}`).join(' ');
    assert.equal(runs.length, starts.length, `seed ${seed}: ${shown}`);
    assert.ok(runs[0].example, `seed ${seed}: ${shown}`);
    runs.forEach((r, k) => assert.ok(Math.abs(r.offset - (starts[k] + 0.5)) <= 0.2, `seed ${seed}: ${shown}`));
  }
});

test('repeats quieter than the bar of their time are counted, late, once the example is found', () => {
  // A loud sound while the instruction is given raises the bar for 4 s: the first two repeats (at 40 %
  // of the later ones' level) stay under it, the third becomes the example; looking back finds the two.
  for (const seed of [1, 2, 3, 4, 5, 6]) {
    const rng = makeRng(seed);
    const x = bed(13, rng);
    const sound = (len: number) => partials(len, [[420, 1], [840, 0.6], [1260, 0.4], [1680, 0.2]]);
    add(x, sound(0.6), 2.0, 0.3);
    [3.4, 5.1, 7.5, 10.2].forEach((s, k) => add(x, sound(0.5), s, k < 2 ? 0.025 : 0.06));
    const live = run(x, 3);
    assert.deepEqual(live.map((r) => Math.round(r.onset * 2) / 2), [7.5, 10], `seed ${seed}, without looking back`);
    const runs = run(x, 3, { retro: true });
    const shown = runs.map((r) => `${r.onset}-${r.offset}${r.retro ? ' (late)' : ''}`).join(' ');
    assert.deepEqual(runs.map((r) => Math.round(r.onset * 2) / 2), [3.5, 5, 7.5, 10], `seed ${seed}: ${shown}`);
    assert.deepEqual(runs.map((r) => !!r.retro), [true, true, false, false], `seed ${seed}: ${shown}`);
  }
});

test('a repeat that a burst of sounds in its own bands carries on is counted within a chunk of its end, once', () => {
  // A dense burst of short sounds in half of the sound's bands follows every repeat for 0.8 s: it holds
  // the template score over the run's keep line, so a count that waited for the run's end came 2 chunks
  // late.
  const starts = [3.4, 5.6, 8.1, 10.9];
  const len = 0.5;
  for (const seed of [1, 2, 3, 4, 5, 6]) {
    const rng = makeRng(seed);
    const x = bed(14, rng);
    const sound = partials(len, [[420, 1], [840, 0.8], [1260, 0.7], [1680, 0.6], [2520, 0.5], [3360, 0.4]]);
    for (const s of starts) {
      add(x, sound, s, 0.06);
      if (s === starts[0]) continue; // the example itself ends cleanly
      for (let t = s + len + 0.02; t < s + len + 0.8; t += uniform(rng, 0.05, 0.08)) add(x, partials(uniform(rng, 0.04, 0.07), [[420, 1], [840, 0.8], [1260, 0.7]]), t, 0.06);
    }
    const lm = new LogMel();
    const det = new RepeatDetector();
    const counted: { run: RepeatRun; chunk: number }[] = [];
    for (let i = 0, c = 0; i + 6400 <= x.length; i += 6400, c++) {
      for (const r of det.process({ mel: lm.process(x.slice(i, i + 6400)), t: (i + 6400) / SR, countFrom: 3 })) if (!r.tail) counted.push({ run: r, chunk: c });
    }
    const shown = counted.map(({ run: r, chunk }) => `${r.onset}-${r.offset}@${chunk}`).join(' ');
    assert.equal(counted.length, starts.length, `seed ${seed}: ${shown}`);
    counted.forEach(({ chunk }, k) => assert.ok(chunk <= Math.floor((starts[k] + len) / 0.4) + 1, `seed ${seed}: count ${k + 1} in chunk ${chunk}: ${shown}`));
  }
});
