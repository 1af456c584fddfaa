// Offline chat skills: a table of utterances (clean and ASR-garbled) with what each must answer, and
// the rule that overheard chatter gets no answer while questions put to the assistant always do.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { answer, type SkillName } from '../src/response/skills/index.ts';

const now = new Date('2025-03-04T15:07:00Z'); // a Tuesday
const ctx = (addressed = false) => ({ now, addressed, timeZone: 'UTC' });

// [utterance, addressed, expected skill or null, text must match]
const TABLE: [string, boolean, SkillName | null, RegExp?][] = [
  ['what is your name', false, 'name', /SoundFlow/],
  ["what's your name", false, 'name', /SoundFlow/],
  ['juanita name', false, 'name', /SoundFlow/], // a real pocketsphinx garble of "what is your name"
  ['who are you', false, 'name'],
  ['what is his name', false, null],
  ['what can you do', false, 'capabilities', /translate.*Spanish/],
  ['hey soundflow help', false, 'capabilities'],
  ['what time is it', false, 'time', /3:07 PM/],
  ["what's the time", false, 'time', /3:07/],
  ['what is the date today', false, 'date', /Tuesday, March 4, 2025/],
  ['what day is it', false, 'date', /Tuesday/],
  ['what is seven times eight', false, 'arithmetic', /\b56\b/],
  ['12 plus 30', false, 'arithmetic', /\b42\b/],
  ['what is one hundred and five divided by five', false, 'arithmetic', /\b21\b/],
  ['what is two plus three times four', false, 'arithmetic', /\b14\b/],
  ['what is ten minus fifteen', false, 'arithmetic', /-5\b/],
  ['what is the square root of eighty one', false, 'arithmetic', /\b9\b/],
  ['what is ten divided by zero', false, 'arithmetic', /zero/],
  ['set a timer for ten seconds', false, 'timer', /ten seconds/],
  ['set a five minute timer', false, 'timer', /five minutes/],
  ['remind me in two minutes', false, 'timer', /two minutes/],
  ['cancel the timer', false, 'cancel_timer'],
  ['hello', true, 'greeting', /SoundFlow/],
  ['hey soundflow good morning', false, 'greeting'],
  ['thank you', true, 'thanks', /welcome/],
  ['how are you', false, 'how_are_you'],
  ['hey soundflow', false, 'wake'],
  ['hey soundflow what is the capital of France', false, 'fallback', /offline/],
  ['can you book me a flight to Paris', true, 'fallback', /offline/],
  // Overheard: no answer.
  ['hello', false, null],
  ['thank you', false, null],
  ['what is the capital of France', false, null],
  ['I was at the station yesterday with my brother', false, null],
  ['the kids were two plus the dog', false, null],
  ['we had three and four of them', false, null],
  ['', false, null],
];

describe('offline skills', () => {
  for (const [utt, addressed, skill, re] of TABLE) {
    test(`${addressed ? '[addressed] ' : ''}${JSON.stringify(utt)}`, () => {
      const a = answer(utt, ctx(addressed));
      if (skill === null) return assert.equal(a, null, `unexpected answer ${JSON.stringify(a)}`);
      assert.ok(a, 'expected an answer');
      assert.equal(a.skill, skill);
      if (re) assert.match(a.text, re);
      assert.ok(['happy', 'sad', 'angry', 'surprise', 'normal', 'urgent'].includes(a.emotion));
    });
  }

  test('timers carry their length and the text to say when they ring', () => {
    const a = answer('set a timer for ninety seconds', ctx());
    assert.equal(a?.timer?.seconds, 90);
    assert.match(a!.timer!.doneText, /a minute and thirty seconds/);
    assert.equal(answer('set a timer for two days', ctx())?.timer, undefined);
    assert.match(answer('set a timer', ctx())!.text, /How long/);
    assert.equal(answer('cancel the timer', ctx())?.cancelTimers, true);
  });

  test('the time follows the requested time zone', () => {
    assert.match(answer('what time is it', { now, addressed: false, timeZone: 'Europe/Madrid' })!.text, /4:07 PM/);
  });

  test('odd input never throws', () => {
    for (const x of [undefined, null, 42, '   ', '!!!', 'ñ'.repeat(10_000)]) assert.doesNotThrow(() => answer(x as unknown as string, ctx(true)));
  });
});
