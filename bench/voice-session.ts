// Voice behaviour of whole sessions (embedded engine: VAD, ASR, skills, TTS): whispered requests get
// whispered replies; with an enrolled user, another voice's unaddressed questions are not answered;
// a +20 dB noise step mid-session gives no false replies, and a question 5 s after it is answered.
// Report voices and phrasings only. Run: npm run bench -- voice-session
import { mkdirSync, writeFileSync } from 'node:fs';
import { createEngine } from '../src/engine/registry.ts';
import type { Engine } from '../src/engine/types.ts';
import type { SessionOptions } from '../src/engine/options.ts';
import type { EventOf, SessionEvent } from '../src/events.ts';
import { base64ToPcm16, pcm16ToFloat } from '../src/audio/pcm.ts';
import { analyzeSignal } from '../src/perception/voice/analyze-signal.ts';
import { AMBIENCE } from '../src/soundflow/data/synth.ts';
import { createRng } from '../src/util/rng.ts';
import { REPORT_PHRASES, REPORT_VOICES, WHISPER_VOICES, concat, silence, SR, type Voice } from './voice-audio.ts';

/** Questions the offline skills answer whoever asks (no wake word needed). */
const QUESTIONS = ['what time is it', 'what is the date today', 'what is your name', 'what can you do', 'what day is it today', 'what is seven times eight'];
const of = <T extends SessionEvent['type']>(ev: SessionEvent[], type: T) => ev.filter((e): e is EventOf<T> => e.type === type);
const pct = (a: number, b: number) => (b ? Math.round((1000 * a) / b) / 10 : 0);

const engine: Engine = await createEngine('embedded');
async function run(audio: Float32Array, opts: Partial<SessionOptions> = {}): Promise<SessionEvent[]> {
  const s = await engine.createSession(opts);
  const events: SessionEvent[] = [];
  const reader = (async () => {
    for await (const e of s) events.push(e);
  })();
  for (let i = 0; i < audio.length; i += 3200) await s.push(audio.subarray(i, i + 3200));
  await s.end();
  await reader;
  return events;
}

/** Places utterances at given times (s) over a background; returns the signal. */
function place(bg: Float32Array, items: { t: number; pcm: Float32Array }[]): Float32Array {
  const out = bg.slice();
  for (const it of items) {
    const o = Math.round(it.t * SR);
    for (let i = 0; i < it.pcm.length && o + i < out.length; i++) out[o + i] += it.pcm[i];
  }
  return out;
}

/** Replies that start within [from, to) s. */
const repliesIn = (ev: SessionEvent[], from: number, to: number) => of(ev, 'response.start').filter((r) => r.t >= from && r.t < to);

// ---- 1. Whispered requests → whispered replies ---------------------------------------------------
const only = process.argv.find((a) => a.startsWith('--only='))?.slice(7);
const wh = { requests: 0, transcribed: 0, replies: 0, whisperedReplies: 0, replyAudioWhispered: 0, replyAudio: 0 };
for (const v of only && only !== 'whisper' ? [] : WHISPER_VOICES) {
  const parts: Float32Array[] = [silence(0.8)];
  for (const q of QUESTIONS.slice(0, 3)) parts.push(v.say(q), silence(3.5));
  const ev = await run(concat(parts), { speak: true });
  wh.requests += 3;
  wh.transcribed += of(ev, 'transcript').filter((t) => t.final && t.voice?.whisper).length;
  const starts = of(ev, 'response.start');
  wh.replies += starts.length;
  wh.whisperedReplies += starts.filter((s) => s.emotion === 'whisper').length;
  // The reply audio itself must read as whispered to our own detector.
  for (const s of starts) {
    const pcm = of(ev, 'response.audio').filter((a) => a.id === s.id).map((a) => pcm16ToFloat(base64ToPcm16(a.pcm)));
    if (!pcm.length) continue;
    const r = await analyzeSignal(concat([silence(0.5), ...pcm, silence(1)]));
    wh.replyAudio++;
    if (r.utterances.length && r.utterances.every((u) => u.whisper)) wh.replyAudioWhispered++;
  }
}
console.log(`whisper: ${wh.requests} whispered requests, ${wh.transcribed} final transcripts marked whisper, ${wh.replies} replies, ${wh.whisperedReplies} tagged whisper (${pct(wh.whisperedReplies, wh.replies)}%), reply audio whispered ${wh.replyAudioWhispered}/${wh.replyAudio}`);

// ---- 2. Enrolled user vs another voice --------------------------------------------------------------
const enrol = { spokenEnrolmentHeard: 0, sessions: 0, userLabelledUser: 0, otherLabelledUser: 0, userAsked: 0, userAnswered: 0, otherAsked: 0, otherAnswered: 0, otherNamedAsked: 0, otherNamedAnswered: 0 };
const pairs: [Voice, Voice][] = [[REPORT_VOICES[0], REPORT_VOICES[1]], [REPORT_VOICES[1], REPORT_VOICES[3]], [REPORT_VOICES[3], REPORT_VOICES[0]], [REPORT_VOICES[4], REPORT_VOICES[2]]];
for (const [user, other] of only && only !== 'enrol' ? [] : pairs) {
  // "this is my voice" first, then questions from both voices in turn, and one from the other voice naming us.
  const items: { who: 'user' | 'other' | 'named'; pcm: Float32Array }[] = [];
  QUESTIONS.forEach((q, i) => {
    items.push({ who: 'user', pcm: user.say(q) });
    items.push({ who: 'other', pcm: other.say(QUESTIONS[(i + 2) % QUESTIONS.length]) });
  });
  items.push({ who: 'named', pcm: other.say('sound flow, what time is it') });
  const timeline: { t: number; pcm: Float32Array; who: string }[] = [];
  let t = 0.8;
  const intro = user.say('this is my voice');
  timeline.push({ t, pcm: intro, who: 'intro' });
  t += intro.length / SR + 3.5;
  for (const it of items) {
    timeline.push({ t, pcm: it.pcm, who: it.who });
    t += it.pcm.length / SR + 3.5;
  }
  // The user enrols by voice ("this is my voice"); userVoice 'first' stands in when the recogniser
  // misses the phrase, so this measures the policy, and the phrase's recognition is counted apart.
  const ev = await run(place(new Float32Array(Math.round((t + 1) * SR)), timeline), { userVoice: 'first' });
  enrol.sessions++;
  if (of(ev, 'chunk').some((c) => c.reason === 'voice:enrolled')) enrol.spokenEnrolmentHeard++;
  if (process.env.VOICE_DEBUG) {
    console.log(`  ${user.name} (user) / ${other.name}:`);
    for (const f of of(ev, 'transcript').filter((x) => x.final)) console.log(`    ${f.t.toFixed(1)} ${f.speaker} user=${f.voice?.user} "${f.text}"`);
    for (const r of of(ev, 'response.end')) console.log(`    reply ${r.t.toFixed(1)} ${r.text}`);
  }
  for (let i = 1; i < timeline.length; i++) {
    const it = timeline[i];
    const end = it.t + it.pcm.length / SR;
    const answered = repliesIn(ev, end - 0.2, end + 3.0).length > 0;
    const heard = of(ev, 'transcript').find((x) => x.final && x.t >= end - 0.2 && x.t < end + 3.0);
    if (it.who === 'user' && heard?.voice?.user) enrol.userLabelledUser++;
    if (it.who !== 'user' && heard?.voice?.user) enrol.otherLabelledUser++;
    if (it.who === 'user') { enrol.userAsked++; if (answered) enrol.userAnswered++; }
    if (it.who === 'other') { enrol.otherAsked++; if (answered) enrol.otherAnswered++; }
    if (it.who === 'named') { enrol.otherNamedAsked++; if (answered) enrol.otherNamedAnswered++; }
  }
}
console.log(`enrolment: user's questions answered ${enrol.userAnswered}/${enrol.userAsked} (${pct(enrol.userAnswered, enrol.userAsked)}%), other voice's unaddressed questions not answered ${enrol.otherAsked - enrol.otherAnswered}/${enrol.otherAsked} (${pct(enrol.otherAsked - enrol.otherAnswered, enrol.otherAsked)}%), other voice naming SoundFlow answered ${enrol.otherNamedAnswered}/${enrol.otherNamedAsked}; speaker labels: user's questions labelled user ${enrol.userLabelledUser}/${enrol.userAsked}, other voice's labelled user ${enrol.otherLabelledUser}/${enrol.otherAsked + enrol.otherNamedAsked}; "this is my voice" recognised in ${enrol.spokenEnrolmentHeard}/${enrol.sessions} sessions`);

// ---- 3. Noise step ------------------------------------------------------------------------------
// Quiet office bed, then a street bed 20 dB louder from STEP s on. Each run: 10 s after the step with no
// speech (false replies), and a run with a question 5 s after the step (vs the same question in the quiet).
const rms = (x: Float32Array) => Math.sqrt(x.reduce((s, v) => s + v * v, 0) / x.length);
function bed(kind: 'office' | 'street', seconds: number, seed: number, targetRms: number): Float32Array {
  const parts: Float32Array[] = [];
  let n = 0;
  while (n < seconds * SR) {
    const b = AMBIENCE[kind](createRng(seed + parts.length));
    parts.push(b);
    n += b.length;
  }
  const x = concat(parts).subarray(0, Math.round(seconds * SR));
  const k = targetRms / rms(x);
  return x.map((v) => v * k);
}
const STEP = 8;
const step = { runs: 0, falseReplies: 0, falseDetail: [] as string[], questionAnswered: 0, quietAnswered: 0, questions: 0 };
for (let r = 0; r < (only && only !== 'step' ? 0 : 4); r++) {
  const quietRms = 0.003;
  const background = concat([bed('office', STEP, 100 + r, quietRms), bed('street', 12, 200 + r, quietRms * 10)]);
  const v = REPORT_VOICES[r % REPORT_VOICES.length];
  const q = v.say(QUESTIONS[r % QUESTIONS.length]);
  // a) no speech after the step; one question in the quiet first so a speech level exists.
  const evA = await run(place(background, [{ t: 1.5, pcm: q }]));
  const falses = repliesIn(evA, STEP, STEP + 10);
  step.runs++;
  step.falseReplies += falses.length;
  for (const f of falses) step.falseDetail.push(`${v.name}@${f.t.toFixed(1)}`);
  // b) the same question 5 s after the step (speech at the quiet level; street noise 20 dB louder).
  const evB = await run(place(background, [{ t: 1.5, pcm: q }, { t: STEP + 5, pcm: q }]));
  step.questions++;
  if (process.env.VOICE_DEBUG) {
    for (const f of of(evB, 'transcript').filter((x) => x.final)) console.log(`    run ${r} ${v.name}: ${f.t.toFixed(1)} "${f.text}" snr=${f.voice?.snrDb}`);
    console.log(`    run ${r} reasons: ${of(evB, 'chunk').filter((c) => !['quiet', 'speech', 'speech-tail'].includes(c.reason)).map((c) => `${c.t.toFixed(1)}:${c.reason}`).join(' ')}`);
  }
  if (repliesIn(evB, 1.5, STEP).length) step.quietAnswered++;
  if (repliesIn(evB, STEP + 5, STEP + 5 + q.length / SR + 3).length) step.questionAnswered++;
}
// c) quiet → café: the report voices talking at once (report voices, overlapping), 20 dB over the quiet bed.
const cafe = { runs: 0, falseReplies: 0, finals: 0 };
for (let r = 0; r < (only && only !== 'step' || process.env.VOICE_DEBUG ? 0 : 2); r++) {
  const L = 12 * SR;
  const babble = new Float32Array(L);
  REPORT_VOICES.forEach((v, k) => {
    let o = Math.round((k * 0.37 + r * 0.11) * SR);
    for (let j = 0; o < L; j++) {
      const x = v.say(REPORT_PHRASES[(k + j + r) % REPORT_PHRASES.length]);
      for (let i = 0; i < x.length && o + i < L; i++) babble[o + i] += x[i];
      o += x.length + Math.round(0.15 * SR);
    }
  });
  const quiet = bed('office', STEP, 300 + r, 0.003);
  const k = (0.03 / rms(babble));
  const ev = await run(concat([quiet, babble.map((x) => x * k)]));
  cafe.runs++;
  cafe.falseReplies += repliesIn(ev, STEP, STEP + 12).length;
  cafe.finals += of(ev, 'transcript').filter((x) => x.final && x.t >= STEP).length;
}
console.log(`café step +20 dB (${REPORT_VOICES.length} overlapping voices): false replies ${cafe.falseReplies} over ${cafe.runs} runs (${cafe.finals} final transcripts of the babble)`);
console.log(`noise step +20 dB: false replies in the 10 s after ${step.falseReplies} over ${step.runs} runs ${JSON.stringify(step.falseDetail)}; question 5 s after answered ${step.questionAnswered}/${step.questions} (same question in the quiet ${step.quietAnswered}/${step.questions})`);

await engine.close?.();
mkdirSync('bench/results', { recursive: true });
writeFileSync(`bench/results/voice-session${only ? `-${only}` : ''}.json`, JSON.stringify({ date: new Date().toISOString(), whisper: wh, enrolment: enrol, noiseStep: step, cafeStep: cafe }, null, 2) + '\n');
console.log('wrote bench/results/voice-session.json');
