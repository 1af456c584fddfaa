// Speaking-rate measures compared offline, one clip at a time: for each voice × phrasing, the calm clip
// and its `tempo -s 1.2`, `pitch 300` and `gain 6` versions. For each measure: the log sd between one
// speaker's calm phrasings (pooled over speakers), the mean log shift for +20% tempo (and for +3 st and
// +6 dB, which should be ~0), and d′ = shift / sd, pooled and for the worst speaker. Tuning voices
// unless --report (run the report set only after choices are fixed). --allphone adds the phone rate of
// a pocketsphinx phone-loop decode (slow: ~0.5 s CPU per second of speech; measured and printed).
// --content adds the content-normalised rates (round 8): the expected calm speaking time of the
// recogniser's transcript (per-phone-class durations, syllables.ts) over the measured speaking time,
// gated by syllable agreement with the energy peaks as arousal does, alone and blended with the
// velocity; and the same from the reference text (an ideal recogniser).
// Run: npm run bench -- voice-rate [--report] [--allphone] [--content]
import { mkdirSync, writeFileSync } from 'node:fs';
import { SileroVad } from '../src/perception/vad.ts';
import type { VoiceFrame } from '../src/perception/voice/frames.ts';
import { voiceFramesOf } from '../src/perception/voice/analyze-signal.ts';
import { prosodyOf, spectralVelocity, modulationCentroid } from '../src/perception/voice/prosody.ts';
import { PocketSphinxDecoder } from '../src/perception/asr/pocketsphinx.ts';
import { textSound } from '../src/perception/voice/syllables.ts';
import { DEFAULT_AROUSAL } from '../src/perception/voice/arousal.ts';
import { REPORT_PHRASES, REPORT_VOICES, TUNING_PHRASES, TUNING_VOICES, asteriskPrompts, concat, silence, soxEffect, transcribe } from './voice-audio.ts';

const report = process.argv.includes('--report');
const allphone = process.argv.includes('--allphone');
const content = process.argv.includes('--content');
const VOICES = report ? REPORT_VOICES : TUNING_VOICES;
const PHRASES = (report ? REPORT_PHRASES : TUNING_PHRASES).slice(0, Number(process.env.VOICE_RATE_PHRASES ?? 99));
const KINDS: Record<string, string[]> = { calm: [], faster20: ['tempo', '-s', '1.2'], higher3st: ['pitch', '300'], louder6dB: ['gain', '6'] };
const kinds = Object.keys(KINDS).filter((k) => !process.env.VOICE_RATE_KINDS || k === 'calm' || process.env.VOICE_RATE_KINDS.split(',').includes(k));

const vad = await SileroVad.create();
const framesOf = (pcm: Float32Array) => voiceFramesOf(pcm, vad);

/** The spectral velocity before round 6: MFCC change between the 20 ms before and after each frame, all frames. */
function velocityBefore(frames: readonly VoiceFrame[]): number {
  let sum = 0, n = 0;
  for (let i = 2; i + 2 < frames.length; i++) {
    if (frames[i + 2].t - frames[i - 2].t > 0.045) continue;
    let d2 = 0;
    for (let k = 0; k < frames[i].mfcc.length; k++) {
      const x = frames[i + 1].mfcc[k] + frames[i + 2].mfcc[k] - frames[i - 1].mfcc[k] - frames[i - 2].mfcc[k];
      d2 += x * x;
    }
    sum += Math.sqrt(d2);
    n++;
  }
  return n ? sum / n : 0;
}

// Phone-loop decodes need narrow beams (pocketsphinx's usual phoneme-recognition settings).
const dec = allphone ? await PocketSphinxDecoder.open({ searches: { phoneLoop: 'phones' }, beams: { beam: 1e-20, pbeam: 1e-20, lw: 2, maxhmmpf: 3000 } }) : null;
let phoneCpuMs = 0, phoneAudioS = 0;

interface Row { speaker: string; text: string; kind: string; m: Record<string, number> }
const rows: Row[] = [];
const speakers = VOICES.map((v) => ({ name: v.name, clips: PHRASES.map((p) => ({ text: p, pcm: v.say(p) })) }));
if (report) speakers.push({ name: 'asterisk (human)', clips: asteriskPrompts(12).map((h) => ({ text: h.name, pcm: h.pcm })) });
for (const sp of speakers) {
  for (const clip of sp.clips) {
    for (const kind of kinds) {
      const x = KINDS[kind].length ? soxEffect(clip.pcm, KINDS[kind]) : clip.pcm;
      const frames = await framesOf(concat([silence(0.6), x, silence(1.2)]));
      const p = prosodyOf(frames);
      const m: Record<string, number> = {
        'tempo index (used)': p.tempo,
        'energy peaks': p.rateSyllPerSec,
        'spectral velocity (used: ±10 ms, 30 dB range)': spectralVelocity(frames),
        'spectral velocity (before: ±20 ms, all frames)': velocityBefore(frames),
        'modulation centroid': modulationCentroid(frames),
        '1 / speaking time': 1 / p.speechS,
      };
      if (content) {
        const [hyp] = await transcribe([x]);
        const heard = textSound(hyp);
        const peaks = p.rateSyllPerSec * p.speechS;
        // As the analyzer: only a transcript whose syllables agree with the energy peaks within ×1.25.
        const agrees = heard.syllables > 0 && peaks > 0 && Math.abs(Math.log(heard.syllables / peaks)) <= Math.log(1.25);
        const w = DEFAULT_AROUSAL.contentWeight;
        if (agrees) {
          m['content rate, transcript (gated)'] = heard.seconds / p.speechS;
          m['velocity blended with it (used)'] = Math.exp((1 - w) * Math.log(m['spectral velocity (used: ±10 ms, 30 dB range)']) + w * Math.log(heard.seconds / p.speechS));
        }
        if (!clip.text.endsWith('.wav')) {
          const ref = textSound(clip.text).seconds / p.speechS;
          m['content rate, reference text'] = ref;
          m['velocity blended with the reference'] = Math.exp((1 - w) * Math.log(m['spectral velocity (used: ±10 ms, 30 dB range)']) + w * Math.log(ref));
        }
      }
      if (dec) {
        const c0 = process.cpuUsage();
        const d = await dec.decode(concat([silence(0.3), x, silence(0.3)]), { search: 'phones' });
        const c1 = process.cpuUsage(c0);
        phoneCpuMs += (c1.user + c1.system) / 1000;
        phoneAudioS += x.length / 16000 + 0.6;
        const phones = d.words.filter((w) => w.word !== 'SIL' && !w.word.startsWith('+') && !w.word.startsWith('<') && !w.word.startsWith('['));
        const phoneTime = phones.reduce((s, w) => s + (w.end - w.start), 0);
        m['phone loop: phones / s of phones'] = phoneTime > 0 ? phones.length / phoneTime : 0;
        m['phone loop: phones / s of speech'] = phones.length / p.speechS;
      }
      rows.push({ speaker: sp.name, text: clip.text, kind, m });
    }
  }
  console.log(`  ${sp.name}: ${sp.clips.length} phrasings`);
}
dec?.close();

// d′ per measure: log shift over the pooled within-speaker log sd of calm phrasings.
const get = (sp: string, text: string, kind: string) => rows.find((r) => r.speaker === sp && r.text === text && r.kind === kind);
const mean = (v: number[]) => v.reduce((a, b) => a + b, 0) / Math.max(1, v.length);
const table: Record<string, { sd: number; faster: number; higher?: number; louder?: number; dPrime: number; worstSpeakerDPrime: number }> = {};
const names = [...new Set(rows.flatMap((r) => Object.keys(r.m)))];
for (const name of names) {
  let ss = 0, dof = 0;
  const shift: Record<string, number[]> = { faster20: [], higher3st: [], louder6dB: [] };
  let worst = Infinity;
  // A measure may be missing on some clips (a gated transcript): phrasings without it are left out.
  const val = (sp: string, text: string, kind: string) => get(sp, text, kind)?.m[name];
  for (const sp of speakers) {
    const calm = sp.clips.map((c) => val(sp.name, c.text, 'calm')).filter((v): v is number => v !== undefined && v > 0).map(Math.log);
    if (calm.length < 3) continue;
    const mu = mean(calm);
    const own = calm.reduce((s, x) => s + (x - mu) ** 2, 0);
    ss += own;
    dof += calm.length - 1;
    const ownShift: number[] = [];
    for (const k of Object.keys(shift)) for (const c of sp.clips) {
      const a = val(sp.name, c.text, k), b = val(sp.name, c.text, 'calm');
      if (a === undefined || b === undefined || !(a > 0 && b > 0)) continue;
      shift[k].push(Math.log(a / b));
      if (k === 'faster20') ownShift.push(Math.log(a / b));
    }
    if (ownShift.length) worst = Math.min(worst, mean(ownShift) / Math.sqrt(own / (calm.length - 1)));
  }
  const sd = Math.sqrt(ss / dof);
  const r3 = (x: number) => Math.round(x * 1000) / 1000;
  table[name] = {
    sd: r3(sd),
    faster: r3(mean(shift.faster20)),
    ...(shift.higher3st.length ? { higher: r3(mean(shift.higher3st)) } : {}),
    ...(shift.louder6dB.length ? { louder: r3(mean(shift.louder6dB)) } : {}),
    dPrime: Math.round((100 * mean(shift.faster20)) / sd) / 100,
    worstSpeakerDPrime: Math.round(100 * worst) / 100,
  };
}
console.log(`rate measures, ${report ? 'report' : 'tuning'} set (${speakers.length} speakers × ${PHRASES.length} phrasings; d′ = +20% tempo shift / log sd between phrasings):`);
console.log('| measure | log sd | shift +20% tempo | +3 st | +6 dB | d′ | worst speaker d′ |\n|---|---|---|---|---|---|---|');
for (const [k, t] of Object.entries(table)) console.log(`| ${k} | ${t.sd} | ${t.faster} | ${t.higher ?? '–'} | ${t.louder ?? '–'} | ${t.dPrime} | ${t.worstSpeakerDPrime} |`);
if (dec) console.log(`phone loop CPU: ${(phoneCpuMs / phoneAudioS).toFixed(0)} ms per second of audio (${(phoneCpuMs / phoneAudioS * 0.4).toFixed(0)} ms per 0.4 s chunk; machine loaded)`);
mkdirSync('bench/results', { recursive: true });
writeFileSync(`bench/results/voice-rate${report ? '' : '-tuning'}${allphone ? '-allphone' : ''}.json`, JSON.stringify({ date: new Date().toISOString(), table, ...(dec ? { phoneLoopCpuMsPerAudioS: phoneCpuMs / phoneAudioS } : {}) }, null, 2) + '\n');
