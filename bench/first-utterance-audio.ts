// Speech for the first-utterance measurements (bench/first-utterance.ts) and the CMN prior's recipe
// (scripts/fit-cmn-prior.ts): espeak-ng and flite voices, optionally over seeded room noise, so two
// builds hear exactly the same audio.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { concat, loadFile, mix, silence, speech, SR } from '../src/testing/audio.ts';
import { seededRoomNoise } from './streams.ts';

/** espeak-ng variants and flite's four voices (festival's ked is kept for the rate model's training data). */
export const FIRST_UTTERANCE_VOICES = ['en-us+klatt', 'en-us+klatt4', 'en+m3', 'en-us+f2', 'en+f3', 'en-gb', 'flite:slt', 'flite:rms', 'flite:awb', 'flite:kal16'];

/** Room conditions: clean, and low-passed noise 25 dB under the speech (seeded: same audio every run). */
export const CONDITIONS = ['clean', 'noise25'] as const;
export type Condition = (typeof CONDITIONS)[number];

let tmp: string | null = null;
/** One phrase spoken by `voice` ("flite:slt" or an espeak-ng voice). */
export function say(text: string, voice: string): Float32Array {
  if (!voice.startsWith('flite:')) return speech(text, { voice });
  tmp ??= mkdtempSync(join(tmpdir(), 'sf-first-'));
  const file = join(tmp, 'flite.wav');
  execFileSync('flite', ['-voice', voice.slice(6), '-t', text, '-o', file]);
  return loadFile(file);
}

export function cleanUp(): void {
  if (tmp) rmSync(tmp, { recursive: true, force: true });
  tmp = null;
}


export interface Utterance {
  /** 0.3 s before the speech (what the perceiver hands the recogniser at onset). */
  preRoll: Float32Array;
  /** The speech and its 0.6 s closing silence. */
  audio: Float32Array;
  /** Where each pause (0.5 s of silence between parts) starts in `audio`, in samples. */
  pauses: number[];
}

/** Parts spoken by one voice, 0.5 s apart, with pre-roll and closing silence, in a room condition. */
export function utterance(parts: string[], voice: string, condition: Condition, seed = 1): Utterance {
  const pre = Math.round(0.3 * SR);
  const pieces: Float32Array[] = [silence(0.3)];
  const pauses: number[] = [];
  let at = 0;
  parts.forEach((p, i) => {
    if (i > 0) {
      pauses.push(at);
      pieces.push(silence(0.5));
      at += Math.round(0.5 * SR);
    }
    const s = say(p, voice);
    pieces.push(s);
    at += s.length;
  });
  pieces.push(silence(0.6));
  let x = concat(...pieces);
  if (condition === 'noise25') x = mix(x, seededRoomNoise(x.length, seed), 25);
  return { preRoll: x.subarray(0, pre), audio: x.subarray(pre), pauses };
}
