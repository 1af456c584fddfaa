// Loads labelled streams (builder output) for evaluation and checks that labels and audio agree.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { errorMessage, SoundFlowError } from '../../util/errors.ts';
import { readWavFile, wavFileFrames } from '../../audio/wav.ts';
import type { StreamRow } from '../data/layout.ts';
import { CHUNK_SAMPLES, SAMPLE_RATE } from '../../audio/chunk.ts';


export interface EvalStream {
  row: StreamRow;
  /** Absolute path of the stream's WAV. */
  audioPath: string;
}

/** DIR holding exactly one .jsonl (the builder's output), or the .jsonl itself. */
export function findJsonl(data: string): string {
  const p = resolve(data);
  if (!existsSync(p)) throw new SoundFlowError('eval_data_missing', `evaluation data ${data} not found`);
  if (statSync(p).isFile()) return p;
  const files = readdirSync(p).filter((f) => f.endsWith('.jsonl'));
  if (files.length === 0) throw new SoundFlowError('eval_data_missing', `no .jsonl in ${data} (build it with: soundflow data build)`);
  if (files.length > 1) {
    if (files.includes('streams.jsonl')) return join(p, 'streams.jsonl');
    throw new SoundFlowError('eval_data_ambiguous', `${data} holds several .jsonl files (${files.join(', ')}): pass one`);
  }
  return join(p, files[0]);
}

function fail(id: string, msg: string): never {
  throw new SoundFlowError('eval_label_mismatch', `stream "${id}": ${msg}`);
}

/** Parses and validates every row (without loading audio). */
export function loadStreams(data: string, limit?: number): EvalStream[] {
  const jsonl = findJsonl(data);
  const base = dirname(jsonl);
  const out: EvalStream[] = [];
  const lines = readFileSync(jsonl, 'utf8').split('\n').filter((l) => l.trim());
  for (const [i, line] of lines.entries()) {
    if (limit !== undefined && out.length >= limit) break;
    let row: StreamRow;
    try {
      row = JSON.parse(line);
    } catch {
      throw new SoundFlowError('eval_data_invalid', `${jsonl}:${i + 1}: invalid JSON`);
    }
    const id = String(row.id ?? `line ${i + 1}`);
    if (typeof row.audio !== 'string' || !Array.isArray(row.chunks)) fail(id, 'row needs "audio" and "chunks"');
    row.chunks.forEach((c, k) => {
      if (c.index !== k) fail(id, `chunks[${k}] has index ${c.index}`);
      if (c.label !== 'silent' && c.label !== 'respond') fail(id, `chunks[${k}] has label "${c.label}"`);
    });
    row.turns ??= [];
    const audioPath = resolve(base, row.audio);
    if (!existsSync(audioPath)) fail(id, `audio ${audioPath} not found`);
    const samples = wavSamples(audioPath, id);
    checkLength(id, samples, row.chunks.length);
    out.push({ row, audioPath });
  }
  return out;
}

function checkLength(id: string, samples: number, labelled: number): void {
  const chunks = Math.ceil(samples / CHUNK_SAMPLES);
  if (chunks !== labelled) fail(id, `audio has ${samples} samples = ${chunks} chunks but the labels have ${labelled} chunks`);
}

/** Sample count from the WAV header, without reading the samples; errors name the stream. */
function wavSamples(path: string, id: string): number {
  try {
    return wavFileFrames(path);
  } catch (err) {
    fail(id, errorMessage(err));
  }
}

/** Loads a stream's audio and checks it holds exactly one chunk of audio per label. */
export function loadAudio(s: EvalStream): Float32Array {
  const { samples, sampleRate } = readWavFile(s.audioPath);
  if (sampleRate !== SAMPLE_RATE) fail(s.row.id, `audio is ${sampleRate} Hz, expected ${SAMPLE_RATE}`);
  checkLength(s.row.id, samples.length, s.row.chunks.length);
  return samples;
}
