// The scene generator's splits: the train split (the learned gate's training streams) holds the kinds
// of reply the gate must learn — questions about music and noises, translation after a greeting — and
// never a phrasing of the held-out split; the test split still regenerates the committed eval recipe.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { generateScenes, type SceneSpec } from '../src/soundflow/data/scenes.ts';

function phrases(specs: SceneSpec[]): Set<string> {
  const out = new Set<string>();
  for (const s of specs) {
    for (const t of s.turns) {
      if (t.kind === 'speech') out.add(t.parts.map((p) => p.text).join(' '));
      if (t.kind === 'talk') for (const l of t.lines) out.add(l.text);
    }
  }
  return out;
}

test('train split: music, noise and greeting-translation scenes, and no phrasing of the test split or eval v1', () => {
  const train = generateScenes({ n: 150, seed: 7, split: 'train' });
  const types = new Set(train.map((s) => s.type));
  for (const t of ['music_question', 'noise_question', 'greet_translate', 'qa', 'translate', 'count']) assert.ok(types.has(t), t);
  const music = train.find((s) => s.type === 'music_question')!;
  assert.ok(music.turns.some((t) => t.kind === 'sound' && t.cls === 'music' && t.assistant.startsWith('It sounds like')));
  const v1 = readFileSync('data/eval/v1/scenes.jsonl', 'utf8').trim().split('\n').map((l) => JSON.parse(l) as SceneSpec);
  const held = new Set([...phrases(v1), ...phrases(generateScenes({ n: 200, seed: 2026, split: 'test' }))]);
  // One instruction is still said the same way in both splits (the training streams of models/decision
  // were rendered with it; changing it means re-rendering them): everything else differs.
  const shared = [...phrases(train)].filter((p) => held.has(p) && p !== 'please transcribe what i say');
  assert.deepEqual(shared, []);
});

test('test split: the committed eval v1 recipe regenerates byte for byte', () => {
  const recipe = JSON.parse(readFileSync('data/eval/v1/recipe.json', 'utf8'));
  const want = readFileSync('data/eval/v1/scenes.jsonl', 'utf8').trim().split('\n');
  assert.deepEqual(generateScenes(recipe.scenes).map((s) => JSON.stringify(s)), want);
  assert.ok(!generateScenes({ n: 60, seed: 3, split: 'test' }).some((s) => ['music_question', 'noise_question', 'greet_translate'].includes(s.type)));
});
