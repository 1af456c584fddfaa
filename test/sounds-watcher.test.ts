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

test('recentSounds() reports a T3 alarm with its onset and pattern; nothing is logged after it', async () => {
  const { x, onset } = patternSignal(T3_CYCLE, 1, { freqHz: 3100, wave: 'pulse', duty: 0.3, levelDbfs: -25 }, { leadSec: 0.9, tailSec: 1.5 });
  const audio = mix(x, noise(x.length / SR, { color: 'pink', amplitude: 0.01 }), 20);
  const clf = await SoundClassifier.load();
  const lm = new LogMel();
  const watcher = new SoundWatcher(new TaskManager(), true);
  const urgent: number[] = [];
  for (let i = 0, k = 0; i < audio.length; i += 6400, k++) {
    const pcm = new Float32Array(6400);
    pcm.set(audio.subarray(i, i + 6400));
    const mel = lm.process(pcm);
    const t = (i + 6400) / SR;
    const p = { chunk: { index: k, start: t - 0.4, t, pcm, padded: false }, mel, vadProbs: [], speech: 0, levelDb: -30, snrDb: 0, speechStarted: false, speechEnded: false, inSpeech: false, silenceMs: 0, sounds: { classes: clf.classes, probs: clf.classify(mel), thresholds: clf.thresholds } } as unknown as Percept;
    for (const r of watcher.onChunk(p, false)?.responses ?? []) if (r.urgent) urgent.push(t);
  }
  assert.equal(urgent.length, 1);
  const alarm = watcher.recentSounds().find((s) => s.source === 'alarm');
  assert.ok(alarm, JSON.stringify(watcher.recentSounds()));
  assert.equal(alarm.label, 'smoke_alarm');
  assert.equal(alarm.pattern, 'T3');
  assert.ok(Math.abs(alarm.onset - onset) < 0.05);
  assert.ok(alarm.top.length > 0 && alarm.top[0].label === 'smoke_alarm');
  assert.deepEqual(watcher.log.since(alarm.t + 10), []);
});
