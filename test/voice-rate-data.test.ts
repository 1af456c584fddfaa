// The rate model's data recipe (scripts/voice-rate-data.ts), round 15: the festival helper must give 16 kHz
// speech whose length follows Duration_Stretch (a natural rate change, as espeak's -s), and the new training
// speakers must not be, or share a variant / accent with, a bench voice or a voice the rate-model test calls
// untrained.
import { existsSync } from 'node:fs';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SileroVad } from '../src/perception/vad.ts';
import { voiceFramesOf } from '../src/perception/voice/analyze-signal.ts';
import { concat, silence } from '../src/testing/audio.ts';
import { ESPEAK_VOICES, EXTRA_ESPEAK_VOICES, VOICES15_ESPEAK, sayFestival } from '../scripts/voice-rate-data.ts';
import { REPORT_VOICES, TUNING_VOICES } from '../bench/voice-audio.ts';

test('voice-rate data: festival ked says a text in 16 kHz speech whose duration shrinks with Duration_Stretch', async (t) => {
  if (!existsSync('/usr/bin/text2wave') || !existsSync('/usr/share/festival/voices/english/ked_diphone')) {
    t.skip('festival or festvox-kdlpc16k not installed (scripts/debian-packages.txt)');
    return;
  }
  const text = 'the ferry leaves the harbour twice a day in summer';
  const vad = await SileroVad.create();
  const speechSeconds = async (x: Float32Array) => (await voiceFramesOf(concat(silence(0.6), x, silence(1.2)), vad)).length * 0.01;
  const len: Record<number, number> = {};
  for (const k of [1.25, 1, 0.8]) {
    const x = sayFestival('ked', k, text);
    assert.ok(x instanceof Float32Array);
    len[k] = x.length / 16000;
    // These ten words at ked's usual rate take 2.29 s at 16 kHz (8 kHz samples taken for 16 kHz would be
    // ~1.1 s, 22.05 kHz ones ~3.2 s).
    if (k === 1) assert.ok(len[k] > 1.9 && len[k] < 2.8, `stretch 1: ${len[k].toFixed(2)} s`);
    let peak = 0;
    for (const v of x) peak = Math.max(peak, Math.abs(v));
    assert.ok(Math.abs(peak - 0.25) < 1e-3, `peak ${peak}`);
    // It is speech: the VAD and the frame extractor find voice frames over most of it.
    const voiced = await speechSeconds(x);
    assert.ok(voiced > 0.6 * len[k], `stretch ${k}: ${voiced.toFixed(2)} s of voice frames in ${len[k].toFixed(2)} s`);
  }
  // Duration follows the stretch (within 10% of it): the natural rate change the targets assume.
  for (const k of [1.25, 0.8]) assert.ok(Math.abs(len[k] / len[1] / k - 1) < 0.1, `stretch ${k}: ×${(len[k] / len[1]).toFixed(3)}`);
});

test('voice-rate data: round 15 speakers share no variant or accent with a bench voice or an untrained test voice', () => {
  const bench = [...TUNING_VOICES, ...REPORT_VOICES].map((v) => v.name).filter((n) => n.startsWith('espeak ')).map((n) => n.slice(7));
  const avoid = [...bench, 'en-gb-x-rp', 'en-us+klatt'];
  const variant = (v: string) => (v.includes('+') ? v.split('+')[1].toLowerCase() : '');
  const accent = (v: string) => v.split('+')[0];
  const forbiddenVariants = new Set([...avoid.map(variant), ...['klatt2', 'klatt3', 'klatt4', 'klatt5', 'klatt6', 'adam', 'benjamin', 'david']]);
  const forbiddenAccents = new Set(['en-gb-x-rp', 'en-gb-scotland']);
  assert.ok(forbiddenVariants.has('f3') && forbiddenVariants.has('m3') && forbiddenVariants.has('klatt') && forbiddenVariants.has(''));
  for (const v of VOICES15_ESPEAK) {
    assert.ok(!forbiddenVariants.has(variant(v)), `${v}: variant of a bench voice`);
    assert.ok(!forbiddenAccents.has(accent(v)), `${v}: accent of a report / untrained voice`);
    assert.ok(![...ESPEAK_VOICES, ...EXTRA_ESPEAK_VOICES].includes(v), `${v}: already a training voice`);
  }
  assert.equal(new Set(VOICES15_ESPEAK).size, VOICES15_ESPEAK.length);
});
