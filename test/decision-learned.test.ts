// The learned decision policy on real audio: features, the plain-TS model vs tfjs, the gate over the
// rule policy's candidates, and the committed model answering a spoken question end to end.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { createEngine } from '../src/engine/registry.ts';
import { resolveOptions } from '../src/engine/options.ts';
import { collect } from '../src/testing/session.ts';
import { EmbeddedSession } from '../src/engine/session.ts';
import { Perceiver } from '../src/perception/perceiver.ts';
import { RulePolicy } from '../src/decision/rules.ts';
import { Assistant } from '../src/response/assistant.ts';
import { SoundWatcher } from '../src/decision/sound-watcher.ts';
import { FeatureTracker } from '../src/decision/features.ts';
import { DecisionNet, LearnedPolicy, ReplyGate, loadDecisionModel, type DecisionModelSpec } from '../src/decision/learned.ts';
import type { Percept } from '../src/perception/types.ts';
import type { ChunkDecision, DecisionContext, Policy, ResponsePlan } from '../src/decision/types.ts';
import type { SessionEvent } from '../src/events.ts';
import { fromSpec, initMlp, predictTf, toSpec } from '../src/soundflow/train/decision-model.ts';
import { initTf } from '../src/soundflow/train/sounds-model.ts';
import { SOUND_CLASSES } from '../src/perception/sounds/classes.ts';
import { concat, mix, noise, silence, speech, tone, SR } from '../src/testing/audio.ts';

const question = speech('What is your name?');
const LEAD = 1.6;
// A question, then a beeping tone burst, over light pink noise.
const AUDIO = mix(concat(silence(LEAD), question, silence(2.4), tone(3000, 0.8, 0.3), silence(1.6)), noise(LEAD + question.length / SR + 4.8 + 0.1, { amplitude: 0.02 }), 25);
const SPEECH_END_CHUNK = Math.floor((LEAD + question.length / SR) / 0.4);

/** Records what the wrapped policy decided per chunk (plan objects kept by identity). */
class Spy implements Policy {
  readonly decided: { index: number; d: ChunkDecision }[] = [];
  constructor(private readonly inner: Policy) {}
  instruct(text: string, t: number): ChunkDecision {
    return this.inner.instruct(text, t);
  }
  async decide(p: Percept, ctx: DecisionContext): Promise<ChunkDecision> {
    const d = await this.inner.decide(p, ctx);
    this.decided.push({ index: p.chunk.index, d });
    return d;
  }
}

/** A model whose output is the constant sigmoid(bias): gating behaviour without depending on training. */
function constantNet(p: number, window = 2): DecisionNet {
  const inputs = new FeatureTracker(SOUND_CLASSES).size * window;
  const spec: DecisionModelSpec = {
    version: 1, featureVersion: 1, soundClasses: [...SOUND_CLASSES], window,
    norm: { mean: new Array(inputs).fill(0), std: new Array(inputs).fill(1) },
    layers: [{ inputs, outputs: 1, w: new Array(inputs).fill(0), b: [Math.log(p / (1 - p))] }],
    threshold: 0.5, maxHold: 2,
  };
  return new DecisionNet(spec);
}

async function run(net: DecisionNet, opts: { threshold?: number; maxHold?: number } = {}) {
  const o = resolveOptions({ mode: 'sequential', speak: false });
  const perceiver = await Perceiver.create({ sounds: true });
  const assistant = new Assistant();
  const rules = new Spy(new RulePolicy(assistant, new SoundWatcher(assistant.tasks, true)));
  const features: Float32Array[] = [];
  const probs: number[] = [];
  const learned = new Spy(new LearnedPolicy(rules, net, { ...opts, onChunk: (c) => (features.push(c.features), probs.push(c.p)) }));
  const events = await collect(new EmbeddedSession(o, perceiver, learned, null), AUDIO, 6400);
  return { rules: rules.decided, learned: learned.decided, features, probs, events };
}

const proposed = (r: { d: ChunkDecision }[]) => r.flatMap((x) => x.d.responses);

test('features are deterministic, bounded, and the policy only emits what the rules proposed', async () => {
  const net = loadDecisionModel();
  const a = await run(net);
  const b = await run(net);
  const size = new FeatureTracker(SOUND_CLASSES).size;
  assert.equal(a.features.length, Math.ceil(AUDIO.length / 6400));
  for (const x of a.features) {
    assert.equal(x.length, size * net.spec.window);
    for (const v of x) assert.ok(Number.isFinite(v) && v >= 0 && v <= 1, `feature ${v} out of [0, 1]`);
  }
  assert.deepEqual(a.features, b.features, 'same audio, same features');
  assert.deepEqual(a.probs, b.probs);
  // Speech shows up in the features (vad.speech is input 0 of the newest chunk).
  assert.ok(a.features.some((x) => x[0] > 0.5) && a.features.slice(0, 3).every((x) => x[0] < 0.5));

  const rulePlans = new Set<ResponsePlan>(proposed(a.rules));
  assert.ok(rulePlans.size >= 1, 'the rules propose an answer to the question');
  for (const { index, d } of a.learned) {
    for (const r of d.responses) {
      assert.ok(rulePlans.has(r), `chunk ${index}: emitted a reply the rules did not propose`);
      const at = a.rules.find((x) => x.d.responses.includes(r))!.index;
      assert.ok(index >= at && index <= at + net.spec.maxHold, `released at ${index}, proposed at ${at}`);
    }
    assert.equal(d.decision, d.responses.length ? 'respond' : 'silent');
  }
});

test('the gate passes candidates at high p, holds then drops them at low p, and keeps the rules\' events', async () => {
  const open = await run(constantNet(0.9));
  assert.deepEqual(
    open.learned.map((x) => x.d.responses),
    open.rules.map((x) => x.d.responses),
    'p above threshold: exactly the rules\' replies, on the same chunks',
  );
  const shut = await run(constantNet(0.1));
  const proposedAt = shut.rules.filter((x) => x.d.responses.length).map((x) => x.index);
  assert.ok(proposedAt.length >= 1, 'the rules proposed something');
  // At low p only the replies the gate never holds (urgent alarms, live counts) get through, on the
  // very chunk the rules proposed them.
  const passThrough = (r: ResponsePlan) => r.urgent === true || r.task === 'count';
  for (const x of shut.learned) {
    const ruleAt = shut.rules[x.index].d.responses;
    assert.deepEqual(x.d.responses, ruleAt.filter(passThrough), `chunk ${x.index}: only urgent/count replies pass at low p`);
  }
  assert.equal(shut.learned[proposedAt[0]].d.reason, 'learned:hold');
  assert.equal(shut.learned[proposedAt[0] + 2].d.reason, 'learned:dropped', 'dropped after maxHold = 2 chunks');
  assert.ok(shut.events.filter((e) => e.type === 'response.start').every((e) => e.type === 'response.start' && (e.emotion === 'urgent' || e.task === 'count')));
  assert.ok(!shut.events.some((e) => e.type === 'response.start' && e.task === 'chat'), 'the answer to the question was held back and dropped');
  // Transcripts still flow although no reply is made.
  assert.ok(shut.events.some((e) => e.type === 'transcript' && e.final));
  assert.deepEqual(shut.learned.map((x) => x.d.events), shut.rules.map((x) => x.d.events));
});

test('ReplyGate: release on the first confident chunk, drop after maxHold', () => {
  const g = new ReplyGate<string>(0.5, 2);
  assert.deepEqual(g.step(0, 0.1, ['a']), { emit: [], dropped: [] });
  assert.deepEqual(g.step(1, 0.2, ['b']), { emit: [], dropped: [] });
  assert.deepEqual(g.step(2, 0.7, []), { emit: ['a', 'b'], dropped: [] });
  assert.deepEqual(g.step(3, 0.1, ['c']), { emit: [], dropped: [] });
  assert.deepEqual(g.step(4, 0.1, []), { emit: [], dropped: [] });
  assert.deepEqual(g.step(5, 0.1, []), { emit: [], dropped: ['c'] }, 'held since 3, p still low at 3 + 2: dropped');
  assert.deepEqual(g.step(6, 0.9, []), { emit: [], dropped: [] }, 'nothing held, nothing emitted');
  g.step(7, 0.1, ['d']);
  assert.deepEqual(g.step(9, 0.6, []), { emit: ['d'], dropped: [] }, 'p rising on the last allowed chunk still releases');
  const now = new ReplyGate<string>(0.5, 0);
  assert.deepEqual(now.step(0, 0.4, ['e']), { emit: [], dropped: ['e'] }, 'maxHold 0: decided on its own chunk');
});

test('plain-TS inference equals tfjs on random inputs (committed model and a fresh one)', async () => {
  await initTf();
  const committed = loadDecisionModel().spec;
  const fresh = toSpec(initMlp([40, 12, 6, 1], 3), {
    featureVersion: 1, soundClasses: [], window: 1, threshold: 0.5, maxHold: 0,
    norm: { mean: Array.from({ length: 40 }, (_, i) => i / 80), std: Array.from({ length: 40 }, (_, i) => 0.1 + i / 40) },
  });
  let seed = 12345;
  const rand = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
  for (const spec of [committed, fresh]) {
    const net = new DecisionNet(spec);
    const d = net.inputs, n = 200;
    // Inputs around the training distribution (mean ± 1.5 std), where the model's output is not saturated.
    const x = Float32Array.from({ length: n * d }, (_, i) => spec.norm.mean[i % d] + spec.norm.std[i % d] * (rand() * 3 - 1.5));
    const { mlp, mean, std } = fromSpec(spec);
    const ref = predictTf(mlp, x, n, d, mean, std);
    let maxDiff = 0, spread = 0;
    for (let i = 0; i < n; i++) {
      const p = net.predict(x.subarray(i * d, (i + 1) * d));
      maxDiff = Math.max(maxDiff, Math.abs(p - ref[i]));
      spread = Math.max(spread, Math.abs(p - ref[0]));
    }
    assert.ok(maxDiff < 1e-5, `max |Δp| ${maxDiff}`);
    assert.ok(spread > 1e-3, 'outputs vary with the input (not a degenerate comparison)');
    tf.dispose([mean, std, ...mlp.ws, ...mlp.bs]);
  }
});

test('bad model files and options give clear errors', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sf-decision-'));
  assert.throws(() => loadDecisionModel(join(dir, 'none.json')), { code: 'model_missing' });
  writeFileSync(join(dir, 'bad.json'), '{not json');
  assert.throws(() => loadDecisionModel(join(dir, 'bad.json')), { code: 'model_invalid' });
  const spec = loadDecisionModel().spec;
  writeFileSync(join(dir, 'old.json'), JSON.stringify({ ...spec, featureVersion: 0 }));
  assert.throws(() => loadDecisionModel(join(dir, 'old.json')), { code: 'model_invalid', message: /retrain/ });
  assert.throws(() => new DecisionNet({ ...spec, layers: [{ ...spec.layers[0], b: [] }, ...spec.layers.slice(1)] }), { code: 'model_invalid' });
  const net = new DecisionNet(spec);
  assert.throws(() => net.predict(new Float32Array(3)), { code: 'invalid_input' });
  const rules = new RulePolicy(new Assistant(), null);
  assert.throws(() => new LearnedPolicy(rules, net, { threshold: 1.5 }), { code: 'invalid_argument' });
  assert.throws(() => new LearnedPolicy(rules, net, { maxHold: -1 }), { code: 'invalid_argument' });
  assert.throws(() => new LearnedPolicy(rules, new DecisionNet({ ...constantNet(0.5, 2).spec, window: 3 })), { code: 'model_invalid' }, 'window/input size mismatch');
});

test('--policy learned (the engine with the committed model) answers a spoken "what is your name"', async () => {
  const engine = await createEngine('embedded');
  const s = await engine.createSession({ policy: 'learned' });
  const events: SessionEvent[] = [];
  const reader = (async () => {
    for await (const e of s) events.push(e);
  })();
  for (let i = 0; i < AUDIO.length; i += 3200) await s.push(AUDIO.subarray(i, i + 3200));
  await s.end();
  await reader;
  const responds = events.filter((e): e is Extract<SessionEvent, { type: 'chunk' }> => e.type === 'chunk' && e.decision === 'respond');
  assert.ok(responds.length >= 1, 'replied');
  assert.ok(responds[0].index >= SPEECH_END_CHUNK && responds[0].index <= SPEECH_END_CHUNK + 3, `replied at chunk ${responds[0].index}, speech ends in ${SPEECH_END_CHUNK}`);
  const end = events.find((e) => e.type === 'response.end');
  assert.ok(end && end.type === 'response.end' && /soundflow/i.test(end.text), 'the reply is the name skill\'s');
});
