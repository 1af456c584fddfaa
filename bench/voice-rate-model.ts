// Cost of the learned rate model (src/perception/voice/rate-model.ts) at an utterance's end, against the
// spectral velocity it would be blended with: the voice frames of tuning-voice utterances (log-mel, VAD
// and frame extraction are perception's anyway), then min/p50 of 30 readings each, and per 0.4 s chunk
// of the utterance. RATE_MODEL=path measures another model file (e.g. a fold from scripts/train-voice-rate.ts).
// Run: npm run bench -- voice-rate-model
import { mkdirSync, writeFileSync } from 'node:fs';
import { SileroVad } from '../src/perception/vad.ts';
import { voiceFramesOf } from '../src/perception/voice/analyze-signal.ts';
import { loadRateModel } from '../src/perception/voice/rate-model.ts';
import { spectralVelocity } from '../src/perception/voice/prosody.ts';
import { TUNING_PHRASES, TUNING_VOICES, concat, silence } from './voice-audio.ts';

const net = loadRateModel(process.env.RATE_MODEL);
const vad = await SileroVad.create();
const rows: { voice: string; audioS: number; modelMs: number; modelCpuMs: number; velocityMs: number }[] = [];
for (const v of TUNING_VOICES.slice(0, 3)) {
  // A long utterance: three phrasings said in one breath group.
  const x = v.say(TUNING_PHRASES.slice(0, 3).join(' and '));
  const fr = await voiceFramesOf(concat([silence(0.6), x, silence(1.2)]), vad);
  const t: number[] = [], u: number[] = [];
  // CPU time of 30 model readings (round 11: wall time on the shared, loaded machine overstates the cost).
  const c0 = process.cpuUsage();
  for (let i = 0; i < 30; i++) net.rate(fr);
  const c1 = process.cpuUsage(c0);
  const modelCpuMs = (c1.user + c1.system) / 1000 / 30;
  for (let i = 0; i < 30; i++) {
    const a = performance.now();
    net.rate(fr);
    const b = performance.now();
    spectralVelocity(fr);
    t.push(b - a);
    u.push(performance.now() - b);
  }
  t.sort((p, q) => p - q);
  u.sort((p, q) => p - q);
  rows.push({ voice: v.name, audioS: x.length / 16000, modelMs: t[15], modelCpuMs, velocityMs: u[15] });
}
console.log('| voice | utterance s | rate model ms (p50 of 30) | per 0.4 s chunk | CPU ms (mean of 30) | CPU per 0.4 s chunk | spectral velocity ms |\n|---|---|---|---|---|---|---|');
for (const r of rows) console.log(`| ${r.voice} | ${r.audioS.toFixed(2)} | ${r.modelMs.toFixed(2)} | ${(r.modelMs / (r.audioS / 0.4)).toFixed(3)} | ${r.modelCpuMs.toFixed(2)} | ${(r.modelCpuMs / (r.audioS / 0.4)).toFixed(3)} | ${r.velocityMs.toFixed(3)} |`);
mkdirSync('bench/results', { recursive: true });
writeFileSync('bench/results/voice-rate-model.json', JSON.stringify({ date: new Date().toISOString(), rows }, null, 2) + '\n');
