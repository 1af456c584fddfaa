// "Said again": a repeat of the same words is aligned with the earlier saying (DTW over MFCC frames) and
// its tempo read from the alignment; arousal then judges the rate against that saying, not against the
// speaker's other phrasings. Real audio: espeak-ng and flite speech, sox tempo/gain.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { analyzeSignal, voiceFramesOf } from '../src/perception/voice/analyze-signal.ts';
import { VoiceAnalyzer } from '../src/perception/voice/analyzer.ts';
import { align, templateOf, DEFAULT_REPEAT } from '../src/perception/voice/repeat.ts';
import { arousalOf, DEFAULT_AROUSAL, ProsodyBaseline, type ArousalCues } from '../src/perception/voice/arousal.ts';
import { SileroVad } from '../src/perception/vad.ts';
import { concat, loadFile, silence, speech } from '../src/testing/audio.ts';

function sox(x: Float32Array, fx: string[]): Float32Array {
  const raw = execFileSync('sox', ['-q', '-D', '-t', 'raw', '-r', '16000', '-c', '1', '-b', '16', '-e', 'signed-integer', '-L', '-', '-t', 'raw', '-', ...fx], {
    input: Buffer.from(new Int16Array(x.map((v) => Math.round(v * 8000))).buffer),
  });
  return new Float32Array(new Int16Array(raw.buffer, raw.byteOffset, raw.length / 2)).map((v) => v / 8000);
}

function flite(text: string, voice: string): Float32Array {
  const f = `/tmp/sf-voice-repeat-test-${process.pid}.wav`;
  execFileSync('flite', ['-voice', voice, '-t', text, '-o', f]);
  return loadFile(f);
}

const framesOf = (vad: SileroVad, x: Float32Array) => voiceFramesOf(concat(silence(0.5), x, silence(1)), vad);

test('repeat alignment: the same words 20% faster read ×1.2 and match; 6 dB louder ×1.0; other words do not match', async () => {
  const vad = await SileroVad.create();
  const seq = async (x: Float32Array) => templateOf(await framesOf(vad, x), 'S1').seq;
  const phrases = ['the train was late again this morning', 'please turn off the kitchen lights', 'my sister lives in town'];
  const out: string[] = [];
  for (const [i, t] of phrases.entries()) {
    const x = speech(t);
    const calm = await seq(x);
    const fast = align(calm, await seq(sox(x, ['tempo', '-s', '1.2'])))!;
    const loud = align(calm, await seq(sox(x, ['gain', '6'])))!;
    out.push(`${t}: fast ${fast?.ratio.toFixed(3)} d ${fast?.distance.toFixed(2)}, loud ${loud?.ratio.toFixed(3)} d ${loud?.distance.toFixed(2)}`);
    assert.ok(fast && fast.ratio >= 1.1 && fast.ratio <= 1.3 && fast.distance <= 0.8 * DEFAULT_REPEAT.maxDistance, out.join('\n'));
    assert.ok(loud && Math.abs(loud.ratio - 1) <= 0.05 && loud.distance <= 0.8 * DEFAULT_REPEAT.maxDistance, out.join('\n'));
    const other = align(calm, await seq(speech(phrases[(i + 1) % phrases.length])));
    out.push(`  vs other words: ${other ? other.distance.toFixed(2) : 'lengths too far apart'}`);
    assert.ok(other === null || other.distance >= 1.2 * DEFAULT_REPEAT.maxDistance, out.join('\n'));
  }
  console.log(out.join('\n'));
});

test('arousal: words said again 20% faster (nothing else changed) are raised and fast; said again calmly they are calm', async () => {
  const say = (t: string) => flite(t, 'rms');
  const calm = ['the train was late again', 'we had soup for dinner', 'my sister lives in town', 'the shop opens at nine'].map(say);
  const x = say('could you count the knocks');
  const y = say('open the window a little please');
  const parts = [...calm, x, sox(x, ['tempo', '-s', '1.2']), y, sox(y, ['gain', '1'])];
  const r = await analyzeSignal(concat(silence(0.5), ...parts.flatMap((p) => [p, silence(1.2)])), new VoiceAnalyzer());
  assert.equal(r.utterances.length, parts.length);
  const [, faster, , again] = r.utterances.slice(4);
  console.log(JSON.stringify({ faster, again }));
  assert.ok(faster.repeatTempo !== undefined && faster.repeatTempo >= 1.1 && faster.repeatTempo <= 1.3, JSON.stringify(faster));
  assert.ok(faster.arousal === 'stressed' || faster.arousal === 'excited', JSON.stringify(faster));
  assert.ok(faster.fast, JSON.stringify(faster));
  assert.ok(again.repeatTempo !== undefined && Math.abs(again.repeatTempo - 1) <= 0.05, JSON.stringify(again));
  assert.equal(again.arousal, 'calm', JSON.stringify(again));
  // No utterance before repeated its words.
  assert.ok(r.utterances.slice(0, 5).every((u) => u.repeatTempo === undefined), JSON.stringify(r.utterances.map((u) => u.repeatTempo)));
});

test('arousal rule: a repeat\'s tempo ratio replaces the rate against the baseline (+20% raised, +5% calm); without a repeat the baseline decides', () => {
  const cues = (rate: number, repeat: number | null = null): ArousalCues => ({ levelDb: -28, f0St: 11, logRate: Math.log(rate), rateFromText: false, f0RangeSt: 2, repeatLogRatio: repeat === null ? null : Math.log(repeat) });
  // A speaker whose rate varies ±10% between phrasings: +20% on the rate alone is within their usual.
  const base = new ProsodyBaseline();
  for (const r of [5, 5.5, 4.6, 5.2, 4.8, 5.6, 4.5, 5.1]) base.learn(cues(r));
  assert.equal(arousalOf(cues(5.9), base).arousal, 'calm', 'a faster phrasing is not raised by the rate alone');
  const faster = arousalOf(cues(5.9, 1.2), base);
  assert.ok(faster.arousal === 'stressed' || faster.arousal === 'excited', JSON.stringify(faster));
  assert.ok(faster.raw?.repeat !== undefined && Math.abs(faster.z.rate - Math.log(1.2) / DEFAULT_AROUSAL.priorRepeatLogRate) < 1e-9);
  // The same words said again a little faster, and again slower: calm.
  assert.equal(arousalOf(cues(5.9, 1.05), base).arousal, 'calm');
  assert.equal(arousalOf(cues(4.5, 0.95), base).arousal, 'calm');
  // Repeats switched off: the baseline decides again.
  assert.equal(arousalOf(cues(5.9, 1.2), base, { ...DEFAULT_AROUSAL, useRepeats: false }).arousal, 'calm');
});
