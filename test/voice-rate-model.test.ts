// The learned speaking-rate model (perception/voice/rate-model.ts, trained by scripts/train-voice-rate.ts
// on the tuning voices' and phrasings' espeak-ng/flite rate settings, and since round 11 on written texts,
// scripts/voice-rate-texts.ts, none of which shares a three-word sequence with the phrasings below except
// "thunder rolled over the hills …" with the last test's fast one): it must read a faster espeak rate as
// faster on phrasings it never heard, for several voices (two of them not among its training voices).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SileroVad } from '../src/perception/vad.ts';
import { analyzeSignal, voiceFramesOf } from '../src/perception/voice/analyze-signal.ts';
import { loadRateModel, RateNet } from '../src/perception/voice/rate-model.ts';
import { VoiceAnalyzer } from '../src/perception/voice/analyzer.ts';
import { concat, silence, speech } from '../src/testing/audio.ts';

// Neither tuning nor report phrasings of the voice bench.
const PHRASES = ['the library closes early on sundays', 'we should paint the fence before winter', 'her cousin sent a postcard from rome'];
const VOICES = ['en-us', 'en+f3', 'en+m7', 'en-gb-x-rp', 'en-us+klatt'];

test('rate model: espeak at 210 wpm reads faster than at 160 for every voice, on phrasings not in its training', async () => {
  const net = loadRateModel();
  const vad = await SileroVad.create();
  const ratios: Record<string, number> = {};
  for (const voice of VOICES) {
    const read = async (speed: number) => {
      let s = 0;
      for (const p of PHRASES) {
        const r = net.rate(await voiceFramesOf(concat(silence(0.6), speech(p, { voice, speed }), silence(1.2)), vad));
        assert.ok(r > 0, `${voice} ${speed}: no reading for "${p}"`);
        s += Math.log(r);
      }
      return s / PHRASES.length;
    };
    ratios[voice] = Math.exp((await read(210)) - (await read(160)));
  }
  console.log(JSON.stringify(ratios));
  // 210/160 = ×1.31; the model reads rate changes compressed (docs/notes/voice.md, round 10), so the
  // bar is well under that and well over no change.
  for (const [v, k] of Object.entries(ratios)) assert.ok(k >= 1.08, `${v}: ×${k.toFixed(3)}`);
});

test('rate model: a pooled head reads the mean of the window embeddings (a linear head = the mean of the window outputs)', async () => {
  // The committed model's layers with the mean taken after the hidden layer (spec.poolAfter, round 13):
  // the output layer is linear, so the reading must be the same as the mean of the window outputs.
  const net = loadRateModel();
  const pooled = new RateNet({ ...net.spec, poolAfter: 1 });
  const vad = await SileroVad.create();
  for (const p of PHRASES) {
    const frames = await voiceFramesOf(concat(silence(0.6), speech(p, { voice: 'en-us', speed: 180 }), silence(1.2)), vad);
    const a = net.rate(frames), b = pooled.rate(frames);
    assert.ok(a > 0 && Math.abs(Math.log(b / a)) < 1e-4, `${p}: ${a} vs ${b}`);
  }
  // A non-linear head reads something else from the same windows (the pooled path is really taken).
  const l = net.spec.layers;
  const head = new RateNet({ ...net.spec, poolAfter: 1, layers: [l[0], { inputs: l[1].inputs, outputs: 1, w: l[1].w.map(Math.abs), b: [-0.05] }, { inputs: 1, outputs: 1, w: [1], b: [0] }] });
  const frames = await voiceFramesOf(concat(silence(0.6), speech(PHRASES[0], { voice: 'en-us', speed: 180 }), silence(1.2)), vad);
  assert.ok(head.rate(frames) > 0 && Math.abs(Math.log(head.rate(frames) / net.rate(frames))) > 1e-3);
});

test('rate model: a malformed model file is refused with a clear error', () => {
  assert.throws(() => new RateNet({ version: 1, half: 2, stride: 1, norm: { mean: [], std: [] }, layers: [] }), /voice rate model: no layers/);
  assert.throws(() => loadRateModel('/nonexistent/rate.json'), /voice rate model: cannot read/);
});

test('analyzer: with rateModelWeight > 0 a faster utterance of new words scores higher than the calm ones', async () => {
  const calm = ['the library closes early on sundays', 'we should paint the fence before winter', 'her cousin sent a postcard from rome', 'the bakery sells fresh bread every morning'];
  const fast = 'a storm is coming over the hills tonight';
  const parts = [silence(0.5)];
  for (const p of calm) parts.push(speech(p, { voice: 'en-us', speed: 160 }), silence(1.2));
  parts.push(speech(fast, { voice: 'en-us', speed: 240 }), silence(1.2));
  const r = await analyzeSignal(concat(...parts), new VoiceAnalyzer({ arousal: { rateModelWeight: 1, useContent: false, useRepeats: false } }));
  assert.equal(r.utterances.length, calm.length + 1);
  const scores = r.utterances.map((u) => u.arousalScore);
  console.log(JSON.stringify(scores));
  const last = scores[scores.length - 1];
  for (const s of scores.slice(0, -1)) assert.ok(last > s + 0.3, JSON.stringify(scores));
});
