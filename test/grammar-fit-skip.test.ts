// A grammar reading skips its free-loop decode when the grammar path's word fit already rejects it
// (src/perception/asr/grammar-recognizer.ts): the loop decode is 3–4× the grammar's CPU, and free speech,
// most of what a server reads, is rejected by the word fit alone. The verdict and the grammar sentence
// must be exactly those of a reading that decoded the loop too. Speech from espeak-ng.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ConstrainedRecognizer } from '../src/perception/asr/grammar-recognizer.ts';
import { GrammarPool } from '../src/perception/asr/grammar-pool.ts';
import { concat, silence, speech } from '../src/testing/audio.ts';

const SAID: [string, string][] = [
  ['what time is it', 'en-us+klatt'],
  ['how are you', 'en-us+klatt'],
  ['translate into spanish', 'en-us+klatt'],
  ['The museum opens at nine and closes at six on weekdays.', 'en+m3'],
  ['We cooked pasta with tomatoes and basil from the garden.', 'en+m3'],
  ['The meeting was moved to Thursday afternoon because of the holiday.', 'en-us+klatt'],
  ['She reads the newspaper every morning with a cup of tea.', 'en+m3'],
];

describe('grammar reading without the loop decode when the word fit rejects', () => {
  let full: ConstrainedRecognizer;
  let lean: ConstrainedRecognizer;
  const pool = new GrammarPool(2);
  before(async () => {
    [full, lean] = await Promise.all([ConstrainedRecognizer.open({ fullEvidence: true }), ConstrainedRecognizer.open()]);
    await pool.warm();
  });
  after(() => {
    full.close();
    lean.close();
    pool.close();
  });

  it('gives the verdict and sentence of a full reading, and skips the loop on free speech', async () => {
    let skipped = 0;
    let accepted = 0;
    for (const [text, voice] of SAID) {
      const audio = concat(silence(0.3), speech(text, { voice }), silence(0.3));
      const [a, b, c] = [await full.recognizeDetailed(audio), await lean.recognizeDetailed(audio), await pool.recognizeDetailed(audio)];
      for (const r of [b, c]) {
        assert.equal(r?.text, a?.text, text);
        assert.equal(r?.accepted, a?.accepted, `${text}: ${JSON.stringify(r)} vs ${JSON.stringify(a)}`);
      }
      assert.ok(Number.isFinite(a?.margin ?? 0), 'a full reading always has a margin');
      if (b && Number.isNaN(b.margin)) {
        skipped++;
        assert.equal(b.accepted, false);
        assert.ok(b.wordScore < -4.6 && b.confidence < 0.5, JSON.stringify(b));
      } else if (b) {
        assert.ok(Math.abs(b.confidence - a!.confidence) < 1e-9, `${b.confidence} vs ${a!.confidence}`);
      }
      if (a?.accepted) accepted++;
    }
    // Measured: the four statements' word fits -5.1..-5.4 (threshold -4.6), the three questions/commands accepted.
    assert.ok(skipped >= 2, `loop skipped on ${skipped} of 4 statements`);
    assert.ok(accepted >= 2, `${accepted} of 3 commands accepted`);
  });
});
