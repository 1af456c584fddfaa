// End of turn without waiting for nothing: a complete command heard at a pause ends the utterance at
// once, an unfinished one keeps the full closing silence; and the quiet gate skips the models on a
// quiet room without losing the stream clock or the next utterance. Real espeak-ng audio through the
// real perceiver (one-pass decoders, command grammar).
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Perceiver, type PerceiverOptions } from '../src/perception/perceiver.ts';
import { openOnePassPool } from '../src/perception/asr/one-pass.ts';
import { GrammarPool, type GrammarReader } from '../src/perception/asr/grammar-pool.ts';
import { openGrammarStreamPool } from '../src/perception/asr/grammar-stream.ts';
import { ConstrainedRecognizer } from '../src/perception/asr/grammar-recognizer.ts';
import { SileroVad, VAD_FRAME } from '../src/perception/vad.ts';
import { agreedComplete, clearlyComplete } from '../src/perception/turn-complete.ts';
import { concat, mix, noise, silence, speech } from '../src/testing/audio.ts';
import { Chunker } from '../src/audio/chunker.ts';

/** The stream's complete 0.4 s chunks, as a session cuts them. */
const chunksOf = (audio: Float32Array) => new Chunker().push(audio);

async function endChunk(p: Perceiver, audio: Float32Array): Promise<{ end: number; text: string }> {
  let end = -1;
  let text = '';
  for (const chunk of chunksOf(audio)) {
    const pc = await p.perceive(chunk);
    if (pc.final && end < 0) {
      end = chunk.index;
      text = (await pc.final)?.text ?? '';
    }
  }
  return { end, text };
}

describe('early end of turn', () => {
  const pool = openOnePassPool({}, { max: 2, spare: 0 });
  const grammar = new GrammarPool(1);
  // The engine's default with the one-pass recogniser: readings streamed as the audio arrives.
  const streamed = openGrammarStreamPool({ max: 2, spare: 0 });
  after(() => {
    pool.close();
    grammar.close();
    streamed.close();
  });
  const room = (x: Float32Array) => mix(x, noise(x.length / 16000, { amplitude: 0.01 }), 30);

  /** The end chunk of one spoken phrase, heard with and without early end of turn. */
  async function endsWithAndWithout(reader: typeof grammar | typeof streamed, phrase: string) {
    const audio = room(concat(silence(1.2), speech(phrase), silence(2.5)));
    const early = await Perceiver.create({ earlyEnd: true }, pool, reader);
    const late = await Perceiver.create({ earlyEnd: false }, pool, reader);
    try {
      return { a: await endChunk(early, audio), b: await endChunk(late, audio) };
    } finally {
      early.close();
      late.close();
    }
  }

  for (const [kind, reader] of [['batch', grammar], ['streamed', streamed]] as const) {
    it(`ends a complete command at its pause, not after the closing silence (${kind} grammar reading)`, async () => {
      const { a, b } = await endsWithAndWithout(reader, 'what time is it');
      assert.ok(a.end >= 0 && b.end >= 0, `ends: ${a.end}, ${b.end}`);
      assert.ok(a.end < b.end, `early end at chunk ${a.end}, closing silence at ${b.end}`);
      assert.equal(a.text, b.text);
    });

    it(`keeps the closing silence for an unfinished question (${kind} grammar reading)`, async () => {
      const { a, b } = await endsWithAndWithout(reader, 'what is seven times');
      assert.equal(a.end, b.end);
    });
  }

  it('only a grammar-accepted reading that does not dangle counts as complete', () => {
    const cmd = (text: string, accepted = true, confidence = 0.9) => ({ text, accepted, confidence });
    assert.equal(clearlyComplete({ text: 'what time is it', command: cmd('what time is it') }), true);
    assert.equal(clearlyComplete({ text: 'what time is it', command: null }), false);
    assert.equal(clearlyComplete({ text: 'what time', command: cmd('what time is it', false) }), false);
    assert.equal(clearlyComplete({ text: 'what time', command: cmd('what time is it', true, 0.55) }), false);
    assert.equal(clearlyComplete({ text: 'tell me when the', command: cmd('tell me when the doorbell rings') }), false);
  });

  it('grammar words and an open transcript agree only on the same words of a finished request', () => {
    assert.equal(agreedComplete('what time is it', 'What time is it?'), true);
    assert.equal(agreedComplete('what time is it', 'what time is'), false);
    assert.equal(agreedComplete('what is seven times', 'what is seven times'), false);
    assert.equal(agreedComplete('', ''), false);
  });
});

describe('what a chunk waits for (issue #12)', () => {
  const pool = openOnePassPool({}, { max: 2, spare: 0 });
  const grammar = new GrammarPool(2);
  after(() => {
    pool.close();
    grammar.close();
  });
  const room = (x: Float32Array) => mix(x, noise(x.length / 16000, { amplitude: 0.01 }), 30);
  const statement = 'the museum opens at nine and closes at six on weekdays';

  /** Per chunk: whether its percept ends an utterance, and the final it carries. */
  async function run(p: Perceiver, audio: Float32Array) {
    const out: { ended: boolean; final: string | null }[] = [];
    for (const chunk of chunksOf(audio)) {
      const pc = await p.perceive(chunk);
      out.push({ ended: pc.speechEnded, final: pc.final ? ((await pc.final)?.text ?? '') : null });
    }
    return out;
  }

  /**
   * Two long statements, the first a session's first utterance: the chunks that end them, the chunks
   * that carry their finals, and the finals' words (each must be the statement).
   */
  async function endsAndFinals(opts: Partial<PerceiverOptions>) {
    const audio = room(concat(silence(1), speech(statement), silence(1.5), speech(statement), silence(1.5)));
    const p = await Perceiver.create(opts, pool, grammar);
    try {
      const r = await run(p, audio);
      const ends = r.flatMap((c, i) => (c.ended ? [i] : []));
      const finals = r.flatMap((c, i) => (c.final !== null ? [i] : []));
      assert.equal(ends.length, 2, JSON.stringify(r));
      return { ends, finals, texts: finals.map((i) => r[i].final!) };
    } finally {
      p.close();
    }
  }

  it("a long first utterance decoded from the CMN prior has its final on its own chunk, like later ones", async () => {
    // With the re-decode off nothing is left to do at its end (decoded again, its final waits one chunk: below).
    const { ends, finals, texts } = await endsAndFinals({ redecodeFirstUtterance: false });
    assert.deepEqual(finals, ends);
    assert.match(texts[0], /museum|nine|six|weekdays/);
    assert.match(texts[1], /museum|nine|six|weekdays/);
  });

  it("a long first utterance decoded again with its own mean has its final one chunk after its end, later ones on their own chunk", async () => {
    const { ends, finals, texts } = await endsAndFinals({ redecodeFirstUtterance: true });
    assert.deepEqual(finals, [ends[0] + 1, ends[1]]);
    assert.match(texts[0], /museum|nine|six|weekdays/);
    assert.match(texts[1], /museum|nine|six|weekdays/);
  });

  it("a first utterance longer than redecodeMaxSeconds keeps its live transcript: its final on its own chunk", async () => {
    // Talk or dictation, not a request: not decoded again, so nothing is left to hand to the next chunk.
    const { ends, finals, texts } = await endsAndFinals({ redecodeFirstUtterance: true, redecodeMaxSeconds: 2 });
    assert.deepEqual(finals, ends);
    assert.match(texts[0], /museum|nine|six|weekdays/);
  });

  it("live (a deadline given), a first utterance's pause does not wait for a batch grammar reading started at the pause; the turn ends with the same words", async () => {
    const audio = room(concat(silence(1), speech('what time is it'), silence(2.5)));
    // Readings at the pause only: one started at the silence's onset is waited for (it has had a chunk).
    const live = await Perceiver.create({ grammarReadAfterSilenceMs: Infinity }, pool, grammar);
    const file = await Perceiver.create({ grammarReadAfterSilenceMs: Infinity }, pool, grammar);
    try {
      const out: { deferred: boolean; waited: number; final: string | null }[] = [];
      for (const chunk of chunksOf(audio)) {
        // A generous budget: only the first-utterance rule can make the pause chunk skip its wait.
        const pc = await live.perceive(chunk, { arrivalAt: performance.now(), budgetMs: 60_000 });
        out.push({ deferred: !!pc.trace?.deferredCheck, waited: pc.trace?.turnCheckMs ?? 0, final: pc.final ? ((await pc.final)?.text ?? '') : null });
      }
      const ref = await run(file, audio);
      const pause = out.findIndex((c) => c.deferred);
      assert.ok(pause >= 0, `a pause chunk left its check for later: ${JSON.stringify(out)}`);
      assert.ok(out[pause].waited < 1000, `the pause chunk waited ${out[pause].waited} ms`);
      const finals = out.filter((c) => c.final !== null).map((c) => c.final);
      assert.deepEqual(finals, ref.filter((c) => c.final !== null).map((c) => c.final));
      assert.match(finals[0] ?? '', /time/);
    } finally {
      live.close();
      file.close();
    }
  });

  it("with batch readings, a question's pause reuses the grammar reading started at its silence's onset, which reads from just before the speech", async () => {
    // Four leads 100 ms apart: in at least one the question's silence is 64–200 ms old at a chunk's end,
    // so its reading starts there, a chunk before the pause. Decided without a deadline, the turn must end
    // on the same chunk with the same words as when every reading starts at the pause (the confidence may
    // differ in a late digit: the reading at the onset holds less of the silence).
    const q = speech('what time is it');
    let reused = 0;
    const pauseReads: number[] = [];
    for (const lead of [1, 1.1, 1.2, 1.3]) {
      const audio = room(concat(silence(lead), q, silence(2.5)));
      const runOf = async (opts: Partial<PerceiverOptions>) => {
        const p = await Perceiver.create(opts, pool, grammar);
        try {
          const out: { end: boolean; onset: boolean; read?: number; final: string | null }[] = [];
          for (const chunk of chunksOf(audio)) {
            const pc = await p.perceive(chunk);
            out.push({ end: pc.speechEnded, onset: !!pc.trace?.onsetRead, read: pc.trace?.batchReadSeconds, final: pc.final ? JSON.stringify(await pc.final.then((f) => f && { text: f.text, command: f.command?.text })) : null });
          }
          return out;
        } finally {
          p.close();
        }
      };
      const atOnset = await runOf({});
      const atPause = await runOf({ grammarReadAfterSilenceMs: Infinity });
      const ends = (r: typeof atOnset) => r.flatMap((c, i) => (c.end ? [i] : []));
      assert.deepEqual(ends(atOnset), ends(atPause), `lead ${lead}`);
      assert.equal(ends(atOnset).length, 1);
      assert.deepEqual(atOnset.map((c) => c.final), atPause.map((c) => c.final), `lead ${lead}`);
      assert.match(atOnset.find((c) => c.final)?.final ?? '', /what time is it/);
      assert.ok(!atPause.some((c) => c.onset));
      if (atOnset.some((c) => c.onset)) {
        reused++;
        // Live, this first utterance's pause waits for the reading begun at the onset (a whole chunk ago)
        // instead of leaving it for later, and the turn ends there.
        const p = await Perceiver.create({}, pool, grammar);
        try {
          let pauseChunk: { ended: boolean; deferred: boolean; onset: boolean } | null = null;
          for (const chunk of chunksOf(audio)) {
            if (pauseChunk) break;
            const pc = await p.perceive(chunk, { arrivalAt: performance.now(), budgetMs: 60_000 });
            if (pc.trace?.pause) pauseChunk = { ended: pc.speechEnded, deferred: !!pc.trace.deferredCheck, onset: !!pc.trace.onsetRead };
          }
          assert.deepEqual(pauseChunk, { ended: true, deferred: false, onset: true }, `lead ${lead}`);
        } finally {
          p.close();
        }
      }
      pauseReads.push(...atPause.flatMap((c) => (c.read !== undefined ? [c.read] : [])));
    }
    assert.ok(reused >= 1, 'no lead had its reading started at the silence onset');
    // A pause's reading runs from prefixPaddingMs before the speech to 200 ms into the pause, whatever
    // the chunk the speech began in: about the same length for every lead (VAD frames of 32 ms do not
    // tile the 100 ms lead steps; measured spread 0.11 s, 0.30 s when readings start at the chunk).
    assert.equal(pauseReads.length, 4);
    assert.ok(Math.max(...pauseReads) - Math.min(...pauseReads) <= 0.16, `pause readings of ${pauseReads.join(', ')} s`);
  });

  it("live, a pause whose grammar words and open transcript agree ends the turn without waiting for the reading's confidence", async () => {
    // A reader that tells its grammar words at once and takes 4 s over its confidence (the free-loop decode).
    const slowReader = (words: string | null): GrammarReader => ({
      recognizeDetailed: (_pcm, onGrammar) => {
        onGrammar?.(words);
        return new Promise((r) => setTimeout(() => r(null), 4000));
      },
    });
    const q = speech('what time is it');
    const lead = concat(silence(1), speech('hello there'), silence(1.5));
    const audio = room(concat(lead, q, silence(2)));
    const live = async (reader: GrammarReader) => {
      const p = await Perceiver.create({}, pool, reader);
      try {
        for (const chunk of chunksOf(audio)) {
          const pc = await p.perceive(chunk, { arrivalAt: performance.now(), budgetMs: 1500 });
          if (chunk.t * 16000 > lead.length && pc.trace?.pause) return { ended: pc.speechEnded, waited: pc.trace.turnCheckMs, final: pc.final ? ((await pc.final)?.text ?? '') : null };
        }
        throw new Error('no pause in the question');
      } finally {
        p.close();
      }
    };
    // What the open decoder hears (whatever it is, the agreeing reader says the same words).
    const heard = await (async () => {
      const p = await Perceiver.create({}, pool, slowReader(null));
      try {
        const texts = (await run(p, audio)).flatMap((c) => (c.final ? [c.final] : []));
        return texts.at(-1) ?? '';
      } finally {
        p.close();
      }
    })();
    assert.ok(heard.split(' ').length >= 2, `heard ${JSON.stringify(heard)}`);
    const agree = await live(slowReader(heard));
    assert.ok(agree.ended, `the pause did not end the turn: ${JSON.stringify(agree)}`);
    assert.ok(agree.waited < 1500, `waited ${agree.waited} ms`);
    assert.equal(agree.final, heard);
    const disagree = await live(slowReader(`${heard} please`));
    assert.ok(!disagree.ended, 'a pause ended the turn on words the open transcript does not have');
    const none = await live(slowReader(null));
    assert.ok(!none.ended, 'a pause ended the turn with no grammar words');
  });

  it('with batch grammar readings, the pause of a long utterance does not wait for the early end-of-turn check; a short one does', async () => {
    const audio = room(concat(silence(1), speech('what time is it'), silence(1.5), speech(statement), silence(1.5)));
    const p = await Perceiver.create({}, pool, grammar);
    try {
      await run(p, audio);
      // Two pauses, one reading awaited: the question's (its chunk waited for the grammar), not the statement's.
      const waited = p.timings.turnCheckMs.values().filter((ms) => ms > 0).length;
      assert.equal(waited, 1, `chunks that waited for the check: ${waited}`);
    } finally {
      p.close();
    }
  });
});

describe('grammar pool', () => {
  it('reads with the free loop on a second idle reader and gets what one reader gets', async () => {
    const audio = concat(silence(0.3), speech('what time is it', { voice: 'en-us+klatt' }), silence(0.3));
    const chatter = concat(silence(0.3), speech('we cooked pasta with tomatoes', { voice: 'en-us+klatt' }), silence(0.3));
    const one = await ConstrainedRecognizer.open();
    const pool = new GrammarPool(2);
    try {
      await pool.warm();
      // Both readers loaded: the next reading splits across them.
      while ((pool as unknown as { slots: { ready: boolean }[] }).slots.some((s) => !s.ready)) await new Promise((r) => setTimeout(r, 50));
      for (const x of [audio, chatter]) {
        const [a, b] = [await one.recognizeDetailed(x), await pool.recognizeDetailed(x)];
        assert.equal(b?.text, a?.text);
        assert.equal(b?.accepted, a?.accepted);
        assert.ok(Math.abs((b?.confidence ?? 0) - (a?.confidence ?? 0)) < 1e-9, `${b?.confidence} vs ${a?.confidence}`);
      }
    } finally {
      one.close();
      pool.close();
    }
  });
});

describe('quiet gate', () => {
  it('skips the VAD model on quiet audio without losing the stream clock', async () => {
    const vad = await SileroVad.create();
    const quiet = noise(0.4, { amplitude: 0.003 });
    const a = await vad.skip(quiet);
    const b = await vad.process(quiet.subarray(0, 100));
    const c = await vad.skip(quiet);
    assert.deepEqual(a.probs, new Array(12).fill(0));
    assert.equal(a.frameEnds.at(-1), 12 * VAD_FRAME);
    assert.deepEqual(b.frameEnds, []); // 256 + 100 samples left over: no frame yet
    assert.equal(c.frameEnds[0], 13 * VAD_FRAME);
    assert.equal(c.frameEnds.at(-1), Math.floor((6400 + 100 + 6400) / VAD_FRAME) * VAD_FRAME);
  });

  it('a quiet room stops costing model time, and speech after it is still heard', async () => {
    const pool = openOnePassPool({}, { max: 1, spare: 0 });
    const p = await Perceiver.create({}, pool, null);
    const audio = mix(concat(silence(8), speech('please remember to water the plants'), silence(2)), noise(12, { amplitude: 0.01 }), 30);
    const r = await endChunk(p, audio);
    const skipped = (p as unknown as { gate: { skipped: number } }).gate.skipped;
    p.close();
    pool.close();
    assert.ok(skipped >= 10, `skipped ${skipped} of the 20 quiet chunks`);
    assert.ok(r.end >= 20, `utterance ended at chunk ${r.end}`);
    assert.match(r.text, /water|plants|remember/);
  });
});
