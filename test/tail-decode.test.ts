// A session's first utterance that its live pass did not understand is decoded again with its own
// cepstral mean, piece by piece. The piece before its closing silence starts decoding when that silence
// begins (before the pause or the end is declared), and the end reuses it. Real espeak-ng audio through
// the real perceiver (Silero VAD, one-pass decoders); no timing asserts.
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Perceiver } from '../src/perception/perceiver.ts';
import { openOnePassPool } from '../src/perception/asr/one-pass.ts';
import { concat, mix, noise, silence, speech } from '../src/testing/audio.ts';
import { wer } from '../src/perception/asr/wer.ts';

const CHUNK = 6400;

/** The first final's text, and how its re-decode was read. */
async function firstFinal(p: Perceiver, audio: Float32Array): Promise<{ text: string; redo: Perceiver['lastRedecode'] }> {
  for (let i = 0, k = 0; i + CHUNK <= audio.length; i += CHUNK, k++) {
    const pc = await p.perceive({ index: k, start: i / 16000, t: (i + CHUNK) / 16000, pcm: audio.subarray(i, i + CHUNK), padded: false });
    if (pc.final) return { text: (await pc.final)?.text ?? '', redo: p.lastRedecode };
  }
  return { text: '', redo: null };
}

describe("a first utterance's tail decode", () => {
  // Two idle decoders beside the live one: the piece's decode never waits for one to open.
  const pool = openOnePassPool({}, { max: 4, spare: 2 });
  after(() => pool.close());
  const phrase = 'the museum opens at nine and closes at six on weekdays';

  it('starts when the closing silence begins, is reused by the end, and hears what the pause-started piece hears', async (t) => {
    const warm = await Promise.all([pool.acquire(), pool.acquire()]);
    warm.forEach((d) => pool.release(d));
    const said = speech(phrase);
    // The closing silence's onset lands at three places 133 ms apart on the 400 ms chunk grid: in at least
    // one of them the chunk where it begins holds 64–200 ms of it (a 136 ms window: a decode started there,
    // one chunk before the pause), in others the pause comes in that same chunk (no early start).
    let early = 0;
    for (const lead of [1.0, 1.1333, 1.2667]) {
      const audio = mix(concat(silence(lead), said, silence(2)), noise(lead + said.length / 16000 + 2, { amplitude: 0.01 }), 30);
      // keepUnderstoodFirstUtterance says no: the first utterance is decoded again, at its end.
      const opts = { keepUnderstoodFirstUtterance: () => false, earlyEnd: false };
      const withOnset = await Perceiver.create(opts, pool, null);
      const atPause = await Perceiver.create({ ...opts, tailDecodeAfterSilenceMs: Infinity }, pool, null);
      try {
        const a = await firstFinal(withOnset, audio);
        const b = await firstFinal(atPause, audio);
        assert.ok(a.redo && b.redo, 'both decoded again');
        assert.equal(b.redo.onsets, 0);
        assert.ok(wer(phrase, b.text) <= 0.3, b.text);
        // Same words whether the last piece was cut where the silence began or at its pause.
        assert.equal(a.text, b.text, `lead ${lead} s`);
        t.diagnostic(`lead ${lead} s: ${a.text} | onsets ${a.redo.onsets}, last piece ${JSON.stringify(a.redo.pieces.at(-1))} vs ${JSON.stringify(b.redo.pieces.at(-1))}`);
        if (a.redo.onsets > 0) {
          early++;
          const last = a.redo.pieces.at(-1)!;
          assert.ok(last.reused, `the end reused the piece started at the silence's onset: ${JSON.stringify(a.redo)}`);
          // The onset's cut ends the re-decode before the pause's would (less of the closing silence).
          assert.ok(last.to < b.redo.pieces.at(-1)!.to, `${last.to} vs ${b.redo.pieces.at(-1)!.to}`);
        }
      } finally {
        withOnset.close();
        atPause.close();
      }
    }
    assert.ok(early >= 1, 'the closing silence began early in a chunk at least once');
  });
});
