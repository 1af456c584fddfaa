// Summary features of a few seconds of music, from the shared log-mel frames (100 frames/s × 64 bins):
// what a listener uses to tell styles apart, measured directly.
//   - spectral shape: mean and spread over time of 16 band groups, level-normalised (instrumentation);
//   - onset envelopes (positive log-mel flux) in four bands: all, low (< 400 Hz: kick, bass), mid, high
//     (> 2.8 kHz: hi-hats, cymbals, brushes) — their density and burstiness;
//   - the beat period (autocorrelation of the onset envelope, 60–200 BPM) and every envelope's
//     autocorrelation at fractions and multiples of it: swing shows at 1/3 and 2/3 of a beat rather than
//     1/2, a waltz at 3 beats rather than 2 and 4, a backbeat at 2 beats in the high band;
//   - bass movement: how much the low band's spectrum changes from one beat to the next (a walking bass
//     changes every beat, a pedal bass does not);
//   - spectral centroid, flatness.
// Everything is independent of the playback level and of the window length (≥ 3 s).
import { MEL_BINS } from '../features.ts';

export const FRAME_RATE = 100;
const GROUPS = 16;
/** Finer groups for the mean spectrum (timbre), 2 bins each. */
const FINE = 32;
/** Absolute lags (s) of the onset autocorrelation, for when the beat is misread. */
const ABS_LAGS = [0.06, 0.09, 0.13, 0.18, 0.25, 0.35, 0.5, 0.7, 1.0, 1.4] as const;
/** Modulation frequencies (Hz) of the per-band fluctuation pattern (how each band pulses). */
const FP_HZ = [0.75, 1.5, 2, 2.5, 3, 4, 5, 6.5, 8, 10] as const;
const FP_GROUPS = 8;
const BANDS: readonly [number, number][] = [[0, MEL_BINS], [0, 11], [11, 40], [40, MEL_BINS]];
/** Beat-relative lags at which each onset envelope's autocorrelation is read. */
export const BEAT_LAGS = [0.25, 1 / 3, 0.5, 2 / 3, 0.75, 1, 1.5, 2, 3, 4] as const;
const MIN_BPM = 60;
const MAX_BPM = 200;

export const MUSIC_FEATURE_NAMES: readonly string[] = [
  ...Array.from({ length: FINE }, (_, g) => `shape${g}`),
  ...Array.from({ length: GROUPS }, (_, g) => `spread${g}`),
  ...['all', 'low', 'mid', 'high'].flatMap((b) => [`density_${b}`, `burst_${b}`]),
  ...['all', 'low', 'mid', 'high'].flatMap((b) => BEAT_LAGS.map((l) => `ac_${b}_${l.toFixed(2)}`)),
  ...['all', 'high'].flatMap((b) => ABS_LAGS.map((l) => `acs_${b}_${l}`)),
  ...Array.from({ length: GROUPS }, (_, g) => `attack${g}`),
  ...Array.from({ length: FP_GROUPS }, (_, g) => FP_HZ.map((f) => `fp${g}_${f}`)).flat(),
  'tempo', 'beat_clarity', 'swing_high', 'swing_mid', 'meter3',
  'bass_change_1', 'bass_change_2', 'bass_change_4',
  'centroid', 'centroid_spread', 'flatness', 'level_spread',
];
export const N_MUSIC_FEATURES = MUSIC_FEATURE_NAMES.length;

/** What the features say in words, for replies ("swung rhythm, walking bass"). */
export interface MusicEvidence {
  bpm: number;
  /** ≈0 straight, > 0 swung (autocorrelation at 2/3 beat minus at 1/2 beat, high + mid bands). */
  swing: number;
  /** > 0 when the music repeats every 3 beats more than every 2 and 4. */
  triple: number;
  /** Mean change of the bass spectrum from beat to beat (0..1). */
  bassChange: number;
  /** Onset activity above 2.8 kHz relative to all onsets: drums/cymbals present. */
  drums: number;
}

function autocorr(env: Float32Array, maxLag: number): Float32Array {
  const n = env.length;
  let mean = 0;
  for (let i = 0; i < n; i++) mean += env[i];
  mean /= n;
  const x = new Float32Array(n);
  let v = 0;
  for (let i = 0; i < n; i++) {
    x[i] = env[i] - mean;
    v += x[i] * x[i];
  }
  const ac = new Float32Array(maxLag + 1);
  if (v <= 1e-9) return ac;
  v /= n;
  for (let lag = 0; lag <= maxLag; lag++) {
    let s = 0;
    for (let i = lag; i < n; i++) s += x[i] * x[i - lag];
    ac[lag] = s / (n - lag) / v; // unbiased: long lags are not shrunk by the shorter overlap
  }
  return ac;
}

let fpCache: { frames: number; cos: Float64Array; sin: Float64Array } | null = null;
/** cos/sin of every FP_HZ frequency at every frame of a window, cached for the last window length. */
function fpTables(frames: number): { cos: Float64Array; sin: Float64Array } {
  if (fpCache?.frames !== frames) {
    const cos = new Float64Array(FP_HZ.length * frames);
    const sin = new Float64Array(FP_HZ.length * frames);
    FP_HZ.forEach((hz, f) => {
      for (let t = 0; t < frames; t++) {
        cos[f * frames + t] = Math.cos((2 * Math.PI * hz * t) / FRAME_RATE);
        sin[f * frames + t] = Math.sin((2 * Math.PI * hz * t) / FRAME_RATE);
      }
    });
    fpCache = { frames, cos, sin };
  }
  return fpCache;
}

function quantile(x: Float32Array, q: number): number {
  const s = Float32Array.from(x).sort();
  return s[Math.min(s.length - 1, Math.floor(q * s.length))];
}

/** Linear interpolation of an autocorrelation at a fractional lag (0 beyond its end). */
function at(ac: Float32Array, lag: number): number {
  if (lag >= ac.length - 1) return 0;
  const i = Math.floor(lag);
  const f = lag - i;
  return ac[i] * (1 - f) + ac[i + 1] * f;
}

/** Beat period in frames: the autocorrelation peak in 60–200 BPM, preferring ~120 BPM (a beat and its double are otherwise often equally likely). */
function beatPeriod(ac: Float32Array): { period: number; clarity: number } {
  const lo = Math.round((60 / MAX_BPM) * FRAME_RATE);
  const hi = Math.min(ac.length - 2, Math.round((60 / MIN_BPM) * FRAME_RATE));
  let best = lo;
  let bestScore = -Infinity;
  for (let lag = lo; lag <= hi; lag++) {
    if (!(ac[lag] >= ac[lag - 1] && ac[lag] >= ac[lag + 1])) continue;
    const octaves = Math.log2((60 * FRAME_RATE) / lag / 120);
    const score = ac[lag] + 0.25 * at(ac, 2 * lag) - 0.3 * octaves * octaves;
    if (score > bestScore) {
      bestScore = score;
      best = lag;
    }
  }
  // Parabolic refinement of the peak.
  const a = ac[best - 1] ?? 0;
  const b = ac[best];
  const c = ac[best + 1] ?? 0;
  const d = a - 2 * b + c;
  const period = d < 0 ? best + (0.5 * (a - c)) / d : best;
  return { period, clarity: b };
}

/**
 * `mel`: `frames` × MEL_BINS log-mel, row-major (at least 3 s). Returns the feature vector
 * (MUSIC_FEATURE_NAMES order) and the evidence used to explain a classification.
 */
export function musicFeatures(mel: Float32Array, frames: number): { features: Float32Array; evidence: MusicEvidence } {
  const B = MEL_BINS;
  const out = new Float32Array(N_MUSIC_FEATURES);
  let k = 0;
  // Spectral shape, level-normalised by the window's mean log-mel.
  let grand = 0;
  for (let i = 0; i < frames * B; i++) grand += mel[i];
  grand /= frames * B;
  const per = B / GROUPS;
  const gMean = new Float64Array(GROUPS);
  const gSq = new Float64Array(GROUPS);
  const frameLevel = new Float64Array(frames);
  for (let t = 0; t < frames; t++) {
    let fl = 0;
    for (let g = 0; g < GROUPS; g++) {
      let s = 0;
      for (let j = 0; j < per; j++) s += mel[t * B + g * per + j];
      s /= per;
      gMean[g] += s;
      gSq[g] += s * s;
      fl += s;
    }
    frameLevel[t] = fl / GROUPS;
  }
  const fine = B / FINE;
  for (let g = 0; g < FINE; g++) {
    let sum = 0;
    for (let t = 0; t < frames; t++) for (let j = 0; j < fine; j++) sum += mel[t * B + g * fine + j];
    out[k++] = sum / (frames * fine) - grand;
  }
  for (let g = 0; g < GROUPS; g++) out[k++] = Math.sqrt(Math.max(0, gSq[g] / frames - (gMean[g] / frames) ** 2));

  // Onset envelopes per band: mean positive log-mel change per bin.
  const envs = BANDS.map(([lo, hi]) => {
    const e = new Float32Array(frames);
    for (let t = 1; t < frames; t++) {
      let s = 0;
      for (let b = lo; b < hi; b++) {
        const d = mel[t * B + b] - mel[(t - 1) * B + b];
        if (d > 0) s += d;
      }
      e[t] = s / (hi - lo);
    }
    e[0] = e[1] ?? 0;
    return e;
  });
  const densities: number[] = [];
  for (const e of envs) {
    let m = 0;
    let sq = 0;
    for (const v of e) {
      m += v;
      sq += v * v;
    }
    m /= frames;
    const sd = Math.sqrt(Math.max(0, sq / frames - m * m));
    densities.push(m);
    out[k++] = m;
    out[k++] = sd / (m + 1e-3);
  }

  const maxLag = Math.min(frames - 2, 4 * Math.round((60 / MIN_BPM) * FRAME_RATE));
  const acs = envs.map((e) => autocorr(e, maxLag));
  const { period, clarity } = beatPeriod(acs[0]);
  for (const ac of acs) for (const l of BEAT_LAGS) out[k++] = at(ac, l * period);
  for (const e of [acs[0], acs[3]]) for (const l of ABS_LAGS) out[k++] = at(e, l * FRAME_RATE);
  // Attack timbre: the spectrum of the strongest-onset frames relative to the window's mean spectrum
  // (brushes vs sticks, plucked vs bowed).
  const thr = quantile(envs[0], 0.9);
  for (let g = 0; g < GROUPS; g++) {
    let sum = 0;
    let n = 0;
    for (let t = 0; t < frames; t++) {
      if (envs[0][t] < thr) continue;
      for (let j = 0; j < per; j++) sum += mel[t * B + g * per + j];
      n++;
    }
    out[k++] = n ? sum / (n * per) - gMean[g] / frames : 0;
  }
  // Fluctuation pattern: per band group, the modulation spectrum of its level (log-mel, mean removed).
  const fpPer = B / FP_GROUPS;
  const env = new Float64Array(frames);
  for (let g = 0; g < FP_GROUPS; g++) {
    let m = 0;
    for (let t = 0; t < frames; t++) {
      let v = 0;
      for (let j = 0; j < fpPer; j++) v += mel[t * B + g * fpPer + j];
      env[t] = v / fpPer;
      m += env[t];
    }
    m /= frames;
    const { cos, sin } = fpTables(frames);
    for (let f = 0; f < FP_HZ.length; f++) {
      let re = 0;
      let im = 0;
      const row = f * frames;
      for (let t = 0; t < frames; t++) {
        const v = env[t] - m;
        re += v * cos[row + t];
        im += v * sin[row + t];
      }
      out[k++] = Math.log1p(Math.sqrt(re * re + im * im) / frames * 10);
    }
  }
  const bpm = (60 * FRAME_RATE) / period;
  out[k++] = Math.log2(bpm / 110);
  out[k++] = clarity;
  // Swing at the detected beat, or at half of it when a fast tempo was heard in two (common above
  // ~150 BPM): eighths land at 2/3 of the beat instead of 1/2.
  const swingAt = (ac: Float32Array, p: number) => at(ac, (2 / 3) * p) + at(ac, (1 / 3) * p) - 2 * at(ac, 0.5 * p);
  const half = period / 2 >= (60 / 260) * FRAME_RATE;
  const swingOf = (ac: Float32Array) => Math.max(swingAt(ac, period), half ? swingAt(ac, period / 2) : -Infinity);
  const swingHigh = swingOf(acs[3]);
  const swingMid = swingOf(acs[2]);
  out[k++] = swingHigh;
  out[k++] = swingMid;
  // Meter: a waltz's "oom" (bass) comes every 3 beats, its "pah-pah" on the others; look at all bands
  // and at the low band alone.
  const tripleOf = (ac: Float32Array) => at(ac, 3 * period) - 0.5 * (at(ac, 2 * period) + at(ac, 4 * period));
  const triple = Math.max(tripleOf(acs[0]), tripleOf(acs[1]));
  out[k++] = triple;

  // Bass movement: 1 − correlation of the low band's (level-normalised) spectrum n beats apart.
  const LOW = 16;
  const bassChange = (beats: number): number => {
    const lag = Math.round(beats * period);
    let sum = 0;
    let n = 0;
    for (let t = lag; t < frames; t += 5) {
      let ma = 0;
      let mb = 0;
      for (let b = 0; b < LOW; b++) {
        ma += mel[t * B + b];
        mb += mel[(t - lag) * B + b];
      }
      ma /= LOW;
      mb /= LOW;
      let sab = 0;
      let saa = 0;
      let sbb = 0;
      for (let b = 0; b < LOW; b++) {
        const x = mel[t * B + b] - ma;
        const y = mel[(t - lag) * B + b] - mb;
        sab += x * y;
        saa += x * x;
        sbb += y * y;
      }
      if (saa > 1e-6 && sbb > 1e-6) {
        sum += 1 - sab / Math.sqrt(saa * sbb);
        n++;
      }
    }
    return n ? sum / n : 0;
  };
  const bc1 = bassChange(1);
  out[k++] = bc1;
  out[k++] = bassChange(2);
  out[k++] = bassChange(4);

  // Spectral centroid (in bins) and flatness of the linear mel energies.
  let cSum = 0;
  let cSq = 0;
  let flat = 0;
  for (let t = 0; t < frames; t++) {
    let e = 0;
    let w = 0;
    let logSum = 0;
    const ref = frameLevel[t];
    for (let b = 0; b < B; b++) {
      const v = Math.exp(mel[t * B + b] - ref);
      e += v;
      w += v * b;
      logSum += mel[t * B + b] - ref;
    }
    const c = w / e / B;
    cSum += c;
    cSq += c * c;
    flat += logSum / B - Math.log(e / B);
  }
  out[k++] = cSum / frames;
  out[k++] = Math.sqrt(Math.max(0, cSq / frames - (cSum / frames) ** 2));
  out[k++] = flat / frames;
  let lm = 0;
  let lsq = 0;
  for (const v of frameLevel) {
    lm += v;
    lsq += v * v;
  }
  out[k++] = Math.sqrt(Math.max(0, lsq / frames - (lm / frames) ** 2));
  if (k !== N_MUSIC_FEATURES) throw new Error(`music features: wrote ${k} of ${N_MUSIC_FEATURES}`);
  for (let i = 0; i < out.length; i++) if (!Number.isFinite(out[i])) out[i] = 0;
  return {
    features: out,
    evidence: { bpm, swing: (swingHigh + swingMid) / 2, triple, bassChange: bc1, drums: densities[3] / (densities[0] + 1e-6) },
  };
}
