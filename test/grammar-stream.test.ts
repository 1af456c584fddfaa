// Streamed command-grammar readings (src/perception/asr/grammar-stream.ts): live decoders follow the
// audio chunk by chunk and read like the batch reader; a reading at a pause followed by more speech
// catches up and ends exactly where a stream that never paused ends; decoder pairs go back to the pool.
// Speech from espeak-ng's klatt voice.
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { concat, floatToPcm16, silence, speech } from '../src/testing/audio.ts';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GrammarStream, openGrammarStreamPool } from '../src/perception/asr/grammar-stream.ts';
import { modelCmnInit } from '../src/perception/asr/one-pass.ts';
import { loadFile } from '../src/testing/audio.ts';
import { ConstrainedRecognizer } from '../src/perception/asr/grammar-recognizer.ts';
import { SpeechSegmenter } from '../src/perception/segmenter.ts';

const CHUNK = 6400;

function utterance(text: string): Int16Array {
  return floatToPcm16(concat(silence(0.3), speech(text, { voice: 'en-us+klatt' }), silence(0.3)));
}

/** Decoders go back once their queued work drains: polls (a loaded machine may take seconds). */
async function returned(pool: { stats: { lent: number } }): Promise<void> {
  for (let i = 0; i < 500 && pool.stats.lent > 0; i++) await new Promise((r) => setTimeout(r, 20));
}

function feedAll(s: GrammarStream, pcm: Int16Array): void {
  for (let i = 0; i < pcm.length; i += CHUNK) s.feed(pcm.subarray(i, i + CHUNK));
}

describe('streamed grammar readings', () => {
  const pool = openGrammarStreamPool({ max: 2, spare: 0, idleMs: 60_000 });
  // A session with cepstral history (here the model's own mean standing for 500 frames): streamed.
  const stream = () => new GrammarStream(pool, { seed: async () => ({ mean: modelCmnInit()!, frames: 500 }) });
  const tmp = mkdtempSync(join(tmpdir(), 'sf-gstream-'));
  after(() => {
    pool.close();
    rmSync(tmp, { recursive: true, force: true });
  });

  it('reads a command as the batch reader does, rejects chatter, returns its decoders', async () => {
    const batch = await ConstrainedRecognizer.open();
    try {
      const s = stream();
      for (const [said, isCommand] of [['what time is it', true], ['set a timer for ten seconds', true], ['my brother is coming home late tonight', false]] as const) {
        const pcm = utterance(said);
        s.start();
        feedAll(s, pcm);
        assert.equal(pool.stats.idle, 0, 'the pair is out while the utterance is open');
        const [live, whole] = await Promise.all([s.finish(), batch.recognizeDetailed(pcm)]);
        await returned(pool);
        if (isCommand) {
          assert.equal(live?.accepted, true, `${said}: ${JSON.stringify(live)}`);
          assert.equal(live?.text, whole?.text, 'same sentence as the batch reading');
        } else {
          assert.ok(!live?.accepted, `chatter accepted: ${JSON.stringify(live)}`);
        }
      }
      assert.equal(pool.stats.lent, 0);
      assert.equal(pool.stats.opened, 1, 'the pair is reused');
      s.close();
    } finally {
      batch.close();
    }
  });

  it('after a reading at a pause, more speech is caught up: same result as a stream that never paused', async () => {
    const first = utterance('count the knocks');
    const pcm = floatToPcm16(concat(silence(0.3), speech('count the knocks', { voice: 'en-us+klatt' }), silence(0.5), speech('and the dog barks', { voice: 'en-us+klatt' }), silence(0.3)));
    const paused = stream();
    paused.start();
    // A reading of the first part (as at a pause), then the speaker goes on.
    const cut = first.length - 4800;
    feedAll(paused, pcm.subarray(0, cut));
    const early = await paused.read();
    feedAll(paused, pcm.subarray(cut));
    paused.resume();
    const [a, b] = [await paused.finish(), await (async () => {
      const straight = stream();
      straight.start();
      feedAll(straight, pcm);
      return straight.finish();
    })()];
    assert.ok(early?.text.includes('count'), `reading at the pause: ${JSON.stringify(early)}`);
    assert.ok(a && b, 'both streams read something');
    assert.equal(a!.text, b!.text);
    assert.equal(a!.margin, b!.margin, 'identical scores: the catch-up replays the same audio from the same seed');
    assert.equal(a!.wordScore, b!.wordScore);
    // A reading of the first part alone equals a fresh stream over that audio.
    const part = stream();
    part.start();
    feedAll(part, pcm.subarray(0, cut));
    const p = await part.finish();
    assert.equal(p?.text, early?.text);
    assert.equal(p?.margin, early?.margin);
  });

  it("a session's first utterance (no history) is read with its own mean, like the batch reader", async () => {
    // flite slt's greeting: live decoders starting from the model's prior mean read it as the command
    // "good morning please" and accepted it (margin +0.49; batch -0.40), which ended free speech early.
    const wav = join(tmp, 'greeting.wav');
    execFileSync('flite', ['-voice', 'slt', '-t', 'good morning. i would like a cup of coffee', '-o', wav]);
    const pcm = floatToPcm16(concat(silence(0.3), loadFile(wav), silence(0.2)));
    const batch = await ConstrainedRecognizer.open({ fullEvidence: true });
    try {
      const first = new GrammarStream(pool, { seed: async () => null });
      first.start();
      feedAll(first, pcm);
      const [live, whole] = await Promise.all([first.finish(), batch.recognizeDetailed(pcm)]);
      assert.equal(whole?.accepted, false, `batch reading: ${JSON.stringify(whole)}`);
      assert.equal(live?.accepted, false, `first-utterance reading: ${JSON.stringify(live)}`);
      assert.ok(Math.abs(live!.margin - whole!.margin) < 0.3, `margins ${live!.margin} vs ${whole!.margin}`);
      first.close();
    } finally {
      batch.close();
    }
  });

  it('cancel gives the pair back and a closed stream refuses audio', async () => {
    const s = stream();
    s.start();
    feedAll(s, utterance('stop'));
    s.cancel();
    await returned(pool);
    assert.equal(pool.stats.lent, 0);
    assert.equal(await s.read(), null, 'nothing open, nothing read');
    s.close();
    assert.throws(() => s.feed(new Int16Array(10)), /closed/);
  });
});

describe('segmenter silence start', () => {
  it('names where the current silence inside an utterance began, as its pause and end do', () => {
    const seg = new SpeechSegmenter({ minSilenceMs: 600 });
    const frames = (p: number, n: number, from: number) => ({ probs: Array(n).fill(p), ends: Array.from({ length: n }, (_, i) => from + (i + 1) * 512) });
    let at = 0;
    const feed = (p: number, n: number) => {
      const f = frames(p, n, at);
      at += n * 512;
      return seg.update(f.probs, f.ends);
    };
    feed(0.9, 20);
    assert.equal(seg.silenceStart, null, 'speaking');
    const pause = feed(0.1, 8).find((u) => u.kind === 'pause');
    assert.ok(pause);
    assert.equal(seg.silenceStart, pause!.sample);
    const end = feed(0.1, 12).find((u) => u.kind === 'end');
    assert.equal(end?.sample, pause!.sample, 'the end of the same silence starts where the pause did');
    assert.equal(seg.silenceStart, null, 'outside an utterance');
  });
});
