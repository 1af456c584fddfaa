// Steps 1, 2 and 4 of the reference's data recipe as pure functions: sample the noise plan, splice the
// stream, lay out chunk labels. Pure so they can be tested on their own and rerun from saved plans.
import type { Emotion, TaskKind } from '../../events.ts';
import { SoundFlowError } from '../../util/errors.ts';
import type { InputSequence } from './input.ts';
import type { NoiseLibrary } from './noise.ts';
import type { Rng } from '../../util/rng.ts';
import { CHUNK_SAMPLES, SAMPLE_RATE } from '../../audio/chunk.ts';

/** One audio-encoder output frame of the reference (40 ms): noise lengths are whole frames. */
export const FRAME_SAMPLES = 640;
/** Leading noise per turn: 20..60 encoder frames = 0.8..2.4 s (as the reference samples it). */
export const LEAD_FRAMES: readonly [number, number] = [20, 60];
/** Tail: the same nominal range, then extended up to the next chunk boundary (so at most 2.8 s). */
export const TAIL_FRAMES: readonly [number, number] = [20, 60];
export const MAX_SLICE = TAIL_FRAMES[1] * FRAME_SAMPLES + CHUNK_SAMPLES;

export interface NoiseSlice {
  /** Absolute file path, or null for digital silence. */
  file: string | null;
  offset: number;
  samples: number;
}

export interface StreamPlan {
  id: string;
  seed: number;
  sampleRate: number;
  turns: { audioPath: string; samples: number; lead: NoiseSlice }[];
  tail: NoiseSlice;
  totalSamples: number;
}

function slice(lib: NoiseLibrary, samples: number, rng: Rng): NoiseSlice {
  if (lib.kind === 'silence') return { file: null, offset: 0, samples };
  const fits = lib.files.filter((f) => f.samples >= samples);
  if (!fits.length) throw new SoundFlowError('noise_too_short', `no noise file is ${(samples / SAMPLE_RATE).toFixed(2)} s long`);
  const f = rng.pick(fits);
  return { file: f.path, offset: rng.int(0, f.samples - samples), samples };
}

/** Step 1: lead noise per turn and a tail, so [lead, turn, lead, turn, ..., tail] ends on a chunk boundary. */
export function makePlan(seq: InputSequence, turnSamples: number[], lib: NoiseLibrary, rng: Rng, seed: number): StreamPlan {
  let pos = 0;
  const turns = seq.turns.map((t, i) => {
    const lead = slice(lib, rng.int(LEAD_FRAMES[0], LEAD_FRAMES[1]) * FRAME_SAMPLES, rng);
    pos += lead.samples + turnSamples[i];
    return { audioPath: t.audioPath, samples: turnSamples[i], lead };
  });
  // The reference trims its tail to the boundary; we extend it instead so a reply due at the last turn
  // always has at least the nominal tail (>= 0.8 s) of room after it.
  const nominal = rng.int(TAIL_FRAMES[0], TAIL_FRAMES[1]) * FRAME_SAMPLES;
  const tailLen = Math.ceil((pos + nominal) / CHUNK_SAMPLES) * CHUNK_SAMPLES - pos;
  const tail = slice(lib, tailLen, rng);
  return { id: seq.id, seed, sampleRate: SAMPLE_RATE, turns, tail, totalSamples: pos + tailLen };
}

/** Step 2: splices noise slices and turn audio. `noise` returns the decoded file for a slice. */
export function splice(plan: StreamPlan, turnAudio: Float32Array[], noise: Map<string, Float32Array>): Float32Array {
  const out = new Float32Array(plan.totalSamples);
  let pos = 0;
  const put = (s: NoiseSlice) => {
    if (s.file) {
      const src = noise.get(s.file);
      if (!src || src.length < s.offset + s.samples) throw new SoundFlowError('noise_changed', `noise file ${s.file} is shorter than its plan says (rebuild with a fresh output dir)`);
      out.set(src.subarray(s.offset, s.offset + s.samples), pos);
    }
    pos += s.samples;
  };
  plan.turns.forEach((t, i) => {
    put(t.lead);
    if (turnAudio[i].length !== t.samples) {
      throw new SoundFlowError('turn_changed', `turn audio ${t.audioPath} now has ${turnAudio[i].length} samples, the plan says ${t.samples}`);
    }
    out.set(turnAudio[i], pos);
    pos += t.samples;
  });
  put(plan.tail);
  return out;
}

export interface ChunkLabel {
  index: number;
  label: 'silent' | 'respond';
  text?: string;
  emotion?: Emotion;
  task?: TaskKind;
}

export interface TurnSpan {
  index: number;
  /** Stream time (s) where the turn's audio starts and ends. */
  start: number;
  end: number;
  startChunk: number;
  /** The chunk holding the turn's last sample: where its reply is due. */
  endChunk: number;
  respond: boolean;
  text?: string;
  emotion?: Emotion;
  task?: TaskKind;
  user?: string;
  /** Mid-utterance pauses, in stream time and chunks (a reply inside one is a premature turn-over). */
  pauses?: { start: number; end: number; startChunk: number; endChunk: number }[];
}

export interface StreamRow {
  id: string;
  line: number;
  /** Paths are relative to the directory of the output JSONL. */
  audio: string;
  features?: string;
  /** [chunks, frames per chunk, mel bins] of the float32 little-endian features file. */
  featureShape?: [number, number, number];
  sampleRate: number;
  chunkSamples: number;
  numChunks: number;
  duration: number;
  sceneType?: string;
  chunks: ChunkLabel[];
  turns: TurnSpan[];
}

const chunkOf = (sample: number) => Math.floor(sample / CHUNK_SAMPLES);

/** Step 4: one label per chunk; `respond` only at the chunk where a reply-worthy turn's audio ends. */
export function layoutLabels(seq: InputSequence, plan: StreamPlan, audioRel: string): StreamRow {
  const numChunks = plan.totalSamples / CHUNK_SAMPLES;
  if (!Number.isInteger(numChunks)) throw new SoundFlowError('plan_unaligned', `${plan.id}: ${plan.totalSamples} samples is not a whole number of chunks`);
  const chunks: ChunkLabel[] = Array.from({ length: numChunks }, (_, index) => ({ index, label: 'silent' as const }));
  const turns: TurnSpan[] = [];
  let pos = 0;
  plan.turns.forEach((pt, i) => {
    const t = seq.turns[i];
    pos += pt.lead.samples;
    const start = pos;
    const end = pos + pt.samples;
    pos = end;
    const endChunk = chunkOf(Math.max(start, end - 1));
    const span: TurnSpan = {
      index: i,
      start: start / SAMPLE_RATE,
      end: end / SAMPLE_RATE,
      startChunk: chunkOf(start),
      endChunk,
      respond: t.assistant !== null,
    };
    if (t.assistant !== null) {
      span.text = t.assistant;
      span.emotion = t.emotion;
      if (t.task) span.task = t.task;
      const c: ChunkLabel = { index: endChunk, label: 'respond', text: t.assistant, emotion: t.emotion };
      if (t.task) c.task = t.task;
      chunks[endChunk] = c;
    }
    if (t.user !== undefined) span.user = t.user;
    if (t.pauses?.length) {
      span.pauses = t.pauses.map(([a, b]) => {
        const ps = start + Math.round(a * SAMPLE_RATE);
        const pe = Math.min(end, start + Math.round(b * SAMPLE_RATE));
        return { start: ps / SAMPLE_RATE, end: pe / SAMPLE_RATE, startChunk: chunkOf(ps), endChunk: chunkOf(Math.max(ps, pe - 1)) };
      });
    }
    turns.push(span);
  });
  const row: StreamRow = {
    id: plan.id,
    line: seq.line,
    audio: audioRel,
    sampleRate: SAMPLE_RATE,
    chunkSamples: CHUNK_SAMPLES,
    numChunks,
    duration: plan.totalSamples / SAMPLE_RATE,
    chunks,
    turns,
  };
  if (seq.sceneType) row.sceneType = seq.sceneType;
  return row;
}
