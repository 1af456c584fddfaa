// Examples for the music-style classifier: windows of rendered songs → summary features. Training
// windows vary in length (3–6 s, what a pending question sees) and position, and half the songs are
// also heard through background noise (white or brown, 6–30 dB SNR), as from a speaker across a room.
import { logMelOfSignal, MEL_BINS } from '../../perception/features.ts';
import { musicFeatures, N_MUSIC_FEATURES, FRAME_RATE } from '../../perception/music/features.ts';
import { loadSong } from '../music/corpus.ts';
import type { SongPlan } from '../music/plan.ts';
import type { Random } from '../../util/rng.ts';

export interface FeatureSet {
  n: number;
  x: Float32Array;
  /** Style index per example. */
  y: Int32Array;
  /** Song id per example (song-level scores). */
  song: string[];
}

export function addNoise(x: Float32Array, snrDb: number, rng: Random, brown: boolean): Float32Array {
  let p = 0;
  for (const v of x) p += v * v;
  p /= x.length;
  const noise = new Float32Array(x.length);
  let acc = 0;
  let q = 0;
  for (let i = 0; i < x.length; i++) {
    const w = rng() * 2 - 1;
    acc = brown ? 0.98 * acc + w * 0.2 : w;
    noise[i] = acc;
    q += acc * acc;
  }
  q /= x.length;
  const g = Math.sqrt((p / Math.max(q, 1e-12)) * 10 ** (-snrDb / 10));
  const out = new Float32Array(x.length);
  for (let i = 0; i < x.length; i++) out[i] = x[i] + g * noise[i];
  return out;
}

export interface WindowOptions {
  /** Window lengths in seconds, drawn uniformly per window. */
  seconds: [number, number];
  /** Windows per song, or a fixed hop when `hop` is set (evaluation). */
  perSong: number;
  hop?: number;
  noisy: boolean;
}

/** Features of windows of the given songs. */
export function songFeatures(dir: string, songs: SongPlan[], styles: readonly string[], o: WindowOptions, rng: Random, progress?: (i: number) => void): FeatureSet {
  const rows: Float32Array[] = [];
  const y: number[] = [];
  const ids: string[] = [];
  songs.forEach((s, si) => {
    const audio = loadSong(dir, s.id);
    const versions = [audio];
    if (o.noisy) versions.push(addNoise(audio, 6 + 24 * rng(), rng, rng() < 0.5));
    for (const a of versions) {
      const mel = logMelOfSignal(a);
      const take = (start: number, len: number) => {
        const f = musicFeatures(mel.data.subarray(start * MEL_BINS, (start + len) * MEL_BINS), len).features;
        rows.push(f);
        y.push(styles.indexOf(s.style));
        ids.push(s.id);
      };
      if (o.hop) {
        const len = Math.round(o.seconds[0] * FRAME_RATE);
        for (let st = 0; st + len <= mel.frames; st += Math.round(o.hop * FRAME_RATE)) take(st, len);
      } else {
        for (let k = 0; k < o.perSong; k++) {
          const len = Math.round((o.seconds[0] + (o.seconds[1] - o.seconds[0]) * rng()) * FRAME_RATE);
          take(Math.floor(rng() * Math.max(1, mel.frames - len)), len);
        }
      }
    }
    progress?.(si + 1);
  });
  const x = new Float32Array(rows.length * N_MUSIC_FEATURES);
  rows.forEach((r, i) => x.set(r, i * N_MUSIC_FEATURES));
  return { n: rows.length, x, y: Int32Array.from(y), song: ids };
}
