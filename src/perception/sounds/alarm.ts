// Standards-based alarm detector: pure signal processing, no training. Smoke/fire alarms sound the
// temporal-three pattern (ISO 8201 / NFPA 72 "T3": 0.5 s on, 0.5 s off, three times, then 1.5 s off) and
// CO alarms the temporal-four pattern (UL 2034 / NFPA 720 "T4": 0.1 s on, 0.1 s off, four times, then
// 5 s off), both as a tone of a few kHz (a sine, or a square/pulse wave whose fundamental carries the
// pitch). The detector tracks one stable tonal peak in 2–4.5 kHz at 10 ms resolution, turns it into
// pulses (onset, offset, frequency), and matches the pulse train against the two patterns within the
// standards' ±10 % tolerances (plus the frame resolution).
//
// Why not the model alone: a chunk is 0.4 s, shorter than one T3 period, so a chunk classifier cannot
// see the pattern; microwave and timer beeps have the same timbre. The pattern is what the standards
// define, so it is what we match.
import { SoundFlowError } from '../../util/errors.ts';
import { selectKth } from '../../util/select.ts';
import { objectArray } from '../../util/arrays.ts';

const SR = 16000;
const HOP = 160; // 10 ms
const N = 256; // 16 ms window: 62.5 Hz bins, short enough for 0.1 s T4 pulses
const BIN_HZ = SR / N;

export type AlarmPattern = 'T3' | 'T4';

export interface TonePulse {
  /** Stream times (s) of the first and last tonal frame. */
  onset: number;
  offset: number;
  freqHz: number;
  /** Peak tone level, dB re a full-scale sine. */
  levelDbfs: number;
  /** Tone level (dB re a full-scale sine) of each tonal frame, 10 ms apart (pulses up to ENVELOPE_MAX_SEC). */
  envelope?: number[];
  /** Median share of the tone in its frames' whole power (dB, ≤ 0): ~0 for a beep in a quiet room, far below for a partial of music or speech. */
  shareDb?: number;
}

export interface AlarmAlert {
  pattern: AlarmPattern;
  /** Stream time (s) when the pattern was confirmed. */
  t: number;
  /** Onset of the first pulse of the confirmed cycle. */
  onset: number;
  freqHz: number;
  levelDbfs: number;
}

/**
 * What the pulses heard recently say about a smoke alarm:
 * - none: no tonal pulse in the alarm band lately;
 * - pending: a tone is sounding but no pulse is complete yet;
 * - plausible: every complete recent pulse fits the start of a T3 or T4 cycle;
 * - inconsistent: the pulse train contradicts both patterns (appliance beeps, a held tone);
 * - confirmed: a full cycle matched.
 */
export type AlarmState = 'none' | 'pending' | 'plausible' | 'inconsistent' | 'confirmed';

export interface AlarmDetectorOptions {
  minHz?: number;
  maxHz?: number;
  /** Tone peak over the median of the 1.5–6 kHz spectrum (dB) for a frame to count as tonal. */
  tonalDb?: number;
  /** Quietest tone considered (dB re full-scale sine). */
  minLevelDbfs?: number;
  /**
   * Silence after the third T3 pulse that confirms the cycle (s); the standard's off phase is 1.5 s. The
   * default 0.7 s is just past the longest in-cycle gap allowed (0.64 s) plus the 40 ms a new pulse needs
   * to count: a fourth beep at T3 spacing has started by then, so waiting longer adds only latency.
   */
  t3ConfirmGapSec?: number;
  /**
   * Envelope check of T4 beeps: level fall after a pulse's peak (pulseDecayDb, default 8 dB) and mean
   * frame-to-frame level change (pulseRoughnessDb, default 1.5 dB) beyond which a pulse is a struck sound,
   * not a beep. Infinity turns a check off.
   */
  t4DecayDb?: number;
  t4RoughDb?: number;
}

// Pattern tolerances: the standards' ±10 % widened by about two frames of measurement error.
const T3_ON: [number, number] = [0.4, 0.62];
const T3_GAP: [number, number] = [0.36, 0.64];
const T3_LONG: [number, number] = [1.2, 1.85];
/** A pulse this soon (s) after the third one breaks the cycle even after the confirming silence. */
const T3_NEXT_MIN_SEC = 1.0;
const T4_ON: [number, number] = [0.04, 0.18];
const T4_GAP: [number, number] = [0.04, 0.2];
const T4_LONG: [number, number] = [4.3, 5.7];
/** How far (s) a beep's duration may be from the median of its exact T4 group. */
const T4_ALIKE_SEC = 0.03;
/** Level fall after the peak (dB) beyond which a pulse is a struck, decaying sound, not a beep (pulseDecayDb). */
const T4_DECAY_DB = 8;
/** Mean frame-to-frame level change (dB) beyond which a pulse is not a steady beep (pulseRoughnessDb). */
const T4_ROUGH_DB = 1.5;
/** Pulses of one alarm keep their pitch (a few % of drift at most). */
const SAME_FREQ = 0.02;
const GAP_BRIDGE_FRAMES = 3;
const MAX_TRACKS = 3;
/**
 * Pitches matched per frame. Speech partials make short pulses at many pitches: with 3, a talker's
 * partials of the last second crowded the alarm's pitch out before its long off phase was confirmed.
 */
const MAX_CANDIDATES = 8;
/** An alarm tone holds its level; a jump this large on one pitch means another source took over. */
const LEVEL_JUMP_DB = 6;
const MIN_PULSE_SEC = 0.04;
const HISTORY_SEC = 16;
/** Pulses this much weaker than the strongest recent one at the same pitch are someone else's. */
const WEAKER_DB = 4;
/** A short pulse this much weaker than a T3 cycle's pulses, in its long pause, is not the next cycle. */
const BLIP_WEAKER_DB = 2;
/** Same-pitch pulses closer than this are one tone whose peak a partial took for a frame or two (s). */
const JOIN_SEC = 0.03;

// Plain beeping (an alarm clock, a microwave, a timer): neither pattern, but a steady tone repeating at
// one pitch. At least BEEP_MIN_PULSES alike, flat pulses of BEEP_ON s with gaps of BEEP_GAP s, all within
// the last BEEP_WINDOW_SEC. Music rarely repeats one steady note four times that fast at 2–4.5 kHz, and a
// struck note (cowbell, piano) decays or jitters (the same steadiness test as T4 beeps).
const BEEP_MIN_PULSES = 4;
const BEEP_ON: [number, number] = [0.04, 0.6];
const BEEP_GAP: [number, number] = [0.04, 1.0];
const BEEP_WINDOW_SEC = 3;
/** Beeps of one appliance are alike: each within this share of the median duration (or T4_ALIKE_SEC). */
const BEEP_ALIKE = 0.25;
/**
 * A beep is most of what is heard while it sounds: the tone's median share of the frame power is ≥ this
 * (dB). Appliance patterns over a quiet bed: −4…0 dB; steady repeated notes of rendered songs (train split,
 * 57 candidate trains in 208 min): −10 dB and below, most under −15.
 */
const BEEP_SHARE_DB = -8;
/** Steadiness of each beep (pulseDecayDb / pulseRoughnessDb, dB): appliance beeps 0–0.1 / ≤ 0.05; music notes mostly 1–8 / 0.6–2.7. */
const BEEP_DECAY_DB = 3;
const BEEP_ROUGH_DB = 0.75;

/** Pulses up to this long keep their level envelope (steadiness checks). */
const ENVELOPE_MAX_SEC = 0.6;

const inside = (v: number, [lo, hi]: [number, number]) => v >= lo && v <= hi;

/** In-place iterative radix-2 complex FFT of size N. */
class Fft {
  private readonly cos = new Float64Array(N / 2);
  private readonly sin = new Float64Array(N / 2);
  private readonly rev = new Uint16Array(N);
  constructor() {
    for (let i = 0; i < N / 2; i++) {
      this.cos[i] = Math.cos((2 * Math.PI * i) / N);
      this.sin[i] = -Math.sin((2 * Math.PI * i) / N);
    }
    const bits = Math.log2(N);
    for (let i = 0; i < N; i++) {
      let r = 0;
      for (let b = 0; b < bits; b++) r |= ((i >> b) & 1) << (bits - 1 - b);
      this.rev[i] = r;
    }
  }
  run(re: Float64Array, im: Float64Array): void {
    for (let i = 0; i < N; i++) {
      const j = this.rev[i];
      if (j > i) {
        const tr = re[i]; re[i] = re[j]; re[j] = tr;
        const ti = im[i]; im[i] = im[j]; im[j] = ti;
      }
    }
    for (let size = 2; size <= N; size <<= 1) {
      const half = size >> 1;
      const step = N / size;
      for (let s = 0; s < N; s += size) {
        for (let k = 0; k < half; k++) {
          const c = this.cos[k * step], si = this.sin[k * step];
          const a = s + k, b = a + half;
          const xr = re[b] * c - im[b] * si;
          const xi = re[b] * si + im[b] * c;
          re[b] = re[a] - xr; im[b] = im[a] - xi;
          re[a] += xr; im[a] += xi;
        }
      }
    }
  }
}

const WINDOW = Float64Array.from({ length: N }, (_, i) => 0.5 - 0.5 * Math.cos((2 * Math.PI * i) / N));
/** Power of a full-scale sine summed over its peak bin and both neighbours (Hann: 1 + 2·¼ of the peak). */
const FULL_SCALE_POWER = (N / 4) ** 2 * 1.5;

interface OpenPulse {
  onset: number;
  last: number;
  bins: number[];
  levels: number[];
  /** Per frame: the tone's share of the frame's whole power (dB, ≤ 0). */
  shares: number[];
  peakDb: number;
  lastDb: number;
  gap: number;
}

export class AlarmDetector {
  private readonly o: Required<AlarmDetectorOptions>;
  private readonly fft = new Fft();
  private readonly re = new Float64Array(N);
  private readonly im = new Float64Array(N);
  private readonly pow = new Float64Array(N / 2 + 1);
  private readonly scratch = new Float64Array(N / 2 + 1);
  /** The last N − HOP samples of the previous chunk (zeros at the stream start). */
  private readonly tail = new Float32Array(N - HOP);
  /** The tail and the chunk, one after the other (reused). */
  private work = new Float32Array(0);
  /** Tones being tracked now (an alarm and, say, a sung note or a speech harmonic at the same time). */
  private readonly opens: OpenPulse[] = objectArray();
  private readonly closed: TonePulse[] = objectArray();
  /** train(f) of the current closed pulses, by pitch. */
  private readonly trains = new Map<number, TonePulse[]>();
  /** Onsets of cycles already reported, so each cycle is reported once. */
  private readonly reported = new Set<number>();
  private lastConfirmed: AlarmAlert | null = null;
  private now = 0;
  private readonly lo: number;
  private readonly hi: number;

  constructor(opts: AlarmDetectorOptions = {}) {
    this.o = { minHz: 2000, maxHz: 4500, tonalDb: 15, minLevelDbfs: -50, t3ConfirmGapSec: 0.7, t4DecayDb: T4_DECAY_DB, t4RoughDb: T4_ROUGH_DB, ...opts };
    if (!(this.o.minHz > 0 && this.o.maxHz > this.o.minHz && this.o.maxHz < SR / 2)) throw new SoundFlowError('invalid_argument', `alarm band ${this.o.minHz}–${this.o.maxHz} Hz is not inside 0–${SR / 2} Hz`);
    this.lo = Math.ceil(this.o.minHz / BIN_HZ);
    this.hi = Math.floor(this.o.maxHz / BIN_HZ);
  }

  /** Complete pulses of the last ~16 s, oldest first. */
  get pulses(): readonly TonePulse[] {
    return this.closed;
  }

  /** Latest confirmed cycle, if any. */
  get last(): AlarmAlert | null {
    return this.lastConfirmed;
  }

  /**
   * One chunk of 16 kHz PCM whose last sample is at stream time `tEnd` (s). Returns the cycles
   * confirmed during this chunk.
   */
  process(pcm: Float32Array, tEnd: number): AlarmAlert[] {
    if (!(pcm instanceof Float32Array)) throw new SoundFlowError('invalid_audio', 'AlarmDetector.process expects a Float32Array', { recoverable: true });
    // One work buffer per detector (chunks are all the same size): no 26 KB of garbage per chunk.
    if (this.work.length !== this.tail.length + pcm.length) this.work = new Float32Array(this.tail.length + pcm.length);
    const work = this.work;
    work.set(this.tail);
    work.set(pcm, this.tail.length);
    const frames = Math.floor(pcm.length / HOP);
    const t0 = tEnd - pcm.length / SR;
    const out: AlarmAlert[] = [];
    for (let f = 0; f < frames; f++) {
      // Frame f ends at sample (f+1)·HOP of the chunk; its centre is half a window earlier.
      const end = this.tail.length + (f + 1) * HOP;
      const t = t0 + ((f + 1) * HOP - N / 2) / SR;
      this.frame(work, end - N, t);
      this.now = t0 + ((f + 1) * HOP) / SR;
      out.push(...this.match());
    }
    this.tail.set(work.subarray(work.length - this.tail.length));
    return out;
  }

  /**
   * A steady tone beeping at one pitch now (see BEEP_*), or null. Says nothing about T3/T4: callers ask
   * it when state() is 'inconsistent', i.e. when the pulses contradict both alarm patterns.
   */
  beeping(): { freqHz: number; pulses: number; sounding: boolean } | null {
    const now = this.now;
    const recent = this.closed.filter((p) => now - p.offset < BEEP_WINDOW_SEC);
    const tried: number[] = [];
    for (let i = recent.length - 1; i >= 0; i--) {
      const f = recent[i].freqHz;
      if (tried.some((g) => Math.abs(g - f) <= SAME_FREQ * g + BIN_HZ)) continue;
      tried.push(f);
      const train = this.train(f).filter((p) => now - p.offset < BEEP_WINDOW_SEC && p.onset >= now - BEEP_WINDOW_SEC - 1);
      if (train.length < BEEP_MIN_PULSES) continue;
      const fs = train.map((p) => p.freqHz);
      if (Math.max(...fs) - Math.min(...fs) > BIN_HZ) continue; // a beep holds its pitch; a melody does not
      const d = train.map((p) => p.offset - p.onset);
      if (!d.every((x) => inside(x, BEEP_ON))) continue;
      const med = [...d].sort((a, b) => a - b)[d.length >> 1];
      if (!d.every((x) => Math.abs(x - med) <= Math.max(T4_ALIKE_SEC, BEEP_ALIKE * med))) continue;
      if (!train.every((p) => steadyPulse(p, { t4DecayDb: BEEP_DECAY_DB, t4RoughDb: BEEP_ROUGH_DB }))) continue;
      const shares = train.map((p) => p.shareDb ?? -Infinity).sort((a, b) => a - b);
      if (shares[shares.length >> 1] < BEEP_SHARE_DB) continue;
      let gapsOk = true;
      for (let k = 1; k < train.length && gapsOk; k++) gapsOk = inside(train[k].onset - train[k - 1].offset, BEEP_GAP);
      if (!gapsOk) continue;
      // Still sounding: a tone at that pitch now, or the silence since the last beep no longer than the
      // train's longest gap (+ 0.1 s): the comment can wait for the beeping to stop, as a person's would.
      const last = train[train.length - 1];
      let longest = 0;
      for (let k = 1; k < train.length; k++) longest = Math.max(longest, train[k].onset - train[k - 1].offset);
      const open = this.opens.some((o) => Math.abs(o.bins[o.bins.length - 1] * BIN_HZ - last.freqHz) <= SAME_FREQ * last.freqHz + BIN_HZ);
      return { freqHz: mean(fs), pulses: train.length, sounding: open || now - last.offset <= longest + 0.1 };
    }
    return null;
  }

  /** What recent pulses say about a smoke alarm at the current time (see AlarmState). */
  state(): AlarmState {
    const now = this.now;
    if (this.lastConfirmed && now - this.lastConfirmed.t < 6) return 'confirmed';
    const recent = this.closed.filter((p) => now - p.offset < 2.5);
    if (!recent.length) return this.opens.some((o) => o.last - o.onset >= MIN_PULSE_SEC) ? 'pending' : 'none';
    const freqs: number[] = [];
    for (const p of recent) if (!freqs.some((f) => Math.abs(f - p.freqHz) <= SAME_FREQ * f + BIN_HZ)) freqs.push(p.freqHz);
    return freqs.some((f) => {
      const train = this.train(f).filter((p) => now - p.offset < 2.5);
      return train.length > 0 && (t3Prefix(train) || t4Prefix(train));
    }) ? 'plausible' : 'inconsistent';
  }

  reset(): void {
    this.tail.fill(0);
    this.opens.length = 0;
    this.closed.length = 0;
    this.closedChanged();
    this.reported.clear();
    this.lastConfirmed = null;
    this.now = 0;
  }

  private frame(work: Float32Array, start: number, t: number): void {
    const { re, im, pow } = this;
    let dc = 0;
    for (let i = 0; i < N; i++) dc += work[start + i];
    dc /= N; // a DC offset must not leak into the band through the window
    for (let i = 0; i < N; i++) {
      re[i] = (work[start + i] - dc) * WINDOW[i];
      im[i] = 0;
    }
    this.fft.run(re, im);
    // Summed in a plain local: a `let` the closure below captured lived in a heap context, and each += of
    // it allocated a heap number (129 per frame, most of the detector's garbage).
    let sum = 0;
    for (let k = 0; k <= N / 2; k++) sum += pow[k] = re[k] * re[k] + im[k] * im[k];
    const whole = sum;
    const share = (k: number) => 10 * Math.log10((pow[k - 1] + pow[k] + pow[k + 1]) / (whole + 1e-20) + 1e-20);
    const ref = this.median(Math.floor(1500 / BIN_HZ), Math.ceil(6000 / BIN_HZ));
    // Tonal peaks in the band, strongest first (at most MAX_TRACKS).
    const peaks: { bin: number; level: number; p: number }[] = [];
    for (let k = this.lo; k <= this.hi; k++) {
      if (!(pow[k] > 0 && pow[k] >= pow[k - 1] && pow[k] > pow[k + 1])) continue;
      const level = this.tonal(k, ref);
      if (level !== null) peaks.push({ bin: k, level, p: pow[k] });
    }
    peaks.sort((a, b) => b.p - a.p);
    peaks.length = Math.min(peaks.length, MAX_TRACKS);
    const used = new Set<number>();
    for (const o of [...this.opens]) {
      const last = o.bins[o.bins.length - 1];
      const hit = peaks.find((q) => !used.has(q.bin) && Math.abs(q.bin - last) <= 1);
      if (hit && Math.abs(hit.level - o.lastDb) > LEVEL_JUMP_DB) {
        // Same pitch, different source: a speech or music partial running into (or out of) the tone.
        used.add(hit.bin);
        this.opens.splice(this.opens.indexOf(o), 1);
        this.close(o);
        this.opens.push({ onset: t, last: t, bins: [hit.bin], levels: [hit.level], shares: [share(hit.bin)], peakDb: hit.level, lastDb: hit.level, gap: 0 });
      } else if (hit) {
        used.add(hit.bin);
        o.last = t;
        o.lastDb = hit.level;
        o.bins.push(hit.bin);
        o.levels.push(hit.level);
        o.shares.push(share(hit.bin));
        if (o.bins.length > 400) {
          // bound memory on a held tone
          o.bins.splice(0, 200);
          o.levels.splice(0, 200);
          o.shares.splice(0, 200);
        }
        o.peakDb = Math.max(o.peakDb, hit.level);
        o.gap = 0;
      } else if (++o.gap > GAP_BRIDGE_FRAMES) {
        this.opens.splice(this.opens.indexOf(o), 1);
        this.close(o);
      }
    }
    for (const q of peaks) {
      if (used.has(q.bin) || this.opens.length >= MAX_TRACKS) continue;
      if (this.opens.some((o) => Math.abs(o.bins[o.bins.length - 1] - q.bin) <= 2)) continue; // a tone's own skirt
      this.opens.push({ onset: t, last: t, bins: [q.bin], levels: [q.level], shares: [share(q.bin)], peakDb: q.level, lastDb: q.level, gap: 0 });
    }
  }

  /** The tone level (dB re full-scale sine) when bin k is a tonal peak, else null. */
  private tonal(k: number, ref: number): number | null {
    const pow = this.pow;
    const levelDb = 10 * Math.log10((pow[k - 1] + pow[k] + pow[k + 1]) / FULL_SCALE_POWER + 1e-20);
    if (levelDb < this.o.minLevelDbfs) return null;
    return 10 * Math.log10(pow[k] / (ref + 1e-20)) >= this.o.tonalDb ? levelDb : null;
  }

  private median(a: number, b: number): number {
    const n = b - a + 1;
    const s = this.scratch.subarray(0, n);
    s.set(this.pow.subarray(a, b + 1));
    // The middle element of the sorted band without sorting it all (powers are finite and ≥ 0, so the
    // selected value is exactly the one a full sort puts there).
    return selectKth(s, n >> 1);
  }

  private close(p: OpenPulse): void {
    // Frame times are window centres: a tone of length L gives about L of tonal frame centres.
    const onset = p.onset;
    const offset = p.last;
    if (offset - onset < MIN_PULSE_SEC) return;
    const sorted = [...p.bins].sort((a, b) => a - b);
    const freqHz = sorted[sorted.length >> 1] * BIN_HZ;
    // A tone briefly masked (or pushed off its level) by another sound is one pulse, not two.
    const prev = [...this.closed].reverse().find((q) => Math.abs(q.freqHz - freqHz) <= BIN_HZ && q.offset <= onset);
    if (prev && onset - prev.offset <= 0.05 && Math.abs(prev.levelDbfs - p.peakDb) <= WEAKER_DB) {
      prev.offset = offset;
      prev.levelDbfs = Math.max(prev.levelDbfs, p.peakDb);
      prev.envelope = prev.envelope && offset - prev.onset <= ENVELOPE_MAX_SEC ? [...prev.envelope, ...p.levels] : undefined;
      prev.shareDb = Math.min(prev.shareDb ?? 0, medianOf(p.shares));
      this.closedChanged();
      return;
    }
    this.closed.push({ onset, offset, freqHz, levelDbfs: p.peakDb, shareDb: medianOf(p.shares), envelope: offset - onset <= ENVELOPE_MAX_SEC ? p.levels : undefined });
    while (this.closed.length && this.now - this.closed[0].offset > HISTORY_SEC) this.closed.shift();
    this.closedChanged();
  }

  private match(): AlarmAlert[] {
    const out: AlarmAlert[] = [];
    for (const f of this.candidateFreqs()) {
      const train = this.train(f);
      const openHere = this.opens.find((o) => o.last - o.onset >= MIN_PULSE_SEC && Math.abs(o.bins[0] * BIN_HZ - f) <= SAME_FREQ * f + BIN_HZ)?.onset ?? null;
      for (const found of [this.matchT3(train, openHere), this.matchT4(train)]) {
        if (!found || this.reportedNear(found.onset) || this.shadowed(found)) continue;
        this.reported.add(found.onset);
        if (this.reported.size > 64) this.reported.delete(this.reported.values().next().value!);
        this.lastConfirmed = found;
        out.push(found);
      }
    }
    return out;
  }

  private reportedNear(onset: number): boolean {
    for (const r of this.reported) if (Math.abs(r - onset) < 0.15) return true;
    return false;
  }

  /** A much louder tone started with this cycle: this one is its distortion product, not an alarm of its own. */
  private shadowed(a: AlarmAlert): boolean {
    const louder = (p: { onset: number; freq: number; level: number }) => Math.abs(p.onset - a.onset) < 0.1 && Math.abs(p.freq - a.freqHz) > SAME_FREQ * a.freqHz + BIN_HZ && p.level > a.levelDbfs + 6;
    return this.closed.some((p) => louder({ onset: p.onset, freq: p.freqHz, level: p.levelDbfs })) || this.opens.some((o) => louder({ onset: o.onset, freq: o.bins[0] * BIN_HZ, level: o.peakDb }));
  }

  /** Pitches of recent pulses long enough to be alarm pulses (usually one). */
  private candidateFreqs(): number[] {
    const out: number[] = [];
    for (let i = this.closed.length - 1; i >= 0 && out.length < MAX_CANDIDATES; i--) {
      const p = this.closed[i];
      if (this.now - p.offset > 8) break;
      const d = p.offset - p.onset;
      if (!inside(d, T3_ON) && !inside(d, T4_ON)) continue;
      if (!out.some((f) => Math.abs(f - p.freqHz) <= SAME_FREQ * f + BIN_HZ)) out.push(p.freqHz);
    }
    return out;
  }

  /**
   * Pulses at pitch f, without the much weaker ones: an alarm's pulses share one level, while speech
   * or music may put a faint partial at the same pitch into its off phases.
   */
  private train(f: number): TonePulse[] {
    // match() asks for the same trains every 10 ms frame, and they change only when a pulse closes.
    let t = this.trains.get(f);
    if (!t) this.trains.set(f, (t = this.buildTrain(f)));
    return t;
  }

  /** The closed pulses changed: trains are built again from them (callers never modify a train). */
  private closedChanged(): void {
    this.trains.clear();
  }

  private buildTrain(f: number): TonePulse[] {
    const same = sameFreq(this.closed, f);
    if (!same.length) return same;
    const ref = Math.max(...same.slice(-6).map((p) => p.levelDbfs));
    const kept = same.filter((p) => p.levelDbfs >= ref - WEAKER_DB);
    // A partial next to the tone's pitch took its peak for a moment, splitting one beep in two with no gap
    // between (speech under a T4 alarm made five "beeps" out of four): of two short pieces the louder is the
    // beep. Longer pieces are not joined: legato notes in music, joined, made T3-long "pulses".
    const strong: TonePulse[] = [];
    for (const p of kept) {
      const q = strong[strong.length - 1];
      const split = q && p.onset >= q.onset && p.onset - q.offset <= JOIN_SEC && q.offset - q.onset < T4_ON[1] && p.offset - p.onset < T4_ON[1];
      if (!split) strong.push(p);
      else if (p.levelDbfs > q.levelDbfs) strong[strong.length - 1] = p;
    }
    // Two tracks on neighbouring bins at once are one tone and a partial beside it: keep the louder.
    return strong.filter((p) => !strong.some((q) => q !== p && q.onset < p.offset && p.onset < q.offset && (q.levelDbfs > p.levelDbfs || (q.levelDbfs === p.levelDbfs && q.onset < p.onset))));
  }

  /** Three T3 pulses, a cycle start before them, and the long off phase (or the next cycle) after. */
  private matchT3(train: TonePulse[], openOnset: number | null): AlarmAlert | null {
    for (let i = train.length - 3; i >= Math.max(0, train.length - 4); i--) {
      const [a, b, c] = train.slice(i, i + 3);
      if (!c) continue;
      if (![a, b, c].every((p) => inside(p.offset - p.onset, T3_ON))) continue;
      if (!inside(b.onset - a.offset, T3_GAP) || !inside(c.onset - b.offset, T3_GAP)) continue;
      // An alarm's beeps hold one pitch; three notes a semitone apart (a rock song's melody at 2.3–2.4 kHz
      // with T3-like rhythm) only share the train's ±2 % + 1 bin.
      const fs = [a.freqHz, b.freqHz, c.freqHz];
      if (Math.max(...fs) - Math.min(...fs) > BIN_HZ) continue;
      const before = train[i - 1];
      if (before && a.onset - before.offset < T3_LONG[0]) continue;
      // A short, weaker blip at the alarm's pitch in the long off phase is a speech or music partial, not
      // the next cycle (an alarm's pulses share one level): it must not break the pause.
      const level = Math.min(a.levelDbfs, b.levelDbfs, c.levelDbfs);
      const after3 = train.slice(i + 3).find((p) => !(p.offset - p.onset < T3_ON[0] / 2 && p.levelDbfs < level - BLIP_WEAKER_DB));
      const next = after3?.onset ?? openOnset;
      const after = (next ?? this.now) - c.offset;
      if (after < this.o.t3ConfirmGapSec || (next !== null && (after < T3_NEXT_MIN_SEC || after > T3_LONG[1]))) continue;
      return { pattern: 'T3', t: this.now, onset: a.onset, freqHz: mean([a, b, c].map((p) => p.freqHz)), levelDbfs: Math.max(a.levelDbfs, b.levelDbfs, c.levelDbfs) };
    }
    return null;
  }

  /**
   * Two T4 groups (four 0.1 s pulses) separated by the 5 s off phase: one group alone is what a timer
   * does. Speech or music may mask a pulse, so one group may be partial (3–4 short pulses within 0.9 s)
   * as long as the other is exact.
   */
  private matchT4(train: TonePulse[]): AlarmAlert | null {
    const n = train.length;
    if (n < 6) return null;
    const g2 = shortGroup(train, n - 1);
    if (!g2) return null;
    let i1 = n - 1 - g2.length;
    let g1 = i1 >= 0 ? shortGroup(train, i1) : null;
    // One stray blip in the 5 s pause (a speech partial at the alarm's pitch), clear of both groups, is
    // not part of the pattern.
    const stray = train[i1];
    if ((!g1 || !inside(g2[0].onset - g1[g1.length - 1].offset, T4_LONG)) && i1 >= 1 && g2[0].onset - stray.offset >= 0.3) {
      const g0 = shortGroup(train, i1 - 1);
      if (g0 && stray.onset - g0[g0.length - 1].offset >= 0.3) {
        i1--;
        g1 = g0;
      }
    }
    if (!g1 || !inside(g2[0].onset - g1[g1.length - 1].offset, T4_LONG)) return null;
    if (!(isT4Group(g1, this.o) || isT4Group(g2, this.o))) return null;
    const before = train[i1 - g1.length];
    if (before && g1[0].onset - before.offset < 2) return null;
    return { pattern: 'T4', t: this.now, onset: g2[0].onset, freqHz: mean(g2.map((p) => p.freqHz)), levelDbfs: Math.max(...g2.map((p) => p.levelDbfs)) };
  }
}

/** The 3–4 short pulses ending at index `last`, within 0.9 s, or null. */
function shortGroup(train: TonePulse[], last: number): TonePulse[] | null {
  const end = train[last].offset;
  let first = last;
  while (first > 0 && train[first - 1].onset >= end - 0.9) first--;
  const g = train.slice(first, last + 1);
  if (g.length < 3 || g.length > 4 || g.some((p) => p.offset - p.onset > 0.3)) return null;
  return g;
}

/**
 * How far (dB) a pulse's level falls after its peak: the peak minus the median of its last third (the
 * final frame left out: the window straddles the tone's end there). A struck sound decays; an alarm beep
 * is a steady tone (0–1 dB in the detection matrix, 4 dB at its 99th percentile).
 */
export function pulseDecayDb(p: TonePulse): number {
  const e = p.envelope;
  if (!e || e.length < 4) return 0; // too short to tell
  let ip = 0;
  for (let i = 1; i < e.length; i++) if (e[i] > e[ip]) ip = i;
  const tail = e.slice(Math.max(ip + 1, Math.floor((2 * e.length) / 3)), e.length - 1).sort((a, b) => a - b);
  return tail.length ? e[ip] - tail[tail.length >> 1] : 0;
}

/**
 * Mean frame-to-frame change of a pulse's level (dB) inside it (first and last frames left out). A beep's
 * level is flat (≤ 0.75 dB in 99 % of the matrix's T4 beeps, under noise, speech and music); a cowbell's
 * 2.4 kHz peak jitters by 2–3 dB from frame to frame (its inharmonic partials beat).
 */
export function pulseRoughnessDb(p: TonePulse): number {
  const e = p.envelope;
  if (!e || e.length < 4) return 0;
  let sum = 0;
  for (let i = 2; i < e.length - 1; i++) sum += Math.abs(e[i] - e[i - 1]);
  return e.length > 3 ? sum / (e.length - 3) : 0;
}

/** A flat tonal pulse: neither decaying nor jittering (see pulseDecayDb, pulseRoughnessDb). */
function steadyPulse(p: TonePulse, o: { t4DecayDb: number; t4RoughDb: number }): boolean {
  return pulseDecayDb(p) <= o.t4DecayDb && pulseRoughnessDb(p) <= o.t4RoughDb;
}

function isT4Group(g: TonePulse[], steady: { t4DecayDb: number; t4RoughDb: number }): boolean {
  if (g.length !== 4) return false;
  // Beeps are flat tonal pulses; a groove's cowbell (2.4 kHz, four hits a bar) is struck: it decays, and its
  // peak jitters. Speech may bend one beep's level, so three of the four must be steady.
  if (g.filter((p) => steadyPulse(p, steady)).length < 3) return false;
  // A CO alarm's four beeps are alike (0.1 s each, ±10 %); a groove's cowbell hits at 2.4 kHz every bar
  // (0.05–0.17 s, rendered latin song) fit the widened per-beep tolerance but not each other.
  // Speech over the alarm stretches or clips one beep, so three of the four must be within T4_ALIKE_SEC
  // of the group's median.
  const d = g.map((p) => p.offset - p.onset).sort((a, b) => a - b);
  const med = (d[1] + d[2]) / 2;
  if (d.filter((x) => Math.abs(x - med) <= T4_ALIKE_SEC).length < 3) return false;
  for (let k = 0; k < 4; k++) {
    if (!inside(g[k].offset - g[k].onset, T4_ON)) return false;
    if (k > 0 && !inside(g[k].onset - g[k - 1].offset, T4_GAP)) return false;
  }
  return true;
}

/** The most recent run of pulses at one pitch (other tones in between are ignored). */
function sameFreq(pulses: readonly TonePulse[], f: number): TonePulse[] {
  return pulses.filter((p) => Math.abs(p.freqHz - f) <= SAME_FREQ * f + BIN_HZ);
}

/** Every pulse and gap so far fits a T3 cycle (short gaps inside, long ones between cycles). */
function t3Prefix(train: TonePulse[]): boolean {
  let run = 0;
  for (let i = 0; i < train.length; i++) {
    if (!inside(train[i].offset - train[i].onset, T3_ON)) return false;
    if (i > 0) {
      const gap = train[i].onset - train[i - 1].offset;
      if (inside(gap, T3_GAP)) run++;
      else if (gap >= T3_LONG[0] && run === 2) run = 0;
      else if (gap < T3_LONG[0]) return false;
      else run = 0;
      if (run > 2) return false;
    }
  }
  return true;
}

function t4Prefix(train: TonePulse[]): boolean {
  let run = 0;
  for (let i = 0; i < train.length; i++) {
    if (!inside(train[i].offset - train[i].onset, T4_ON)) return false;
    if (i > 0) {
      const gap = train[i].onset - train[i - 1].offset;
      if (inside(gap, T4_GAP)) run++;
      else if (gap >= T4_LONG[0] && run === 3) run = 0;
      else return false;
      if (run > 3) return false;
    }
  }
  return true;
}

function medianOf(xs: number[]): number {
  if (!xs.length) return -Infinity;
  const s = [...xs].sort((a, b) => a - b);
  return s[s.length >> 1];
}

function mean(xs: number[]): number {
  return xs.reduce((a, b) => a + b, 0) / xs.length;
}
