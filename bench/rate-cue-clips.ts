// The rate benches' shared ground: the clips `voice-rate-cues` decodes once and caches
// (.cache/voice-bench/rate-cues-<set>.json), and the d′ both it and `voice-rate-blend` report (mean log
// shift for `tempo -s 1.2` over the pooled log sd between one speaker's calm phrasings).
import { join } from 'node:path';
import type { VoiceFrame } from '../src/perception/voice/frames.ts';

export interface RateCueClip {
  speaker: string;
  text: string;
  kind: string;
  hyp: string;
  /** One-pass words: word, start, end (s), acoustic score (ln). */
  words: [string, number, number, number][];
  grammar: { text: string; accepted: boolean } | null;
  /** Voice frames: t, levelDb, midDb, lowPow, highPow, f0, aperiodicity, mfcc c1..c12 (frameRow). */
  frames: number[][];
}

/** The cache file of a set (`limit`: a smoke run over the first n phrasings, with its own cache). */
export const rateCueCacheFile = (report: boolean, limit?: number): string =>
  join('.cache', 'voice-bench', `rate-cues-${report ? 'report' : 'tuning'}${limit ? `-${limit}` : ''}.json`);

const r3 = (v: number) => Math.round(v * 1000) / 1000;
/** A voice frame as the cache keeps it. */
export const frameRow = (f: VoiceFrame): number[] =>
  [r3(f.t), r3(f.levelDb), r3(f.midDb), f.lowPow, f.highPow, r3(f.f0), r3(f.aperiodicity), ...Array.from(f.mfcc, r3)];
/** A cached clip's voice frames. */
export const clipFrames = (c: Pick<RateCueClip, 'frames'>): VoiceFrame[] =>
  c.frames.map((f) => ({ t: f[0], levelDb: f[1], midDb: f[2], lowPow: f[3], highPow: f[4], f0: f[5], aperiodicity: f[6], mfcc: Float32Array.from(f.slice(7)) }));

/** A cue's log value for a speaker × phrasing × kind (calm / faster20 / higher3st / louder6dB), or undefined. */
export type LogMeasure = (speaker: string, text: string, kind: string) => number | undefined;

const mean = (v: number[]) => v.reduce((a, b) => a + b, 0) / Math.max(1, v.length);

/**
 * Pooled within-speaker log sd of calm phrasings, mean log shift per manipulation, d′ (faster over sd),
 * the worst speaker's own d′ and the share of calm clips with a value; over the given speakers × texts,
 * each speaker counted when it has `minCalm` calm values.
 */
export function rateDPrime(f: LogMeasure, speakers: string[], texts: (speaker: string) => string[], minCalm = 3) {
  let ss = 0, dof = 0, have = 0, all = 0, worst = Infinity;
  const shift: Record<string, number[]> = { faster20: [], higher3st: [], louder6dB: [] };
  for (const sp of speakers) {
    const ts = texts(sp);
    all += ts.length;
    const calm = ts.map((t) => f(sp, t, 'calm')).filter((v): v is number => v !== undefined);
    have += calm.length;
    if (calm.length < minCalm) continue;
    const mu = mean(calm);
    const own = calm.reduce((s, x) => s + (x - mu) ** 2, 0);
    ss += own;
    dof += calm.length - 1;
    for (const k of Object.keys(shift)) for (const t of ts) {
      const a = f(sp, t, k), b = f(sp, t, 'calm');
      if (a !== undefined && b !== undefined) shift[k].push(a - b);
    }
    const ownFaster = ts.map((t) => [f(sp, t, 'faster20'), f(sp, t, 'calm')]).filter((p): p is number[] => p[0] !== undefined && p[1] !== undefined).map(([a, b]) => a - b);
    worst = Math.min(worst, mean(ownFaster) / Math.sqrt(own / (calm.length - 1)));
  }
  const sd = Math.sqrt(ss / dof);
  return { sd, faster: mean(shift.faster20), higher: mean(shift.higher3st), louder: mean(shift.louder6dB), dPrime: mean(shift.faster20) / sd, worst, calmCoverage: have / all };
}
