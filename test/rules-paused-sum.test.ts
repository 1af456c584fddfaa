// A question paused before its last number ("what is twelve plus … nine"): the command grammar must end a
// sum on a number, so it reads the first half as a whole sum with a number nobody said ("what is twelve
// plus eight") while the open decoder heard no such word. The rules hold it for the continuation and
// answer the sum with the number that was said; a complete question is still answered at once.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RulePolicy } from '../src/decision/rules.ts';
import { Assistant } from '../src/response/assistant.ts';
import { grammarCompletedSum } from '../src/instructions/unfinished.ts';
import type { FinalTranscript } from '../src/perception/types.ts';
import { IDLE_CONTEXT as CTX, policyPercept as percept } from './helpers/policy-percepts.ts';

/** Replies with the chunk they were decided on. */
async function run(utterances: Record<number, FinalTranscript>): Promise<{ chunk: number; text: string }[]> {
  const rules = new RulePolicy(new Assistant(), null);
  const replies: { chunk: number; text: string }[] = [];
  for (let i = 0; i < 20; i++) {
    const d = await rules.decide(percept(i, utterances[i]), CTX);
    for (const r of d.responses) replies.push({ chunk: i, text: r.text ?? '' });
  }
  return replies;
}

test('grammarCompletedSum: the reading up to its operator when no open reading has the last number', () => {
  assert.equal(grammarCompletedSum('what is twelve plus eight', ['what is childless', 'one is twelve plus']), 'what is twelve plus');
  assert.equal(grammarCompletedSum('what is ten times eight', ['what is and i wrote it']), 'what is ten times');
  assert.equal(grammarCompletedSum('how much is six divided by two', ['how much is six to fight']), null); // "to" is how "two" is often written
  assert.equal(grammarCompletedSum('what is eight times five', ['what is a times five']), null);
  assert.equal(grammarCompletedSum('what is twenty five plus twenty one', ['what is twenty five plus twenty']), null);
  // Dictated speech the grammar forced onto a sum: no operator, not opened like the question.
  assert.equal(grammarCompletedSum('what is sixty times seven', ['my sister is visiting next weekend', 'my sister is visiting next week']), null);
  assert.equal(grammarCompletedSum('what is ten times eight please', ['what is entitled']), 'what is ten times');
  assert.equal(grammarCompletedSum('what is your name', ['what is your']), null);
  assert.equal(grammarCompletedSum('what is six times the dog', ['what is six times']), null);
  assert.equal(grammarCompletedSum(undefined, ['what is']), null);
});

test('a sum the grammar completed with an unsaid number waits for the number that follows', async () => {
  const replies = await run({
    5: { text: 'what is childless', utterance: 1, command: { text: 'what is twelve plus eight', confidence: 0.93 }, alternatives: ['what is childless', 'one is twelve plus'] },
    7: { text: 'nine', utterance: 2, alternatives: ['nine', 'ninth'] },
  });
  assert.deepEqual(replies.map((r) => r.chunk), [7]);
  assert.match(replies[0].text, /\b21\b/);
});

test('with no continuation, the held sum is answered as the grammar read it once the hold runs out', async () => {
  const replies = await run({ 5: { text: 'what is childless', utterance: 1, command: { text: 'what is twelve plus eight', confidence: 0.93 } } });
  assert.equal(replies.length, 1);
  assert.ok(replies[0].chunk > 5, `answered at chunk ${replies[0].chunk}`);
  assert.match(replies[0].text, /\b20\b/);
});

test('a sum whose last number the open decoder heard is answered at once', async () => {
  const replies = await run({ 5: { text: 'what is a times five', utterance: 1, command: { text: 'what is eight times five', confidence: 1 } } });
  assert.deepEqual(replies.map((r) => r.chunk), [5]);
  assert.match(replies[0].text, /\b40\b/);
});
