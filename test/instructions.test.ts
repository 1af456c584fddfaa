// Instruction parsing (a table of phrasings, negatives included) and the task manager's bookkeeping.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { readNumber, numberToWords } from '../src/instructions/numbers.ts';
import { parseInstruction, parseDuration } from '../src/instructions/parser.ts';
import { soundLabelFor, SOUND_LABELS } from '../src/instructions/sounds.ts';
import { TaskManager } from '../src/decision/task-manager.ts';
import type { TaskSpec } from '../src/instructions/types.ts';
import { TASK_KINDS } from '../src/events.ts';
import { readFileSync } from 'node:fs';

// [text, expected task spec | refusal code | null, ack?]
const TABLE: [string, TaskSpec | `refuse:${string}` | null, boolean?][] = [
  ['Translate what I say into Spanish', { kind: 'translate', targetLang: 'es' }],
  ['translate to spanish please', { kind: 'translate', targetLang: 'es' }],
  ['Hey SoundFlow, could you translate everything into Catalan?', { kind: 'translate', targetLang: 'ca' }],
  ['start translating from English to Esperanto', { kind: 'translate', targetLang: 'eo' }],
  ['Galician translation please', { kind: 'translate', targetLang: 'gl' }],
  ['translate into Spanish quietly', { kind: 'translate', targetLang: 'es' }, false],
  ['translate into Klingon', 'refuse:unsupported_language'],
  ['translate into French', 'refuse:unsupported_language'],
  ['translate this', 'refuse:missing_language'],
  ['stop translating', { kind: 'stop', target: 'translate' }],
  ['Transcribe this.', { kind: 'transcribe' }],
  ['start transcribing', { kind: 'transcribe' }],
  ['write down what I say', { kind: 'transcribe' }],
  ['stop the transcription', { kind: 'stop', target: 'transcribe' }],
  ['Count how many times the dog barks', { kind: 'count', label: 'dog_bark' }],
  ['count the knocks', { kind: 'count', label: 'door_knock' }],
  ['keep count of the coughs', { kind: 'count', label: 'cough' }],
  ['stop counting', { kind: 'stop', target: 'count' }],
  ['stop counting the knocks', { kind: 'stop', target: 'count', label: 'door_knock' }],
  ['count the unicorns', 'refuse:unknown_sound'],
  ['Tell me if the baby cries', { kind: 'alert', label: 'baby_cry', mode: 'respond' }],
  ['tell me when the doorbell rings', { kind: 'alert', label: 'doorbell', mode: 'respond' }],
  ['let me know when someone knocks on the door', { kind: 'alert', label: 'door_knock', mode: 'respond' }],
  ['warn me if the smoke alarm goes off', { kind: 'alert', label: 'smoke_alarm', mode: 'respond' }],
  ['listen for the phone', { kind: 'alert', label: 'phone_ring', mode: 'respond' }],
  ["don't comment on the dog", { kind: 'alert', label: 'dog_bark', mode: 'ignore' }],
  ['ignore the cat', { kind: 'alert', label: 'cat_meow', mode: 'ignore' }],
  ['Be quiet', { kind: 'quiet', seconds: null }],
  ['be quiet for five minutes', { kind: 'quiet', seconds: 300 }],
  ['shut up for thirty seconds', { kind: 'quiet', seconds: 30 }],
  ['be quiet for half an hour', { kind: 'quiet', seconds: 1800 }],
  ["don't talk for an hour", { kind: 'quiet', seconds: 3600 }],
  ['stop talking', { kind: 'quiet', seconds: null }],
  ['you can talk again', { kind: 'stop', target: 'quiet' }],
  ['Stop.', { kind: 'stop', target: 'all' }],
  ['stop everything', { kind: 'stop', target: 'all' }],
  ["let's chat", { kind: 'chat' }],
  // Not instructions: chatter, questions, garbled ASR.
  ['what is your name', null],
  ['juanita name', null],
  ['the dog is barking again', null],
  ['I need to translate this letter for work', null],
  // Told about translating: a subject of its own before the verb (the recogniser drops the past tense).
  ['my sister translate to the letter for our boss', null],
  ['they translate into french at work', null],
  ['count to ten', null],
  ['tell me if it rains tomorrow', null],
  ['stop the car', null],
  ['', null],
  ['uh the the of', null],
];

describe('parseInstruction', () => {
  for (const [text, want, ack] of TABLE) {
    test(JSON.stringify(text), () => {
      const got = parseInstruction(text);
      if (want === null) return assert.equal(got, null);
      assert.ok(got, 'expected an instruction');
      if (typeof want === 'string') {
        assert.equal(got.type, 'refusal');
        if (got.type === 'refusal') {
          assert.equal(`refuse:${got.code}`, want);
          assert.ok(got.message.length > 20);
        }
        return;
      }
      assert.equal(got.type, 'task');
      if (got.type === 'task') {
        assert.deepEqual(got.task, want);
        assert.equal(got.ack, ack ?? true);
        assert.equal(got.text, text);
      }
    });
  }

  test('refusing an unknown language names it and lists the supported ones', () => {
    const r = parseInstruction('translate into Klingon');
    assert.ok(r && r.type === 'refusal');
    assert.match(r.message, /Klingon/);
    for (const lang of ['Spanish', 'Catalan', 'Galician', 'Esperanto']) assert.ok(r.supported.includes(lang) && r.message.includes(lang));
  });

  test('numbers in words and durations', () => {
    assert.deepEqual(readNumber('one hundred and twenty five'.split(' '), 0), { value: 125, used: 5 });
    assert.deepEqual(readNumber('twenty five minutes'.split(' '), 0), { value: 25, used: 2 });
    assert.equal(readNumber('five five'.split(' '), 0)!.value, 5);
    assert.equal(numberToWords(56), 'fifty six');
    assert.equal(numberToWords(305), 'three hundred five');
    assert.equal(parseDuration('a couple of minutes'), 120);
    assert.equal(parseDuration('90 seconds'), 90);
    assert.equal(parseDuration('banana'), null);
  });

  test('sound synonyms name exactly the trained sound model\'s classes', () => {
    const model = JSON.parse(readFileSync(new URL('../models/sounds/model.json', import.meta.url), 'utf8')) as { classes: string[] };
    for (const label of SOUND_LABELS) assert.ok(model.classes.includes(label), `"${label}" is not a class of the sound model`);
    for (const c of model.classes.filter((c) => c !== 'ambient')) assert.ok(SOUND_LABELS.includes(c), `no synonyms for model class ${c}`);
    assert.equal(soundLabelFor('the alarm clock rings'), 'beeping_alarm');
    assert.equal(soundLabelFor('the microwave beeps'), 'beeping_alarm');
    assert.equal(soundLabelFor('the music'), 'music');
    assert.equal(soundLabelFor('the fire alarm'), 'smoke_alarm');
    assert.equal(soundLabelFor('someone knocks on the door'), 'door_knock');
    assert.equal(soundLabelFor('the car horn'), 'car_horn');
    assert.equal(soundLabelFor('nothing at all'), undefined);
  });
});

describe('TaskManager', () => {
  const parse = (s: string) => {
    const p = parseInstruction(s);
    assert.ok(p, s);
    return p;
  };

  test('several tasks at once; a new language replaces the old translation; stop ends one kind', () => {
    const tm = new TaskManager('s1');
    let u = tm.apply(parse('transcribe this'), 1.2);
    assert.equal(u.ack, 'Okay, transcribing.');
    assert.equal(u.started[0].task, 'transcribe');
    u = tm.apply(parse('translate what I say into Spanish'), 2.0);
    assert.equal(u.ack, 'Okay, translating into Spanish.');
    assert.deepEqual(u.started[0].params, { targetLang: 'es' });
    assert.equal(u.started[0].instruction, 'translate what I say into Spanish');
    u = tm.apply(parse('tell me if the baby cries'), 2.4);
    assert.deepEqual(tm.active().map((t) => t.kind), ['transcribe', 'translate', 'alert']);
    u = tm.apply(parse('translate into catalan'), 3.0);
    assert.equal(u.ended.length, 1);
    assert.equal(u.ended[0].reason, 'replaced');
    assert.equal(u.ended[0].task, 'translate');
    assert.equal(tm.find('translate')[0].targetLang, 'ca');
    u = tm.apply(parse('stop translating'), 4.0);
    assert.deepEqual(u.ended.map((e) => [e.task, e.reason, e.t]), [['translate', 'stopped', 4.0]]);
    assert.equal(u.ack, 'Okay, stopped translating.');
    assert.deepEqual(tm.active().map((t) => t.kind), ['transcribe', 'alert']);
    assert.equal(tm.watchMode('baby_cry'), 'respond');
    u = tm.apply(parse('stop'), 5.0);
    assert.equal(u.ended.length, 2);
    assert.equal(tm.active().length, 0);
    // Every event kind is one of the public task names.
    for (const e of [...u.started, ...u.ended]) assert.ok((TASK_KINDS as readonly string[]).includes(e.task));
  });

  test('quiet for N seconds expires on stream time', () => {
    const tm = new TaskManager();
    const u = tm.apply(parse('be quiet for five minutes'), 10);
    assert.equal(u.ack, 'Okay, quiet for five minutes.');
    assert.equal(u.started[0].task, 'ack');
    assert.equal(u.started[0].params.seconds, 300);
    assert.ok(tm.isQuiet(10) && tm.isQuiet(309.9));
    assert.deepEqual(tm.tick(200), []);
    const ended = tm.tick(311);
    assert.deepEqual(ended.map((e) => [e.reason, e.t]), [['expired', 310]]);
    assert.ok(!tm.isQuiet(311));
    tm.apply(parse('be quiet'), 400);
    assert.ok(tm.isQuiet(1e6));
    assert.equal(tm.apply(parse('you can talk again'), 500).ended.length, 1);
    assert.ok(!tm.isQuiet(500));
  });

  test('no ack when told so; refusals change nothing; counting two sounds at once', () => {
    const tm = new TaskManager();
    assert.equal(tm.apply(parse('translate into spanish without confirming'), 0).ack, null);
    const r = tm.apply(parse('translate into Klingon'), 1);
    assert.equal(r.refused, true);
    assert.match(r.ack!, /Klingon/);
    assert.equal(tm.find('translate')[0].targetLang, 'es');
    tm.apply(parse('count the knocks'), 2);
    tm.apply(parse('count how many times the dog barks'), 3);
    assert.deepEqual(tm.find('count').map((t) => t.label), ['door_knock', 'dog_bark']);
    const u = tm.apply(parse('stop counting the knocks'), 4);
    assert.equal(u.ended.length, 1);
    assert.deepEqual(tm.find('count').map((t) => t.label), ['dog_bark']);
    assert.equal(tm.apply(parse('stop transcribing'), 5).ack, 'That was not running.');
    assert.equal(tm.endAll(6).length, 2);
  });
});
