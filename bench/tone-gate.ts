// How the tone gate (src/perception/tone-gate.ts) splits speech from steady tones: the VAD frames the
// segmenter would count as speech (p ≥ its end threshold, 0.35) over many voices (espeak, flite, whisper
// variants, a real human voice), sine tones 150–4000 Hz and the loop bench's sound-heavy stream, and per
// source and per setting of the gate (energy share within ±1 mel filter of the peak × frames in a row)
// how many of those frames it would take away.
// Run: npm run bench -- tone-gate   (writes bench/results/tone-gate.json)
import { mkdirSync, writeFileSync } from 'node:fs';
import { LogMel } from '../src/perception/features.ts';
import { SileroVad } from '../src/perception/vad.ts';
import { DEFAULT_SEGMENTER } from '../src/perception/segmenter.ts';
import { DEFAULT_TONE_GATE, ToneGate, type ToneGateOptions } from '../src/perception/tone-gate.ts';
import { CHUNK_SAMPLES } from '../src/audio/chunk.ts';
import { mix, noise, silence, tone, concat } from '../src/testing/audio.ts';
import { REPORT_PHRASES, REPORT_VOICES, TUNING_PHRASES, TUNING_VOICES, WHISPER_VOICES, asteriskPrompts } from './voice-audio.ts';
import { soundHeavy } from './streams.ts';

// Frames the segmenter counts as speech inside an utterance (its end threshold).
const SPEECHY = DEFAULT_SEGMENTER.endThreshold;
const GRID: Partial<ToneGateOptions>[] = [0.85, 0.9, 0.95].flatMap((minShare) => [4, 8, 12].map((minRunFrames) => ({ minShare, minRunFrames })));

interface Chunked { mel: Float32Array; probs: number[]; frameEnds: number[]; start: number }

/** The VAD and log-mel of every chunk of x (padded to whole chunks). */
async function analyse(x: Float32Array): Promise<Chunked[]> {
  const vad = await SileroVad.create();
  const mel = new LogMel();
  const out: Chunked[] = [];
  const padded = concat(x, silence(((CHUNK_SAMPLES - (x.length % CHUNK_SAMPLES)) % CHUNK_SAMPLES) / 16000));
  for (let s = 0; s + CHUNK_SAMPLES <= padded.length; s += CHUNK_SAMPLES) {
    const chunk = padded.subarray(s, s + CHUNK_SAMPLES);
    const m = mel.process(chunk).slice();
    const { probs, frameEnds } = await vad.process(chunk);
    out.push({ mel: m, probs, frameEnds, start: s });
  }
  return out;
}

/** VAD frames with p ≥ SPEECHY, and how many of them the gate with these options takes away; the times of the kept ones. */
function replay(c: Chunked[], o: Partial<ToneGateOptions>): { speechy: number; gated: number; kept: number[] } {
  const g = new ToneGate(o);
  let speechy = 0;
  let gated = 0;
  const kept: number[] = [];
  for (const k of c) {
    const out = g.gate(k.mel, k.probs, k.frameEnds, k.start);
    k.probs.forEach((p, i) => {
      if (p < SPEECHY) return;
      speechy++;
      if (out[i] < SPEECHY) gated++;
      else kept.push(k.frameEnds[i] / 16000);
    });
  }
  return { speechy, gated, kept };
}

async function main(): Promise<void> {
  const room = (n: number, seed: number) => noise(n, { color: 'brown', amplitude: 0.02, seed });
  console.log(`VAD frames with p ≥ ${SPEECHY} that each tone-gate setting takes away (share ≥ s for ≥ r mel frames in a row, one peak filter); default ${JSON.stringify(DEFAULT_TONE_GATE)}`);
  console.log(`| source | frames | ${GRID.map((o) => `s ${o.minShare} r ${o.minRunFrames}`).join(' | ')} |`);
  console.log(`|---|---|${GRID.map(() => '---').join('|')}|`);
  const results: Record<string, { frames: number; gated: Record<string, number> }> = {};
  const row = (name: string, c: Chunked[]) => {
    const r = GRID.map((o) => replay(c, o));
    console.log(`| ${name} | ${r[0].speechy} | ${r.map((x) => x.gated).join(' | ')} |`);
    results[name] = { frames: r[0].speechy, gated: Object.fromEntries(GRID.map((o, i) => [`share ${o.minShare} run ${o.minRunFrames}`, r[i].gated])) };
  };
  const phrases = [...TUNING_PHRASES, ...REPORT_PHRASES];
  for (const v of [...TUNING_VOICES, ...REPORT_VOICES, ...WHISPER_VOICES]) {
    const clips = phrases.map((t) => v.say(t));
    const x = concat(...clips.flatMap((c) => [c, silence(0.5)]));
    row(v.name, await analyse(mix(x, room(x.length / 16000 + 1, 7), 30)));
  }
  const human = asteriskPrompts(200);
  if (human.length) row(`human (asterisk prompts, ${human.length})`, await analyse(concat(...human.flatMap((h) => [h.pcm, silence(0.5)]))));
  for (const [j, hz] of [150, 220, 330, 440, 520, 600, 680, 800, 1000, 1500, 2000, 3100, 4000].entries()) {
    row(`sine ${hz} Hz, 1.2 s`, await analyse(mix(concat(silence(0.5), tone(hz, 1.2, 0.2), silence(0.5)), room(2.3, 20 + j), 30)));
  }
  const sh = await analyse(soundHeavy(60));
  row('loop bench sound-heavy stream (60 s)', sh);
  const kept = replay(sh, DEFAULT_TONE_GATE).kept;
  console.log(`sound-heavy frames the default leaves as speech (s): ${kept.map((t) => t.toFixed(2)).join(' ') || 'none'}`);
  mkdirSync('bench/results', { recursive: true });
  writeFileSync('bench/results/tone-gate.json', JSON.stringify({ speechyAt: SPEECHY, default: DEFAULT_TONE_GATE, sources: results, soundHeavyKeptAt: kept }, null, 2));
}

main().then(() => process.exit(0), (e) => {
  console.error(e);
  process.exit(1);
});
