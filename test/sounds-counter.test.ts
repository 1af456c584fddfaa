// Live counting on held-out recordings: each knock is counted in the chunk where it happens, and a
// dog bark between the knocks does not count.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mix } from '../src/testing/audio.ts';
import { heldOut, pickFile } from './sounds-fixtures.ts';
import { SoundClassifier } from '../src/perception/sounds/classifier.ts';
import { analyseSignal } from '../src/perception/sounds/stream.ts';
import { EventCounter, countWord } from '../src/perception/sounds/counter.ts';

const SR = 16000;

test('countWord', () => {
  assert.deepEqual([1, 2, 3, 4, 12, 21].map(countWord), ['once', 'twice', 'three times', 'four times', 'twelve times', '21 times']);
  assert.throws(() => countWord(-1));
});

test('3 knocks are counted once, twice, three times at the right chunks; a bark between them is not', async (t) => {
  const files = await heldOut(t, ['door_knock', 'dog_bark', 'ambient']);
  if (!files) return;
  const knock = pickFile(files, 'door_knock', /place_node_hard/).x;
  const bark = pickFile(files, 'dog_bark', /\/dog\.ogg$/).x;
  const bed = pickFile(files, 'ambient', /country/).x.slice(0, 6 * SR);
  // Onsets in the middle of chunks 2, 5 and 9 (chunk k spans [0.4k, 0.4k+0.4) s); a 0.6 s bark in chunks 6–7.
  const at = [0.9, 2.1, 3.7];
  let x: Float32Array = bed;
  for (const s of at) x = mix(x, knock, -20, Math.round(s * SR)); // knock 20 dB above the bed
  x = mix(x, bark, -15, Math.round(2.5 * SR));
  const clf = await SoundClassifier.load();
  // The user asked to count knocks: the gate favours recall (default 0.3), the onset detector does the rest.
  const counter = new EventCounter({ label: 'door_knock' });
  const said: { chunk: number; word: string }[] = [];
  for (const c of analyseSignal(x, clf)) {
    const r = counter.update({ ...c, classes: clf.classes });
    if (r.newEvents > 0) said.push({ chunk: c.index, word: countWord(r.count) });
  }
  assert.deepEqual(said, [
    { chunk: 2, word: 'once' },
    { chunk: 5, word: 'twice' },
    { chunk: 9, word: 'three times' },
  ]);
});
