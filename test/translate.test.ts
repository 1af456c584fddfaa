// Apertium translation through persistent null-flushed pipelines: Spanish text from English, truecasing,
// every supported pair, restart of a killed pipeline, serialised concurrent requests, Spanish speech.
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { closeTranslators, sharedTranslator, supportedTargets, translate, Translator } from '../src/response/translate/apertium.ts';
import { truecase } from '../src/response/translate/truecase.ts';
import { EspeakTts, synthesizeAll } from '../src/response/tts/index.ts';
import { SoundFlowError } from '../src/util/errors.ts';
import { rms } from '../src/testing/audio.ts';

after(() => closeTranslators());

describe('apertium translation', () => {
  test('all four pairs are installed', () => {
    assert.deepEqual(supportedTargets().map((l) => l.code).sort(), ['ca', 'eo', 'es', 'gl']);
  });

  test('English ASR text reaches Spanish text, with truecasing making the difference', async () => {
    const es = await translate('my name is john and i live in london', { from: 'en', to: 'es' });
    assert.equal(es, 'Mi nombre es John y vivo en Londres');
    const raw = await translate('my name is john and i live in london', { to: 'es', truecase: false });
    assert.notEqual(raw, es);
    assert.match(raw, /london/);
    assert.equal(await translate('I have a dog.', { to: 'es', truecase: false }), 'Tengo un perro.');
  });

  test('each pair translates and later sentences come back in milliseconds', async () => {
    const want: Record<string, RegExp> = { es: /perro/, ca: /gos/, gl: /can/, eo: /hundo/ };
    for (const l of supportedTargets()) {
      await sharedTranslator().warmup(l.code);
      const t0 = performance.now();
      const out = await translate('the dog is in the garden', { to: l.code });
      const ms = performance.now() - t0;
      assert.match(out, want[l.code], `${l.code}: ${out}`);
      assert.ok(ms < 500, `${l.code} took ${ms.toFixed(1)} ms`);
    }
  });

  test('stream-format characters in the text survive the round trip', async () => {
    const out = await translate('price 1/2 [a] ^b$ <c> @ * # and 100%', { to: 'es' });
    for (const frag of ['1/2', '[', ']', '^', '$', '<', '>', '@', '*', '#', '100%']) assert.ok(out.includes(frag), `${frag} lost in ${out}`);
  });

  test('a killed pipeline is restarted transparently', async () => {
    const tr = new Translator();
    try {
      assert.equal(await tr.translate('my sister reads a book', { to: 'es' }), 'Mi hermana lee un libro');
      const p = tr.pipeline('es');
      const pids = p.pids();
      assert.ok(pids.length >= 5);
      process.kill(pids[Math.floor(pids.length / 2)], 'SIGKILL');
      await new Promise((r) => setTimeout(r, 50));
      assert.equal(await tr.translate('my sister reads a book', { to: 'es' }), 'Mi hermana lee un libro');
      assert.equal(p.starts, 2);
      for (const pid of pids) assert.throws(() => process.kill(pid, 0)); // the old chain is gone
    } finally {
      tr.close();
    }
  });

  test('concurrent requests are serialised and each gets its own answer', async () => {
    const words = ['dog', 'cat', 'house', 'tree', 'car', 'book', 'water', 'bread'];
    const outs = await Promise.all(words.map((w) => translate(`the ${w} is big`, { to: 'es' })));
    const want = ['perro', 'gato', 'casa', 'árbol', 'coche', 'libro', 'agua', 'pan'];
    outs.forEach((o, i) => assert.match(o, new RegExp(want[i]), o));
  });

  test('bad requests are clear errors', async () => {
    await assert.rejects(translate('hello', { to: 'tlh' }), (e: unknown) => e instanceof SoundFlowError && e.code === 'unsupported_language');
    await assert.rejects(translate('hola', { from: 'es', to: 'ca' }), (e: unknown) => e instanceof SoundFlowError && e.code === 'unsupported_language');
    await assert.rejects(translate('x'.repeat(5000), { to: 'es' }), (e: unknown) => e instanceof SoundFlowError && e.code === 'invalid_input');
    await assert.rejects(translate(42 as unknown as string, { to: 'es' }), (e: unknown) => e instanceof SoundFlowError && e.code === 'invalid_input');
    assert.equal(await translate(' \n\0 ', { to: 'es' }), '');
    // A NUL inside the text must not desynchronise the framing.
    assert.equal(await translate('my sister\0 reads a book', { to: 'es' }), 'Mi hermana lee un libro');
  });

  test('the Spanish translation is spoken with a Spanish espeak-ng voice', async () => {
    const es = await translate('good morning, the train leaves at seven', { to: 'es' });
    assert.match(es, /tren/);
    const tts = new EspeakTts();
    const pcmEs = await synthesizeAll(tts, es, { voice: 'es', sampleRate: 16000 });
    const pcmEn = await synthesizeAll(tts, es, { voice: 'en-us', sampleRate: 16000 });
    const f = (x: Int16Array) => Float32Array.from(x, (v) => v / 32768);
    assert.ok(pcmEs.length / 16000 > 1.0, 'speech too short');
    assert.ok(rms(f(pcmEs)) > 0.02);
    // Same text, different phonology: the Spanish voice reads it differently from the English one.
    assert.notEqual(pcmEs.length, pcmEn.length);
  });
});

test('truecase restores the casing Apertium needs', () => {
  assert.equal(truecase("i think john's in new york and i'm in paris. see you on monday"), "I think John's in New York and I'm in Paris. See you on Monday");
  assert.equal(truecase('may i go'), 'May I go');
  assert.equal(truecase('i will call mark', { properNouns: ['Mark'] }), 'I will call Mark');
});
