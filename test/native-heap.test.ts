// The C heap is trimmed after recognition work (so a long session's RSS does not climb to every arena's
// high-water mark), at most once per interval, and never when switched off. Real decodes of espeak speech.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { concat, floatToPcm16, silence, speech } from '../src/testing/audio.ts';
import { PocketSphinxDecoder } from '../src/perception/asr/pocketsphinx.ts';
import { nativeHeapTrims, setNativeHeapTrim } from '../src/perception/asr/native-heap.ts';

const pcm = floatToPcm16(concat(silence(0.3), speech('what time is it', { voice: 'en-us+klatt' }), silence(0.3)));

/** Waits (bounded) for the asynchronous trim to report back. */
async function trimsAfter(before: number): Promise<number> {
  for (let i = 0; i < 100 && nativeHeapTrims() === before; i++) await sleep(50);
  return nativeHeapTrims();
}

describe('native heap trim', () => {
  let dec: PocketSphinxDecoder;
  before(async () => {
    dec = await PocketSphinxDecoder.open();
  });
  after(() => dec.close());

  it('does not trim when switched off, and decodes the same', async () => {
    setNativeHeapTrim(null);
    const n = nativeHeapTrims();
    const r = await dec.decode(pcm);
    await sleep(300);
    assert.equal(nativeHeapTrims(), n);
    assert.match(r.text, /time/);
  });

  it('trims after an utterance when the interval has passed, then not again within it', async () => {
    setNativeHeapTrim(60_000);
    const n = nativeHeapTrims();
    const r = await dec.decode(pcm);
    assert.equal(await trimsAfter(n), n + 1);
    assert.match(r.text, /time/);
    await dec.decode(pcm);
    await sleep(300);
    assert.equal(nativeHeapTrims(), n + 1, 'a second utterance within the interval does not trim again');
  });

  it('refuses a negative interval', () => {
    assert.throws(() => setNativeHeapTrim(-1), RangeError);
  });
});
