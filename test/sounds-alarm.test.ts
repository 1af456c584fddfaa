// The standards-based alarm detector on synthesised signals with known timing: T3 (smoke) and T4 (CO)
// patterns as sine, square and pulse waves, clean, in noise and under speech; appliance beeps and bad
// input must never match.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AlarmDetector, type AlarmAlert } from '../src/perception/sounds/alarm.ts';
import { addBurst, APPLIANCE_PATTERNS, patternSignal, T3_CYCLE, T4_CYCLE, type Wave } from '../src/soundflow/corpus/alarm-patterns.ts';
import { makeRng, uniform } from '../src/util/rng.ts';
import { concat, noise, silence, speech, tone, SR } from '../src/testing/audio.ts';
import { corpusSong } from './music-fixtures.ts';
import { renderSong, SOUNDFONT } from '../src/soundflow/music/render.ts';

const CHUNK = 6400;

/** Runs the detector chunk by chunk; each alert with the end time of the chunk that produced it. */
function detect(x: Float32Array): (AlarmAlert & { chunkEnd: number })[] {
  const d = new AlarmDetector();
  const out: (AlarmAlert & { chunkEnd: number })[] = [];
  for (let i = 0; i < x.length; i += CHUNK) {
    const c = new Float32Array(CHUNK);
    c.set(x.subarray(i, i + CHUNK));
    for (const a of d.process(c, (i + CHUNK) / SR)) out.push({ ...a, chunkEnd: (i + CHUNK) / SR });
  }
  return out;
}

const rms = (x: Float32Array) => Math.sqrt(x.reduce((s, v) => s + v * v, 0) / x.length);

/** x plus `bed` (looped) at `snrDb` below the tone's on-phase RMS, clipped to ±1. */
function under(x: Float32Array, bed: Float32Array, snrDb: number, levelDbfs: number): Float32Array {
  const toneRms = Math.pow(10, levelDbfs / 20) * Math.SQRT1_2;
  const seg = Float32Array.from({ length: x.length }, (_, i) => bed[i % bed.length]);
  const g = toneRms / Math.pow(10, snrDb / 20) / rms(seg);
  return x.map((v, i) => Math.max(-1, Math.min(1, v + g * seg[i])));
}

const WAVES: { wave: Wave; duty?: number }[] = [{ wave: 'sine' }, { wave: 'square' }, { wave: 'pulse', duty: 0.1 }, { wave: 'pulse', duty: 0.7 }];

test('T3 smoke-alarm pattern: sine, square and pulse waves, 2.8–3.5 kHz, −35…0 dBFS, confirmed within 4 s of the first beep', () => {
  for (const w of WAVES) {
    for (const freqHz of [2800, 3300, 3500]) {
      for (const levelDbfs of [-35, -10, 0]) {
        const { x, onset } = patternSignal(T3_CYCLE, 1, { freqHz, wave: w.wave, duty: w.duty, levelDbfs }, { leadSec: 1.13 });
        const alerts = detect(x.map((v) => Math.max(-1, Math.min(1, v))));
        const what = `${w.wave}${w.duty ?? ''} ${freqHz} Hz ${levelDbfs} dBFS`;
        assert.equal(alerts.length, 1, `${what}: ${JSON.stringify(alerts)}`);
        assert.equal(alerts[0].pattern, 'T3', what);
        assert.ok(alerts[0].chunkEnd - onset <= 4.0, `${what}: confirmed ${(alerts[0].chunkEnd - onset).toFixed(2)} s after onset`);
        assert.ok(Math.abs(alerts[0].onset - onset) < 0.03, `${what}: onset ${alerts[0].onset} vs ${onset}`);
        assert.ok(Math.abs(alerts[0].freqHz - freqHz) < 70, `${what}: ${alerts[0].freqHz} Hz`);
      }
    }
  }
});

test('T3 alert within two chunks of the third beep\'s end at any chunk phase; a fourth beep at T3 spacing still breaks the cycle', () => {
  // A reply labelled on the chunk holding the last beep's end counts when it comes ≤ 2 chunks later.
  for (let k = 0; k < 8; k++) {
    const lead = 1.0 + (k * 0.4) / 8;
    const { x, onset } = patternSignal([0.5, 0.5, 0.5, 0.5, 0.5, 3], 1, { freqHz: 3100, wave: 'square', levelDbfs: -20 }, { leadSec: lead });
    const alerts = detect(x);
    assert.equal(alerts.length, 1, `lead ${lead}: ${JSON.stringify(alerts)}`);
    const lastBeepChunk = Math.floor(((onset + 2.5) * SR - 1) / CHUNK);
    const alertChunk = Math.round((alerts[0].chunkEnd * SR) / CHUNK) - 1;
    assert.ok(alertChunk - lastBeepChunk <= 2 && alertChunk >= lastBeepChunk, `lead ${lead}: alert in chunk ${alertChunk}, last beep ends in chunk ${lastBeepChunk}`);
  }
  for (const gap of [0.4, 0.5, 0.6]) {
    const { x } = patternSignal([0.5, gap, 0.5, gap, 0.5, gap, 0.5, 3], 1, { freqHz: 3100, wave: 'square', levelDbfs: -20 });
    assert.deepEqual(detect(x), [], `four beeps ${gap} s apart`);
  }
});

test('T3 within the standard\'s ±10 % timing, and no match outside it', () => {
  for (const scale of [0.9, 1.1]) {
    const { x } = patternSignal(T3_CYCLE, 2, { freqHz: 3100, wave: 'square', levelDbfs: -20 }, { scale });
    assert.deepEqual(detect(x).map((a) => a.pattern), ['T3', 'T3'], `timing ×${scale}`);
  }
  for (const scale of [0.6, 1.5]) {
    const { x } = patternSignal(T3_CYCLE, 2, { freqHz: 3100, wave: 'square', levelDbfs: -20 }, { scale });
    assert.deepEqual(detect(x), [], `timing ×${scale}`);
  }
});

test('T4 carbon-monoxide pattern is confirmed on its second group and never read as T3', () => {
  for (const w of WAVES) {
    for (const freqHz of [3000, 3400]) {
      const { x, onset } = patternSignal(T4_CYCLE, 2, { freqHz, wave: w.wave, duty: w.duty, levelDbfs: -30 });
      const alerts = detect(x);
      assert.deepEqual(alerts.map((a) => a.pattern), ['T4'], `${w.wave} ${freqHz}`);
      assert.ok(alerts[0].chunkEnd - onset < 7.5, `confirmed ${(alerts[0].chunkEnd - onset).toFixed(2)} s after onset`);
    }
  }
});

test('T3 and T4 under 10 dB white/pink noise and under speech as loud as the alarm', () => {
  const talk = concat(
    speech('Could you pass me the salt, please, and the pepper too.', { voice: 'en-us' }),
    speech('I think the meeting starts at half past three, not at four.', { voice: 'en+f3' }),
    speech('Did you remember to water the plants before you left?', { voice: 'en-gb' }),
  );
  const white = noise(12, { color: 'white', amplitude: 0.3 });
  const pink = noise(12, { color: 'pink', amplitude: 0.3 });
  let n = 0;
  const missed: string[] = [];
  for (const [pattern, timing, freqHz] of [['T3', T3_CYCLE, 3150], ['T4', T4_CYCLE, 3200]] as const) {
    for (const w of WAVES.slice(0, 3)) {
      for (const levelDbfs of [-30, -10]) {
        const { x } = patternSignal(timing, 2, { freqHz, wave: w.wave, duty: w.duty, levelDbfs });
        for (const [name, bed, snr] of [['white', white, 10], ['pink', pink, 10], ['speech', talk, 0]] as const) {
          n++;
          const got = detect(under(x, bed, snr, levelDbfs)).map((a) => a.pattern);
          if (!got.includes(pattern) || got.some((p) => p !== pattern)) missed.push(`${pattern} ${w.wave} ${levelDbfs} dBFS ${name}: ${got.join(',')}`);
        }
      }
    }
  }
  // The bench (npm run bench -- alarms) runs the full matrix; here at most one miss in 36, and only under speech.
  assert.ok(missed.length <= 1 && missed.every((m) => m.includes('speech')), `${missed.length}/${n} missed: ${missed.join('; ')}`);
});

// The three misses of the bench's issue matrix were speech partials at or near the alarm's pitch; these
// rebuild each mechanism with tone bursts so that the failure is certain, not a matter of which syllable lands where.
test('speech-like blips: a weaker partial at the alarm pitch in the T3 pause, many short partials at other pitches, a split T4 beep and a stray blip between T4 groups', () => {
  // 1. A 0.1 s partial 3 dB weaker at the alarm's pitch 0.15 s into the long pause: still T3, on the first cycle.
  {
    const lead = 1.13;
    const { x, onset } = patternSignal(T3_CYCLE, 2, { freqHz: 2800, wave: 'sine', levelDbfs: -30 }, { leadSec: lead });
    addBurst(x, Math.round((lead + 2.5 + 0.15) * SR), 0.1, { freqHz: 2812, wave: 'sine', levelDbfs: -33 });
    const got = detect(x);
    assert.equal(got[0]?.pattern, 'T3', JSON.stringify(got));
    assert.ok(got[0].chunkEnd - onset <= 4.0, `confirmed ${(got[0].chunkEnd - onset).toFixed(2)} s after onset`);
  }
  // 2. Four 0.1 s partials at other pitches right after the third beep (a talker's formants): the alarm's
  //    pitch must stay a candidate until its long pause confirms the cycle.
  {
    const lead = 1.13;
    const { x, onset } = patternSignal(T3_CYCLE, 1, { freqHz: 3100, wave: 'square', levelDbfs: -20 }, { leadSec: lead, tailSec: 2 });
    [2450, 2700, 3550, 3900, 4200].forEach((f, k) => addBurst(x, Math.round((lead + 2.6 + 0.15 * k) * SR), 0.1, { freqHz: f, wave: 'sine', levelDbfs: -22 }));
    const got = detect(x);
    assert.equal(got[0]?.pattern, 'T3', JSON.stringify(got));
    assert.ok(got[0].chunkEnd - onset <= 4.0, `confirmed ${(got[0].chunkEnd - onset).toFixed(2)} s after onset`);
  }
  // 3. T4: in the second group a partial one bin above the tone takes the start of the third beep (two
  //    abutting pieces), and a stray blip at the alarm's pitch sits in the 5 s pause.
  {
    const lead = 1.0;
    const f = 3375;
    const { x } = patternSignal(T4_CYCLE, 2, { freqHz: f, wave: 'sine', levelDbfs: -12 }, { leadSec: lead });
    const cycle = T4_CYCLE.reduce((a, b) => a + b, 0);
    const third = lead + cycle + 0.4;
    x.fill(0, Math.round(third * SR), Math.round((third + 0.03) * SR));
    addBurst(x, Math.round((third - 0.07) * SR), 0.1, { freqHz: f + 125, wave: 'sine', levelDbfs: -13 });
    addBurst(x, Math.round((lead + cycle - 2) * SR), 0.05, { freqHz: f + 60, wave: 'sine', levelDbfs: -13.5 });
    assert.deepEqual([...new Set(detect(x).map((a) => a.pattern))], ['T4']);
  }
});

test('music with beep-like rhythms gives no alarm: a rock melody stepping 2.31/2.38/2.44 kHz in T3 rhythm, a latin groove\'s 2.4 kHz cowbell every bar', (t) => {
  // Both rendered songs of the music corpus (bench/alarms.ts, rendered songs): the rock melody matched T3
  // once more pitches were tracked at a time (three notes a semitone apart passed the ±2 % + 1 bin train),
  // the cowbell matched T4 (four hits 0.05–0.17 s long, the same figure 5.1 s later).
  // From where the bench's playlist was when the alarm went off (the detector's history matters).
  for (const [id, fromSec] of [['rock-train-001', 10.5], ['latin-train-007', 5]] as const) {
    const s = corpusSong(t, id);
    if (!s) return;
    assert.deepEqual(detect(s.x.subarray(Math.round(fromSec * SR))).map((a) => `${a.pattern} at ${a.t.toFixed(2)} s, ${a.freqHz} Hz`), [], id);
  }
});

/** A struck bell at `f` Hz: two partials 30 Hz apart (they beat) plus an inharmonic one, decaying (τ 40 ms). */
function bellHit(x: Float32Array, at: number, seconds: number, f: number, levelDbfs: number): void {
  const a = Math.pow(10, levelDbfs / 20);
  const n = Math.round(seconds * SR);
  for (let i = 0; i < n && at + i < x.length; i++) {
    const t = i / SR;
    const env = Math.exp(-t / 0.04) * Math.min(1, i / 16) * Math.min(1, (n - i) / 32);
    x[at + i] += a * env * (Math.sin(2 * Math.PI * f * t) + 0.7 * Math.sin(2 * Math.PI * (f + 30) * t) + 0.4 * Math.sin(2 * Math.PI * 1.48 * f * t));
  }
}

test('struck, decaying hits in T4 timing are no CO alarm; flat beeps in the same timing are (pulse envelope check)', (t) => {
  // Two groups of four 0.1 s sounds 0.1 s apart, 5 s between the groups: the CO pattern's timing exactly.
  const starts: number[] = [];
  for (const g of [1.0, 1.0 + 0.7 + 5]) for (let k = 0; k < 4; k++) starts.push(g + k * 0.2);
  for (const levelDbfs of [-30, -10]) {
    const bell = new Float32Array(9 * SR);
    const beep = new Float32Array(9 * SR);
    for (const s of starts) {
      bellHit(bell, Math.round(s * SR), 0.1, 2437.5, levelDbfs);
      addBurst(beep, Math.round(s * SR), 0.1, { freqHz: 2437.5, wave: 'sine', levelDbfs });
    }
    assert.deepEqual(detect(beep).map((a) => a.pattern), ['T4'], `flat beeps at ${levelDbfs} dBFS`);
    assert.deepEqual(detect(bell).map((a) => `${a.pattern} at ${a.t.toFixed(2)} s`), [], `bell hits at ${levelDbfs} dBFS`);
    // With the envelope check off the same hits do match: the check is what rejects them.
    const d = new AlarmDetector({ t4DecayDb: Infinity, t4RoughDb: Infinity });
    const off: string[] = [];
    for (let i = 0; i < bell.length; i += CHUNK) {
      const c = new Float32Array(CHUNK);
      c.set(bell.subarray(i, i + CHUNK));
      off.push(...d.process(c, (i + CHUNK) / SR).map((a) => a.pattern));
    }
    assert.deepEqual(off, ['T4'], `bell hits at ${levelDbfs} dBFS without the envelope check`);
  }
  // A humanised rendering of the latin groove (MMA seed 38, bench/alarm-renders.ts) whose cowbell matched
  // T4 before the check: its 2.4 kHz peak jitters 2–3 dB from frame to frame.
  const s = corpusSong(t, 'latin-train-007');
  if (!s) return;
  const x = renderSong(s.song, SOUNDFONT, { seed: 38 });
  assert.deepEqual(detect(x.subarray(5 * SR)).map((a) => `${a.pattern} at ${a.t.toFixed(2)} s`), [], 'latin-train-007 seed 38 from 5 s');
});

test('appliance beeps (microwave, timers, alarm clock, dishwasher, keypad, continuous) never match T3 or T4', () => {
  const rng = makeRng(77);
  for (let k = 0; k < 28; k++) {
    const p = APPLIANCE_PATTERNS[k % APPLIANCE_PATTERNS.length];
    const { timing, repeats } = p.make(rng);
    const wave = (['sine', 'square', 'pulse'] as const)[k % 3];
    const { x } = patternSignal(timing, repeats, { freqHz: uniform(rng, 2000, 4500), wave, duty: 0.3, levelDbfs: uniform(rng, -35, -6) });
    assert.deepEqual(detect(x), [], `${p.name} ${JSON.stringify(timing.map((v) => +v.toFixed(2)))} ×${repeats}`);
  }
});

test('bad input: silence, DC offset, clipping, a 1 kHz test tone and full-scale white noise give no alarm and no error', () => {
  const dc = new Float32Array(5 * SR).fill(0.4);
  const clipped = tone(3000, 5, 0.9).map((v) => Math.max(-0.3, Math.min(0.3, v * 4)));
  const full = noise(5, { color: 'white', amplitude: 1 });
  const held = tone(3300, 6, 0.5); // a held alarm-band tone is not a pattern either
  for (const [name, x] of [['silence', silence(5)], ['dc', dc], ['clipped 3 kHz', clipped], ['1 kHz', tone(1000, 5, 0.9)], ['white noise', full], ['held tone', held]] as const) {
    const d = new AlarmDetector();
    for (let i = 0; i < x.length; i += CHUNK) {
      const c = new Float32Array(CHUNK);
      c.set(x.subarray(i, i + CHUNK));
      assert.deepEqual(d.process(c, (i + CHUNK) / SR), [], name);
    }
    assert.notEqual(d.state(), 'confirmed', name);
  }
  assert.throws(() => new AlarmDetector().process([1, 2] as unknown as Float32Array, 0.4), /Float32Array/);
});

/** beeping() and state() after every chunk: the chunk end times at which a plain beeping was heard. */
function beepingAt(x: Float32Array): number[] {
  const d = new AlarmDetector();
  const out: number[] = [];
  for (let i = 0; i < x.length; i += CHUNK) {
    const c = new Float32Array(CHUNK);
    c.set(x.subarray(i, i + CHUNK));
    d.process(c, (i + CHUNK) / SR);
    if (d.state() === 'inconsistent' && d.beeping()) out.push(+((i + CHUNK) / SR).toFixed(1));
  }
  return out;
}

test('plain beeping (alarm clock, kitchen timer) is heard as beeping within ~1 s of its fourth beep; T3, T4 and held tones are not', () => {
  // An alarm clock's beep-beep (0.1 s beeps 0.05 s apart, every 0.6 s) and a timer's steady beeps, over a
  // quiet room bed: beeping is reported once four alike beeps are in.
  for (const [name, timing] of [['alarm clock', [0.1, 0.05, 0.1, 0.45]], ['timer', [0.25, 0.25]]] as const) {
    for (const levelDbfs of [-30, -10]) {
      const { x, onset } = patternSignal([...timing], 6, { freqHz: 2700, wave: 'square', levelDbfs }, { leadSec: 1.1, tailSec: 1 });
      const y = under(x, noise(3, { color: 'pink' }), 25, levelDbfs);
      const at = beepingAt(y);
      const fourth = onset + (timing.length === 4 ? 0.6 + 0.25 : 3 * 0.5 + 0.25);
      assert.ok(at.length > 0 && at[0] <= fourth + 1.0, `${name} ${levelDbfs} dBFS: first beeping at ${at[0]} (fourth beep ends ${fourth.toFixed(2)})`);
    }
  }
  // Alarm patterns stay the pattern matcher's: never 'inconsistent' + beeping while they sound.
  for (const [name, timing] of [['T3', T3_CYCLE], ['T4', T4_CYCLE]] as const) {
    const { x } = patternSignal(timing, 2, { freqHz: 3100, wave: 'square', levelDbfs: -15 }, { leadSec: 1.1, tailSec: 1 });
    assert.deepEqual(beepingAt(x), [], name);
  }
  assert.deepEqual(beepingAt(tone(3300, 6, 0.5)), [], 'held tone');
});

test('no beeping from music-like repeats: a steady note under louder accompaniment, struck decaying notes', () => {
  // Four or more same-pitch notes at 2.6 kHz, 0.1 s on / 0.2 s off, as a melody's repeated high note.
  const starts = Array.from({ length: 12 }, (_, k) => 1 + k * 0.3);
  const flat = new Float32Array(6 * SR);
  const bells = new Float32Array(6 * SR);
  for (const s of starts) {
    addBurst(flat, Math.round(s * SR), 0.1, { freqHz: 2625, wave: 'sine', levelDbfs: -30 });
    bellHit(bells, Math.round(s * SR), 0.12, 2625, -20);
  }
  // The accompaniment: a held low chord ~15 dB over the high note, as in the rendered songs (bench/alarms.ts).
  const chord = [196, 247, 294, 392].map((f) => tone(f, 6, 0.1));
  const accompanied = flat.map((v, i) => v + chord.reduce((s, c) => s + c[i], 0));
  assert.deepEqual(beepingAt(accompanied), [], 'steady note under a louder chord');
  assert.deepEqual(beepingAt(bells), [], 'struck, decaying notes');
  // Control: the same steady notes alone are beeping (the accompaniment is what rejects them).
  assert.ok(beepingAt(flat).length > 0, 'the steady notes alone');
});
