// The one-pass recogniser and its decoder pool: a streamed utterance is transcribed with the live CMN
// seeded from the session's own estimate, decoders are lent per utterance and come back, the pool is
// bounded and trims idle decoders. Speech from espeak-ng's klatt voice.
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { concat, floatToPcm16, loadFile, silence, speech } from '../src/testing/audio.ts';
import { ONE_PASS_BEAMS, OnePassRecognizer, modelCmnInit, openOnePassPool } from '../src/perception/asr/one-pass.ts';
import { DecoderPool } from '../src/perception/asr/decoder-pool.ts';
import { PocketSphinxDecoder } from '../src/perception/asr/pocketsphinx.ts';
import { getCmn, setCmn } from '../src/perception/asr/cmn.ts';
import { CMN_PRIOR } from '../src/perception/asr/cmn-prior.ts';
import { wer } from '../src/perception/asr/wer.ts';

const CHUNK = 6400;
/** A session's first utterance decoded from the model's prior and again with its own mean (the old default). */
const REDECODE_FROM_MODEL_PRIOR = { redecodeBelowFrames: 1, cmnPrior: modelCmnInit()! };
const tmp = mkdtempSync(join(tmpdir(), 'sf-onepass-'));
const wav = join(tmp, 'flite.wav');
after(() => rmSync(tmp, { recursive: true, force: true }));

function utterance(text: string): Int16Array {
  return floatToPcm16(concat(silence(0.3), speech(text, { voice: 'en-us+klatt' }), silence(0.4)));
}

async function stream(rec: OnePassRecognizer, pcm: Int16Array): Promise<void> {
  rec.startUtterance();
  for (let i = 0; i < pcm.length; i += CHUNK) await rec.feed(pcm.subarray(i, i + CHUNK));
}

describe('one-pass recogniser', () => {
  const pool = openOnePassPool({}, { max: 1, spare: 0, idleMs: 60_000 });
  after(() => pool.close());

  it('transcribes streamed speech, carries the session CMN, returns the decoder', async () => {
    const rec = new OnePassRecognizer(pool);
    assert.equal(rec.cmnState, null);
    const refs = ['what time is it', 'please remember to water the plants while we are away'];
    const hyps: string[] = [];
    for (const ref of refs) {
      await stream(rec, utterance(ref));
      assert.equal(pool.stats.lent, 1, 'a decoder is lent while the utterance is open');
      const fin = await rec.finish();
      hyps.push(fin.text);
      await rec.settled();
      const state = rec.cmnState as { mean: Float32Array; frames: number } | null;
      assert.ok(state !== null && state.frames > 0, 'the session keeps a running cepstral mean');
      // The running mean moved away from the model's prior towards this voice.
      assert.ok(Math.abs(state!.mean[1] - modelCmnInit()![1]) > 0.5, `c1 ${state!.mean[1]}`);
    }
    assert.equal(pool.stats.lent, 0, 'decoder returned after the utterance');
    assert.equal(pool.stats.opened, 1);
    const w = wer(refs.join(' '), hyps.join(' '));
    // klatt voice: measured 0–25% over runs with this pair; well below the ~50% of a cheap partial decoder.
    assert.ok(w <= 0.4, `WER ${w}: ${hyps.join(' | ')}`);
  });

  it('segments at pauses and joins them, and cancel gives the decoder back', async () => {
    // The live pass's own segments (a session's first utterance is otherwise decoded again at its end).
    const rec = new OnePassRecognizer(pool, { redecodeBelowFrames: 0 });
    rec.startUtterance();
    const a = utterance('set a timer');
    const b = utterance('for ten seconds');
    for (let i = 0; i < a.length; i += CHUNK) await rec.feed(a.subarray(i, i + CHUNK));
    rec.commitSegment();
    const seg1 = await rec.committed();
    assert.ok(seg1.length > 0, 'the committed segment already has its transcript');
    for (let i = 0; i < b.length; i += CHUNK) await rec.feed(b.subarray(i, i + CHUNK));
    const fin = await rec.finish();
    assert.ok(wer('set a timer for ten seconds', fin.text) <= 0.5, fin.text);
    // A short utterance carries n-best readings from the lattice: distinct, each keeping the first
    // segment's best reading and varying the last one.
    assert.ok(fin.alternatives && fin.alternatives.length >= 2, JSON.stringify(fin.alternatives));
    assert.equal(new Set(fin.alternatives).size, fin.alternatives.length);
    for (const alt of fin.alternatives) assert.ok(alt.startsWith(seg1), `${alt} / ${seg1}`);
    assert.ok(fin.prob === undefined || (fin.prob >= 0 && fin.prob <= 1), String(fin.prob));
    await stream(rec, utterance('stop'));
    rec.cancel();
    await rec.settled();
    assert.equal(pool.stats.lent, 0);
  });

  it("decodes a session's first utterance again with its own cepstral mean (redecodeBelowFrames)", async () => {
    // Not the default any more (a first utterance is decoded live from CMN_PRIOR; test below). flite slt, first utterance of a session: the live pass starts from the model's prior mean and hears
    // "the mining island like a cup of coffee" (measured, every run); with the utterance's own mean it
    // hears the greeting. Later utterances (history from the first) are not decoded again.
    execFileSync('flite', ['-voice', 'slt', '-t', 'good morning. i would like a cup of coffee', '-o', wav]);
    const pcm = floatToPcm16(concat(silence(0.5), loadFile(wav), silence(0.6)));
    const rec = new OnePassRecognizer(pool, REDECODE_FROM_MODEL_PRIOR);
    await stream(rec, pcm);
    const first = await rec.finish();
    await rec.settled();
    assert.ok(wer('good morning i would like a cup of coffee', first.text) <= 0.25, first.text);
    // The session's estimate is the live one learnt from the utterance, as without the re-decode.
    assert.ok(rec.cmnState!.frames > 100, String(rec.cmnState!.frames));
  });

  it("decodes a first utterance's segments again at their pauses, so a silent tail leaves nothing to redo", async () => {
    // As the perceiver drives it: a pause closes the segment (the audio after the pause is kept for the
    // next one), the silence goes on, the utterance ends with no speech after the pause.
    execFileSync('flite', ['-voice', 'slt', '-t', 'good morning. i would like a cup of coffee', '-o', wav]);
    const rec = new OnePassRecognizer(pool, REDECODE_FROM_MODEL_PRIOR);
    await stream(rec, floatToPcm16(concat(silence(0.5), loadFile(wav), silence(0.2))));
    rec.commitSegment(3200); // the pause was decided 0.2 s into the silence: that audio stays out
    for (let i = 0; i < 2; i++) await rec.feed(new Int16Array(CHUNK));
    const fin = await rec.finish({ tailHasSpeech: false });
    await rec.settled();
    assert.ok(wer('good morning i would like a cup of coffee', fin.text) <= 0.25, fin.text);
    assert.ok(rec.cmnState!.frames > 100, 'the live estimate is kept');
    assert.equal(pool.stats.lent, 0);
  });

  it("the front end's cepstral mean of an utterance is the one live CMN learns from it", async () => {
    const d = await pool.acquire();
    const pcm = utterance('what time is it');
    const fe = await d.cepstralMean(pcm);
    await d.withHandle((ps) => setCmn(ps, modelCmnInit()!, 0));
    await d.decode(pcm);
    const live = await d.withHandle((ps) => getCmn(ps));
    pool.release(d);
    assert.ok(fe && fe.frames > 100, String(fe?.frames));
    for (let j = 0; j < 13; j++) assert.ok(Math.abs(fe!.mean[j] - live.mean[j]) < 0.3, `c${j}: ${fe!.mean[j]} vs ${live.mean[j]}`);
  });

  it('seeds and reads the live cepstral mean of a decoder', async () => {
    const d = await pool.acquire();
    const seed = Float32Array.from({ length: 13 }, (_, i) => i - 3);
    await d.withHandle((ps) => setCmn(ps, seed, 0));
    const got = await d.withHandle((ps) => getCmn(ps));
    assert.deepEqual([...got.mean], [...seed]);
    assert.equal(got.frames, 0);
    await assert.rejects(d.withHandle((ps) => setCmn(ps, new Float32Array(3))), /13 finite/);
    pool.release(d);
  });
});

describe("a first utterance's re-decode on a second decoder", () => {
  // Every decoder the pool opens, and every re-decode started on any of them, in order.
  const decoders: PocketSphinxDecoder[] = [];
  const redecodes: Promise<unknown>[] = [];
  const pool = new DecoderPool(
    async () => {
      const d = await PocketSphinxDecoder.open({ beams: ONE_PASS_BEAMS, cmn: 'live' });
      const own = d.decodeOwnMean.bind(d);
      d.decodeOwnMean = (pcm, o) => {
        const p = own(pcm, o);
        redecodes.push(p);
        return p;
      };
      decoders.push(d);
      return d;
    },
    { max: 2, spare: 0, idleMs: 60_000 },
  );
  after(() => pool.close());

  it("hears a session's first utterance in the live pass alone, from the project's CMN prior", async () => {
    // flite slt, first utterance of a session: from the model's -cmninit the live pass heard "the mining
    // island like a cup of coffee" (every run). From CMN_PRIOR the live pass alone hears it (re-decode off).
    execFileSync('flite', ['-voice', 'slt', '-t', 'good morning. i would like a cup of coffee', '-o', wav]);
    const before = redecodes.length;
    const rec = new OnePassRecognizer(pool, { redecodeBelowFrames: 0 });
    await stream(rec, floatToPcm16(concat(silence(0.5), loadFile(wav), silence(0.6))));
    const first = await rec.finish();
    await rec.settled();
    assert.ok(wer('good morning i would like a cup of coffee', first.text) <= 0.25, first.text);
    assert.equal(redecodes.length, before, 'nothing decoded again');
    // The session's estimate after it is the utterance's own (the prior had weight 0).
    assert.ok(rec.cmnState!.frames > 100 && Math.abs(rec.cmnState!.mean[0] - CMN_PRIOR[0]) > 0.5, JSON.stringify(rec.cmnState));
    assert.equal(pool.stats.lent, 0);
  });

  it('the live decoder goes on with the speech after a pause while its segment is decoded again elsewhere', async () => {
    const rec = new OnePassRecognizer(pool, REDECODE_FROM_MODEL_PRIOR);
    const a = utterance('set a timer');
    const b = utterance('for ten seconds');
    await stream(rec, a);
    await pool.ready(); // a second decoder idle in the pool
    assert.equal(decoders.length, 2);
    // Held up by a gate, so its re-decode stays in flight until the test opens it.
    let openGate!: () => void;
    const gate = new Promise<void>((r) => (openGate = r));
    const helper = pool.tryAcquire()!;
    void helper.withHandle(() => gate);
    pool.release(helper);
    rec.commitSegment();
    await rec.committed();
    assert.equal(redecodes.length, 1, 'the first segment is decoded again');
    assert.equal(pool.stats.lent, 2, 'on a second decoder');
    let redecoded = false;
    void redecodes[0].then(() => (redecoded = true), () => (redecoded = true));
    for (let i = 0; i < b.length; i += CHUNK) await rec.feed(b.subarray(i, i + CHUNK));
    assert.equal(redecoded, false, 'the speech after the pause was decoded while the re-decode was still waiting');
    assert.ok(rec.partial().length > 0, 'the live pass heard the second segment');
    openGate();
    const fin = await rec.finish();
    await rec.settled();
    assert.ok(wer('set a timer for ten seconds', fin.text) <= 0.5, fin.text);
    assert.equal(pool.stats.lent, 0, 'both decoders back');
    assert.equal(pool.stats.open, 2);
  });

  it('hears a first utterance the same on the second decoder as on the live one', async () => {
    // The re-decode's mean is taken with a noise estimate adapted to the segment on whichever decoder
    // runs it. (Taken with a reset estimate instead, a four-sentence probe heard "good morning island like
    // …" on the second decoder; this shorter case passed with that variant too, so it checks the second
    // decoder's result, not that exact failure.)
    execFileSync('flite', ['-voice', 'slt', '-t', 'good morning. i would like a cup of coffee', '-o', wav]);
    // Two decoders that have heard nothing yet.
    const fresh = openOnePassPool({}, { max: 2, spare: 1, idleMs: 60_000 });
    try {
      await fresh.ready();
      const a = await fresh.acquire();
      const b = await fresh.acquire();
      fresh.release(a);
      fresh.release(b);
      const rec = new OnePassRecognizer(fresh, REDECODE_FROM_MODEL_PRIOR);
      await stream(rec, floatToPcm16(concat(silence(0.3), loadFile(wav), silence(0.3))));
      rec.commitSegment();
      await rec.committed();
      assert.equal(fresh.stats.lent, 2, 'the segment is decoded again on the second decoder');
      // The speech goes on after the pause (the live pass follows it meanwhile).
      execFileSync('flite', ['-voice', 'slt', '-t', 'and a glass of water please', '-o', wav]);
      const more = floatToPcm16(concat(silence(0.3), loadFile(wav), silence(0.3)));
      for (let i = 0; i < more.length; i += CHUNK) await rec.feed(more.subarray(i, i + CHUNK));
      const fin = await rec.finish();
      await rec.settled();
      assert.ok(wer('good morning i would like a cup of coffee and a glass of water please', fin.text) <= 0.25, fin.text);
      assert.equal(fresh.stats.lent, 0);
    } finally {
      fresh.close();
    }
  });

  it('a session closed mid-re-decode gives both decoders back', async () => {
    const rec = new OnePassRecognizer(pool, REDECODE_FROM_MODEL_PRIOR);
    await stream(rec, utterance('set a timer'));
    await pool.ready(); // a second decoder idle (on a loaded machine the earlier tests outlast idleMs and it was trimmed)
    let openGate!: () => void;
    const gate = new Promise<void>((r) => (openGate = r));
    const helper = pool.tryAcquire()!;
    assert.ok(helper, 'the other decoder is idle');
    void helper.withHandle(() => gate);
    pool.release(helper);
    rec.commitSegment();
    await rec.committed();
    assert.equal(pool.stats.lent, 2);
    rec.close();
    // The pool is full: a new borrower waits (bounded) until the re-decode is done.
    const next = pool.acquire();
    assert.equal(pool.stats.waiting, 1);
    openGate();
    await rec.settled();
    const d = await next;
    pool.release(d);
    assert.equal(pool.stats.lent, 0, 'both decoders back');
    assert.equal(pool.stats.open, 2);
  });

  it("decides a first utterance's re-decode at its end, on the live transcript (keepLive, redecodeMaxSeconds)", async () => {
    // From the model's prior the live pass mishears flite slt's greeting (test above); decoded again with
    // its own means it is heard right. Nothing is decoded again at the pause; at the end the live
    // transcript decides: kept when keepLive accepts it, else every piece is decoded again.
    execFileSync('flite', ['-voice', 'slt', '-t', 'good morning. i would like a cup of coffee', '-o', wav]);
    const greeting = floatToPcm16(concat(silence(0.3), loadFile(wav), silence(0.3)));
    execFileSync('flite', ['-voice', 'slt', '-t', 'and a glass of water please', '-o', wav]);
    const more = floatToPcm16(concat(silence(0.3), loadFile(wav), silence(0.3)));
    const ref = 'good morning i would like a cup of coffee and a glass of water please';
    const run = async (opts: { keepLive?: (t: string) => boolean; redecodeMaxSeconds?: number }): Promise<{ text: string; atPause: number; atEnd: number }> => {
      const rec = new OnePassRecognizer(pool, { ...REDECODE_FROM_MODEL_PRIOR, ...opts });
      const before = redecodes.length;
      await stream(rec, greeting);
      rec.commitSegment();
      await rec.committed();
      const atPause = redecodes.length - before;
      for (let i = 0; i < more.length; i += CHUNK) await rec.feed(more.subarray(i, i + CHUNK));
      const fin = await rec.finish();
      await rec.settled();
      assert.equal(pool.stats.lent, 0, 'decoders back');
      return { text: fin.text, atPause, atEnd: redecodes.length - before };
    };
    const seen: string[] = [];
    const redone = await run({ keepLive: (t) => (seen.push(t), false) });
    // At the pause the piece before it may be decoded again on an idle second decoder, speculatively
    // (nothing waits for it); the end then reuses it rather than decoding it twice.
    assert.ok(redone.atPause <= 1, `decoded again at the pause: ${redone.atPause}`);
    assert.equal(redone.atEnd, 2, 'both pieces decoded again, each once');
    assert.equal(seen.length, 1);
    assert.ok(wer(ref, redone.text) <= 0.25, redone.text);
    const kept = await run({ keepLive: () => true });
    assert.ok(kept.atPause <= 1);
    assert.equal(kept.atEnd, kept.atPause, 'an accepted live transcript is not decoded again at the end');
    assert.equal(kept.text, seen[0], 'the live transcript is the one the predicate saw');
    const long = await run({ redecodeMaxSeconds: 2 });
    assert.deepEqual([long.atPause, long.atEnd], [0, 0], 'longer than redecodeMaxSeconds: kept live');
    assert.throws(() => new OnePassRecognizer(pool, { redecodeMaxSeconds: 0 }), /redecodeMaxSeconds/);
  });
});

describe('decoder pool', () => {
  // Stand-ins for decoders: the pool only opens, lends and closes them.
  function fakes() {
    const made: { closed: boolean }[] = [];
    const open = async () => {
      const d = { closed: false, close() { this.closed = true; } };
      made.push(d);
      return d as unknown as PocketSphinxDecoder;
    };
    return { made, open };
  }

  it('is bounded: borrowers beyond max wait for a release, in order', async () => {
    const { made, open } = fakes();
    const pool = new DecoderPool(open, { max: 2, spare: 0, idleMs: 1000 });
    const a = await pool.acquire();
    const b = await pool.acquire();
    const order: string[] = [];
    const c = pool.acquire().then((d) => (order.push('c'), d));
    const e = pool.acquire().then((d) => (order.push('e'), d));
    await new Promise((r) => setTimeout(r, 10));
    assert.equal(pool.stats.waiting, 2);
    assert.equal(made.length, 2);
    pool.release(a);
    assert.equal(await c, a);
    pool.release(b);
    assert.equal(await e, b);
    assert.deepEqual(order, ['c', 'e']);
    assert.equal(pool.stats.peak, 2);
    pool.close();
  });

  it('trims idle decoders beyond the spare ones', async () => {
    const { made, open } = fakes();
    const pool = new DecoderPool(open, { max: 4, spare: 1, idleMs: 0 });
    const ds = await Promise.all([pool.acquire(), pool.acquire(), pool.acquire()]);
    for (const d of ds) pool.release(d);
    assert.equal(pool.stats.idle, 3);
    pool.trim();
    assert.equal(pool.stats.idle, 1);
    assert.equal(made.filter((d) => d.closed).length, 2);
    pool.close();
    assert.equal(made.filter((d) => d.closed).length, 3);
    await assert.rejects(pool.acquire(), /closed/);
  });

  it('reports a failing open to the waiter instead of hanging', async () => {
    const pool = new DecoderPool(async () => {
      throw new Error('no model');
    }, { max: 1, spare: 0 });
    await assert.rejects(Promise.all([pool.acquire(), pool.acquire()]), /no model/);
    pool.close();
  });
});
