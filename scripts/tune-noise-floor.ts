// Tunes the grammar's floored second reading (grammar-recognizer.ts FloorRetry) on the TRAIN split's
// streams only (.cache/decision/train-v2: train voices en-us, en+m3, en-gb, flite kal, awb; train
// phrasings). Every speech turn is cut from its stream (room bed included), read plainly and over the
// floor with every margin, and judged by intent: a command read as its own intent is right, as another
// wrong, and chatter or dictation accepted is a false accept. Prints, for the turns the plain word fit
// rejects (the only ones the retry sees), a grid over the floored reading's two thresholds.
//   node --import tsx scripts/tune-noise-floor.ts [--data .cache/decision/train-v2] [--limit N] [--below 25] [--out file.json]
//   node --import tsx scripts/tune-noise-floor.ts --from file.json     (the grid again from saved readings)
//   --open: also the open decode (n-best 5) and its word fit, and the OPEN_FIT_HEARD grid; --whole-talk: only
//   talk turns, each as one utterance of both speakers
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { ConstrainedRecognizer, DEFAULT_FLOOR_RETRY, DEFAULT_WORD_SCORE_THRESHOLD, type RecognitionDetail } from '../src/perception/asr/grammar-recognizer.ts';
import { commandContradicted, DEFAULT_UNDERSTAND } from '../src/response/understanding/understand.ts';
import { normalizeTranscript } from '../src/perception/asr/wer.ts';
import { intentOf as skillIntent } from '../src/response/intent.ts';
import { PocketSphinxDecoder } from '../src/perception/asr/pocketsphinx.ts';
import { FINAL_BEAMS } from '../src/perception/asr/config.ts';
import { detectSoundQuestion } from '../src/response/understanding/sound-questions.ts';

/** A task, refusal, skill question or question about sounds; null for talk and dictation. */
function intentOf(text: string): string | null {
  const q = detectSoundQuestion(text);
  return skillIntent(text) ?? (q ? `sound:${q.kind}:${q.label ?? ''}` : null);
}

const arg = (name: string, dflt: string): string => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : dflt;
};
const data = arg('data', '.cache/decision/train-v2');
const limit = Number(arg('limit', '1000'));
const below = Number(arg('below', '25'));
const outFile = arg('out', '');
const withOpen = process.argv.includes('--open');
const wholeTalk = process.argv.includes('--whole-talk');
const voices = sceneVoices(arg('scenes', `${data}-scenes`));
const fromFile = arg('from', '');

interface Turn { start: number; end: number; user?: string }
interface Row { id: string; audio: string; turns: Turn[] }

function readWav(path: string): Int16Array {
  const b = readFileSync(path);
  return new Int16Array(b.buffer.slice(b.byteOffset + 44, b.byteOffset + b.length - ((b.length - 44) % 2)));
}

/** The two speakers of a chatter turn, split at its longest quiet run (20 ms frames 30 dB under the loudest). */
function splitTalk(pcm: Int16Array): Int16Array[] {
  const F = 320;
  const n = Math.floor(pcm.length / F);
  const db: number[] = [];
  for (let f = 0; f < n; f++) {
    let s = 0;
    for (let i = f * F; i < (f + 1) * F; i++) s += pcm[i] * pcm[i];
    db.push(10 * Math.log10(s / F + 1));
  }
  const max = Math.max(...db);
  let best = [0, 0];
  for (let f = 0; f < n; ) {
    if (db[f] < max - 30) {
      let g = f;
      while (g < n && db[g] < max - 30) g++;
      if (f > 10 && g < n - 10 && g - f > best[1] - best[0]) best = [f, g];
      f = g;
    } else f++;
  }
  if (best[1] - best[0] < 10) return [pcm];
  const cut = Math.round((best[0] + best[1]) / 2) * F;
  return [pcm.subarray(0, cut), pcm.subarray(cut)];
}

interface Item {
  id: string; user: string; truth: string | null; plain: RecognitionDetail | null; floored: RecognitionDetail | null;
  /** With --open: the voice, the seconds cut, and the open decode (n-best 5) of the plain audio, as the session's final transcript. */
  voice?: string; seconds?: number; open?: string; nbest?: string[]; openWordScore?: number;
}

/** The voices of each turn of a train scene (scenes.jsonl beside the streams' input), by stream id. */
function sceneVoices(dir: string): Map<string, string[][]> {
  const out = new Map<string, string[][]>();
  let text = '';
  try { text = readFileSync(join(dir, 'scenes.jsonl'), 'utf8'); } catch { return out; }
  for (const line of text.trim().split('\n')) {
    const s = JSON.parse(line) as { id: string; turns: { voice?: { name: string }; lines?: { voice: { name: string } }[] }[] };
    out.set(s.id, s.turns.map((t) => (t.lines ? t.lines.map((l) => l.voice.name) : t.voice ? [t.voice.name] : [])));
  }
  return out;
}

const rows: Row[] = fromFile ? [] : readFileSync(join(data, 'streams.jsonl'), 'utf8').trim().split('\n').slice(0, limit).map((l) => JSON.parse(l));
const rec = fromFile ? null : await ConstrainedRecognizer.open({ fullEvidence: true });
const openDec = fromFile || !withOpen ? null : await PocketSphinxDecoder.open({ beams: FINAL_BEAMS });
const items: Item[] = fromFile ? JSON.parse(readFileSync(fromFile, 'utf8')) : [];
const t0 = Date.now();
for (const row of rows) {
  const pcm = readWav(join(dirname(join(data, 'streams.jsonl')), row.audio));
  for (const [ti, t] of row.turns.entries()) {
    if (!t.user || t.user.startsWith('<sound')) continue;
    const a = Math.max(0, Math.round((t.start - 0.3) * 16000));
    const b = Math.min(pcm.length, Math.round((t.end + 0.3) * 16000));
    const lines = t.user.split(' / ');
    // --whole-talk: a talk turn as one utterance (the session's VAD often joins the two speakers).
    if (wholeTalk && lines.length !== 2) continue;
    const parts = lines.length === 2 && !wholeTalk ? splitTalk(pcm.subarray(a, b)) : [pcm.subarray(a, b)];
    for (let k = 0; k < parts.length; k++) {
      const user = parts.length === lines.length ? lines[k] : t.user;
      const seg = parts[k].slice();
      if (seg.length < 0.25 * 16000 || seg.length > 12 * 16000) continue;
      const r = await rec!.readingsForTuning(seg, { belowSpeechDb: below, marginThreshold: 0.1, wordScoreThreshold: DEFAULT_WORD_SCORE_THRESHOLD });
      const extra: Partial<Item> = {};
      if (openDec) {
        const o = await openDec.decode(seg, { nbest: 5 });
        const v = voices.get(row.id)?.[ti];
        Object.assign(extra, { voice: v ? (v.length === parts.length ? v[k] : v.join('+')) : undefined, seconds: seg.length / 16000, open: o.text, nbest: o.nbest, openWordScore: o.wordScore });
      }
      items.push({ id: row.id, user, truth: intentOf(user), ...r, ...extra });
    }
  }
  if (outFile) writeFileSync(outFile, JSON.stringify(items));
  process.stderr.write(`\r${items.length} utterances, ${((Date.now() - t0) / 1000).toFixed(0)} s`);
}
process.stderr.write('\n');
rec?.close();
openDec?.close();
if (outFile) writeFileSync(outFile, JSON.stringify(items));

const plainOk = (r: RecognitionDetail | null) => !!r && r.accepted;
// What the retry sees: readings rejected by the word fit, and grammar searches with no path at all.
const fitRej = items.filter((i) => !i.plain || (!i.plain.accepted && i.plain.wordScore < DEFAULT_WORD_SCORE_THRESHOLD));
const commands = items.filter((i) => i.truth);
console.log(`utterances ${items.length} (commands ${commands.length}); plain accepted right ${commands.filter((i) => plainOk(i.plain) && intentOf(i.plain!.text) === i.truth).length}, wrong ${items.filter((i) => i.truth && plainOk(i.plain) && intentOf(i.plain!.text) !== i.truth).length}, chatter accepted ${items.filter((i) => !i.truth && plainOk(i.plain)).length}/${items.length - commands.length}`);
console.log(`plain word fit rejects (or no path) ${fitRej.length} (commands ${fitRej.filter((i) => i.truth).length}); room too loud for a floor: ${fitRej.filter((i) => !i.floored).length}`);
console.log('floored thresholds: margin ≥ m and word fit ≥ w → right / wrong / chatter accepted (of the fit-rejected)');
for (const w of [-3.9, -4.2, -4.4, -4.6, -4.8, -5.0]) {
  const cells: string[] = [];
  for (const m of [0, 0.1, 0.2, 0.3, 0.5]) {
    let right = 0, wrong = 0, chat = 0;
    for (const i of fitRej) {
      const f = i.floored;
      if (!f || !(f.margin >= m) || !(f.wordScore >= w)) continue;
      if (!i.truth) chat++;
      else if (intentOf(f.text) === i.truth) right++;
      else wrong++;
    }
    cells.push(`m${m}: ${right}/${wrong}/${chat}`);
  }
  console.log(`w ${w}: ${cells.join('  ')}`);
}
for (const i of fitRej) {
  const f = i.floored;
  if (f && f.margin >= 0 && f.wordScore >= -5) console.log(`  ${i.truth ? (intentOf(f.text) === i.truth ? 'RIGHT' : 'WRONG') : 'CHAT '} m ${f.margin.toFixed(2)} w ${f.wordScore.toFixed(2)} "${i.user}" → "${f.text}" (${i.id})`);
}

// With --open: the open transcript's word fit as evidence against a floored reading (understand.ts
// commandContradicted, OPEN_FIT_HEARD). A floored reading accepted by the default thresholds is set aside
// when the open decode fits at least `x` and contradicts it as talk; the grid shows what each x keeps.
const withOpenItems = items.filter((i) => i.open !== undefined);
if (withOpenItems.length) {
  const th = DEFAULT_FLOOR_RETRY;
  const acceptedFloored = fitRej.filter((i) => i.open !== undefined && i.floored && i.floored.margin >= th.marginThreshold && i.floored.wordScore >= th.wordScoreThreshold);
  const verdict = (i: Item) => (!i.truth ? 'talk' : intentOf(i.floored!.text) === i.truth ? 'right' : 'wrong');
  console.log(`\nfloored readings accepted at the default thresholds: ${acceptedFloored.length} (with the open decode's fit); set aside by the open transcript when its fit ≥ x:`);
  for (const x of [-Infinity, -4.5, -4, -3.75, -3.5, -3.25, -3, -2.5, Infinity]) {
    const n = { right: [0, 0], wrong: [0, 0], talk: [0, 0] };
    for (const i of acceptedFloored) {
      const contradicted = commandContradicted({ text: normalizeTranscript(i.open!), command: i.floored!.text, alternatives: (i.nbest ?? []).map(normalizeTranscript), commandFloored: true, openFit: i.openWordScore ?? undefined }, { minAgreement: DEFAULT_UNDERSTAND.grammarAgreement, addressed: DEFAULT_UNDERSTAND.addressed, openFitHeard: x });
      n[verdict(i)][contradicted ? 1 : 0]++;
    }
    console.log(`  x ${String(x).padStart(9)}: right kept ${n.right[0]} (set aside ${n.right[1]}), wrong kept ${n.wrong[0]} (${n.wrong[1]}), talk kept ${n.talk[0]} (set aside ${n.talk[1]})`);
  }
  for (const i of acceptedFloored) {
    const heardAs = commandContradicted({ text: normalizeTranscript(i.open!), command: i.floored!.text, alternatives: (i.nbest ?? []).map(normalizeTranscript), commandFloored: true, openFit: i.openWordScore ?? undefined });
    console.log(`  ${verdict(i).padEnd(5)} ${(i.voice ?? '?').padEnd(7)} open fit ${i.openWordScore?.toFixed(2)} ${heardAs ? 'SET ASIDE' : 'kept     '} "${i.user}" → "${i.floored!.text}" | open "${i.open}"`);
  }
}
