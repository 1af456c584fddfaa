// Understanding noisy transcripts: phonetic repair and slots, confirmation questions, addressed vs
// overheard, honest limits (and the LLM when configured), the sound-question hook, bad input.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Assistant } from '../src/response/assistant.ts';
import { agreedCommand, type HandlerResult } from '../src/decision/rules.ts';
import { endpointChatModel } from '../src/response/chat-model.ts';
import { ADDRESSED_THRESHOLD, addressedScore } from '../src/response/understanding/addressed.ts';
import { soundsAlike } from '../src/response/understanding/phonetics.ts';
import { rewrites } from '../src/response/understanding/repair.ts';
import { openerRewrite } from '../src/response/understanding/openers.ts';
import { detectSoundQuestion } from '../src/response/understanding/sound-questions.ts';
import { Understander } from '../src/response/understanding/understand.ts';
import { punctuateOpeners } from '../src/response/translate/punctuate.ts';
import { phrasings } from '../bench/understanding/phrasings.ts';
import { startFakeOpenAI } from './helpers/fake-servers.ts';

const now = new Date('2026-11-29T10:00:00Z');
const spoken = (a: Assistant, text: string, t = 1, more: Partial<{ command: string; candidate: string; alternatives: string[] }> = {}) =>
  a.onUtterance({ text, t, typed: false, ...more }) as HandlerResult;
const offline = () => new Assistant({ now: () => now });
const said = (r: HandlerResult) => r.responses.map((x) => x.text ?? '').join(' ');

async function drain(r: HandlerResult): Promise<string> {
  let out = '';
  for (const x of r.responses) {
    if (x.text) out += x.text;
    if (x.produce) for await (const d of x.produce(new AbortController().signal)) out += d;
  }
  return out;
}

test('phones: recogniser slips sound alike, different words do not', () => {
  assert.ok(soundsAlike('dog parks', 'dog barks') > 0.9);
  assert.ok(soundsAlike('what is your new', 'what is your name') > 0.8);
  assert.ok(soundsAlike('did you see the game last night', 'what is the date today') < 0.5);
  assert.ok(soundsAlike('chinese', 'spanish') < 0.5);
});

test('rewrites put slots back by their sound and drop a garbled lead-in', () => {
  const r = rewrites('to ease count how many times the dog parks in title');
  assert.ok(r.some((x) => x.text.startsWith('count how many times the dog barks')), JSON.stringify(r.slice(0, 5)));
  assert.ok(rewrites('what is seven times a').some((x) => x.text === 'what is seven times eight'));
  assert.deepEqual(rewrites(Array(200).fill('word').join(' ')), [], 'run-ons are not rewritten (bounded cost)');
});

test('a garbled count request starts the count; "dog parks" fills the sound slot', () => {
  const a = offline();
  const r = spoken(a, 'to ease count how many times the dog parks in title');
  const started = r.events.find((e) => e.type === 'task.started');
  assert.ok(started && started.type === 'task.started' && started.params.label === 'dog_bark', JSON.stringify(r));
});

test('in-between confidence asks one short question; yes acts, no drops it', () => {
  const a = offline();
  const q = spoken(a, 'what is your new you', 1);
  assert.equal(q.reason, 'confirm');
  assert.equal(said(q), 'Did you ask my name?');
  const yes = spoken(a, 'yes', 3);
  assert.match(said(yes), /SoundFlow/);

  const b = offline();
  assert.equal(spoken(b, 'what is seven times a', 1).reason, 'confirm');
  const no = spoken(b, 'no', 2);
  assert.equal(no.reason, 'confirm:declined');
  assert.equal(said(no), 'Okay.');
  // The question expires: a late "yes" is just an overheard yes.
  const c = offline();
  spoken(c, 'what is your new you', 1);
  assert.equal(spoken(c, 'yes', 30).responses.length, 0);
});

test('n-best and the grammar candidate are weighed with the open transcript', () => {
  const a = offline();
  const r = spoken(a, 'please out how many times the body parts in total', 1, { alternatives: ['please out how many times the body parts in total', 'please count how many times a dog barks it total'] });
  assert.ok(r.events.some((e) => e.type === 'task.started' && e.params.label === 'dog_bark'), JSON.stringify(r));
  // A rejected grammar reading the open transcript does not sound like is ignored.
  const b = offline();
  assert.equal(spoken(b, 'did you see the game last night', 1, { candidate: 'count the dog barks' }).responses.length, 0);
});

test('addressed score: requests above the threshold, talk between people below (test phrasings, text)', () => {
  const ps = phrasings('test');
  const req = ps.filter((p) => p.category !== 'chatter');
  const chat = ps.filter((p) => p.category === 'chatter');
  const reqRate = req.filter((p) => addressedScore(p.text) >= ADDRESSED_THRESHOLD).length / req.length;
  const chatRate = chat.filter((p) => addressedScore(p.text) >= ADDRESSED_THRESHOLD).length / chat.length;
  assert.ok(reqRate >= 0.9, `requests addressed ${reqRate}`);
  assert.ok(chatRate <= 0.04, `chatter addressed ${chatRate}`);
  assert.ok(addressedScore('soundflow what is the capital of italy') > addressedScore('she said the capital of italy is rome'));
});

test('tuning and test phrasings never share a sentence', () => {
  const tune = new Set(phrasings('tune').map((p) => p.text));
  const shared = phrasings('test').filter((p) => tune.has(p.text)).map((p) => p.text);
  assert.deepEqual(shared, []);
});

test('honest limits: an unserved request gets one short reply saying so and what it can do instead', () => {
  const a = offline();
  const r = spoken(a, 'convert spoken language audio into chinese');
  assert.equal(said(r), "I can't translate into Chinese offline. I can translate into Spanish, Catalan, Galician or Esperanto.");
  assert.equal(r.responses.length, 1);
  assert.match(said(spoken(a, 'translate everything into japanese', 2)), /^I can't translate into Japanese offline\. I can translate into Spanish, Catalan, Galician or Esperanto\.$/);
  assert.match(said(spoken(a, 'what is the capital of france', 3)), /can't answer that offline\. I can tell the time/);
  assert.match(said(spoken(a, 'play some jazz music', 4)), /can't play music/);
  // The same words overheard get nothing.
  for (const s of ['she translated the book into french', 'my friend is learning chinese at night school', 'they were talking about the capital of france']) {
    assert.equal(spoken(a, s, 5).responses.length, 0, s);
  }
  // A fragment of function words asks for nothing (music and noise are often heard as "is it"), even
  // when the addressed model scores it as said to us.
  assert.ok(addressedScore('what is') >= ADDRESSED_THRESHOLD);
  for (const s of ['what is', 'is it', 'and a', 'if if if', 'is it that']) assert.equal(spoken(a, s, 6).responses.length, 0, s);
  // "convert … into spanish" is a translation task in another phrasing.
  const b = offline();
  assert.ok(spoken(b, 'convert what i say into spanish').events.some((e) => e.type === 'task.started' && e.params.targetLang === 'es'));
});

test('a grammar reading nothing else heard is set aside for an addressed request the grammar cannot say', () => {
  // The grammar can only say its own sentences: "could you read me the news" comes back as the nearest
  // one, "what's your name please"; the open transcript heard the request and sounds nothing like it.
  const a = offline();
  const news = spoken(a, 'could you read me the news', 1, { command: "what's your name please", alternatives: ['could you read me the news', 'could you read me than news'] });
  assert.equal(news.reason, 'answer:fallback', JSON.stringify(news));
  const joke = spoken(a, 'tell me a riddle', 2, { command: 'tell me when a siren', alternatives: ['tell me a riddle', 'tell me the riddle'] });
  assert.equal(joke.events.filter((e) => e.type === 'task.started').length, 0, 'no alert task on "tell me a riddle"');
  assert.equal(joke.reason, 'answer:fallback');
  // A noisy open transcript that still sounds like the grammar's reading keeps it, and so does a
  // single reading (no n-best: too little evidence against the grammar).
  assert.equal(spoken(a, 'what is the tie', 3, { command: 'what is the time', alternatives: ['what is the tie', 'what is a tie'] }).reason, 'answer:time');
  assert.ok(spoken(a, 'tell me whether god are', 4, { command: 'tell me when the dog barks', alternatives: ['tell me whether god are', 'tell me when the dogs are'] }).events.some((e) => e.type === 'task.started'));
  assert.equal(spoken(a, 'could you read me the news', 5, { command: "what's your name please" }).reason, 'answer:name');
  // An n-best alternative that sounds like it is enough, and talk between people is not second-guessed.
  assert.equal(spoken(a, 'could you tell me the tie', 6, { command: 'tell me the time', alternatives: ['could you tell me the tie', 'tell me the time'] }).reason, 'answer:time');
});

test('a request whose first words only an n-best alternative kept gets its honest reply; statements do not', () => {
  const a = offline();
  const r = spoken(a, 'all my sister', 1, { alternatives: ['all my sister', 'lol my sister', 'call my sister'] });
  assert.equal(r.reason, 'answer:fallback', JSON.stringify(r));
  // A statement whose first word an alternative hears as a verb ("print it is …", "keep counted …") is talk.
  assert.equal(spoken(offline(), 'printer is jammed again', 1, { alternatives: ['printer is jammed again', 'print it is jammed again'] }).responses.length, 0);
  assert.equal(spoken(offline(), 'to counter the boxes twice', 1, { alternatives: ['keep counted the boxes twice', 'he committed the boxes twice'] }).responses.length, 0);
  // Questions are not taken from alternatives: "would you like …" heard as "what you like …" is talk.
  assert.equal(spoken(offline(), 'would you like some more cake', 1, { alternatives: ['what you like some more cake'] }).responses.length, 0);
});

test('a request whose opening words were misheard is re-read with the opener put back; statements are not', () => {
  // The opening is put back by its sound: a polite modal, an imperative verb, our name.
  assert.equal(openerRewrite('can new call a taxi')?.text, 'can you call a taxi');
  assert.equal(openerRewrite('good you dim the lights')?.text, 'could you dim the lights');
  assert.equal(openerRewrite('sig jest a good restaurant')?.text, 'suggest a good restaurant');
  assert.equal(openerRewrite('stoned flow turn off the heating')?.text, 'soundflow turn off the heating');
  for (const s of ['can new call a taxi', 'sig jest a good restaurant', 'stoned flow turn off the heating']) {
    assert.equal(spoken(offline(), s).reason, 'answer:fallback', s);
  }
  // Clauses of their own keep their first words: a subject, a question word, a time word, an auxiliary
  // that is no modal with "you", a verb put before a clause that has its own finite verb; and a lone
  // function word is not re-read as a verb ("so oxnard …", garbled chatter, is no "show oxnard …").
  for (const s of ['i tend to finish the report by friday', 'today we are talking about the new project',
    'and you finished your so what', 'so oxnard ca ugliest all closing the onus on right', 'but the flight to paris', 'did you remember to water the plants', 'dave you remember to water the plants', 'hi need to call the vet', 'but the kids are playing outside', 'the kids are playing in the garden']) {
    assert.equal(spoken(offline(), s).responses.length, 0, s);
  }
  for (const s of ['which bus goes there', 'what do like some more cake', 'today we went out']) assert.equal(openerRewrite(s), null, s);
  assert.equal(openerRewrite('can you call a taxi'), null, 'already opens with it');
  // Something a skill or task would take is never acted on from a guessed opener.
  assert.equal(spoken(offline(), 'tel me the time').reason === 'answer:fallback', false);
});

test('a question about the world in the past tense is addressed; past talk about people is not', () => {
  for (const s of ['when was the first moon landing', 'who was the first king of england', 'when did the war end']) {
    assert.ok(addressedScore(s) >= ADDRESSED_THRESHOLD, s);
    assert.equal(spoken(offline(), s).reason, 'answer:fallback', s);
  }
  for (const s of ['what did you think of the concert', 'how was school today it was boring', 'where did she put the keys', 'when was he born i forgot']) {
    assert.ok(addressedScore(s) < ADDRESSED_THRESHOLD, s);
  }
});

test('an open transcript whose request form no n-best alternative shares gets no reply', () => {
  // "my cousin speaks german and french", the open decode a lone "why doesn't …", every alternative "my cousins …".
  const alts = ['my cousins the east german and french otto', 'my cousins the east german and french auto'];
  assert.equal(spoken(offline(), 'why doesnt the east german and french ah so', 1, { alternatives: alts }).responses.length, 0);
  assert.equal(spoken(offline(), 'why doesnt the east german and french ah so', 1).reason, 'answer:fallback', 'no n-best: the open reading alone');
  const same = ['what does the weather look like', 'what does the whether look like'];
  assert.equal(spoken(offline(), 'what does the weather look like', 1, { alternatives: same }).reason, 'answer:fallback');
});

test('a polite modal whose verb was lost or misheard is still a request; people\'s modal talk is not', () => {
  // "will you lock the front door" heard "will do a lot to …" (re-read "will you a lot …"), "will you of
  // the front door"; "could you dim the lights" heard "could you don't like senator".
  for (const s of ['will do a lot to the front door', 'will you of the front door', "could you don't like senator", 'can you the weather in paris']) {
    assert.equal(spoken(offline(), s).reason, 'answer:fallback', s);
  }
  // Talk keeps its verb.
  for (const s of ['would you like some more tea', 'can you believe what happened at work', 'will you not come with us', 'can you imagine the traffic']) {
    assert.ok(addressedScore(s) < ADDRESSED_THRESHOLD, s);
    assert.equal(spoken(offline(), s).responses.length, 0, s);
  }
});

test('a request by its form on the best path needs no n-best agreement; a hedged answer is talk', () => {
  // "can you order a pizza": the open decode kept it word for word, its alternatives garbled it.
  const alts = ['i knew all the rocky its a', 'can you all the rocky its a'];
  assert.equal(spoken(offline(), 'can you order pizza', 1, { alternatives: alts }).reason, 'answer:fallback');
  // "when does the film start? I'd think it starts at eight": two people, a question and its answer.
  assert.ok(addressedScore("when does the film start i'd think it starts at eight") < ADDRESSED_THRESHOLD);
  // A statement about translating heard with the verb first after its subject gets no "Into which language?".
  assert.equal(spoken(offline(), 'my sister translate to the letter for our boss').responses.length, 0);
});

test('a sum whose "what" was heard as "one" is answered; talk about a sum is not', () => {
  assert.equal(spoken(offline(), 'one is six plus seven', 1).reason, 'answer:arithmetic');
  assert.match(said(spoken(offline(), 'won is eight times three', 1)), /24/);
  assert.equal(spoken(offline(), 'the total is six plus seven', 1).responses.length, 0);
  assert.equal(spoken(offline(), 'he is six plus seven', 1).responses.length, 0);
});

test('a grammar reading sharing only an auxiliary with the open transcript is not taken as agreed', () => {
  assert.equal(agreedCommand('what was that sound', 'when was the bridge built'), undefined);
  assert.equal(agreedCommand('count the dog barks', 'count the dog box'), 'count the dog barks');
});

test('a request that opens with our name is addressed even when the rest is garbled', () => {
  const a = offline();
  assert.equal(spoken(a, 'hey sound flow here invented the radio', 1).reason, 'answer:fallback');
  // Our name later in someone's sentence does not make it a request.
  assert.equal(spoken(a, 'i told my brother about sound flow yesterday', 2).responses.length, 0);
});

test('with an LLM endpoint, open questions and translation into any language go to the LLM', async () => {
  const fake = await startFakeOpenAI({ reply: (m) => (/Chinese/.test(m[0].content) ? '你好' : 'Paris is the capital of France.') });
  try {
    const a = new Assistant({ chat: endpointChatModel({ baseUrl: `${fake.url}/v1`, model: 'tiny', timeoutMs: 3000 }), now: () => now });
    const q = spoken(a, 'what is the capital of france', 1);
    assert.equal(q.reason, 'answer:llm');
    assert.equal(await drain(q), 'Paris is the capital of France.');
    const start = spoken(a, 'convert spoken language audio into chinese', 2);
    assert.ok(start.events.some((e) => e.type === 'task.started' && e.task === 'translate' && e.params.targetLang === 'zh'), JSON.stringify(start));
    assert.equal(said(start), 'Okay, translating into Chinese.');
    const tr = spoken(a, 'hello how are you', 3);
    assert.equal(tr.responses[0].task, 'translate');
    assert.equal(tr.responses[0].voice, 'cmn');
    assert.equal(await drain(tr), '你好');
    const sent = JSON.parse(fake.requests.at(-1)!.body.toString());
    assert.match(sent.messages[0].content, /into Chinese/);
    assert.equal(sent.messages.at(-1).content, 'hello how are you');
    // Apertium stays the offline default for its own languages: no LLM request for Spanish.
    const before = fake.requests.length;
    const b = new Assistant({ chat: endpointChatModel({ baseUrl: `${fake.url}/v1`, model: 'tiny' }), now: () => now });
    spoken(b, 'translate what i say into spanish', 1);
    assert.match(await drain(spoken(b, 'good morning i would like a cup of coffee', 2)), /me gustaría una taza de café/);
    assert.equal(fake.requests.length, before);
  } finally {
    await fake.close();
  }
});

test('sound questions are recognised and routed; with no handler the reply is honest', () => {
  for (const s of ['what is that noise', "what's the style of the music", 'based on the audio below what is the style of the music', 'tell me when the music stops', 'how many times did it knock']) {
    assert.ok(detectSoundQuestion(s), s);
  }
  assert.equal(detectSoundQuestion('the music at the wedding was lovely'), null);
  assert.equal(detectSoundQuestion('how many times did it knock')?.label, 'door_knock');
  const a = offline();
  // Questions the pending-question tasks parse start one (answered later from the sound evidence).
  const r = spoken(a, "what's the style of the music");
  assert.match(r.reason, /^question:music_style/);
  // One they do not take goes to the registered handlers; with none, the reply is honest.
  const d = spoken(a, 'describe the sound', 2);
  assert.equal(d.reason, 'sound-question:unanswered');
  assert.match(said(d), /can't|cannot/i);
  const seen: string[] = [];
  a.soundQuestions.register((q) => {
    seen.push(q.kind);
    return { responses: [{ task: 'chat', emotion: 'normal', text: 'Listening.' }], events: [], reason: 'sound-question:pending' };
  });
  assert.equal(said(spoken(a, 'describe the sound', 4)), 'Listening.');
  assert.deepEqual(seen, ['describe']);
});

test('addressed score: polite forms, requests after a leading clause and impersonal yes/no questions are requests; reported requests are talk', () => {
  // Sentences of neither split: the features must carry beyond the phrasings they were tuned on.
  for (const text of ['would you mind opening the window', 'i need you to cancel my dentist appointment', 'if the post comes today send me a note',
    'is there a bakery open near here', 'will it be sunny on sunday', 'call my sister and ask her to come over', 'message the landlord that the boiler is broken']) {
    assert.ok(addressedScore(text) >= ADDRESSED_THRESHOLD + 0.05, `${text}: ${addressedScore(text)}`);
  }
  for (const text of ['let me think about the colour first', 'she asked me to ring her sister', 'is it your turn to cook tonight', 'he said call him when you land',
    'my aunt keeps asking what the forecast says', 'they told us to buy a new kettle']) {
    assert.ok(addressedScore(text) <= ADDRESSED_THRESHOLD - 0.1, `${text}: ${addressedScore(text)}`);
  }
});

test("the grammar's reading of talk is set aside when no open reading sounds like it; a garbled command keeps it", () => {
  const talk = spoken(offline(), 'my dad always tells me to lock the door', 1, {
    command: 'eight minus twelve please',
    alternatives: ['my dad always tells me to lock the door', 'my dad always tells me to love the door', 'my dad always tells me to look the door'],
  });
  assert.equal(talk.responses.length, 0, said(talk));
  const a = offline();
  const garbled = spoken(a, 'the outcome and eight times than not', 1, {
    command: 'count how many times the knocks',
    alternatives: ['the outcome and eight times than not', 'count how many times the knocks', 'the outcome and eight times the knocks'],
  });
  assert.match(said(garbled), /count/i);
  assert.equal(a.tasks.active().length, 1);
});

test('bad input: a short clear reply or silence, never a crash or a stuck task', () => {
  const a = offline();
  const runOn = Array.from({ length: 200 }, (_, i) => ['and', 'then', 'we', 'went', 'to', 'the', 'shop'][i % 7]).join(' ');
  const cases: [string, RegExp | null][] = [
    ['', null],
    ['   ', null],
    [runOn, null],
    [`can new ${runOn}`, null],
    ['sig jest', null],
    ['hola como estas me llamo juan', null],
    ['bonjour je voudrais un cafe', null],
    ['set a timer for minus five minutes', /timer/i],
    ['count to a billion', /count sounds, not numbers/],
    ['translate into zulu', /can't translate into Zulu offline/],
    ['count the xylophone', /don't know that sound/],
    ['what is one billion times one billion', /./],
    ['set a timer for a million minutes', /timer/i],
    ['set a timer for zero seconds', /timer/i],
    ['convert this into klingon', /can't translate into Klingon offline/],
    ['wie spät ist es', null],
    ['quelle heure est il', null],
    ['你好', null],
    ['um uh er', null],
    [Array.from({ length: 200 }, (_, i) => ['please', 'call', 'my', 'mother', 'and', 'then', 'book', 'a', 'table'][i % 9]).join(' '), /can't do that offline/],
  ];
  for (const [text, reply] of cases) {
    const t0 = performance.now();
    const r = spoken(a, text, 1);
    assert.ok(performance.now() - t0 < 500, `${text.slice(0, 30)}: took too long`);
    if (reply) assert.match(said(r), reply, text);
    else assert.equal(r.responses.length, 0, text.slice(0, 40));
    assert.ok(said(r).length < 200, 'short');
  }
  assert.equal(a.tasks.active().length, 0, 'no task was started by bad input');
  assert.equal(offline().onUtterance({ text: undefined as unknown as string, t: 0, typed: false }).responses.length, 0);
});

test('spoken transcripts get their clause break back before translation', () => {
  assert.equal(punctuateOpeners('good morning i would like a cup of coffee'), 'good morning, i would like a cup of coffee');
  assert.equal(punctuateOpeners('Good morning, I would like a cup of coffee.'), 'Good morning, I would like a cup of coffee.');
  assert.equal(punctuateOpeners('hello good morning i am here'), 'hello, good morning, i am here');
  assert.equal(punctuateOpeners('nothing to change here'), 'nothing to change here');
});

test('a short "thank you" right after our reply is for us; overheard otherwise', () => {
  const a = offline();
  assert.equal(a.onUtterance({ text: 'thank you very much', command: 'thank you very much', t: 5, typed: false }).responses.length, 0);
  const r = a.onUtterance({ text: 'thank you very much', command: 'thank you very much', t: 6, typed: false, afterReply: true });
  assert.equal(said(r), "You're welcome.");
});
