// Builds one stream through the four steps, each step skipped when its output already exists complete.
// Outputs per stream (all inspectable): plan/<id>.json, audio/<id>.wav, features/<id>.f32, labels/<id>.json.
import { CHUNK_SAMPLES } from '../../audio/chunk.ts';
import { existsSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { FRAMES_PER_CHUNK, MEL_BINS, logMelOfSignal } from '../../perception/features.ts';
import { SoundFlowError, errorMessage } from '../../util/errors.ts';
import { decodeFile } from '../../audio/decode.ts';
import { readWavFile, wavFileFrames, writeWavFile } from '../../audio/wav.ts';
import { writeFileAtomic } from '../../util/fs.ts';
import type { InputSequence } from './input.ts';
import { layoutLabels, makePlan, splice, type StreamPlan, type StreamRow } from './layout.ts';
import { loadNoise, type NoiseLibrary } from './noise.ts';
import { streamRng } from '../../util/rng.ts';

export const STEP_DIRS = ['plan', 'audio', 'features', 'labels'] as const;
export type Step = (typeof STEP_DIRS)[number];

export interface BuildContext {
  outDir: string;
  seed: number;
  noise: NoiseLibrary;
  features: boolean;
}

export interface StreamResult {
  id: string;
  line: number;
  status: 'built' | 'cached' | 'failed';
  /** Steps that ran (the rest were already complete). */
  steps: Step[];
  reason?: string;
}

export function ensureDirs(outDir: string): void {
  for (const d of STEP_DIRS) mkdirSync(join(outDir, d), { recursive: true });
}

const paths = (ctx: BuildContext, id: string) => ({
  plan: join(ctx.outDir, 'plan', `${id}.json`),
  audio: join(ctx.outDir, 'audio', `${id}.wav`),
  features: join(ctx.outDir, 'features', `${id}.f32`),
  labels: join(ctx.outDir, 'labels', `${id}.json`),
});

function sizeOf(p: string): number {
  return existsSync(p) ? statSync(p).size : -1;
}

/** Sample frames of a stream WAV already written, or -1 when it is absent or unreadable (it is rewritten). */
function framesOf(p: string): number {
  try {
    return existsSync(p) ? wavFileFrames(p) : -1;
  } catch {
    return -1;
  }
}

/** Decodes every turn; a missing or corrupt clip fails the whole sequence with the clip's reason. */
async function decodeTurns(seq: InputSequence): Promise<Float32Array[]> {
  const out: Float32Array[] = [];
  for (const [i, t] of seq.turns.entries()) {
    if (!existsSync(t.audioPath)) throw new SoundFlowError('audio_missing', `turn ${i}: audio file not found: ${t.audioPath}`);
    try {
      out.push(await decodeFile(t.audioPath));
    } catch (err) {
      throw new SoundFlowError('audio_corrupt', `turn ${i}: ${errorMessage(err)}`);
    }
  }
  return out;
}

export async function buildStream(seq: InputSequence, ctx: BuildContext): Promise<StreamResult> {
  const p = paths(ctx, seq.id);
  const steps: Step[] = [];
  try {
    let turnAudio: Float32Array[] | undefined;
    // Step 1: the noise plan (needs the turn lengths, so it decodes the turns once).
    let plan: StreamPlan | null = null;
    let replanned = false;
    if (existsSync(p.plan)) {
      plan = JSON.parse(readFileSync(p.plan, 'utf8')) as StreamPlan;
      if (plan.seed !== ctx.seed) {
        throw new SoundFlowError('seed_mismatch', `${p.plan} was built with seed ${plan.seed}, this run uses ${ctx.seed}: use a fresh output dir`);
      }
      // A plan made for other turn clips (the input changed since) is stale: plan and splice again.
      if (plan.turns.length !== seq.turns.length || plan.turns.some((t, i) => t.audioPath !== seq.turns[i].audioPath)) plan = null;
    }
    if (!plan) {
      replanned = existsSync(p.plan);
      turnAudio = await decodeTurns(seq);
      plan = makePlan(seq, turnAudio.map((a) => a.length), ctx.noise, streamRng(ctx.seed, seq.id), ctx.seed);
      writeFileAtomic(p.plan, JSON.stringify(plan, null, 1) + '\n');
      steps.push('plan');
    }
    // Step 2: the spliced stream; a WAV of the planned length is complete (writes are atomic).
    if (replanned || framesOf(p.audio) !== plan.totalSamples) {
      turnAudio ??= await decodeTurns(seq);
      const noise = new Map<string, Float32Array>();
      for (const s of [...plan.turns.map((t) => t.lead), plan.tail]) if (s.file && !noise.has(s.file)) noise.set(s.file, await loadNoise(s.file));
      writeWavFile(p.audio, splice(plan, turnAudio, noise));
      steps.push('audio');
    }
    // Step 3 (optional): log-mel of the stored (16-bit) stream, [chunk][frame][bin] float32 LE.
    const numChunks = plan.totalSamples / CHUNK_SAMPLES;
    if (ctx.features) {
      const want = numChunks * FRAMES_PER_CHUNK * MEL_BINS * 4;
      if (replanned || sizeOf(p.features) !== want) {
        const { data } = logMelOfSignal(readWavFile(p.audio).samples);
        if (data.byteLength !== want) throw new SoundFlowError('features_size', `features of ${seq.id}: ${data.byteLength} bytes, expected ${want}`);
        writeFileAtomic(p.features, Buffer.from(data.buffer, data.byteOffset, data.byteLength));
        steps.push('features');
      }
    }
    // Step 4: chunk labels. Always re-laid out (cheap, pure) but only written when missing or changed.
    const row: StreamRow = layoutLabels(seq, plan, `audio/${seq.id}.wav`);
    if (ctx.features) {
      row.features = `features/${seq.id}.f32`;
      row.featureShape = [numChunks, FRAMES_PER_CHUNK, MEL_BINS];
    }
    const text = JSON.stringify(row) + '\n';
    if (!existsSync(p.labels) || readFileSync(p.labels, 'utf8') !== text) {
      writeFileAtomic(p.labels, text);
      steps.push('labels');
    }
    return { id: seq.id, line: seq.line, status: steps.length ? 'built' : 'cached', steps };
  } catch (err) {
    return { id: seq.id, line: seq.line, status: 'failed', steps, reason: errorMessage(err) };
  }
}
