// BLEU, WER and the decision metrics against values computed by hand (and sacreBLEU's published example).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { corpusBleu, tokenize13a } from '../src/soundflow/metrics/bleu.ts';
import { corpusWerCounts, wer } from '../src/perception/asr/wer.ts';
import { balancedAccuracy, matchChunks, prf } from '../src/soundflow/metrics/decision.ts';
import { firstNumber } from '../src/soundflow/eval/score.ts';

const close = (a: number, b: number, eps = 1e-9) => assert.ok(Math.abs(a - b) < eps, `${a} != ${b}`);

test('corpus BLEU reproduces sacreBLEU\'s documented example (48.53, 82.4/50.0/45.5/37.5, BP 0.943)', () => {
  const refs1 = ['The dog bit the man.', 'It was not unexpected.', 'The man bit him first.'];
  const refs2 = ['The dog had bit the man.', 'No one was surprised.', 'The man had bitten the dog.'];
  const sys = ['The dog bit the man.', "It wasn't surprising.", 'The man had just bitten him.'];
  const r = corpusBleu(sys, sys.map((_, i) => [refs1[i], refs2[i]]));
  assert.equal(r.hypLen, 17);
  assert.equal(r.refLen, 18);
  close(r.precisions[0], (100 * 14) / 17);
  close(r.precisions[1], 50);
  close(r.precisions[2], (100 * 5) / 11);
  close(r.precisions[3], 37.5);
  close(r.bp, Math.exp(1 - 18 / 17));
  assert.equal(r.score.toFixed(2), '48.53');
});

test('corpus BLEU by hand: one pair, exp smoothing of a zero 4-gram order, and no smoothing', () => {
  // hyp "the cat sat on the mat" vs ref "the cat is on the mat":
  // 1-grams 5/6, 2-grams 3/5 (the cat, on the, the mat), 3-grams 1/4 (on the mat), 4-grams 0/3.
  const r = corpusBleu(['the cat sat on the mat'], ['the cat is on the mat']);
  close(r.precisions[0], (100 * 5) / 6);
  close(r.precisions[1], 60);
  close(r.precisions[2], 25);
  close(r.precisions[3], 100 / (2 * 3)); // exp smoothing: first zero order gets 1 / (2 * total)
  close(r.score, Math.exp((Math.log(500 / 6) + Math.log(60) + Math.log(25) + Math.log(100 / 6)) / 4));
  assert.equal(corpusBleu(['the cat sat on the mat'], ['the cat is on the mat'], { smooth: 'none' }).score, 0);
  // Corpus level sums counts before dividing: two pairs, each perfect on its own words.
  const c = corpusBleu(['a b c d', 'e f g h i'], ['a b c d', 'e f g h i']);
  close(c.score, 100);
  // Brevity: hypothesis "a b c d" (4) vs reference of 8 words with the same prefix.
  const b = corpusBleu(['a b c d'], ['a b c d e f g h']);
  close(b.bp, Math.exp(1 - 8 / 4));
  close(b.score, 100 * Math.exp(1 - 2));
  assert.equal(corpusBleu([''], ['something']).score, 0);
  assert.equal(corpusBleu(['x y z w'], ['a b c d']).score, 0);
});

test('13a tokenisation splits punctuation but keeps decimals and apostrophes', () => {
  assert.deepEqual(tokenize13a("It wasn't 3.5 km, (really)!"), ['It', "wasn't", '3.5', 'km', ',', '(', 'really', ')', '!']);
});

test('WER by hand: substitutions, deletions, insertions, normalisation, corpus sums', () => {
  // sat->sit (sub), "the" deleted: 2 edits / 6 words.
  close(wer('the cat sat on the mat', 'the cat sit on mat'), 2 / 6);
  close(wer('hello world', 'hello big world'), 1 / 2);
  assert.equal(wer('Hello, World!', 'hello world'), 0);
  assert.equal(wer("I'm here.", "i'm here"), 0);
  const c = corpusWerCounts([{ ref: 'a b c d', hyp: 'a b c d' }, { ref: 'e f', hyp: 'x' }]);
  assert.equal(c.substitutions + c.deletions + c.insertions, 2);
  close(c.wer, 2 / 6);
  assert.equal(wer('', ''), 0);
  assert.equal(wer('one two three', ''), 1);
});

test('chunk matching: hits within 0..tolerance after the label, one-to-one; early replies are false', () => {
  const m = matchChunks([5, 10], [6, 7, 13], 2);
  assert.deepEqual(m.pairs, [{ label: 5, pred: 6 }, { label: 10, pred: null }]);
  assert.deepEqual(m.falsePreds, [7, 13]);
  const s = prf({ tp: 1, fp: 2, fn: 1 });
  close(s.precision, 1 / 3);
  close(s.recall, 1 / 2);
  close(s.f1, 0.4);
  assert.deepEqual(matchChunks([5], [4], 2).falsePreds, [4]);
  assert.deepEqual(matchChunks([5], [7], 2).pairs, [{ label: 5, pred: 7 }]);
  assert.deepEqual(matchChunks([5], [8], 2).pairs, [{ label: 5, pred: null }]);
  // Two labels close together: each prediction serves one label only.
  assert.deepEqual(matchChunks([5, 6], [6], 2).pairs, [{ label: 5, pred: 6 }, { label: 6, pred: null }]);
  assert.deepEqual(prf({ tp: 0, fp: 0, fn: 3 }), { tp: 0, fp: 0, fn: 3, precision: 0, recall: 0, f1: 0 });
});

test('balanced accuracy is the mean of recall on RESPOND and IGNORE events', () => {
  const ev = [[true, true], [true, false], [false, false], [false, true], [false, false]].map(([truth, pred]) => ({ truth, pred }));
  const b = balancedAccuracy(ev);
  close(b.tpr!, 0.5);
  close(b.tnr!, 2 / 3);
  close(b.value!, (0.5 + 2 / 3) / 2);
  assert.equal(balancedAccuracy([]).value, null);
});

test('numbers in replies are read from digits or words', () => {
  assert.equal(firstNumber('That makes 3 knocks.'), 3);
  assert.equal(firstNumber('Three.'), 3);
  // What the counter says.
  assert.deepEqual(['Once!', 'Twice!', 'Three times!'].map(firstNumber), [1, 2, 3]);
  assert.equal(firstNumber('no number here'), null);
});
