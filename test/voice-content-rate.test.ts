// The content-normalised speaking rate: a transcript's expected calm speaking time (per-phone-class
// durations of its dictionary pronunciations) over the measured speaking time, so that words not said
// before can be judged faster or not against the speaker's other phrasings.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyzeSignal } from '../src/perception/voice/analyze-signal.ts';
import { VoiceAnalyzer } from '../src/perception/voice/analyzer.ts';
import { soundOf, spelledSyllables, textSound } from '../src/perception/voice/syllables.ts';
import { readFileSync } from 'node:fs';
import { DEFAULT_DICT } from '../src/perception/asr/native.ts';
import { EXTRA_PRONUNCIATIONS } from '../src/instructions/grammar.ts';
import { arousalOf, DEFAULT_AROUSAL, ProsodyBaseline, type ArousalCues } from '../src/perception/voice/arousal.ts';
import { concat, silence, speech } from '../src/testing/audio.ts';

test('expected speaking time: grows with the words\' phones; spelled words count too', () => {
  const a = textSound('what is the date today');
  const b = textSound('remind me to call my sister');
  assert.equal(a.syllables, 6);
  assert.equal(b.syllables, 8);
  assert.ok(b.seconds > a.seconds && a.seconds > 0.5 && b.seconds < 2.5, JSON.stringify({ a, b }));
  const spelled = textSound('blorptastic');
  assert.equal(spelled.syllables, 3);
  assert.ok(spelled.seconds > 0.2, JSON.stringify(spelled));
  assert.deepEqual(textSound(''), { syllables: 0, seconds: 0 });
});

// textSound reads words from the one shared parse of the dictionary (asr/pronouncing-dictionary.ts) instead of its own
// (twelfth round: that second parse was ~0.2 s on the server's main thread). Same answer for every word
// as the former own parse: the file's first pronunciation, raw phones, packed to whole milliseconds;
// words only in EXTRA_PRONUNCIATIONS are still spelled out.
test('expected speaking time: every dictionary word as from the file\'s own first pronunciation', () => {
  const fromFile = new Map<string, { syllables: number; seconds: number }>();
  for (const line of readFileSync(DEFAULT_DICT, 'utf8').split('\n')) {
    const sp = line.indexOf(' ');
    if (sp <= 0) continue;
    const word = line.slice(0, sp);
    if (word.endsWith(')')) continue;
    const s = soundOf(line.slice(sp + 1).split(' '));
    fromFile.set(word, { syllables: Math.min(15, s.syllables), seconds: Math.round(s.seconds * 1000) / 1000 });
  }
  assert.ok(fromFile.size > 100_000, String(fromFile.size));
  let differ = 0;
  const examples: string[] = [];
  for (const [word, want] of fromFile) {
    if (!/^[a-z']+$/.test(word)) continue; // textSound splits other characters off
    const got = textSound(word);
    if (got.syllables !== want.syllables || got.seconds !== want.seconds) {
      differ++;
      if (examples.length < 5) examples.push(`${word}: ${JSON.stringify(got)} vs ${JSON.stringify(want)}`);
    }
  }
  assert.equal(differ, 0, examples.join('; '));
  const extras = Object.keys(EXTRA_PRONUNCIATIONS).filter((w) => !fromFile.has(w) && /^[a-z']+$/.test(w));
  assert.ok(extras.length > 0);
  for (const w of extras) assert.equal(textSound(w).syllables, spelledSyllables(w), w);
});

const PHRASES = ['the train was late again this morning', 'we had soup for dinner', 'my sister lives in town', 'please turn off the kitchen lights', 'the dog is in the garden'];

test('content rate: espeak at 200 wpm reads faster than at 160 on every phrasing; a transcript that disagrees with the audio gives none', async () => {
  const rates: Record<string, number[]> = {};
  for (const speed of [160, 200]) {
    const clips = PHRASES.map((t) => speech(t, { speed }));
    const spans: [number, number][] = [];
    let t = 0.5;
    for (const c of clips) {
      spans.push([t, t + c.length / 16000]);
      t += c.length / 16000 + 1.2;
    }
    const textFor = (a: number, b: number) => PHRASES[spans.findIndex((s) => Math.min(b, s[1]) > Math.max(a, s[0]))];
    const r = await analyzeSignal(concat(silence(0.5), ...clips.flatMap((c) => [c, silence(1.2)])), new VoiceAnalyzer(), { textFor });
    assert.equal(r.utterances.length, PHRASES.length);
    rates[speed] = r.utterances.map((u) => u.contentRate ?? NaN);
  }
  const ratios = rates[200].map((f, i) => f / rates[160][i]);
  console.log(JSON.stringify({ rates, ratios }));
  for (const [i, k] of ratios.entries()) assert.ok(k >= 1.1, `${PHRASES[i]}: ×${k.toFixed(3)} (${rates[160][i]} → ${rates[200][i]})`);
  // "yes" for a whole sentence: its syllables disagree with the energy peaks, so no content rate.
  const r = await analyzeSignal(concat(silence(0.5), speech(PHRASES[0]), silence(1.2)), new VoiceAnalyzer(), { textFor: () => 'yes' });
  assert.equal(r.utterances[0].contentRate, undefined, JSON.stringify(r.utterances[0]));
});

test('arousal rule: with a transcript, the content rate is judged against the speaker\'s content rates; without one, the acoustic rate', () => {
  const cues = (rate: number, content: number | null): ArousalCues => ({ levelDb: -28, f0St: 11, logRate: Math.log(rate), rateFromText: false, f0RangeSt: 2, contentLogRate: content === null ? null : Math.log(content) });
  // Acoustic rate ±10% between phrasings, the content-normalised one ±3%.
  const base = new ProsodyBaseline();
  for (const [r, c] of [[5, 1], [5.5, 1.03], [4.6, 0.98], [5.2, 1.01], [4.8, 0.97], [5.6, 1.02], [4.5, 1], [5.1, 0.99]]) base.learn(cues(r, c));
  const faster = arousalOf(cues(5.5, 1.2), base);
  assert.ok(faster.arousal === 'stressed' || faster.arousal === 'excited', JSON.stringify(faster));
  assert.equal(faster.raw?.content, true);
  assert.equal(arousalOf(cues(5.5, 1.02), base).arousal, 'calm');
  // No transcript: the acoustic rate alone (+10% is within this speaker's usual).
  assert.equal(arousalOf(cues(5.5, null), base).arousal, 'calm');
  // Switched off: the acoustic rate decides.
  assert.equal(arousalOf(cues(5.5, 1.2), base, { ...DEFAULT_AROUSAL, useContent: false }).arousal, 'calm');
});
