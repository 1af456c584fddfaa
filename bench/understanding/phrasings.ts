// Labelled phrasings for the understanding evaluation and for tuning the addressed score. Every
// template belongs to exactly one split: "tune" phrasings fit the addressed model and the repair
// thresholds; "test" phrasings are only ever reported. A test phrasing never appears in tuning (checked
// by test/understanding.test.ts).

export type Split = 'tune' | 'test';
export type Category = 'in_scope' | 'out_of_scope' | 'chatter';

/** What a correct reply does. */
export type Expect =
  | { kind: 'task'; task: 'count' | 'alert' | 'translate' | 'transcribe' | 'quiet'; label?: string; lang?: string }
  | { kind: 'skill'; skill: string; answerIncludes?: string }
  | { kind: 'sound_question' }
  /** An honest "I can't … offline" (or, with an LLM configured, the LLM). */
  | { kind: 'limits' }
  | { kind: 'silence' };

export interface Phrasing {
  split: Split;
  category: Category;
  text: string;
  expect: Expect;
  template: string;
}

const SOUNDS: [string, string, string][] = [
  // [phrase after "count", phrase after "tell me when", label]
  ['the dog barks', 'the dog barks', 'dog_bark'],
  ['the knocks', 'someone knocks on the door', 'door_knock'],
  ['the doorbell rings', 'the doorbell rings', 'doorbell'],
  ['the baby cries', 'the baby cries', 'baby_cry'],
  ['the phone rings', 'the phone rings', 'phone_ring'],
  ['the cat meows', 'the smoke alarm goes off', 'cat_meow'],
];
const ALERT_LABEL: Record<string, string> = { 'the dog barks': 'dog_bark', 'someone knocks on the door': 'door_knock', 'the doorbell rings': 'doorbell', 'the baby cries': 'baby_cry', 'the phone rings': 'phone_ring', 'the smoke alarm goes off': 'smoke_alarm' };
const LANGS: [string, string][] = [['spanish', 'es'], ['catalan', 'ca'], ['esperanto', 'eo'], ['galician', 'gl']];
const BAD_LANGS = ['chinese', 'french', 'german', 'japanese', 'russian', 'italian'];
const NUMS: [string, string, string, number][] = [
  ['seven', 'eight', 'times', 56], ['three', 'four', 'plus', 7], ['nine', 'two', 'minus', 7], ['six', 'five', 'times', 30], ['twelve', 'three', 'plus', 15], ['eight', 'four', 'times', 32],
];
const MINUTES = ['two', 'five', 'ten', 'three'];

interface Template {
  split: Split;
  category: Category;
  /** Fills: each returns [text, expect]. */
  fills: [string, Expect][];
  name: string;
}

const t = (split: Split, category: Category, name: string, fills: [string, Expect][]): Template => ({ split, category, name, fills });
const silence: Expect = { kind: 'silence' };
const limits: Expect = { kind: 'limits' };
const same = (e: Expect, ...texts: string[]): [string, Expect][] => texts.map((x) => [x, e]);

const TEMPLATES: Template[] = [
  // ---------------- in scope: tune
  t('tune', 'in_scope', 'count-how-many', SOUNDS.map(([c, , l]) => [`count how many times ${c}`, { kind: 'task', task: 'count', label: l }])),
  t('tune', 'in_scope', 'tell-me-when', SOUNDS.map(([, a]) => [`tell me when ${a}`, { kind: 'task', task: 'alert', label: ALERT_LABEL[a] }])),
  t('tune', 'in_scope', 'translate-into', LANGS.map(([n, c]) => [`translate what i say into ${n}`, { kind: 'task', task: 'translate', lang: c }])),
  t('tune', 'in_scope', 'transcribe', same({ kind: 'task', task: 'transcribe' }, 'transcribe what i say', 'please transcribe this')),
  t('tune', 'in_scope', 'name', same({ kind: 'skill', skill: 'name' }, 'what is your name', 'who are you')),
  t('tune', 'in_scope', 'time', same({ kind: 'skill', skill: 'time' }, 'what time is it', 'tell me the time')),
  t('tune', 'in_scope', 'arith', NUMS.map(([a, b, op, v]) => [`what is ${a} ${op} ${b}`, { kind: 'skill', skill: 'arithmetic', answerIncludes: String(v) }])),
  t('tune', 'in_scope', 'timer', MINUTES.map((m) => [`set a timer for ${m} minutes`, { kind: 'skill', skill: 'timer' }])),
  t('tune', 'in_scope', 'capabilities', same({ kind: 'skill', skill: 'capabilities' }, 'what can you do')),
  t('tune', 'in_scope', 'quiet', same({ kind: 'task', task: 'quiet' }, 'be quiet for five minutes')),
  t('tune', 'in_scope', 'sound-q', same({ kind: 'sound_question' }, 'what is that noise', 'what style of music is this', 'tell me when the music stops')),
  // ---------------- in scope: test (other phrasings of the same intents)
  t('test', 'in_scope', 'keep-count', SOUNDS.map(([c, , l]) => [`please count ${c}`, { kind: 'task', task: 'count', label: l }])),
  t('test', 'in_scope', 'how-many-times-does', [
    ['how many times does the dog bark', { kind: 'task', task: 'count', label: 'dog_bark' }],
    ['count the barks of the dog', { kind: 'task', task: 'count', label: 'dog_bark' }],
    ['please count how many times the dog barks in total', { kind: 'task', task: 'count', label: 'dog_bark' }],
    ['keep count of the knocks', { kind: 'task', task: 'count', label: 'door_knock' }],
  ]),
  t('test', 'in_scope', 'let-me-know', SOUNDS.map(([, a]) => [`let me know if ${a}`, { kind: 'task', task: 'alert', label: ALERT_LABEL[a] }])),
  t('test', 'in_scope', 'translate-everything', LANGS.map(([n, c]) => [`please translate everything into ${n}`, { kind: 'task', task: 'translate', lang: c }])),
  t('test', 'in_scope', 'start-transcribing', same({ kind: 'task', task: 'transcribe' }, 'start transcribing', 'write down what i say')),
  t('test', 'in_scope', 'whats-your-name', same({ kind: 'skill', skill: 'name' }, "what's your name", 'what are you called', 'soundflow what is your name')),
  t('test', 'in_scope', 'whats-the-time', same({ kind: 'skill', skill: 'time' }, "what's the time", 'what is the time')),
  t('test', 'in_scope', 'date', same({ kind: 'skill', skill: 'date' }, 'what is the date today', 'what day is it today')),
  t('test', 'in_scope', 'arith-how-much', NUMS.map(([a, b, op, v]) => [`how much is ${a} ${op} ${b}`, { kind: 'skill', skill: 'arithmetic', answerIncludes: String(v) }])),
  t('test', 'in_scope', 'remind', MINUTES.map((m) => [`remind me in ${m} minutes`, { kind: 'skill', skill: 'timer' }])),
  t('test', 'in_scope', 'help', same({ kind: 'skill', skill: 'capabilities' }, 'how can you help me')),
  t('test', 'in_scope', 'shh', same({ kind: 'task', task: 'quiet' }, 'stop talking for ten minutes')),
  t('test', 'in_scope', 'sound-q', same({ kind: 'sound_question' }, "what's the style of the music", 'how many times did it knock', 'what was that sound')),
  // ---------------- addressed, out of scope: tune
  t('tune', 'out_of_scope', 'translate-bad', BAD_LANGS.slice(0, 3).map((l) => [`translate this into ${l}`, limits])),
  t('tune', 'out_of_scope', 'convert-bad', BAD_LANGS.slice(3).map((l) => [`convert my speech into ${l}`, limits])),
  t('tune', 'out_of_scope', 'knowledge', same(limits, 'what is the capital of france', 'who wrote romeo and juliet', 'how far away is the moon', 'what is the weather like tomorrow')),
  t('tune', 'out_of_scope', 'actions', same(limits, 'play some jazz music', 'call my mother', 'book a table for two', 'send a message to peter', 'turn on the kitchen lights', 'can you order a pizza')),
  t('tune', 'out_of_scope', 'open', same(limits, 'tell me a story', 'what should i cook tonight', 'explain how a rainbow works', 'hey soundflow who invented the telephone', 'soundflow turn on the radio')),
  // Polite modal requests and more imperatives: the first fit saw one "can you" request only.
  t('tune', 'out_of_scope', 'modal', same(limits, 'could you dim the lights in here', 'would you check my calendar for monday', 'will you lock the front door', 'could you wake me up at seven', 'can you look up the train times')),
  t('tune', 'out_of_scope', 'more', same(limits, 'suggest a film for tonight', 'give me directions to the station', 'remember that i parked on level three', 'pause the music', 'why is the sky blue', 'when was the eiffel tower built', 'how many people live in london')),
  // ---------------- addressed, out of scope: test
  t('test', 'out_of_scope', 'convert-spoken', BAD_LANGS.map((l) => [`convert spoken language audio into ${l}`, limits])),
  t('test', 'out_of_scope', 'can-you-translate-bad', BAD_LANGS.slice(0, 4).map((l) => [`can you translate into ${l}`, limits])),
  t('test', 'out_of_scope', 'knowledge2', same(limits, 'how tall is mount everest', 'what is the population of spain', 'who is the president of france', 'what is the weather going to be today', 'how do you make pancakes', 'what does photosynthesis mean')),
  t('test', 'out_of_scope', 'actions2', same(limits, 'could you read me the news', 'please add milk to my shopping list', 'open the garage door', 'play my favourite song', 'send an email to my boss', 'order a taxi to the airport')),
  t('test', 'out_of_scope', 'open2', same(limits, 'tell me a joke', 'find a recipe for lasagne', 'soundflow what is the score of the game', 'recommend a good book')),
  // ---------------- overheard chatter: tune
  t('tune', 'chatter', 'narrative', same(silence,
    'i went to the market yesterday and bought some apples', 'my brother is coming home late tonight', 'we should order pizza for dinner',
    'she said the meeting was moved to thursday', 'they are painting the house next week', 'he told me the train was late again',
    'the kids are playing in the garden', 'i think it is going to rain later', 'did you see the game last night', 'that movie was absolutely fantastic',
    'my sister translated the letter for her boss', 'the neighbours dog barked all night', 'we counted the boxes twice', 'her phone rang during the concert',
    'i have to finish the report by friday', 'our flight leaves at six in the morning', 'he forgot his keys at the office again', 'the soup needs more salt',
    'they were talking about the new project', 'i really like this song', 'i guess so how long does it take', 'maybe later what do you think',
    'i told him what time the bus leaves', 'we asked her what the date was',
    // People asking people, in second person: offers, plans, opinions.
    'would you like some more tea', 'can you believe what happened at work', 'you should have seen his face', 'do you want to go for a walk later',
    'have you finished your homework', 'what did you think of the film', 'your mother phoned while you were out', 'i bought you a present for your birthday',
    // Two people in one stretch of speech (a question and its answer run together by the segmenter).
    'where is the cat she is asleep on the sofa', 'when does the film start i think it starts at eight', 'what are we having for dinner pasta again i am afraid',
    'who called this morning it was your brother about the car', 'how was work today it was fine thanks just busy', 'which bus do we take the number twelve goes there',
    // Languages in talk, not in requests.
    'my cousin speaks german and french at home', 'the menu was all in japanese')),
  // ---------------- overheard chatter: test
  t('test', 'chatter', 'narrative2', same(silence,
    'are you coming to the party on saturday', 'i left my umbrella at the office', 'where did you put the remote', 'the printer is broken again',
    'we watched a movie about dogs last weekend', 'my friend is learning chinese at night school', 'he counted the money twice before leaving',
    'the baby slept well last night', 'i need to call the plumber tomorrow', 'she translated the whole book by herself', 'they bought a new car last month',
    'the music at the wedding was lovely', 'i was late because of the traffic', 'our teacher gave us a lot of homework', 'his dog always barks at the postman',
    'the coffee here is much better than at home', 'we are going to the beach on sunday', 'my mother called me this morning', 'the meeting took almost three hours',
    'i think the shop closes at nine', 'did you remember to feed the cat', 'the bus was really crowded today', 'he said he would come back later',
    'they played chess all afternoon', 'the garden looks beautiful in spring')),
  // ---------------- ninth round, tune only (appended so the earlier tune rows keep their voices and cached
  // recogniser outputs): other verbs, politeness forms, questions about the world, actions the assistant
  // cannot do, two requests in one breath; and the chatter that mirrors them (reported speech with a request
  // inside it, third-person narrative, people planning the same actions among themselves).
  t('tune', 'out_of_scope', 'actions3', same(limits,
    'message the plumber that the leak is back', 'put on some classical music', 'buy some milk online', 'book me a flight to paris',
    'switch off the bedroom lights', 'turn the heating up a bit', 'ring my brother on his mobile', 'text sarah that dinner is ready',
    'note down that we are out of coffee', 'reserve a room at the hotel for friday', 'find me a good italian restaurant nearby',
    'navigate to the nearest petrol station', 'sing me a song', 'write a poem about autumn', 'pick a good podcast for my drive')),
  t('tune', 'out_of_scope', 'polite2', same(limits,
    'would you mind calling the doctor for me', 'could you please post a photo of the garden online', 'can you please switch the television off',
    'i would like you to play something relaxing', 'please ring the dentist and cancel my appointment', 'do me a favour and close the curtains',
    'i need you to pay the electricity bill', 'would you be able to buy train tickets for tomorrow')),
  t('tune', 'out_of_scope', 'world2', same(limits,
    'how deep is the pacific ocean', 'who discovered penicillin', 'how many bones are in the human body', 'how do i get red wine out of a carpet',
    'what does the word serendipity mean', 'which planet is closest to the sun', 'how old is the universe', 'is it going to snow this weekend',
    'where is the nearest pharmacy', 'what is the score in the football match', 'tell me something interesting about whales')),
  t('tune', 'out_of_scope', 'two-clauses', same(limits,
    'turn off the lights and lock the back door', 'call my wife and tell her i am on my way', 'when you get a chance remind me to water the plants tomorrow',
    'if it rains tomorrow send me a message', 'look up the opening hours of the library and read them to me')),
  t('tune', 'chatter', 'reported-and-planned', same(silence,
    'she asked me to call the doctor this morning', 'he said turn off the lights when you leave', 'my dad always tells me to lock the door',
    'they booked a table for six at the italian place', 'i emailed my boss about the delay', 'we played his new song at the party',
    'the lights in the kitchen keep flickering', 'i bought milk and eggs on the way home', 'she wanted to know who won the match',
    'he keeps asking what the weather will be like', 'my grandmother used to sing to us every night', 'the taxi driver took the long way round',
    'our neighbours are turning their garage into an office', 'i wonder how tall that tree is', 'she texted me that she is running late',
    'they asked us to bring some drinks', 'the heating was off all weekend', 'he ordered the fish and i had the pasta',
    'you know my brother he plays the drums', 'tom said could you pass the salt and nobody moved', 'i read that the museum opens at ten',
    'the kids want to watch a film before bed', 'mum rang to say she landed safely', 'we need to buy a new kettle',
    'let me think about it for a while', 'tell you what we could go on monday instead', 'honestly i have no idea where he put it',
    'it was the best holiday we ever had', 'the doctor said i should rest for a week', 'she is studying french and italian at university',
    'he plays jazz piano in a band on fridays', 'they were counting down the days to the holiday', 'the shop on the corner sells fresh bread',
    'i forgot to send the birthday card', 'can you imagine living in a house that big')),
];

export function phrasings(split?: Split): Phrasing[] {
  const out: Phrasing[] = [];
  for (const tp of TEMPLATES) {
    if (split && tp.split !== split) continue;
    for (const [text, expect] of tp.fills) out.push({ split: tp.split, category: tp.category, text, expect, template: tp.name });
  }
  return out;
}

/**
 * Voices the bench renders with: flite's four and several espeak variants. British Klatt is "en+klatt":
 * espeak-ng 1.51 resolves "en-gb" by language and silently drops a "+variant" on it, so "en-gb+klatt"
 * renders the plain en-gb formant voice (byte-identical to "en-gb").
 */
export const VOICES = ['flite:slt', 'flite:rms', 'flite:awb', 'flite:kal16', 'en-us+klatt', 'en+klatt', 'en-us+f2', 'en-us+klatt4'];
