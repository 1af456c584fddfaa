import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Chunker } from '../src/audio/chunker.ts';
import { CHUNK_SAMPLES } from '../src/audio/chunk.ts';
import { speech } from '../src/testing/audio.ts';

test('odd piece sizes give exact 6400-sample chunks whose concatenation is the input', () => {
  const x = speech('one two three four five six seven');
  const c = new Chunker();
  const chunks = [];
  const sizes = [1, 7, 511, 6399, 6400, 6401, 13, 20000, 3];
  let off = 0;
  for (let k = 0; off < x.length; k++) {
    const n = Math.min(sizes[k % sizes.length], x.length - off);
    chunks.push(...c.push(x.subarray(off, off + n)));
    off += n;
  }
  const last = c.flush();
  if (last) chunks.push(last);
  assert.equal(chunks.length, Math.ceil(x.length / CHUNK_SAMPLES));
  chunks.forEach((ch, i) => {
    assert.equal(ch.index, i);
    assert.equal(ch.pcm.length, CHUNK_SAMPLES);
    assert.ok(Math.abs(ch.t - (i + 1) * 0.4) < 1e-9);
  });
  const joined = new Float32Array(chunks.length * CHUNK_SAMPLES);
  chunks.forEach((ch, i) => joined.set(ch.pcm, i * CHUNK_SAMPLES));
  assert.deepEqual(joined.subarray(0, x.length), x);
  assert.ok(joined.subarray(x.length).every((v) => v === 0), 'padding is zeros');
  assert.equal(chunks.at(-1)!.padded, x.length % CHUNK_SAMPLES !== 0);
  assert.ok(chunks.slice(0, -1).every((ch) => !ch.padded));
});

test('Int16 input is scaled to [-1, 1] and an exact multiple has no padded chunk', () => {
  const c = new Chunker();
  const pcm = new Int16Array(CHUNK_SAMPLES * 2).fill(-16384);
  const chunks = c.push(pcm);
  assert.equal(chunks.length, 2);
  assert.equal(chunks[0].pcm[0], -0.5);
  assert.equal(c.flush(), null);
  assert.throws(() => c.push(new Float32Array(1)));
});
