// Voice perception on real synthesised audio: pitch tracking, whisper, speakers, arousal; and the
// session answering in kind (whispered reply), labelling speakers, ignoring a noise step.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { PitchTracker } from '../src/perception/voice/pitch.ts';
import { analyzeSignal, voiceFramesOf } from '../src/perception/voice/analyze-signal.ts';
import { VoiceAnalyzer } from '../src/perception/voice/analyzer.ts';
import { spectralVelocity } from '../src/perception/voice/prosody.ts';
import { SileroVad } from '../src/perception/vad.ts';
import { spelledSyllables, syllableCount } from '../src/perception/voice/syllables.ts';
import { arousalOf, ProsodyBaseline, type ArousalCues } from '../src/perception/voice/arousal.ts';
import { CARE_TEXT, VoiceStyler, isEnrolment, isRoomNoise } from '../src/decision/voice-style.ts';
import type { VoiceInfo } from '../src/perception/voice/types.ts';
import { whisperVariant } from '../src/response/tts/espeak.ts';
import { base64ToPcm16, pcm16ToFloat } from '../src/audio/pcm.ts';
import { concat, loadFile, noise, silence, speech, SR } from '../src/testing/audio.ts';
import { eventsOf, runSession } from '../src/testing/session.ts';

function flite(text: string, voice: string): Float32Array {
  const f = `/tmp/sf-voice-test-${process.pid}.wav`;
  execFileSync('flite', ['-voice', voice, '-t', text, '-o', f]);
  return loadFile(f);
}

function harmonic(f0: number, seconds: number): Float32Array {
  const x = new Float32Array(Math.round(seconds * SR));
  for (let i = 0; i < x.length; i++) for (let h = 1; h <= 4; h++) x[i] += (0.3 / h) * Math.sin((2 * Math.PI * h * f0 * i) / SR);
  return x;
}

test('YIN pitch: harmonic tones within 1% from 80 to 450 Hz, white noise unvoiced', () => {
  for (const f0 of [80, 130, 220, 450]) {
    const p = new PitchTracker();
    const x = harmonic(f0, 1.2);
    const want = new Array(40).fill(true);
    let frames = p.process(x.subarray(0, 6400), want);
    frames = p.process(x.subarray(6400, 12800), want);
    const voiced = frames.filter((f) => f.f0 > 0);
    assert.equal(voiced.length, 40, `${f0} Hz: every frame voiced`);
    for (const f of voiced) assert.ok(Math.abs(f.f0 - f0) / f0 < 0.01, `${f0} Hz read as ${f.f0}`);
  }
  const p = new PitchTracker();
  let s = 1;
  const n = new Float32Array(12800).map(() => ((s = (s * 16807) % 2147483647) / 2147483647 - 0.5) * 0.5);
  const frames = p.process(n.subarray(6400), new Array(40).fill(true));
  assert.ok(frames.filter((f) => f.f0 > 0).length <= 2, 'noise is unvoiced');
});

test('whispered speech is marked whisper, normal speech of the same phrases is not', async () => {
  const phrases = ['what time is it', 'please turn off the lights'];
  const whispered = concat(silence(0.5), ...phrases.flatMap((p) => [speech(p, { voice: 'en-us+whisper' }), silence(1.2)]));
  const normal = concat(silence(0.5), ...phrases.flatMap((p) => [speech(p, { voice: 'en-us' }), silence(1.2)]));
  const w = await analyzeSignal(whispered);
  const n = await analyzeSignal(normal);
  assert.equal(w.utterances.length, 2);
  assert.equal(n.utterances.length, 2);
  assert.ok(w.utterances.every((u) => u.whisper && u.voicedRatio < 0.2), JSON.stringify(w.utterances));
  assert.ok(n.utterances.every((u) => !u.whisper && u.voicedRatio > 0.3 && u.f0Hz > 60), JSON.stringify(n.utterances));
});

test('two voices in turn get two speaker labels, consistently', async () => {
  const a = (t: string) => flite(t, 'slt');
  const b = (t: string) => speech(t, { voice: 'en-us' });
  const turns: [string, Float32Array][] = [
    ['A', a('could you tell me what time it is')], ['B', b('it is nearly half past three')],
    ['A', a('then we should leave for the station')], ['B', b('I will get my coat and the keys')],
    ['A', a('do not forget the tickets on the table')],
  ];
  const r = await analyzeSignal(concat(silence(0.5), ...turns.flatMap(([, x]) => [x, silence(1.2)])));
  assert.equal(r.utterances.length, turns.length, JSON.stringify(r.utterances.map((u) => [u.startS, u.endS])));
  const labelOf = new Map<string, string>();
  r.utterances.forEach((u, i) => {
    const ref = turns[i][0];
    if (!labelOf.has(ref)) labelOf.set(ref, u.speaker);
    assert.equal(u.speaker, labelOf.get(ref), `turn ${i} (${ref}) labelled ${u.speaker}`);
  });
  assert.notEqual(labelOf.get('A'), labelOf.get('B'));
});

test('a second voice taking over mid-utterance splits it into two speaker turns; one voice going on does not', async () => {
  const a = (t: string) => flite(t, 'slt');
  const b = (t: string) => speech(t, { voice: 'en-us+klatt' });
  const gap = silence(0.25); // too short to close the utterance
  const first = a('could you tell me what time it is');
  const parts = [
    a('I would like to know the weather'), silence(1.2), b('the bus leaves in ten minutes'), silence(1.2),
    first, gap, b('it is nearly half past three'), silence(1.2),
    a('then we should leave for the station'), gap, a('do not forget the tickets'), silence(1.2),
  ];
  const r = await analyzeSignal(concat(silence(0.5), ...parts));
  assert.equal(r.utterances.length, 4, JSON.stringify(r.utterances.map((u) => [u.startS, u.endS])));
  const [ua, ub, mixed, same] = r.utterances;
  assert.notEqual(ua.speaker, ub.speaker);
  assert.equal(ua.turns, undefined);
  assert.deepEqual(mixed.turns?.map((t) => t.speaker), [ua.speaker, ub.speaker], JSON.stringify(mixed));
  // The change falls within 0.4 s of where the second voice starts.
  const changeAt = 0.5 + (parts.slice(0, 4).reduce((n, x) => n + x.length, 0) + first.length + gap.length) / SR;
  assert.ok(Math.abs(mixed.turns![1].startS - changeAt) < 0.4, `change at ${mixed.turns![1].startS}, true ${changeAt.toFixed(2)}`);
  assert.equal(same.turns, undefined, JSON.stringify(same));
  assert.equal(same.speaker, ua.speaker);
});

test('speaking rate from the transcript: syllables of the dictionary pronunciations', () => {
  assert.equal(syllableCount('what is the date today'), 6);
  assert.equal(syllableCount('remind me to call my sister'), 8);
  assert.equal(syllableCount(''), 0);
  assert.equal(spelledSyllables('blorptastic'), 3); // not in the dictionary: vowel groups
});

test('tempo index: 20% faster speech reads ≥ 8% faster on every phrasing; 6 dB louder changes it < 5%', async () => {
  const sox = (x: Float32Array, fx: string[]) => {
    // -D: no dither (sox adds random dither by default, which made this measurement vary between runs).
    const raw = execFileSync('sox', ['-q', '-D', '-t', 'raw', '-r', '16000', '-c', '1', '-b', '16', '-e', 'signed-integer', '-L', '-', '-t', 'raw', '-', ...fx], {
      input: Buffer.from(new Int16Array(x.map((v) => Math.round(v * 16000))).buffer),
    });
    return new Float32Array(new Int16Array(raw.buffer, raw.byteOffset, raw.length / 2)).map((v) => v / 16000);
  };
  const tempo = async (x: Float32Array) => {
    const r = await analyzeSignal(concat(silence(0.5), x, silence(1)), new VoiceAnalyzer());
    assert.equal(r.utterances.length, 1);
    return r.utterances[0].tempo!;
  };
  // Measured: faster ×1.13–1.20, louder ×1.01–1.03 (espeak en-us+klatt; deterministic audio).
  for (const t of ['the train was late again this morning', 'we had soup for dinner', 'my sister lives in town', 'the dog is in the garden']) {
    const x = speech(t);
    const [base, fast, loud] = [await tempo(x), await tempo(sox(x, ['tempo', '-s', '1.2'])), await tempo(sox(x, ['gain', '6']))];
    assert.ok(fast / base >= 1.08, `${t}: faster ×${(fast / base).toFixed(3)}`);
    assert.ok(Math.abs(loud / base - 1) < 0.05, `${t}: louder ×${(loud / base).toFixed(3)}`);
  }
});

test('spectral velocity (the arousal rate cue): 20% faster speech reads ≥ 5% faster on every phrasing, ≥ 10% on average; 6 dB louder changes it < 4%', async () => {
  const sox = (x: Float32Array, fx: string[]) => {
    const raw = execFileSync('sox', ['-q', '-D', '-t', 'raw', '-r', '16000', '-c', '1', '-b', '16', '-e', 'signed-integer', '-L', '-', '-t', 'raw', '-', ...fx], {
      input: Buffer.from(new Int16Array(x.map((v) => Math.round(v * 16000))).buffer),
    });
    return new Float32Array(new Int16Array(raw.buffer, raw.byteOffset, raw.length / 2)).map((v) => v / 16000);
  };
  const vad = await SileroVad.create();
  const velocity = async (x: Float32Array) => spectralVelocity(await voiceFramesOf(concat(silence(0.5), x, silence(1)), vad));
  // Measured: faster ×1.08–1.26 (mean 1.16), louder ×1.00–1.02 (espeak en-us+klatt; deterministic audio).
  let logSum = 0;
  for (const t of ['the train was late again this morning', 'we had soup for dinner', 'my sister lives in town', 'the dog is in the garden']) {
    const x = speech(t);
    const [base, fast, loud] = [await velocity(x), await velocity(sox(x, ['tempo', '-s', '1.2'])), await velocity(sox(x, ['gain', '6']))];
    assert.ok(fast / base >= 1.05, `${t}: faster ×${(fast / base).toFixed(3)}`);
    assert.ok(Math.abs(loud / base - 1) < 0.04, `${t}: louder ×${(loud / base).toFixed(3)}`);
    logSum += Math.log(fast / base);
  }
  assert.ok(Math.exp(logSum / 4) >= 1.1, `mean faster ×${Math.exp(logSum / 4).toFixed(3)}`);
});

test('arousal: a louder, faster, higher utterance is raised against the speaker baseline; calm ones are calm', async () => {
  const say = (t: string) => flite(t, 'rms');
  const sox = (x: Float32Array, fx: string[]) => {
    const raw = execFileSync('sox', ['-q', '-D', '-t', 'raw', '-r', '16000', '-c', '1', '-b', '16', '-e', 'signed-integer', '-L', '-', '-t', 'raw', '-', ...fx], {
      input: Buffer.from(new Int16Array(x.map((v) => Math.round(v * 8000))).buffer),
    });
    return new Float32Array(new Int16Array(raw.buffer, raw.byteOffset, raw.length / 2)).map((v) => v / 32768);
  };
  const quiet = (x: Float32Array) => sox(x, ['gain', '0']);
  const calm = ['the train was late again', 'we had soup for dinner', 'my sister lives in town', 'the shop opens at nine'].map((t) => quiet(say(t)));
  const raised = sox(say('the dog is in the garden'), ['gain', '6', 'tempo', '-s', '1.2', 'pitch', '300']);
  const calmAgain = quiet(say('the dog is in the garden'));
  const r = await analyzeSignal(concat(silence(0.5), ...[...calm, raised, calmAgain].flatMap((x) => [x, silence(1.2)])), new VoiceAnalyzer());
  assert.equal(r.utterances.length, 6);
  const [u5, u6] = r.utterances.slice(4);
  assert.ok(u5.arousal === 'stressed' || u5.arousal === 'excited', JSON.stringify(u5));
  assert.ok(u5.arousalScore >= 1, JSON.stringify(u5));
  assert.equal(u6.arousal, 'calm', JSON.stringify(u6)); // measured scores: raised 3.28, calm again 0.59
});

test('arousal rule: a lively speaker\'s usual spread is not "raised"; 6 dB or 3 semitones over a steady speaker is', () => {
  const cues = (levelDb: number, f0St: number, rate = 5): ArousalCues => ({ levelDb, f0St, logRate: Math.log(rate), rateFromText: false, f0RangeSt: 2 });
  // A lively voice: F0 moves ±2 st and level ±2 dB between calm utterances.
  const lively = new ProsodyBaseline();
  for (const [l, f] of [[-28, 10], [-26, 13], [-29, 11], [-27, 14], [-25, 10.5], [-28, 12.5], [-26.5, 11], [-27.5, 13.5]]) lively.learn(cues(l, f));
  for (const [l, f] of [[-25.5, 13.8], [-28.5, 10.2], [-26, 14]]) assert.equal(arousalOf(cues(l, f), lively).arousal, 'calm', `${l} dB ${f} st`);
  // A steady voice (8 utterances heard): a clear step up in level or pitch alone is raised.
  const steady = new ProsodyBaseline();
  for (const [l, f] of [[-28, 11], [-27.5, 11.3], [-28.4, 10.8], [-27.8, 11.1], [-28.2, 10.9], [-27.6, 11.2], [-28.1, 11], [-27.9, 11.1]]) steady.learn(cues(l, f));
  assert.notEqual(arousalOf(cues(-21.8, 11), steady).arousal, 'calm');
  assert.notEqual(arousalOf(cues(-28, 14), steady).arousal, 'calm');
  assert.equal(arousalOf(cues(-27, 11.5), steady).arousal, 'calm');
  assert.equal(arousalOf(cues(-34, 9), steady).arousal, 'low');
  // No judgement before the baseline has two utterances.
  const young = new ProsodyBaseline();
  young.learn(cues(-28, 11));
  assert.equal(arousalOf(cues(-15, 16), young).score, 0);
});

test('replies in kind: whisper, calm and shorter for stress, care after an alarm, overheard voices, enrolment phrase', () => {
  const v = (o: Partial<VoiceInfo>): VoiceInfo => ({
    speaker: 'S1', whisper: false, loud: false, fast: false, arousal: 'calm', arousalScore: 0, f0Hz: 120, f0RangeSt: 2, voicedRatio: 0.6,
    levelDb: -25, relLevelDb: 0, rateSyllPerSec: 4, tiltDb: -15, startS: 0, endS: 1, ...o,
  });
  const s = new VoiceStyler();
  const reply = [{ task: 'chat' as const, emotion: 'normal' as const, text: 'It is three o clock. Anything else?' }];
  assert.equal(s.style(reply, v({ whisper: true }), 1)[0].emotion, 'whisper');
  const calm = s.style(reply, v({ arousal: 'stressed', arousalScore: 2 }), 2);
  assert.deepEqual(calm.map((r) => [r.emotion, r.text]), [['calm', 'It is three o clock.']]);
  assert.deepEqual(s.style(reply, v({ arousal: 'excited' }), 3), reply);
  s.noteEvents([{ type: 'sound', t: 10, label: 'smoke_alarm', p: 0.9 }], 10);
  const care = s.style([], v({ arousal: 'stressed', arousalScore: 2 }), 20);
  assert.equal(care[0].text, CARE_TEXT);
  assert.equal(s.style([], v({ arousal: 'stressed', arousalScore: 2 }), 21).length, 0, 'asked once');
  assert.equal(s.overheard(v({ user: false }), 'what time is it'), true);
  assert.equal(s.overheard(v({ user: false }), 'sound flow what time is it'), false);
  assert.equal(s.overheard(v({ user: true }), 'what time is it'), false);
  assert.equal(s.overheard(v({}), 'what time is it'), false, 'nobody enrolled: everyone is the user');
  assert.ok(isEnrolment('this is my voice'));
  assert.ok(isEnrolment('please remember my voice'));
  assert.ok(!isEnrolment('this is my house'));
  assert.equal(isRoomNoise(v({ snrDb: 1 })), true, 'no louder than the floor: the room');
  assert.equal(isRoomNoise(v({ snrDb: 15 })), false);
  assert.equal(isRoomNoise(v({})), false, 'no floor known: never room noise');
  assert.equal(whisperVariant('en-us+klatt', 'whisper'), 'en-us+whisper');
  assert.equal(whisperVariant('en-us', 'normal'), 'en-us');
});

test('session: a whispered question gets a whispered reply, whose audio reads as whispered', async () => {
  const audio = concat(silence(1), speech('What is your name?', { voice: 'en-us+whisper' }), silence(3));
  const events = await runSession(audio, { speak: true }, 3200);
  const final = eventsOf(events, 'transcript').find((t) => t.final);
  assert.ok(final?.voice?.whisper, JSON.stringify(final));
  assert.equal(final?.speaker, 'S1');
  const starts = eventsOf(events, 'response.start');
  assert.equal(starts.length, 1, JSON.stringify(starts));
  assert.equal(starts[0].emotion, 'whisper');
  const pcm = eventsOf(events, 'response.audio').filter((a) => a.id === starts[0].id).map((a) => pcm16ToFloat(base64ToPcm16(a.pcm)));
  assert.ok(pcm.length > 0);
  const r = await analyzeSignal(concat(silence(0.5), ...pcm, silence(1)));
  assert.ok(r.utterances.length >= 1 && r.utterances.every((u) => u.whisper), JSON.stringify(r.utterances));
});

test('session: transcripts of a two-voice conversation carry speaker labels; with the first voice enrolled, the other is not answered', async () => {
  const a = (t: string) => flite(t, 'slt');
  const b = (t: string) => speech(t, { voice: 'en-us+klatt' });
  const audio = concat(silence(0.8), a('what is your name'), silence(3), b('what time is it'), silence(3), a('what time is it'), silence(3));
  const events = await runSession(audio, { userVoice: 'first' }, 3200);
  const finals = eventsOf(events, 'transcript').filter((t) => t.final);
  assert.equal(finals.length, 3, JSON.stringify(finals.map((f) => f.text)));
  const labels = finals.map((f) => f.speaker);
  assert.ok(labels[0] && labels[1] && labels[0] !== labels[1] && labels[2] === labels[0], `labels ${labels}`);
  assert.deepEqual(finals.map((f) => f.voice?.user), [true, false, true]);
  const replies = eventsOf(events, 'response.start');
  assert.equal(replies.length, 2, JSON.stringify(replies));
  const reasons = eventsOf(events, 'chunk').map((c) => c.reason);
  assert.ok(reasons.includes('overheard'), reasons.join(','));
});

test('session: a +20 dB noise step mid-session gets no reply; a question 5 s after it is answered', async () => {
  const quiet = noise(6, { color: 'pink', amplitude: 0.005 });
  const street = noise(12, { color: 'pink', amplitude: 0.05 });
  const audio = concat(quiet, street);
  const q = speech('What is your name?');
  audio.set(q.map((v, i) => v + audio[Math.round(11 * SR) + i]), Math.round(11 * SR));
  const events = await runSession(audio, {}, 3200);
  const starts = eventsOf(events, 'response.start');
  assert.ok(starts.every((r) => r.t >= 11), `no reply before the question: ${JSON.stringify(starts)}`);
  assert.equal(starts.length, 1, JSON.stringify(eventsOf(events, 'transcript').filter((t) => t.final)));
  assert.match(eventsOf(events, 'response.end')[0].text, /soundflow/i);
});
