// A tiny stand-in engine for iterating on the server before the embedded engine is complete, and for
// server-only checks where the engine's judgement is not what is under test. It is energy-based: a
// chunk above -35 dBFS is speech; after speech followed by 2 quiet chunks it "answers" with a 1 s tone.
// Final tests of the real pipeline use the embedded engine, not this.
import type { Engine, Session } from '../engine/types.ts';
import { resolveOptions, type SessionOptions } from '../engine/options.ts';
import type { SessionEvent } from '../events.ts';
import { AsyncQueue } from '../util/queue.ts';
import { floatToPcm16, pcm16ToBase64, pcm16ToFloat } from '../audio/pcm.ts';
import { CHUNK_MS, CHUNK_SAMPLES, SAMPLE_RATE } from '../audio/chunk.ts';

let n = 0;

class ScriptedSession implements Session {
  readonly id = `scripted-${++n}`;
  private readonly events = new AsyncQueue<SessionEvent>();
  private buf: number[] = [];
  private index = 0;
  private inSpeech = false;
  private quiet = 0;
  private utterance = 0;
  private active?: { id: string; cancelled: boolean };
  private replies = 0;
  private replying: Promise<void> = Promise.resolve();

  constructor(private readonly opts: SessionOptions) {
    void this.events.put({ type: 'session.started', sessionId: this.id, engine: 'scripted', sampleRate: SAMPLE_RATE, chunkMs: CHUNK_MS, mode: opts.mode });
  }

  async push(pcm: Float32Array | Int16Array): Promise<void> {
    const f = pcm instanceof Int16Array ? pcm16ToFloat(pcm) : pcm;
    for (const v of f) this.buf.push(v);
    while (this.buf.length >= CHUNK_SAMPLES) this.chunk(Float32Array.from(this.buf.splice(0, CHUNK_SAMPLES)));
  }

  private chunk(x: Float32Array): void {
    let e = 0;
    for (const v of x) e += v * v;
    const levelDb = 10 * Math.log10(e / x.length + 1e-10);
    const speech = levelDb > -35;
    const t = ((this.index + 1) * CHUNK_SAMPLES) / SAMPLE_RATE;
    let decision: 'silent' | 'respond' = 'silent';
    let reason = speech ? 'speech' : 'quiet';
    if (speech && !this.inSpeech) {
      this.inSpeech = true;
      this.emit({ type: 'speech.started', t: t - 0.4 });
      if (this.active) this.cancelResponse();
    }
    if (!speech && this.inSpeech && ++this.quiet >= 2) {
      this.inSpeech = false;
      this.emit({ type: 'speech.stopped', t });
      this.emit({ type: 'transcript', t, text: 'scripted utterance', final: true, utterance: ++this.utterance });
      decision = 'respond';
      reason = 'end-of-utterance:answer';
      this.reply(t, 'I heard you.');
    }
    if (speech) this.quiet = 0;
    this.emit({ type: 'chunk', index: this.index++, t, decision, reason, state: this.active ? 'speaking' : 'listening', speech: speech ? 1 : 0, levelDb });
  }

  private reply(t: number, text: string): void {
    const r = { id: `r${++this.replies}`, cancelled: false };
    this.active = r;
    this.emit({ type: 'response.start', id: r.id, t, task: 'chat', emotion: 'normal' });
    this.emit({ type: 'response.text', id: r.id, delta: text });
    this.replying = (async () => {
      const sr = this.opts.outputSampleRate;
      for (let k = 0; k < 10 && !r.cancelled && this.opts.speak; k++) {
        const x = new Float32Array(sr / 10).map((_, i) => 0.2 * Math.sin((2 * Math.PI * 440 * i) / sr));
        this.emit({ type: 'response.audio', id: r.id, pcm: pcm16ToBase64(floatToPcm16(x)), sampleRate: sr });
        await new Promise((res) => setTimeout(res, 20));
      }
      if (!r.cancelled) this.finish(r, false);
    })();
  }

  private finish(r: { id: string; cancelled: boolean }, interrupted: boolean): void {
    if (this.active === r) this.active = undefined;
    this.emit({ type: 'response.end', id: r.id, t: (this.index * CHUNK_SAMPLES) / SAMPLE_RATE, text: 'I heard you.', interrupted });
  }

  private emit(ev: SessionEvent): void {
    this.events.tryPut(ev);
  }

  instruct(text: string): void {
    this.reply((this.index * CHUNK_SAMPLES) / SAMPLE_RATE, `You said: ${text}`);
  }

  cancelResponse(): void {
    const r = this.active;
    if (!r) return;
    r.cancelled = true;
    this.finish(r, true);
  }

  async end(): Promise<void> {
    await this.replying;
    this.emit({ type: 'session.ended', t: (this.index * CHUNK_SAMPLES) / SAMPLE_RATE, chunks: this.index });
    this.events.close();
  }

  close(): void {
    if (this.active) this.active.cancelled = true;
    this.events.close();
  }

  [Symbol.asyncIterator](): AsyncIterator<SessionEvent> {
    return this.events[Symbol.asyncIterator]();
  }
}

export class ScriptedEngine implements Engine {
  readonly name = 'scripted';
  async createSession(options: Partial<SessionOptions> = {}): Promise<Session> {
    return new ScriptedSession(resolveOptions(options));
  }
}

/**
 * The engine tests run against: the real embedded engine. `SF_TEST_ENGINE=scripted` swaps in the
 * scripted one, only for working on server code while the engine is broken mid-change.
 */
export async function testEngine(): Promise<Engine> {
  if (process.env.SF_TEST_ENGINE === 'scripted') return new ScriptedEngine();
  const { createEngine } = await import('../engine/registry.ts');
  return waitingForRecognition(await createEngine('embedded'));
}

/**
 * The server tests check the protocol's events in stream time (which chunk answered, where speech
 * stopped) on live-paced audio; on a loaded CI machine the decision budget would move those decisions to
 * later chunks, so their sessions wait for recognition (the budget has its own test,
 * test/decision-budget.test.ts). Clients cannot set the budget, so nothing else changes.
 */
function waitingForRecognition(engine: Engine): Engine {
  return new Proxy(engine, {
    get(target, key) {
      if (key === 'createSession') return (options: Partial<SessionOptions> = {}, ...rest: unknown[]) => (target.createSession as (...a: unknown[]) => Promise<Session>)({ decisionBudgetMs: Infinity, ...options }, ...rest);
      const v = Reflect.get(target, key, target);
      return typeof v === 'function' ? v.bind(target) : v;
    },
  });
}
