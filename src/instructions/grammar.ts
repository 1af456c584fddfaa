// The JSGF grammar of everything the constrained recogniser may hear: instructions (translate,
// transcribe, count, alert, ignore, quiet, stop) and the questions the offline skills answer (name,
// capabilities, time, date, arithmetic, timers, greetings, thanks). It is generated from the same
// tables the parser and skills use (languages, sound classes, numbers), so a phrase the grammar
// accepts is one the parser understands.
import { readFileSync } from 'node:fs';
import { KNOWN_UNSUPPORTED_LANGUAGES, TARGET_LANGUAGES } from './languages.ts';
import { TEENS, TENS, UNITS } from './numbers.ts';
import { NAMEABLE_SOUNDS } from './sounds.ts';
import { SOUND_QUESTION_RULES } from './sound-questions.ts';

/** Words the stock CMU dictionary lacks, with ARPAbet pronunciations. */
export const EXTRA_PRONUNCIATIONS: Readonly<Record<string, string>> = Object.freeze({
  galician: 'G AH L IH SH AH N',
  meows: 'M IY AW Z',
  meow: 'M IY AW',
  soundflow: 'S AW N D F L OW',
});

export const DEFAULT_DICT = '/usr/share/pocketsphinx/model/en-us/cmudict-en-us.dict';

const alt = (xs: readonly string[]) => `(${[...new Set(xs)].join(' | ')})`;

function numberRules(): string[] {
  const units = UNITS.slice(1);
  return [
    `<units> = ${alt(units)};`,
    `<teens> = ${alt(TEENS)};`,
    `<tens> = ${alt(TENS.filter(Boolean))};`,
    '<below100> = <units> | <teens> | <tens> [<units>];',
    '<number> = zero | <below100> | (<units> | a) hundred [[and] <below100>];',
  ];
}

export interface Grammar {
  /** JSGF source. */
  jsgf: string;
  /** Every word the grammar uses (lower case). */
  words: string[];
  /** Pronunciations for grammar words the stock dictionary lacks. */
  extraPronunciations: Record<string, string>;
}

/**
 * A free loop over the grammar's own words plus GARBAGE_WORDS: the recogniser decodes an utterance
 * with it too, and a command whose path scores far below the free loop's was not really said.
 */
export function buildWordLoop(grammar: Grammar, opts: { dictionary?: Set<string> } = {}): string {
  const words = [...new Set([...grammar.words, ...GARBAGE_WORDS])].filter((w) => !opts.dictionary || opts.dictionary.has(w) || w in grammar.extraPronunciations);
  return ['#JSGF V1.0;', 'grammar loop;', '', 'public <loop> = <w>+;', `<w> = ${alt(words)};`, ''].join('\n');
}

/** Reads the words of a pocketsphinx dictionary ("word PH ON ES", variants as "word(2)"). */
export function dictionaryWords(path = DEFAULT_DICT): Set<string> {
  const words = new Set<string>();
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    const w = line.slice(0, line.indexOf(' ')).replace(/\(\d+\)$/, '');
    if (w) words.add(w);
  }
  return words;
}

/**
 * Builds the grammar. With a dictionary, sound forms containing words it lacks (and that have no
 * extra pronunciation) are left out rather than breaking the decoder at load time.
 */
// Frequent English words that are not in the command language. A loop of them is the grammar's
// "anything else" branch: out-of-grammar speech is matched by it (and rejected) instead of being
// forced into the nearest command. Words of the command language are removed from it at build time.
export const GARBAGE_WORDS = `about after again all also am an any are as at away back bad be been before
big boy but by came can come could day did do does down each even find first from get girl give go going
good got had has have he her here him his how just know last like little long look made make man many
may me more most much must my never new no not now of off old on one only or other our out over own
people put really right said same saw say see she should so some still such take than that their them
then there these they thing think this those through too two under up us very was way we well went were
what where which while who why will with work would year yes yet you your mother father brother sister
school house water money market car yesterday tomorrow morning night dinner lunch coffee phone book
table window friend office city street weather outside inside always maybe because okay yeah um uh oh`
  .split(/\s+/)
  .filter(Boolean);

export function buildGrammar(opts: { dictionary?: Set<string>; garbage?: boolean; garbageWeight?: number } = {}): Grammar {
  const known = (phrase: string) => !opts.dictionary || phrase.split(' ').every((w) => opts.dictionary!.has(w) || w in EXTRA_PRONUNCIATIONS);
  const soundForms = NAMEABLE_SOUNDS.flatMap((c) => c.forms).filter(known);
  // Nouns alone for "ignore the dog", "don't comment on the cat".
  const soundNouns = NAMEABLE_SOUNDS.flatMap((c) => c.forms.filter((f) => /^(the|a) \w+$/.test(f))).filter(known);
  const languages = [...TARGET_LANGUAGES.flatMap((l) => [l.name.toLowerCase()]), ...KNOWN_UNSUPPORTED_LANGUAGES].filter(known);

  const body = [
    '<inner> = [<wake>] [please] (<command> | <question>) [please];',
    '<wake> = [hey | okay] sound flow;',
    '<command> = <translate> | <transcribe> | <count> | <alert> | <ignore> | <quiet> | <stop> | <resume>;',
    '<question> = <name> | <capabilities> | <time> | <date> | <arithmetic> | <timer> | <greeting> | <thanks> | <soundquestion>;',
    '',
    // ---- instructions
    `<language> = ${alt(languages)};`,
    '<translate> = [please | can you | could you] ((translate | start translating) [what i say | everything [i say] | this | me] (into | to) <language>) | (<language> translation);',
    '<transcribe> = [please | can you] (transcribe [this | what i say | everything] | start transcribing | write down what i say);',
    `<sound> = ${alt(soundForms)};`,
    `<soundnoun> = ${alt(soundNouns)};`,
    '<count> = (count [how many times] | start counting | keep count of) (<sound> | <thissound>);',
    '<thissound> = (this | that) (sound | noise) | [the] (claps | clapping | snaps | taps);',
    '<alert> = ((tell me | let me know | alert me | warn me) (if | when | whenever) <sound>) | ((listen | watch) for <sound>);',
    "<ignore> = (don't comment on | ignore | don't tell me about) <soundnoun>;",
    '<duration> = <number> (seconds | minutes | hours) | a (second | minute) | an hour | half an hour;',
    "<quiet> = (be quiet | quiet | shut up | stop talking | be silent | don't talk) [for <duration>];",
    '<stop> = stop [translating | transcribing | counting | everything | watching | listening | that];',
    '<resume> = you can talk again | you can speak again;',
    '',
    // ---- skills
    "<name> = what is your name | what's your name | who are you | what are you called;",
    '<capabilities> = what can you do | how can you help [me] | help;',
    "<time> = what time is it | what's the time | what is the time | tell me the time;",
    "<date> = what is the date [today] | what's the date [today] | what day is it [today] | what is today's date;",
    '<operator> = plus | minus | times | multiplied by | divided by;',
    "<arithmetic> = [what is | what's | how much is] <number> <operator> <number>;",
    '<timer> = (set a timer for <duration>) | (remind me in <duration>) | (cancel the timer);',
    '<greeting> = hello | hi | hey | good morning | good afternoon | good evening | how are you;',
    '<thanks> = thank you [very much] | thanks [a lot];',
    ...SOUND_QUESTION_RULES,
    '',
    ...numberRules(),
  ];
  const head = ['#JSGF V1.0;', 'grammar soundflow;', ''];
  if (opts.garbage) {
    const used = new Set(body.join(' ').replace(/<[a-z0-9]+>/g, ' ').replace(/[=;|()[\]*+/]/g, ' ').split(/\s+/));
    const garbage = GARBAGE_WORDS.filter((w) => !used.has(w) && known(w));
    const w = opts.garbageWeight ?? 1;
    head.push(`public <utterance> = /1/ <inner> | /${w}/ <garbage>;`, `<garbage> = <gw>+;`, `<gw> = ${alt(garbage)};`);
  } else head.push('public <utterance> = <inner>;');
  const jsgf = [...head, '', ...body, ''].join('\n');
  const words = [...new Set(jsgf.replace(/#JSGF V1\.0;|grammar soundflow;|public|<[a-z0-9]+>|\/[\d.]+\//g, ' ').replace(/[=;|()[\]*+]/g, ' ').split(/\s+/).filter(Boolean))].sort();
  const extraPronunciations: Record<string, string> = {};
  for (const w of words) if (w in EXTRA_PRONUNCIATIONS && !opts.dictionary?.has(w)) extraPronunciations[w] = EXTRA_PRONUNCIATIONS[w];
  return { jsgf, words, extraPronunciations };
}
