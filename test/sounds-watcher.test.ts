// The sound watcher's public view for other features ("what was that noise?"): recentSounds() lists the
// latest events, episodes and alarm patterns with their times and top classes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LogMel } from '../src/perception/features.ts';
import { SoundClassifier } from '../src/perception/sounds/classifier.ts';
import { SoundWatcher } from '../src/decision/sound-watcher.ts';
import { TaskManager } from '../src/decision/task-manager.ts';
import type { Percept } from '../src/perception/types.ts';
import { patternSignal, T3_CYCLE } from '../src/soundflow/corpus/alarm-patterns.ts';
import { mix, noise, SR } from '../src/testing/audio.ts';

/** The audio through the watcher chunk by chunk (a sound-only percept: no speech), with each chunk's responses. */
function* feed(watcher: SoundWatcher, clf: SoundClassifier, audio: Float32Array) {
  const lm = new LogMel();
  for (let i = 0, k = 0; i < audio.length; i += 6400, k++) {
    const pcm = new Float32Array(6400);
    pcm.set(audio.subarray(i, i + 6400));
    const mel = lm.process(pcm);
    const t = (i + 6400) / SR;
    const p = { chunk: { index: k, start: t - 0.4, t, pcm, padded: false }, mel, vadProbs: [], speech: 0, levelDb: -30, snrDb: 0, speechStarted: false, speechEnded: false, inSpeech: false, silenceMs: 0, sounds: { classes: clf.classes, probs: clf.classify(mel), thresholds: clf.thresholds } } as unknown as Percept;
    yield { t, responses: watcher.onChunk(p, false)?.responses ?? [] };
  }
}

test('recentSounds() reports a T3 alarm with its onset and pattern; nothing is logged after it', async () => {
  const { x, onset } = patternSignal(T3_CYCLE, 1, { freqHz: 3100, wave: 'pulse', duty: 0.3, levelDbfs: -25 }, { leadSec: 0.9, tailSec: 1.5 });
  const audio = mix(x, noise(x.length / SR, { color: 'pink', amplitude: 0.01 }), 20);
  const clf = await SoundClassifier.load();
  const watcher = new SoundWatcher(new TaskManager(), true);
  const urgent: number[] = [];
  for (const { t, responses } of feed(watcher, clf, audio)) for (const r of responses) if (r.urgent) urgent.push(t);
  assert.equal(urgent.length, 1);
  const alarm = watcher.recentSounds().find((s) => s.source === 'alarm');
  assert.ok(alarm, JSON.stringify(watcher.recentSounds()));
  assert.equal(alarm.label, 'smoke_alarm');
  assert.equal(alarm.pattern, 'T3');
  assert.ok(Math.abs(alarm.onset - onset) < 0.05);
  assert.ok(alarm.top.length > 0 && alarm.top[0].label === 'smoke_alarm');
  assert.deepEqual(watcher.log.since(alarm.t + 10), []);
});

test('plain beeping (an alarm clock) gets one normal comment once it stops, within 1 s; one that goes on is commented on within ~6 s', async () => {
  const clf = await SoundClassifier.load();
  // beep-beep every 0.6 s at 2.9 kHz: 5 rounds (stops), then 20 rounds (goes on for 12 s).
  for (const [rounds, stops] of [[5, true], [20, false]] as const) {
    const { x, onset } = patternSignal([0.1, 0.05, 0.1, 0.45], rounds, { freqHz: 2900, wave: 'square', levelDbfs: -20 }, { leadSec: 1.1, tailSec: 3 });
    const audio = mix(x, noise(x.length / SR, { color: 'pink', amplitude: 0.01 }), 25);
    const end = onset + rounds * 0.7 - 0.45; // the last beep's end
    const watcher = new SoundWatcher(new TaskManager(), true);
    const replies: { t: number; text: string; urgent: boolean }[] = [];
    for (const { t, responses } of feed(watcher, clf, audio)) for (const r of responses) replies.push({ t, text: r.text ?? "", urgent: !!r.urgent });
    const what = `${rounds} rounds: ${JSON.stringify(replies)}`;
    assert.equal(replies.length, 1, what);
    assert.ok(/beep/i.test(replies[0].text) && !replies[0].urgent, what);
    if (stops) assert.ok(replies[0].t > end && replies[0].t <= end + 1.0, `${what}; last beep ends ${end.toFixed(2)}`);
    else assert.ok(replies[0].t > onset + 4 && replies[0].t <= onset + 0.85 + 6 + 0.8, `${what}; onset ${onset.toFixed(2)}`);
  }
});
