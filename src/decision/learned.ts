// Decision v2, learned: a small MLP decides WHEN to reply; WHAT to say still comes from the rule
// machinery (assistant skills/tasks, sound watcher). Per chunk the wrapped rule policy proposes candidate
// replies and events; the model scores the chunk (features.ts, over a window of recent chunks) and the
// gate releases the candidates when p(respond) >= threshold, holds them while p stays low for up to
// `maxHold` chunks, then drops them. It never invents a reply the rules did not propose.
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { SoundFlowError } from '../util/errors.ts';
import { DenseNet, type DenseLayer } from '../util/dense-net.ts';
import { FEATURE_VERSION, FeatureTracker, FeatureWindow } from './features.ts';
import type { Percept } from '../perception/types.ts';
import type { ChunkDecision, DecisionContext, Policy, ResponsePlan } from './types.ts';

/** models/decision/model.json in the repository, independent of the working directory. */
export const DEFAULT_DECISION_MODEL = fileURLToPath(new URL('../../models/decision/model.json', import.meta.url));

/** The committed model file (JSON). */
export interface DecisionModelSpec {
  version: 1;
  featureVersion: number;
  soundClasses: string[];
  /** Chunks of history in the input (newest first). */
  window: number;
  /** Per-input standardisation, length = features × window. */
  norm: { mean: number[]; std: number[] };
  /** Hidden layers use ReLU; the last layer is one logit. */
  layers: DenseLayer[];
  /** Gate defaults, tuned on held-out training streams. */
  threshold: number;
  maxHold: number;
  training?: Record<string, unknown>;
}

/** The decision MLP's forward pass (util/dense-net.ts), read as p(respond). */
export class DecisionNet {
  readonly inputs: number;
  private readonly net: DenseNet;

  constructor(readonly spec: DecisionModelSpec) {
    if (spec.version !== 1) throw new SoundFlowError('model_invalid', `decision model: unsupported version ${spec.version}`);
    this.net = new DenseNet('decision model', spec.layers, spec.norm);
    this.inputs = this.net.inputs;
  }

  /** p(respond) for one input row. */
  predict(x: Float32Array): number {
    if (x.length !== this.inputs) throw new SoundFlowError('invalid_input', `decision model takes ${this.inputs} inputs, got ${x.length}`);
    return 1 / (1 + Math.exp(-this.net.forward(x)));
  }
}

export function loadDecisionModel(path = DEFAULT_DECISION_MODEL): DecisionNet {
  if (!existsSync(path)) {
    throw new SoundFlowError('model_missing', `decision model ${path} not found (train it with: soundflow train decision)`);
  }
  let spec: DecisionModelSpec;
  try {
    spec = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new SoundFlowError('model_invalid', `decision model ${path} is not valid JSON`, { cause: err });
  }
  if (spec.featureVersion !== FEATURE_VERSION) {
    throw new SoundFlowError('model_invalid', `decision model ${path} was trained on features v${spec.featureVersion}, this build computes v${FEATURE_VERSION}: retrain it`);
  }
  return new DecisionNet(spec);
}

/**
 * Holds candidate replies until the model agrees. Pure bookkeeping over chunk indices, shared by the
 * policy and the trainer's offline simulation (so the tuned threshold means the same thing in both).
 */
export class ReplyGate<T> {
  private held: T[] = [];
  private since = -1;

  constructor(readonly threshold: number, readonly maxHold: number) {}

  get holding(): number {
    return this.held.length;
  }

  step(index: number, p: number, candidates: readonly T[]): { emit: T[]; dropped: T[] } {
    if (candidates.length) {
      if (!this.held.length) this.since = index;
      this.held.push(...candidates);
    }
    if (!this.held.length) return { emit: [], dropped: [] };
    if (p >= this.threshold) return { emit: this.take(), dropped: [] };
    if (index - this.since >= this.maxHold) return { emit: [], dropped: this.take() };
    return { emit: [], dropped: [] };
  }

  private take(): T[] {
    const out = this.held;
    this.held = [];
    this.since = -1;
    return out;
  }
}

export interface LearnedPolicyOptions {
  /** Overrides the model's tuned threshold (0..1). */
  threshold?: number;
  /** Overrides how many chunks a candidate may wait for the model (0 = decide on its own chunk). */
  maxHold?: number;
  /** Called per chunk with the model's view (diagnostics, tests). */
  onChunk?: (info: { index: number; p: number; features: Float32Array; proposed: number; emitted: number }) => void;
}

/**
 * Replies the gate never holds: urgent ones (a smoke alarm, a due timer: waiting is the wrong answer)
 * live counts, which the user asked for and which must land in the chunk of the counted event, and
 * owed answers to questions the user asked about sounds (due when the evidence arrives; a model trained
 * on Debian's music clips held the style answers to real songs back).
 */
export const ungated = (r: Pick<ResponsePlan, 'urgent' | 'task' | 'owed'>) => r.urgent === true || r.task === 'count' || r.owed === true;

export class LearnedPolicy implements Policy {
  private readonly tracker: FeatureTracker;
  private readonly window: FeatureWindow;
  private readonly gate: ReplyGate<ResponsePlan>;

  constructor(
    private readonly rules: Policy,
    readonly net: DecisionNet,
    private readonly opts: LearnedPolicyOptions = {},
  ) {
    const threshold = opts.threshold ?? net.spec.threshold;
    const maxHold = opts.maxHold ?? net.spec.maxHold;
    if (!(threshold >= 0 && threshold <= 1)) throw new SoundFlowError('invalid_argument', `learned policy threshold must be in 0..1, got ${threshold}`);
    if (!(Number.isInteger(maxHold) && maxHold >= 0)) throw new SoundFlowError('invalid_argument', `learned policy maxHold must be an integer >= 0, got ${maxHold}`);
    this.tracker = new FeatureTracker(net.spec.soundClasses);
    this.window = new FeatureWindow(this.tracker.size, net.spec.window);
    if (this.tracker.size * net.spec.window !== net.inputs) {
      throw new SoundFlowError('model_invalid', `decision model expects ${net.inputs} inputs, features give ${this.tracker.size} × ${net.spec.window}`);
    }
    this.gate = new ReplyGate(threshold, maxHold);
  }

  static load(rules: Policy, opts: LearnedPolicyOptions & { modelPath?: string } = {}): LearnedPolicy {
    return new LearnedPolicy(rules, loadDecisionModel(opts.modelPath), opts);
  }

  /** Typed instructions and questions are explicit requests: answered without gating. */
  instruct(text: string, t: number): ChunkDecision {
    return this.rules.instruct(text, t);
  }

  async decide(percept: Percept, ctx: DecisionContext): Promise<ChunkDecision> {
    const rule = await this.rules.decide(percept, ctx);
    const x = this.window.push(this.tracker.next(percept, ctx, rule));
    const p = this.net.predict(x);
    const direct = rule.responses.filter(ungated);
    const { emit, dropped } = this.gate.step(percept.chunk.index, p, rule.responses.filter((r) => !ungated(r)));
    const responses = [...direct, ...emit];
    this.opts.onChunk?.({ index: percept.chunk.index, p, features: x, proposed: rule.responses.length, emitted: responses.length });
    let reason = rule.reason;
    if (emit.length) reason = `learned:${rule.responses.length ? rule.reason : 'released'}`;
    else if (dropped.length) reason = 'learned:dropped';
    else if (this.gate.holding) reason = 'learned:hold';
    return { decision: responses.length ? 'respond' : 'silent', reason, responses, events: rule.events, interrupt: rule.interrupt };
  }
}
