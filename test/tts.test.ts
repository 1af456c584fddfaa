// Speech output through espeak-ng: streaming, sample rates, abort, prosody, voices, sentence splitting.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { expectCodeAsync } from './helpers/errors.ts';
import { pcm16ToFloat, levelDb } from '../src/audio/pcm.ts';
import { EspeakTts, synthesizeAll, prosodyFor, voiceFor, hasVoice, splitSentences, SentenceSplitter, Semaphore } from '../src/response/tts/index.ts';

const tts = new EspeakTts();
const LONG = 'This sentence is repeated to make a long reply for the streaming test. '.repeat(40);

/** Median F0 (Hz) over voiced 40 ms frames, by autocorrelation in 70..400 Hz. */
function medianF0(x: Float32Array, sr: number): number {
  const frame = Math.round(0.04 * sr);
  const f0s: number[] = [];
  for (let s = 0; s + frame <= x.length; s += frame) {
    const f = x.subarray(s, s + frame);
    if (levelDb(f) < -35) continue;
    let e0 = 0;
    for (const v of f) e0 += v * v;
    let best = 0;
    let bestLag = 0;
    for (let lag = Math.floor(sr / 400); lag <= Math.ceil(sr / 70); lag++) {
      let c = 0;
      for (let i = 0; i + lag < f.length; i++) c += f[i] * f[i + lag];
      if (c > best) {
        best = c;
        bestLag = lag;
      }
    }
    if (bestLag && best > 0.4 * e0) f0s.push(sr / bestLag);
  }
  f0s.sort((a, b) => a - b);
  return f0s[Math.floor(f0s.length / 2)] ?? 0;
}

describe('EspeakTts', () => {
  test('first audio arrives while espeak is still running, long before the end', async () => {
    const t0 = performance.now();
    let firstAt = 0;
    let aliveAtFirst = -1;
    let samples = 0;
    let pieces = 0;
    for await (const p of tts.synthesize(LONG)) {
      if (!firstAt) {
        firstAt = performance.now() - t0;
        aliveAtFirst = tts.activeProcesses;
      }
      samples += p.length;
      pieces++;
      assert.ok(p.length <= 3200, `pieces are at most 200 ms (${p.length})`);
    }
    const total = performance.now() - t0;
    assert.equal(aliveAtFirst, 1, 'espeak still running when the first piece came');
    // Streaming, not a speed target (that is the first-reply bench): the first piece comes within the
    // first third of the synthesis, whatever the machine's load.
    assert.ok(firstAt < total / 3, `first piece at ${firstAt.toFixed(0)} ms of ${total.toFixed(0)} ms`);
    assert.ok(pieces > 50, `${pieces} pieces`);
    // 520 words at 165 wpm is about 190 s; espeak's real pace varies a little with the text.
    const seconds = samples / 16000;
    assert.ok(seconds > 120 && seconds < 260, `${seconds.toFixed(1)} s of audio`);
    assert.equal(tts.activeProcesses, 0);
  });

  test('duration is plausible and audio is speech-like', async () => {
    const pcm = await synthesizeAll(tts, 'one two three four five six seven eight nine ten');
    const x = pcm16ToFloat(pcm);
    const seconds = x.length / 16000;
    assert.ok(seconds > 2 && seconds < 7, `${seconds} s for ten words`);
    assert.ok(levelDb(x) > -30 && levelDb(x) < -10, `level ${levelDb(x).toFixed(1)} dBFS`);
    const f0 = medianF0(x, 16000);
    assert.ok(f0 > 80 && f0 < 250, `median F0 ${f0.toFixed(0)} Hz`);
  });

  test('output sample rate is honoured (16k, 24k, 8k)', async () => {
    const text = 'the sample rate must be honoured';
    const a = await synthesizeAll(tts, text, { sampleRate: 16000 });
    const b = await synthesizeAll(tts, text, { sampleRate: 24000 });
    const c = await synthesizeAll(tts, text, { sampleRate: 8000 });
    assert.ok(Math.abs(b.length / a.length - 1.5) < 0.002, `24k/16k length ratio ${b.length / a.length}`);
    assert.ok(Math.abs(c.length / a.length - 0.5) < 0.002, `8k/16k length ratio ${c.length / a.length}`);
    // Same voice pitch at both rates: a mislabelled rate would shift it by 1.5x.
    const fa = medianF0(pcm16ToFloat(a), 16000);
    const fb = medianF0(pcm16ToFloat(b), 24000);
    assert.ok(Math.abs(fb / fa - 1) < 0.08, `F0 ${fa.toFixed(0)} vs ${fb.toFixed(0)} Hz`);
    await expectCodeAsync(synthesizeAll(tts, text, { sampleRate: 1000 }), 'invalid_argument');
  });

  test('abort stops synthesis at once and kills espeak', async () => {
    const ac = new AbortController();
    let abortedAt = 0;
    const run = (async () => {
      for await (const _ of tts.synthesize(LONG.repeat(3), { signal: ac.signal })) {
        if (!abortedAt) {
          abortedAt = performance.now();
          ac.abort();
        }
      }
    })();
    await expectCodeAsync(run, 'aborted');
    const took = performance.now() - abortedAt;
    // The whole text would take minutes to synthesise; the bound is loose so a loaded machine passes.
    assert.ok(took < 2000, `stopped ${took.toFixed(1)} ms after abort`);
    for (let i = 0; i < 500 && tts.activeProcesses > 0; i++) await new Promise((r) => setTimeout(r, 10)); // a killed process can take a while to go on a loaded core
    assert.equal(tts.activeProcesses, 0, 'espeak process gone');
    // A signal aborted before the call never starts a process.
    await expectCodeAsync(synthesizeAll(tts, 'never', { signal: AbortSignal.abort() }), 'aborted');
  });

  test('breaking out early releases the process', async () => {
    for await (const _ of tts.synthesize(LONG)) break;
    for (let i = 0; i < 500 && tts.activeProcesses > 0; i++) await new Promise((r) => setTimeout(r, 10)); // a killed process can take a while to go on a loaded core
    assert.equal(tts.activeProcesses, 0);
  });

  test("'urgent' is faster and higher than 'sad'", async () => {
    const text = 'Please check the kitchen, the smoke alarm is ringing right now.';
    const urgent = pcm16ToFloat(await synthesizeAll(tts, text, { emotion: 'urgent' }));
    const sad = pcm16ToFloat(await synthesizeAll(tts, text, { emotion: 'sad' }));
    const normal = pcm16ToFloat(await synthesizeAll(tts, text, { emotion: 'normal' }));
    assert.ok(urgent.length < 0.7 * sad.length, `urgent ${urgent.length / 16000} s vs sad ${sad.length / 16000} s`);
    assert.ok(urgent.length < normal.length && normal.length < sad.length, 'normal lies in between');
    const fu = medianF0(urgent, 16000);
    const fs = medianF0(sad, 16000);
    assert.ok(fu > fs * 1.15, `F0 urgent ${fu.toFixed(0)} Hz vs sad ${fs.toFixed(0)} Hz`);
    assert.ok(levelDb(urgent) > levelDb(sad) + 2, 'urgent is louder');
    assert.ok(prosodyFor('happy').pitch > prosodyFor('normal').pitch);
    await expectCodeAsync(synthesizeAll(tts, text, { emotion: 'bored' as never }), 'invalid_argument');
  });

  test('voices per language; unknown voices and bad input give clear errors', async () => {
    assert.equal(voiceFor('es'), 'es');
    assert.equal(voiceFor('Spanish'), 'es');
    assert.equal(voiceFor('pt_BR'), 'pt-br');
    assert.equal(voiceFor('de-AT'), 'de');
    assert.equal(voiceFor('gl'), 'es');
    assert.equal(voiceFor('eo'), 'eo');
    assert.equal(voiceFor('fr'), 'fr-fr');
    assert.equal(voiceFor('klingon'), 'en-us');
    assert.equal(hasVoice('klingon'), false);
    assert.equal(hasVoice('vi'), true); // not in our table, but espeak-ng has it
    const es = await synthesizeAll(tts, '¿Dónde está la estación de tren?', { voice: voiceFor('es'), emotion: 'surprise' });
    assert.ok(es.length > 16000 * 0.8, `Spanish audio ${es.length / 16000} s`);
    await expectCodeAsync(synthesizeAll(tts, 'hello', { voice: 'zz-nope' }), 'unknown_voice');
    await expectCodeAsync(synthesizeAll(tts, 'hello', { voice: '--stdout' }), 'invalid_argument');
    assert.equal((await synthesizeAll(tts, '   \n ')).length, 0, 'empty text gives no audio');
    // Text that looks like options is spoken, not parsed.
    assert.ok((await synthesizeAll(tts, '-v xx --help')).length > 8000);
    await expectCodeAsync(synthesizeAll(new EspeakTts({ binary: '/nonexistent/espeak-ng' }), 'hi'), 'missing_dependency');
  });

  test('a shared semaphore caps concurrent espeak processes', async () => {
    const slots = new Semaphore(2);
    const a = new EspeakTts({ slots });
    const b = new EspeakTts({ slots });
    let peak = 0;
    const watch = setInterval(() => (peak = Math.max(peak, slots.active, a.activeProcesses + b.activeProcesses)), 1);
    const texts = ['first reply here', 'second reply here', 'third reply here', 'fourth reply here', 'fifth'];
    const out = await Promise.all(texts.map((t, i) => synthesizeAll(i % 2 ? a : b, t)));
    clearInterval(watch);
    assert.ok(out.every((o) => o.length > 4000), 'every reply synthesised');
    assert.ok(peak <= 2 && peak >= 1, `peak ${peak}`);
    assert.equal(slots.active, 0);
    // Waiting for a slot is abortable.
    const hold1 = await slots.acquire();
    const hold2 = await slots.acquire();
    const ac = new AbortController();
    const waiting = slots.acquire(ac.signal);
    assert.equal(slots.waiting, 1);
    ac.abort();
    await expectCodeAsync(waiting, 'aborted');
    hold1();
    hold2();
    hold2(); // idempotent
    assert.equal(slots.active, 0);
  });
});

describe('sentences', () => {
  test('splitSentences keeps abbreviations, decimals and initials together', () => {
    assert.deepEqual(splitSentences('Dr. Smith arrived at 3.5 p.m. today. Was it late? Yes! "Quite," he said... Then J. R. left.\n\nNo stop here'), [
      'Dr. Smith arrived at 3.5 p.m. today.',
      'Was it late?',
      'Yes!',
      '"Quite," he said...',
      'Then J. R. left.',
      'No stop here',
    ]);
    assert.deepEqual(splitSentences('¿Dónde está? ¡Aquí! 你好。再见。'), ['¿Dónde está?', '¡Aquí!', '你好。', '再见。']);
    assert.deepEqual(splitSentences('   '), []);
    const long = splitSentences('word, '.repeat(100).trim(), { maxChars: 120 });
    assert.ok(long.length >= 5 && long.every((s) => s.length <= 120), 'long run-ons are cut');
    assert.equal(long.join(' ').replace(/\s+/g, ' '), 'word, '.repeat(100).trim());
  });

  test('SentenceSplitter emits sentences as soon as they are complete', () => {
    const s = new SentenceSplitter();
    const seen: string[][] = [];
    for (const d of ['Hello the', 're. How a', 're you? I am fi', 'ne at 3', '.5 degrees.', ' Bye']) seen.push(s.push(d));
    assert.deepEqual(seen, [[], ['Hello there.'], ['How are you?'], [], [], ['I am fine at 3.5 degrees.']]);
    assert.deepEqual(s.flush(), ['Bye']);
    assert.deepEqual(s.flush(), []);
  });
});
