// Voice bench: whisper detection, arousal against the speaker's baseline, speaker diarization (DER) and
// the per-chunk cost of the voice analysis. Report voices and phrasings only (tuning ones are kept apart:
// `--tuning` runs the same on the tuning set). Session-level behaviour (whispered replies, enrolment,
// noise steps) is in bench/voice-session.ts.
// Arousal has two conditions: each raised clip beside its calm twin (the repeat protocol) and raised clips
// of phrasings the speaker has not said before (`--only=first` runs that one alone; `--only=arousal` both).
// Run: npm run bench -- voice
import { mkdirSync, writeFileSync } from 'node:fs';
import { analyzeSignal } from '../src/perception/voice/analyze-signal.ts';
import { VoiceAnalyzer, setArousalDebug } from '../src/perception/voice/analyzer.ts';
import type { VoiceInfo } from '../src/perception/voice/types.ts';
import { LogMel } from '../src/perception/features.ts';
import { SileroVad } from '../src/perception/vad.ts';
import { BabbleGate } from '../src/perception/babble-gate.ts';
import { makeRng } from '../src/util/rng.ts';
import {
  REPORT_PHRASES, REPORT_VOICES, TUNING_PHRASES, TUNING_VOICES, WHISPER_VOICES, asteriskPrompts, concat, silence, soxEffect, transcribe, voiceFoldOf, SR,
  type Voice,
} from './voice-audio.ts';

const tuning = process.argv.includes('--tuning');
const VOICES = tuning ? TUNING_VOICES : REPORT_VOICES;
const PHRASES = tuning ? TUNING_PHRASES : REPORT_PHRASES;
const human = tuning ? [] : asteriskPrompts(24);
const HUMAN = 'asterisk (human)';
const rng = makeRng(tuning ? 7 : 15);
const only = process.argv.find((a) => a.startsWith('--only='))?.slice(7);
const skip = (part: string) => only !== undefined && only !== part;
const pct = (a: number, b: number) => (b ? Math.round((1000 * a) / b) / 10 : 0);

/** Utterances separated by pauses long enough to close each one (1.0–1.6 s). */
function stream(parts: Float32Array[], gaps = rng): { pcm: Float32Array; spans: [number, number][] } {
  const out: Float32Array[] = [silence(0.6)];
  const spans: [number, number][] = [];
  let t = 0.6;
  for (const p of parts) {
    spans.push([t, t + p.length / SR]);
    out.push(p);
    const gap = 1.0 + 0.6 * gaps();
    out.push(silence(gap));
    t += p.length / SR + gap;
  }
  return { pcm: concat(out), spans };
}

/** The analysed utterance overlapping a reference span most, if any. */
function match(us: VoiceInfo[], span: [number, number]): VoiceInfo | undefined {
  let best: VoiceInfo | undefined;
  let bo = 0;
  for (const u of us) {
    const o = Math.min(u.endS, span[1]) - Math.max(u.startS, span[0]);
    if (o > bo) {
      bo = o;
      best = u;
    }
  }
  return best;
}

// ---- 1. Whisper -----------------------------------------------------------------------------------
const whisper = { whispered: 0, whisperedHit: 0, normal: 0, normalFalse: 0, perVoice: {} as Record<string, string> };
for (const v of skip('whisper') ? [] : WHISPER_VOICES) {
  const s = stream(PHRASES.map((p) => v.say(p)));
  const r = await analyzeSignal(s.pcm);
  let hit = 0;
  for (const span of s.spans) if (match(r.utterances, span)?.whisper) hit++;
  whisper.whispered += s.spans.length;
  whisper.whisperedHit += hit;
  whisper.perVoice[v.name] = `${hit}/${s.spans.length}`;
}
const normalSets: { name: string; parts: Float32Array[] }[] = VOICES.map((v) => ({ name: v.name, parts: PHRASES.map((p) => v.say(p)) }));
if (human.length) normalSets.push({ name: 'asterisk (human)', parts: human.map((h) => h.pcm) });
for (const set of skip('whisper') ? [] : normalSets) {
  const s = stream(set.parts);
  const r = await analyzeSignal(s.pcm);
  let fa = 0;
  for (const span of s.spans) if (match(r.utterances, span)?.whisper) fa++;
  whisper.normal += s.spans.length;
  whisper.normalFalse += fa;
  whisper.perVoice[set.name] = `${fa}/${s.spans.length} false`;
}
console.log(`whisper: detected ${whisper.whisperedHit}/${whisper.whispered} (${pct(whisper.whisperedHit, whisper.whispered)}%), false on normal ${whisper.normalFalse}/${whisper.normal} (${pct(whisper.normalFalse, whisper.normal)}%)`);
console.log('  ', JSON.stringify(whisper.perVoice));

// ---- 2. Arousal -----------------------------------------------------------------------------------
const MANIPULATIONS: Record<string, string[]> = {
  louder6dB: ['gain', '6'],
  faster20: ['tempo', '-s', '1.2'],
  higher3st: ['pitch', '300'],
  all: ['gain', '6', 'tempo', '-s', '1.2', 'pitch', '300'],
};
const arousal: Record<string, { n: number; raised: number; labels: Record<string, number>; repeats: number }> = {};
const tally = (k: string, v: VoiceInfo | undefined) => {
  const a = (arousal[k] ??= { n: 0, raised: 0, labels: {}, repeats: 0 });
  a.n++;
  if (v?.repeatTempo !== undefined) a.repeats++; // judged against an earlier saying of the same words
  const label = v?.arousal ?? 'missed';
  a.labels[label] = (a.labels[label] ?? 0) + 1;
  if (label === 'excited' || label === 'stressed') a.raised++;
};
const arousalDump: unknown[] = [];
/** analyzeSignal, keeping each utterance's arousal ingredients (distances, borrowed baseline, z-scores) for the dumps. */
async function analyzeKeepingArousal(pcm: Float32Array, analyzer: VoiceAnalyzer, textFor: (a: number, b: number) => string | undefined) {
  const rawOf = new Map<VoiceInfo, unknown>();
  let pending: unknown = null;
  setArousalDebug((raw, borrowed, z) => (pending = { raw, borrowed, z }));
  try {
    const r = await analyzeSignal(pcm, analyzer, { textFor, onUtterance: (v) => { rawOf.set(v, pending); pending = null; } });
    return { r, rawOf };
  } finally {
    setArousalDebug(null);
  }
}
// VOICE_FIRST_DUMP=file: the same for the first-time condition, with each cue's z-score, the speaker label and the words.
const firstDump: unknown[] = [];
const arousalSpeakers: { name: string; clips: Float32Array[] }[] = VOICES.map((v) => ({ name: v.name, clips: PHRASES.map((p) => v.say(p)) }));
if (human.length >= 12) arousalSpeakers.push({ name: HUMAN, clips: human.slice(0, 12).map((h) => h.pcm) });
for (const sp of skip('arousal') ? [] : arousalSpeakers) {
  // Natural level variation of ±1.5 dB on every clip; 4 calm utterances first (the baseline), then a mix.
  const jitter = (x: Float32Array) => soxEffect(x, ['gain', (3 * rng() - 1.5).toFixed(2)]);
  const base = sp.clips.slice(0, 4).map(jitter);
  const rest = sp.clips.slice(4);
  const items: { kind: string; pcm: Float32Array }[] = [];
  rest.forEach((clip, i) => {
    items.push({ kind: 'calm', pcm: jitter(clip) });
    const kinds = Object.keys(MANIPULATIONS);
    const k = kinds[i % kinds.length];
    items.push({ kind: k, pcm: soxEffect(jitter(clip), MANIPULATIONS[k]) });
  });
  // A manipulated clip follows its calm twin in half the cases and precedes it in the other half.
  for (let i = 0; i + 1 < items.length; i += 4) [items[i], items[i + 1]] = [items[i + 1], items[i]];
  const clips = [...base, ...items.map((x) => x.pcm)];
  const s = stream(clips);
  // Each utterance gets the recogniser's transcript of its clip, as in a session.
  const texts = await transcribe(clips);
  const textFor = (a: number, b: number) => {
    let best = -1, bo = 0;
    s.spans.forEach((sp, i) => {
      const o = Math.min(b, sp[1]) - Math.max(a, sp[0]);
      if (o > bo) [best, bo] = [i, o];
    });
    return best >= 0 ? texts[best] : undefined;
  };
  // VOICE_AROUSAL='{"threshold":3}' overrides the rule's options; VOICE_AROUSAL_DUMP=file writes each
  // item's raw cue distances, baseline spreads and z-scores (to refit the rule offline on the tuning set).
  const analyzer = new VoiceAnalyzer({ arousal: JSON.parse(process.env.VOICE_AROUSAL ?? '{}') });
  const { r, rawOf } = await analyzeKeepingArousal(s.pcm, analyzer, textFor);
  items.forEach((it, i) => {
    const v = match(r.utterances, s.spans[base.length + i]);
    arousalDump.push({ speaker: sp.name, kind: it.kind, label: v?.arousal ?? 'missed', ...(v ? (rawOf.get(v) ?? {}) : {}) });
    if (process.env.VOICE_DEBUG) console.log(`   ${sp.name} ${it.kind} → ${v?.speaker} ${v?.arousal} ${v?.arousalScore} L=${v?.levelDb} f0=${v?.f0Hz} rate=${v?.rateSyllPerSec} repeat=${v?.repeatTempo} syl/s=${v?.syllablesPerSec} "${texts[base.length + i]}"`);
    tally(it.kind, v);
  });
}

if (process.env.VOICE_AROUSAL_DUMP) writeFileSync(process.env.VOICE_AROUSAL_DUMP, JSON.stringify(arousalDump));
const raisedKinds = Object.keys(MANIPULATIONS);
const raised = raisedKinds.reduce((k, x) => k + (arousal[x]?.raised ?? 0), 0);
const raisedN = raisedKinds.reduce((k, x) => k + (arousal[x]?.n ?? 0), 0);
console.log(`arousal, each raised clip beside its calm twin (repeat protocol): raised marked excited/stressed ${raised}/${raisedN} (${pct(raised, raisedN)}%), calm marked ${arousal.calm?.raised ?? 0}/${arousal.calm?.n ?? 0} (${pct(arousal.calm?.raised ?? 0, arousal.calm?.n ?? 0)}%)`);
for (const [k, a] of Object.entries(arousal)) console.log(`   ${k.padEnd(10)} ${pct(a.raised, a.n)}% raised  ${JSON.stringify(a.labels)}  (${a.repeats} judged as a repeat of an earlier saying)`);

// ---- 2b. Arousal on phrasings not heard before ---------------------------------------------------
// What a user meets: the raised utterance is words this speaker has not said before (no calm twin
// anywhere in the session, so no repeat alignment can read its tempo). Per speaker and manipulation, two
// sessions: 4 calm utterances (the baseline), then the other 8 phrasings each said once, every other
// one manipulated (the two sessions swap which), so every phrasing is raised once per manipulation.
const firstTime: typeof arousal = {};
const rngFirst = makeRng(tuning ? 8 : 16); // its own draws: the sections after it hear the same audio as before
const tallyFirst = (k: string, v: VoiceInfo | undefined) => {
  const a = (firstTime[k] ??= { n: 0, raised: 0, labels: {}, repeats: 0 });
  a.n++;
  if (v?.repeatTempo !== undefined) a.repeats++;
  const label = v?.arousal ?? 'missed';
  a.labels[label] = (a.labels[label] ?? 0) + 1;
  if (label === 'excited' || label === 'stressed') a.raised++;
};
for (const sp of skip('arousal') && skip('first') ? [] : arousalSpeakers) {
  // Each clip is jittered once and transcribed once; sessions reuse them.
  const jitter = (x: Float32Array) => soxEffect(x, ['gain', (3 * rngFirst() - 1.5).toFixed(2)]);
  const calm = sp.clips.map(jitter);
  const raisedClips: Record<string, Float32Array[]> = {};
  for (const k of Object.keys(MANIPULATIONS)) raisedClips[k] = calm.map((c, i) => (i < 4 ? c : soxEffect(c, MANIPULATIONS[k])));
  const all = [...calm, ...Object.values(raisedClips).flatMap((cs) => cs.slice(4))];
  const allTexts = await transcribe(all);
  const textOf = new Map(all.map((c, i) => [c, allTexts[i]]));
  for (const k of Object.keys(MANIPULATIONS)) {
    for (const rot of [0, 1]) {
      const items = calm.slice(4).map((c, i) => (i % 2 === rot ? { kind: k, pcm: raisedClips[k][i + 4] } : { kind: 'calm', pcm: c }));
      const clips = [...calm.slice(0, 4), ...items.map((x) => x.pcm)];
      const s = stream(clips, rngFirst);
      // The clip whose span overlaps [a, b] most (-1: none).
      const clipAt = (a: number, b: number) => {
        let best = -1, bo = 0;
        s.spans.forEach((span, i) => {
          const o = Math.min(b, span[1]) - Math.max(a, span[0]);
          if (o > bo) [best, bo] = [i, o];
        });
        return best;
      };
      // VOICE_REFERENCE_WORDS=1: the synthetic voices' utterances get the words they were made from instead of
      // the recogniser's (what a recogniser that never errs would give; the human prompts keep theirs).
      const reference = process.env.VOICE_REFERENCE_WORDS === '1' && sp.name !== HUMAN;
      const textFor = (a: number, b: number) => {
        const best = clipAt(a, b);
        return best < 0 ? undefined : reference ? PHRASES[best].toLowerCase() : textOf.get(clips[best]);
      };
      const analyzer = new VoiceAnalyzer({ arousal: JSON.parse(process.env.VOICE_AROUSAL ?? '{}') });
      // VOICE_RATE_FOLDS=<tag> (tuning set, round 17): each utterance's rate model reading comes from the
      // voice-fold model (scripts/train-voice-rate.ts --voice-folds, .cache/voice-rate/<tag>/fold-<f>.json)
      // that heard neither this voice nor this phrasing, so the bench is not in-sample for the model. A
      // bench-only reach into the analyzer's options: the fold is set just before the utterance is described
      // (textFor is asked for its transcript right then). Clip j of a session is phrasing j.
      const folds = tuning ? process.env.VOICE_RATE_FOLDS : undefined;
      const textForFold = folds ? (a: number, b: number) => {
        const best = clipAt(a, b);
        const fold = voiceFoldOf(sp.name, best);
        if (fold >= 0) (analyzer as unknown as { arousalOpts: { rateModelPath?: string } }).arousalOpts.rateModelPath = `.cache/voice-rate/${folds}/fold-${fold}.json`;
        return textFor(a, b);
      } : textFor;
      const { r, rawOf: rawFirst } = await analyzeKeepingArousal(s.pcm, analyzer, textForFold);
      items.forEach((it, i) => {
        const v = match(r.utterances, s.spans[4 + i]);
        firstDump.push({ speaker: sp.name, kind: it.kind, label: v?.arousal ?? 'missed', who: v?.speaker, text: textOf.get(it.pcm), ...(v ? (rawFirst.get(v) ?? {}) : {}) });
        if (process.env.VOICE_DEBUG) console.log(`   first ${sp.name} ${it.kind} → ${v?.speaker} ${v?.arousal} ${v?.arousalScore} rate=${v?.rateSyllPerSec} content=${v?.contentRate} "${textOf.get(it.pcm)}"`);
        tallyFirst(it.kind, v);
      });
    }
  }
}
if (process.env.VOICE_FIRST_DUMP) writeFileSync(process.env.VOICE_FIRST_DUMP, JSON.stringify(firstDump));
if (Object.keys(firstTime).length) {
  const fr = raisedKinds.reduce((k, x) => k + (firstTime[x]?.raised ?? 0), 0);
  const fn = raisedKinds.reduce((k, x) => k + (firstTime[x]?.n ?? 0), 0);
  console.log(`arousal, phrasings not heard before: raised marked excited/stressed ${fr}/${fn} (${pct(fr, fn)}%), calm marked ${firstTime.calm?.raised ?? 0}/${firstTime.calm?.n ?? 0} (${pct(firstTime.calm?.raised ?? 0, firstTime.calm?.n ?? 0)}%)`);
  for (const [k, a] of Object.entries(firstTime)) console.log(`   ${k.padEnd(10)} ${pct(a.raised, a.n)}% raised  ${JSON.stringify(a.labels)}  (${a.repeats} judged as a repeat)`);
}

// ---- 3. Speakers ----------------------------------------------------------------------------------
interface Conv { pcm: Float32Array; turns: { spk: number; span: [number, number] }[] }
function conversation(speakers: { say: (i: number) => Float32Array }[], turns: number): Conv {
  const parts: Float32Array[] = [];
  const who: number[] = [];
  let prev = -1;
  for (let i = 0; i < turns; i++) {
    let s = Math.floor(rng() * speakers.length);
    if (s === prev) s = (s + 1) % speakers.length;
    if (i < speakers.length) s = i; // everyone speaks early
    prev = s;
    who.push(s);
    parts.push(speakers[s].say(i));
  }
  const st = stream(parts);
  return { pcm: st.pcm, turns: who.map((spk, i) => ({ spk, span: st.spans[i] })) };
}

/** Frame-level DER (10 ms) with a 0.25 s no-score collar around reference boundaries; best label mapping. */
function der(ref: Conv['turns'], hyp: VoiceInfo[], total: number): number {
  const n = Math.ceil(total * 100);
  const r = new Int8Array(n).fill(-1), h = new Int8Array(n).fill(-1), skip = new Uint8Array(n);
  for (const t of ref) {
    for (let i = Math.floor(t.span[0] * 100); i < Math.ceil(t.span[1] * 100) && i < n; i++) r[i] = t.spk;
    for (const b of t.span) for (let i = Math.max(0, Math.floor((b - 0.25) * 100)); i < Math.min(n, Math.ceil((b + 0.25) * 100)); i++) skip[i] = 1;
  }
  const labels = [...new Set(hyp.map((u) => u.speaker))];
  for (const u of hyp) for (let i = Math.floor(u.startS * 100); i < Math.ceil(u.endS * 100) && i < n; i++) h[i] = labels.indexOf(u.speaker);
  const nRef = Math.max(...ref.map((t) => t.spk)) + 1;
  // Best one-to-one mapping hyp label → ref speaker (brute force over permutations; ≤ 8 labels).
  let best = Infinity, scored = 0;
  for (let i = 0; i < n; i++) if (!skip[i] && r[i] >= 0) scored++;
  const assign = (k: number, map: number[], used: Set<number>) => {
    if (k === labels.length) {
      let err = 0;
      for (let i = 0; i < n; i++) {
        if (skip[i]) continue;
        if (r[i] < 0 && h[i] < 0) continue;
        if (r[i] < 0 || h[i] < 0 || map[h[i]] !== r[i]) err++;
      }
      best = Math.min(best, err);
      return;
    }
    for (let s = -1; s < nRef; s++) {
      if (s >= 0 && used.has(s)) continue;
      map[k] = s;
      if (s >= 0) used.add(s);
      assign(k + 1, map, used);
      if (s >= 0) used.delete(s);
    }
  };
  assign(0, [], new Set());
  return scored ? best / scored : 0;
}

const speakerResults: Record<string, { convs: number; der: number[]; found: number[] }> = {};
const pool: { name: string; say: (i: number) => Float32Array }[] = VOICES.map((v: Voice) => ({ name: v.name, say: (i: number) => v.say(PHRASES[i % PHRASES.length]) }));
if (human.length) pool.push({ name: 'asterisk (human)', say: (i: number) => human[i % human.length].pcm });
for (const k of skip('speakers') ? [] : [2, 3]) {
  const res = (speakerResults[`${k} speakers`] = { convs: 0, der: [] as number[], found: [] as number[] });
  for (let c = 0; c < 8; c++) {
    const picked = [...pool].sort(() => rng() - 0.5).slice(0, k);
    const conv = conversation(picked, 10);
    const r = await analyzeSignal(conv.pcm);
    res.convs++;
    res.der.push(der(conv.turns, r.utterances, conv.pcm.length / SR));
    res.found.push(new Set(r.utterances.map((u) => u.speaker)).size);
  }
}
for (const [k, r] of Object.entries(speakerResults)) {
  const mean = r.der.reduce((a, b) => a + b, 0) / r.der.length;
  console.log(`speakers ${k}: DER mean ${pct(mean, 1)}% (per conversation ${r.der.map((d) => pct(d, 1)).join(', ')}), speakers found ${r.found.join(',')}`);
}

// ---- 3b. A second voice taking over inside one utterance ---------------------------------------------
// Each ordered pair of speakers: both heard alone first, then A and B joined by a 0.25 s pause (too short
// to close the utterance) and A continuing after the same pause. The joined utterance must come out as
// two turns labelled A then B; A's continuation must stay one turn.
const change = { mixed: 0, mixedSplit: 0, mixedRight: 0, locErrS: [] as number[], single: 0, singleSplit: 0 };
for (let i = 0; i < (skip('change') ? 0 : pool.length); i++) {
  for (let j = 0; j < pool.length; j++) {
    if (i === j) continue;
    const k = i * pool.length + j;
    const a = pool[i].say(k), b = pool[j].say(k + 1), a2 = pool[i].say(k + 2), a3 = pool[i].say(k + 3);
    const gap = silence(0.25);
    const s = stream([pool[i].say(k + 4), pool[j].say(k + 5), concat([a, gap, b]), concat([a2, gap, a3])]);
    const r = await analyzeSignal(s.pcm);
    const [ua, ub] = [match(r.utterances, s.spans[0]), match(r.utterances, s.spans[1])];
    const mixed = match(r.utterances, s.spans[2]);
    const single = match(r.utterances, s.spans[3]);
    change.mixed++;
    change.single++;
    if (mixed?.turns) {
      change.mixedSplit++;
      if (ua && ub && ua.speaker !== ub.speaker && mixed.turns[0].speaker === ua.speaker && mixed.turns[1].speaker === ub.speaker) change.mixedRight++;
      change.locErrS.push(Math.abs(mixed.turns[1].startS - (s.spans[2][0] + (a.length + gap.length) / SR)));
    }
    if (single?.turns) change.singleSplit++;
  }
}
if (change.mixed) {
  const e = [...change.locErrS].sort((x, y) => x - y);
  console.log(`speaker change inside an utterance: two-voice utterances split ${change.mixedSplit}/${change.mixed} (${pct(change.mixedSplit, change.mixed)}%), into the right labels ${change.mixedRight}/${change.mixed}; change located within ${e.length ? e[Math.floor(e.length / 2)].toFixed(2) : '-'} s (median), ${e.length ? e[Math.floor(0.9 * e.length)].toFixed(2) : '-'} s (p90); one-voice utterances split ${change.singleSplit}/${change.single} (${pct(change.singleSplit, change.single)}%)`);
}

// ---- 4. Cost per chunk ----------------------------------------------------------------------------
// The voice analysis alone (pitch on speech frames, frame features, the utterance summary at its end) vs
// log-mel on the same chunks, in the same passes. The machine is shared: each chunk's time is the minimum
// over PASSES passes (preemption only ever adds time), and the ratio to log-mel is the portable figure.
const PASSES = 5;
const costSignal = concat(REPORT_VOICES.slice(0, 3).flatMap((v) => [v.say(PHRASES[0]), silence(0.8), v.say(PHRASES[1]), silence(0.8)]));
const chunks: Float32Array[] = [];
for (let i = 0; i + 6400 <= costSignal.length; i += 6400) chunks.push(costSignal.slice(i, i + 6400));
const vad = await SileroVad.create();
const probs: number[][] = [];
const ends: number[][] = [];
for (const c of chunks) {
  const r = await vad.process(c);
  probs.push(r.probs);
  ends.push(r.frameEnds);
}
const voiceMin = new Array(chunks.length).fill(Infinity);
const melMin = new Array(chunks.length).fill(Infinity);
// The babble gate (segmentation in a room of voices) runs on every chunk beside the voice analysis.
const gateMin = new Array(chunks.length).fill(Infinity);
let speechChunks = 0;
for (let pass = 0; pass < PASSES; pass++) {
  const mel = new LogMel();
  const analyzer = new VoiceAnalyzer();
  const gate = new BabbleGate();
  let inUtt = false;
  chunks.forEach((c, i) => {
    const t0 = performance.now();
    const m = mel.process(c);
    const t1 = performance.now();
    gate.gate(m, probs[i], ends[i], i * 6400, inUtt ? 1000 : 0, !inUtt);
    gateMin[i] = Math.min(gateMin[i], performance.now() - t1);
    const t1b = performance.now();
    analyzer.push(m, probs[i], c, i * 6400);
    const speechy = probs[i].some((p) => p >= 0.5);
    if (speechy && !inUtt) {
      inUtt = true;
      analyzer.begin();
    } else if (!speechy && inUtt) {
      inUtt = false;
      analyzer.end();
    }
    const t2 = performance.now();
    melMin[i] = Math.min(melMin[i], t1 - t0);
    voiceMin[i] = Math.min(voiceMin[i], t2 - t1b);
    if (pass === 0 && speechy) speechChunks++;
  });
}
const q = (a: number[], p: number) => [...a].sort((x, y) => x - y)[Math.min(a.length - 1, Math.floor(p * a.length))];
const meanOf = (a: number[]) => a.reduce((x, y) => x + y, 0) / a.length;
const cost = {
  chunks: chunks.length,
  speechChunks,
  voiceMean: meanOf(voiceMin),
  voiceP50: q(voiceMin, 0.5),
  voiceMax: Math.max(...voiceMin),
  melMean: meanOf(melMin),
  babbleGateMean: meanOf(gateMin),
  ratioToLogMel: meanOf(voiceMin) / meanOf(melMin),
  loadAverage: (await import('node:os')).loadavg()[0],
};
console.log(`cost (min of ${PASSES} passes per chunk, ${cost.chunks} chunks, ${cost.speechChunks} with speech): voice analysis mean ${cost.voiceMean.toFixed(3)} ms, p50 ${cost.voiceP50.toFixed(3)}, max ${cost.voiceMax.toFixed(3)}; babble gate mean ${cost.babbleGateMean.toFixed(3)} ms; log-mel mean ${cost.melMean.toFixed(3)} ms; ratio ${cost.ratioToLogMel.toFixed(2)}× log-mel (load average ${cost.loadAverage.toFixed(1)})`);

mkdirSync('bench/results', { recursive: true });
const name = (tuning ? 'voice-tuning' : 'voice') + (only ? `-${only}` : '');
writeFileSync(`bench/results/${name}.json`, JSON.stringify({ date: new Date().toISOString(), tuning, whisper, arousal, arousalFirstTime: firstTime, speakers: speakerResults, change, cost }, null, 2) + '\n');
console.log(`wrote bench/results/${name}.json`);
