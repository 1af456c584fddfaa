// Trains the voice rate model (src/perception/voice/rate-model.ts) on speech whose rate is known
// (scripts/voice-rate-data.ts: tuning voices and phrasings only, espeak-ng `-s` and flite
// `duration_stretch` settings), and measures it the way bench/voice-rate.ts measures rate cues: d′ = the
// mean log shift a `sox tempo -s 1.2` makes over the log sd between one speaker's calm phrasings, with
// every phrasing read by a model that never heard it (4 folds over phrasing groups: a fold trains without
// one group's phrasings and their words' sequences, and reads that group's bench clips). Then trains on
// all of them and writes models/voice-rate/model.json (with the held-out figures in its meta).
// The defaults are the committed model's settings (docs/notes/voice.md, round 11: the round-10 net over
// windows of every 2nd frame (±240 ms), trained 8 epochs on the tuning data plus the written texts of
// scripts/voice-rate-texts.ts; committed as the `--folds none` fit). `--pool joint` is round 14's variant (a
// pooled head added on the same first layer, both trained 2 more epochs on window + utterance loss, read as
// the geometric mean of the window mean and the head): better on held-out tuning phrasings, worse with the
// tuning voices held out and on the report voices, so not committed (round 14, lead's note); the folds' models go
// to .cache/voice-rate/<tag>/ for `npm run bench -- voice-rate-cues` (VOICE_RATE_FOLDS=<tag>, default folds).
// Data first (cached; four processes ~9 min at load 3–7, round 14):
//   node --import tsx scripts/voice-rate-data.ts & node --import tsx scripts/voice-rate-data.ts --more-only &
//   node --import tsx scripts/voice-rate-data.ts --texts-shard=0/2 & node --import tsx scripts/voice-rate-data.ts --texts-shard=1/2
//   (round 15's new speakers: node --import tsx scripts/voice-rate-data.ts --voices15-shard=0/2 & ... --voices15-shard=1/2,
//   then train with --voices15 2 [--drop-speakers festival])
//   nice -n 10 node --import tsx scripts/train-voice-rate.ts [--half 12] [--hidden 64] [--epochs 8] [--texts 2] [--tag folds] [--folds none] [--no-write]
// (~10–15 min with the folds at load 3–5; `--texts 0 --epochs 16 --step 1` is round 10's recipe. tfjs dropout is
// not seeded: a re-run gives another model of about the same d′, ±0.1.)
import * as tf from '@tensorflow/tfjs';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { parseArgs } from 'node:util';
import { initTf } from '../src/soundflow/train/sounds-model.ts';
import { forward, initMlp, snapshot, type Mlp } from '../src/soundflow/train/decision-model.ts';
import { DEFAULT_RATE_MODEL, jointRateLayers, RateNet, rateWindows, type RateModelSpec } from '../src/perception/voice/rate-model.ts';
import { spectralVelocity } from '../src/perception/voice/prosody.ts';
import { makeRng } from '../src/util/rng.ts';
import { TUNING_PHRASES, VOICE_FOLD_PAIRS } from '../bench/voice-audio.ts';
import { CACHE, ESPEAK_RATES, ESPEAK_VOICES, EXTRA_ESPEAK_VOICES, FLITE_STRETCHES, FLITE_VOICES, GROUPS, rateData, VOICES15_ESPEAK, VOICES15_FESTIVAL, type ClipFeatures } from './voice-rate-data.ts';
import { RATE_TEXTS } from './voice-rate-texts.ts';

const { values: args } = parseArgs({
  options: {
    half: { type: 'string', default: '12' },
    hidden: { type: 'string', default: '64' },
    epochs: { type: 'string', default: '8' },
    stride: { type: 'string', default: '2' },
    step: { type: 'string', default: '2' },
    /** window: loss on each window; utterance: loss on the mean of the window outputs; head: a pooled head (round 13); joint (round 14, not committed): below. */
    pool: { type: 'string', default: 'window' },
    /** With --pool head: the head's hidden sizes after the mean of the window embeddings ('' = linear). */
    head: { type: 'string', default: '16' },
    /** --pool window-head: the window model trained first (--epochs), then its output layer replaced by the head and fine-tuned on the utterance loss this many epochs. */
    'ft-epochs': { type: 'string', default: '2' },
    /** --pool joint (round 14): the window model trained first (--epochs, may be 0), then a pooled head (--head) added on the same trunk and both trained --ft-epochs on clip batches with loss = window MSE + lambda × utterance MSE; the reading is window mean^w × head^(1−w) (--win-weight), folded into one pooled net. */
    lambda: { type: 'string', default: '1' },
    'win-weight': { type: 'string', default: '0.5' },
    batch: { type: 'string', default: '32' },
    lr: { type: 'string', default: '0.001' },
    l2: { type: 'string', default: '0.0001' },
    dropout: { type: 'string', default: '0.2' },
    seed: { type: 'string', default: '1' },
    folds: { type: 'string', default: 'all' },
    'no-write': { type: 'boolean', default: false },
    /** Write each tuning bench clip's held-out reading (and its velocity) to this JSON file. */
    dump: { type: 'string' },
    tag: { type: 'string', default: 'folds' },
    'voice-folds': { type: 'boolean', default: false },
    /** Only the base 4 word sequences per group (round 10's first variants), not 8. */
    'base-only': { type: 'boolean', default: false },
    'speaker-bias': { type: 'boolean', default: false },
    /** Round 11: the written texts (scripts/voice-rate-texts.ts) in this many cached shards; 0 = without them. */
    texts: { type: 'string', default: '2' },
    /** Round 15: the new speakers' written texts (voice-rate-data.ts --voices15-shard) in this many cached shards; 0 = without them. */
    voices15: { type: 'string', default: '0' },
    /** Round 15: leave these training speakers out (comma-separated prefixes of the speaker, e.g. 'festival'). */
    'drop-speakers': { type: 'string', default: '' },
    out: { type: 'string', default: DEFAULT_RATE_MODEL },
  },
});
const HALF = Number(args.half), STRIDE = Number(args.stride), STEP = Number(args.step), EPOCHS = Number(args.epochs);
const HIDDEN = args.hidden!.split(',').filter(Boolean).map(Number);
const POOLED_HEAD = args.pool === 'head' || args.pool === 'window-head';
const JOINT = args.pool === 'joint';
const HEAD = args.pool === 'head' ? args.head!.split(',').filter(Boolean).map(Number) : [];
const log = (s: string) => console.log(`[${new Date().toISOString().slice(11, 19)}] ${s}`);

await initTf();
const data = await rateData(log, !args['base-only'], Number(args.texts), Number(args.voices15));
const drop = args['drop-speakers']!.split(',').filter(Boolean);
const train = data.train.filter((c) => !drop.some((p) => c.speaker.startsWith(p)));
const bench = data.bench;
log(`data: ${train.length} training clips (${new Set(train.map((c) => c.speaker)).size} speakers), ${bench.length} bench clips`);

const SPEAKERS = [...new Set([...ESPEAK_VOICES, ...EXTRA_ESPEAK_VOICES, ...VOICES15_ESPEAK].map((v) => `espeak ${v}`).concat(FLITE_VOICES.map((v) => `flite ${v}`), VOICES15_FESTIVAL.map((v) => `festival ${v}`)))];

function rows(clips: ClipFeatures[]): { x: Float32Array; y: Float32Array; s: Int32Array; n: number; d: number } {
  const parts = clips.map((c) => ({ w: rateWindows(c.frames, HALF, STRIDE, STEP), y: c.logRate, s: SPEAKERS.indexOf(c.speaker) }));
  const n = parts.reduce((k, p) => k + p.w.n, 0);
  const d = parts[0].w.d;
  const x = new Float32Array(n * d), y = new Float32Array(n), s = new Int32Array(n);
  let r = 0;
  for (const p of parts) {
    x.set(p.w.x, r * d);
    y.fill(p.y, r, r + p.w.n);
    s.fill(p.s, r, r + p.w.n);
    r += p.w.n;
  }
  return { x, y, s, n, d };
}

/** With --pool joint, a fit's two readings apart (window mean, pooled head), for the held-out tables. */
interface Parts { win: RateModelSpec; head: RateModelSpec }

/** Fits an MLP (MSE on each window's target); returns the run-time spec. */
async function fit(clips: ClipFeatures[], seed: number, parts?: (p: Parts) => void): Promise<RateModelSpec> {
  const t0 = Date.now();
  const { x, y, s: spk, n, d } = rows(clips);
  // A bias per training speaker (dropped at run time): only a rate relative to the speaker's own is
  // used, so the net need not learn each synthesiser's absolute rate.
  const spkBias = tf.variable(tf.zeros([SPEAKERS.length, 1]), true, `spk${seed}`);
  const useBias = args['speaker-bias'] === true;
  const mean = new Float32Array(d), std = new Float32Array(d);
  for (let r = 0; r < n; r++) for (let i = 0; i < d; i++) mean[i] += x[r * d + i] / n;
  for (let r = 0; r < n; r++) for (let i = 0; i < d; i++) std[i] += (x[r * d + i] - mean[i]) ** 2 / n;
  for (let i = 0; i < d; i++) std[i] = Math.max(1e-3, Math.sqrt(std[i]));
  const meanT = tf.tensor1d(mean), stdT = tf.tensor1d(std);
  const m: Mlp = initMlp([d, ...HIDDEN, ...HEAD, 1], seed);
  const opt = tf.train.adam(Number(args.lr));
  const rng = makeRng(seed);
  const order = Array.from({ length: n }, (_, i) => i);
  const B = 256;
  if (args.pool === 'utterance' || args.pool === 'head') await fitPooled(clips, m, opt, meanT, stdT, rng, d, t0, EPOCHS, args.pool === 'head');
  else {
  const l2 = Number(args.l2), dropout = Number(args.dropout);
  for (let e = 0; e < EPOCHS; e++) {
    shuffle(order, rng);
    let lossSum = 0, batches = 0;
    const bx = new Float32Array(B * d), by = new Float32Array(B), bs = new Float32Array(B * SPEAKERS.length);
    for (let s = 0; s + B <= n; s += B) {
      for (let k = 0; k < B; k++) {
        bx.set(x.subarray(order[s + k] * d, order[s + k] * d + d), k * d);
        by[k] = y[order[s + k]];
        bs.fill(0, k * SPEAKERS.length, (k + 1) * SPEAKERS.length);
        bs[k * SPEAKERS.length + spk[order[s + k]]] = 1;
      }
      const xt = tf.tensor2d(bx, [B, d]), yt = tf.tensor1d(by), st = tf.tensor2d(bs, [B, SPEAKERS.length]);
      const loss = opt.minimize(() => {
        const p0 = forward(m, xt, meanT, stdT, dropout);
        const p = useBias ? p0.add(tf.matMul(st, spkBias).reshape([-1])) : p0;
        const mse = tf.losses.meanSquaredError(yt, p) as tf.Scalar;
        return m.ws.reduce((acc, w) => acc.add(tf.sum(tf.square(w)).mul(l2)), mse) as tf.Scalar;
      }, true) as tf.Scalar;
      lossSum += (await loss.data())[0];
      batches++;
      tf.dispose([xt, yt, st, loss]);
    }
    if (e === 0 || e === EPOCHS - 1 || (e + 1) % 4 === 0) log(`    epoch ${e + 1}/${EPOCHS}: loss ${(lossSum / batches).toFixed(4)} (${n} windows, ${((Date.now() - t0) / 1000).toFixed(0)} s)`);
  }
  if (args.pool === 'window-head') {
    // Replace the window model's output layer by a fresh head over the mean of the window embeddings.
    tf.dispose([m.ws.pop()!, m.bs.pop()!]);
    const h = newHead(seed, 'head');
    m.ws.push(...h.ws);
    m.bs.push(...h.bs);
    await fitPooled(clips, m, tf.train.adam(Number(args.lr)), meanT, stdT, rng, d, t0, Number(args['ft-epochs']), true);
  }
  }
  let jointHead: Mlp | null = null;
  if (JOINT) {
    jointHead = newHead(seed, 'jhead');
    await fitJoint(clips, m, jointHead, tf.train.adam(Number(args.lr)), meanT, stdT, rng, d, t0);
  }
  const snap = snapshot(m);
  const spec: RateModelSpec = {
    version: 1,
    half: HALF,
    stride: STRIDE,
    step: STEP,
    norm: { mean: Array.from(mean), std: Array.from(std) },
    layers: m.ws.map((w, k) => ({ inputs: w.shape[0], outputs: w.shape[1] as number, w: Array.from(snap[k]), b: Array.from(snap[m.ws.length + k]) })),
    ...(POOLED_HEAD ? { poolAfter: HIDDEN.length } : {}),
  };
  if (jointHead) {
    const hs = snapshot(jointHead);
    const head = jointHead.ws.map((w, k) => ({ inputs: w.shape[0], outputs: w.shape[1] as number, w: Array.from(hs[k]), b: Array.from(hs[jointHead!.ws.length + k]) }));
    const trunk = spec.layers.slice(0, HIDDEN.length), out = spec.layers[HIDDEN.length];
    parts?.({ win: { ...spec }, head: { ...spec, layers: [...trunk, ...head], poolAfter: HIDDEN.length } });
    const j = jointRateLayers(trunk, out, head, Number(args['win-weight']));
    spec.layers = j.layers;
    spec.poolAfter = j.poolAfter;
    tf.dispose([...jointHead.ws, ...jointHead.bs]);
  }
  tf.dispose([...m.ws, ...m.bs, meanT, stdT, spkBias]);
  opt.dispose();
  return spec;
}

/** A fresh pooled head (--head hidden sizes, then 1 output) over the last hidden layer's width; He-initialised. */
function newHead(seed: number, name: string): Mlp {
  const sizes = [HIDDEN[HIDDEN.length - 1], ...args.head!.split(',').filter(Boolean).map(Number), 1];
  const h: Mlp = { ws: [], bs: [] };
  for (let k = 0; k + 1 < sizes.length; k++) {
    h.ws.push(tf.variable(tf.randomNormal([sizes[k], sizes[k + 1]], 0, Math.sqrt(2 / sizes[k]), 'float32', seed + 50 + k), true, `${name}_w${k}_${seed}`));
    h.bs.push(tf.variable(tf.zeros([sizes[k + 1]]), true, `${name}_b${k}_${seed}`));
  }
  return h;
}

interface ClipWindows { w: { x: Float32Array; n: number }; y: number }

/** Each clip's windows and target, clips with no window left out. */
const clipWindows = (clips: ClipFeatures[]): ClipWindows[] => clips.map((c) => ({ w: rateWindows(c.frames, HALF, STRIDE, STEP), y: c.logRate })).filter((p) => p.w.n > 0);

/** Shuffles `order` in place (Fisher–Yates on rng), once per epoch. */
function shuffle(order: number[], rng: () => number): void {
  for (let i = order.length - 1; i > 0; i--) {
    const j = Math.floor(rng() * (i + 1));
    [order[i], order[j]] = [order[j], order[i]];
  }
}

/**
 * One batch of clips as tensors' data: their windows stacked (x), a [clips × windows] matrix that averages
 * each clip's windows (a), each clip's target (y) and each window's (its clip's target, yw).
 */
function clipBatch(per: ClipWindows[], idx: number[], d: number): { x: Float32Array; a: Float32Array; y: Float32Array; yw: Float32Array; rows: number } {
  const rows = idx.reduce((k, i) => k + per[i].w.n, 0);
  const x = new Float32Array(rows * d), a = new Float32Array(idx.length * rows), y = new Float32Array(idx.length), yw = new Float32Array(rows);
  let r = 0;
  idx.forEach((i, u) => {
    const p = per[i];
    x.set(p.w.x, r * d);
    for (let k = 0; k < p.w.n; k++) a[u * rows + r + k] = 1 / p.w.n;
    yw.fill(p.y, r, r + p.w.n);
    y[u] = p.y;
    r += p.w.n;
  });
  return { x, a, y, yw, rows };
}

/** The hidden layers on standardised windows (ReLU, then dropout when training with it). */
function trunkOf(m: Mlp, xt: tf.Tensor2D, meanT: tf.Tensor1D, stdT: tf.Tensor1D, dropout: number): tf.Tensor2D {
  let h = xt.sub(meanT).div(stdT) as tf.Tensor2D;
  for (let k = 0; k < HIDDEN.length; k++) {
    h = tf.relu(tf.matMul(h, m.ws[k]).add(m.bs[k])) as tf.Tensor2D;
    if (dropout > 0) h = tf.dropout(h, dropout) as tf.Tensor2D;
  }
  return h;
}

/** Layers [from, end) of ws/bs on g, ReLU on all but the last; the output as a vector. */
function headOf(g: tf.Tensor2D, ws: tf.Variable[], bs: tf.Variable[], from = 0): tf.Tensor1D {
  for (let k = from; k < ws.length; k++) {
    g = tf.matMul(g, ws[k]).add(bs[k]) as tf.Tensor2D;
    if (k < ws.length - 1) g = tf.relu(g);
  }
  return g.reshape([-1]);
}

/**
 * Trains on each utterance's mean output (the reading the run time takes) instead of each window's:
 * batches of `batch` clips, their windows averaged per clip by a [clips × windows] matrix.
 */
async function fitPooled(clips: ClipFeatures[], m: Mlp, opt: tf.Optimizer, meanT: tf.Tensor1D, stdT: tf.Tensor1D, rng: () => number, d: number, t0: number, epochs: number, pooledHead: boolean): Promise<void> {
  const per = clipWindows(clips);
  const B = Number(args.batch);
  const l2 = Number(args.l2), dropout = Number(args.dropout);
  const order = per.map((_, i) => i);
  for (let e = 0; e < epochs; e++) {
    shuffle(order, rng);
    let lossSum = 0, batches = 0;
    for (let s = 0; s + B <= order.length; s += B) {
      const b = clipBatch(per, order.slice(s, s + B), d);
      const xt = tf.tensor2d(b.x, [b.rows, d]), at = tf.tensor2d(b.a, [B, b.rows]), yt = tf.tensor1d(b.y);
      const loss = opt.minimize(() => {
        let u: tf.Tensor;
        if (pooledHead) {
          // Per-window layers (ReLU, dropout), their mean per clip, then the head.
          u = headOf(tf.matMul(at, trunkOf(m, xt, meanT, stdT, dropout)), m.ws, m.bs, HIDDEN.length);
        } else {
          const p = forward(m, xt, meanT, stdT, dropout).reshape([-1, 1]) as tf.Tensor2D;
          u = tf.matMul(at, p).reshape([-1]);
        }
        const mse = tf.losses.meanSquaredError(yt, u) as tf.Scalar;
        return m.ws.reduce((acc, w) => acc.add(tf.sum(tf.square(w)).mul(l2)), mse) as tf.Scalar;
      }, true) as tf.Scalar;
      lossSum += (await loss.data())[0];
      batches++;
      tf.dispose([xt, at, yt, loss]);
    }
    if (e === 0 || e === epochs - 1 || (e + 1) % 4 === 0) log(`    epoch ${e + 1}/${epochs}: utterance loss ${(lossSum / batches).toFixed(4)} (${per.length} clips, ${((Date.now() - t0) / 1000).toFixed(0)} s)`);
  }
}

/**
 * Round 14: one trunk, two outputs trained together on clip batches (`batch` clips): each window's
 * output (the trunk and m's output layer; MSE on the window's target, as the window training) and a
 * pooled head over the mean of the clip's trunk activations (MSE on the clip's target, weighted lambda).
 */
async function fitJoint(clips: ClipFeatures[], m: Mlp, head: Mlp, opt: tf.Optimizer, meanT: tf.Tensor1D, stdT: tf.Tensor1D, rng: () => number, d: number, t0: number): Promise<void> {
  const per = clipWindows(clips);
  const B = Number(args.batch), epochs = Number(args['ft-epochs']);
  const l2 = Number(args.l2), dropout = Number(args.dropout), lambda = Number(args.lambda);
  const P = HIDDEN.length;
  const order = per.map((_, i) => i);
  for (let e = 0; e < epochs; e++) {
    shuffle(order, rng);
    let wSum = 0, uSum = 0, batches = 0;
    for (let s = 0; s + B <= order.length; s += B) {
      const b = clipBatch(per, order.slice(s, s + B), d);
      const xt = tf.tensor2d(b.x, [b.rows, d]), at = tf.tensor2d(b.a, [B, b.rows]), yt = tf.tensor1d(b.y), ywt = tf.tensor1d(b.yw);
      let wl = 0, ul = 0;
      const loss = opt.minimize(() => {
        const h = trunkOf(m, xt, meanT, stdT, dropout);
        const win = tf.matMul(h, m.ws[P]).add(m.bs[P]).reshape([-1]);
        const wMse = tf.losses.meanSquaredError(ywt, win) as tf.Scalar;
        const uMse = tf.losses.meanSquaredError(yt, headOf(tf.matMul(at, h), head.ws, head.bs)) as tf.Scalar;
        wl = wMse.dataSync()[0];
        ul = uMse.dataSync()[0];
        return [...m.ws, ...head.ws].reduce((acc, w) => acc.add(tf.sum(tf.square(w)).mul(l2)), wMse.add(uMse.mul(lambda))) as tf.Scalar;
      }, true) as tf.Scalar;
      wSum += wl;
      uSum += ul;
      batches++;
      tf.dispose([xt, at, yt, ywt, loss]);
    }
    log(`    joint epoch ${e + 1}/${epochs}: window loss ${(wSum / batches).toFixed(4)}, utterance loss ${(uSum / batches).toFixed(4)} (${per.length} clips, ${((Date.now() - t0) / 1000).toFixed(0)} s)`);
  }
}

// Held-out readings of every bench clip: fold g trains without group g and reads group g.
const cue = new Map<ClipFeatures, number>();
const heldReading = new Map<ClipFeatures, number>();
/** --pool joint: the window-mean and the pooled head's readings apart. */
const cueWin = new Map<ClipFeatures, number>(), cueHead = new Map<ClipFeatures, number>();
// --voice-folds (round 14, a diagnostic): six folds that hold out two tuning speakers (all their clips,
// the written texts too) and two phrasing groups at once, each reading only those speakers' clips of those
// phrasings, so every bench clip is read by a model that heard neither its voice nor its words.
const voiceFolds = args['voice-folds'] === true;
const foldList = args.folds === 'none' ? [] : voiceFolds
  ? Array.from({ length: 6 }, (_, f) => ({ g: f, groups: f % 2 ? [2, 3] : [0, 1], speakers: VOICE_FOLD_PAIRS[f >> 1] }))
  : Array.from({ length: GROUPS }, (_, g) => ({ g, groups: [g], speakers: null as string[] | null }));
for (const { g, groups, speakers } of foldList) {
  const heldOut = (c: ClipFeatures) => groups.includes(c.group) && (!speakers || speakers.includes(c.speaker));
  log(`fold ${g + 1}/${foldList.length}: training without phrasing group(s) ${groups.join(',')}${speakers ? ` and speakers ${speakers.join(', ')}` : ''}`);
  let parts: Parts | undefined;
  const spec = await fit(train.filter((c) => !groups.includes(c.group) && !(speakers && speakers.includes(c.speaker))), Number(args.seed) + g, (p) => (parts = p));
  mkdirSync(`${CACHE}/${args.tag}`, { recursive: true });
  writeFileSync(`${CACHE}/${args.tag}/fold-${g}.json`, JSON.stringify(spec));
  const net = new RateNet(spec);
  const held = train.filter(heldOut);
  // How well it reads the held-out natural rates (correlation with the setting).
  const pr = held.map((c) => Math.log(net.rate(c.frames) || 1)), tr = held.map((c) => c.logRate);
  log(`  held-out training-style clips: r = ${corr(pr, tr).toFixed(3)}, slope ${slope(pr, tr).toFixed(2)} between reading and setting (${held.length} clips)`);
  for (const c of held) heldReading.set(c, net.rate(c.frames));
  for (const c of bench.filter(heldOut)) cue.set(c, net.rate(c.frames));
  if (parts) {
    const win = new RateNet(parts.win), head = new RateNet(parts.head);
    for (const c of bench.filter(heldOut)) {
      cueWin.set(c, win.rate(c.frames));
      cueHead.set(c, head.rate(c.frames));
    }
  }
}

function slope(p: number[], t: number[]): number {
  const mp = p.reduce((s, v) => s + v, 0) / p.length, mt = t.reduce((s, v) => s + v, 0) / t.length;
  let spt = 0, stt = 0;
  p.forEach((v, i) => {
    spt += (v - mp) * (t[i] - mt);
    stt += (t[i] - mt) ** 2;
  });
  return spt / stt;
}

function corr(a: number[], b: number[]): number {
  const ma = a.reduce((s, v) => s + v, 0) / a.length, mb = b.reduce((s, v) => s + v, 0) / b.length;
  let sab = 0, saa = 0, sbb = 0;
  a.forEach((v, i) => {
    sab += (v - ma) * (b[i] - mb);
    saa += (v - ma) ** 2;
    sbb += (b[i] - mb) ** 2;
  });
  return sab / Math.sqrt(saa * sbb);
}

/** d′ as bench/voice-rate.ts computes it, for a cue given per bench clip. */
function dPrime(value: (c: ClipFeatures) => number | undefined): { sd: number; faster: number; higher: number; louder: number; d: number; worst: number } {
  const speakers = [...new Set(bench.map((c) => c.speaker))];
  let ss = 0, dof = 0, worst = Infinity;
  const shifts: Record<string, number[]> = { faster20: [], higher3st: [], louder6dB: [] };
  const mean = (v: number[]) => v.reduce((a, b) => a + b, 0) / Math.max(1, v.length);
  for (const sp of speakers) {
    const mine = bench.filter((c) => c.speaker === sp);
    const calmOf = new Map(mine.filter((c) => c.kind === 'calm').map((c) => [c.text, value(c)]));
    const calm = [...calmOf.values()].filter((v): v is number => v !== undefined && v > 0).map(Math.log);
    const mu = mean(calm);
    const own = calm.reduce((s, v) => s + (v - mu) ** 2, 0);
    ss += own;
    dof += calm.length - 1;
    const ownShift: number[] = [];
    for (const c of mine) {
      if (c.kind === 'calm') continue;
      const a = value(c), b = calmOf.get(c.text);
      if (!(a && b && a > 0 && b > 0)) continue;
      shifts[c.kind].push(Math.log(a / b));
      if (c.kind === 'faster20') ownShift.push(Math.log(a / b));
    }
    worst = Math.min(worst, mean(ownShift) / Math.sqrt(own / (calm.length - 1)));
  }
  const sd = Math.sqrt(ss / dof);
  return { sd, faster: mean(shifts.faster20), higher: mean(shifts.higher3st), louder: mean(shifts.louder6dB), d: mean(shifts.faster20) / sd, worst };
}

if (args.dump && foldList.length) writeFileSync(args.dump, JSON.stringify(bench.map((c) => ({ speaker: c.speaker, text: c.text, kind: c.kind, model: cue.get(c) ?? 0, ...(cueWin.size ? { win: cueWin.get(c) ?? 0, head: cueHead.get(c) ?? 0 } : {}), velocity: spectralVelocity(c.frames) }))));

const results: Record<string, ReturnType<typeof dPrime>> = {};
if (foldList.length) {
  const vel = new Map(bench.map((c) => [c, spectralVelocity(c.frames)]));
  const cues: Record<string, (c: ClipFeatures) => number | undefined> = {
    'spectral velocity (today)': (c) => vel.get(c),
    'rate model (held-out phrasings)': (c) => cue.get(c),
  };
  if (cueWin.size) {
    cues['joint: window mean alone'] = (c) => cueWin.get(c);
    cues['joint: pooled head alone'] = (c) => cueHead.get(c);
    for (const w of [0.3, 0.7]) cues[`joint: window^${w} × head^${(1 - w).toFixed(1)}`] = (c) => {
      const a = cueWin.get(c), b = cueHead.get(c);
      return a && b ? Math.exp(w * Math.log(a) + (1 - w) * Math.log(b)) : undefined;
    };
  }
  for (const w of [0.3, 0.5, 0.7]) cues[`velocity^${(1 - w).toFixed(1)} × model^${w}`] = (c) => {
    const a = vel.get(c), b = cue.get(c);
    return a && b ? Math.exp((1 - w) * Math.log(a) + w * Math.log(b)) : undefined;
  };
  console.log('| cue (tuning, phrasings held out) | log sd | shift +20% tempo | +3 st | +6 dB | d′ | worst speaker d′ |\n|---|---|---|---|---|---|---|');
  for (const [name, f] of Object.entries(cues)) {
    const r = (results[name] = dPrime(f));
    console.log(`| ${name} | ${r.sd.toFixed(3)} | ${r.faster.toFixed(3)} | ${r.higher.toFixed(3)} | ${r.louder.toFixed(3)} | ${r.d.toFixed(2)} | ${r.worst.toFixed(2)} |`);
  }
}

// The same d′ for a natural rate change on held-out phrasings: each tuning voice's phrasings at its
// usual rate against the same phrasings ~25% faster (espeak -s 200 vs 160, flite stretch 0.8 vs 1).
if (heldReading.size) {
  const usual = (c: ClipFeatures) => c.voice.endsWith('s=160') || c.voice.endsWith('stretch=1');
  const fast = (c: ClipFeatures) => c.voice.endsWith('s=200') || c.voice.endsWith('stretch=0.8');
  const held = [...heldReading.keys()].filter((c) => !c.text.includes('  ') && TUNING_PHRASES.includes(c.text));
  let ss = 0, dof = 0;
  const shifts: number[] = [];
  for (const sp of new Set(held.map((c) => c.speaker))) {
    const base = held.filter((c) => c.speaker === sp && usual(c));
    const v = base.map((c) => Math.log(heldReading.get(c)!)).filter(Number.isFinite);
    const mu = v.reduce((a, b) => a + b, 0) / v.length;
    ss += v.reduce((a, b) => a + (b - mu) ** 2, 0);
    dof += v.length - 1;
    for (const c of base) {
      const f = held.find((x) => x.speaker === sp && fast(x) && x.text === c.text);
      if (f && heldReading.get(f)! > 0 && heldReading.get(c)! > 0) shifts.push(Math.log(heldReading.get(f)! / heldReading.get(c)!));
    }
  }
  const sd = Math.sqrt(ss / dof), sh = shifts.reduce((a, b) => a + b, 0) / shifts.length;
  console.log(`natural rate +25% (synthesiser setting, held-out phrasings): log sd ${sd.toFixed(3)}, shift ${sh.toFixed(3)} (true 0.223), d′ ${(sh / sd).toFixed(2)}`);
}

if (!args['no-write']) {
  log('final model: all tuning phrasings');
  const spec = await fit(train, Number(args.seed) + 100);
  spec.meta = {
    trainedBy: 'scripts/train-voice-rate.ts',
    date: new Date().toISOString(),
    data: {
      espeakVoices: ESPEAK_VOICES, espeakRates: ESPEAK_RATES, fliteVoices: FLITE_VOICES, fliteStretches: FLITE_STRETCHES, clips: train.length,
      phrasings: 'bench/voice-audio.ts TUNING_PHRASES + word sequences from them' + (Number(args.texts) > 0 ? ` + ${RATE_TEXTS.length} written texts (scripts/voice-rate-texts.ts) by these voices and ${EXTRA_ESPEAK_VOICES.join(', ')}` : '')
        + (Number(args.voices15) > 0 ? `; round 15: the same texts by ${[...VOICES15_ESPEAK.map((v) => `espeak ${v}`), ...VOICES15_FESTIVAL.map((v) => `festival ${v}`)].filter((sp) => !drop.some((p) => sp.startsWith(p))).join(', ')}` : ''),
    },
    args,
    hidden: HIDDEN,
    epochs: EPOCHS,
    heldOutTuning: Object.fromEntries(Object.entries(results).map(([k, r]) => [k, { dPrime: Math.round(100 * r.d) / 100, sd: Math.round(1000 * r.sd) / 1000, faster: Math.round(1000 * r.faster) / 1000 }])),
  };
  // Weights rounded to 6 significant digits keep the file small; the forward pass is checked below.
  for (const l of spec.layers) {
    l.w = l.w.map((v) => Number(v.toPrecision(6)));
    l.b = l.b.map((v) => Number(v.toPrecision(6)));
  }
  spec.norm.mean = spec.norm.mean.map((v) => Number(v.toPrecision(6)));
  spec.norm.std = spec.norm.std.map((v) => Number(v.toPrecision(6)));
  mkdirSync(dirname(args.out!), { recursive: true });
  writeFileSync(args.out!, JSON.stringify(spec) + '\n');
  log(`wrote ${args.out}`);
}
