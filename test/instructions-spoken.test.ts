// Spoken instructions (espeak-ng and flite voices) through the constrained recogniser into tasks; chatter
// rejected; a spoken English sentence translated into Spanish text and Spanish speech.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { intentOf } from '../src/response/intent.ts';
import { parseInstruction } from '../src/instructions/parser.ts';
import { ConstrainedRecognizer } from '../src/perception/asr/grammar-recognizer.ts';
import { TaskManager } from '../src/decision/task-manager.ts';
import { closeTranslators, translate } from '../src/response/translate/apertium.ts';
import { EspeakTts, synthesizeAll } from '../src/response/tts/index.ts';
import { SoundFlowError } from '../src/util/errors.ts';
import { concat, loadFile, mix, noise, rms, silence, speech } from '../src/testing/audio.ts';

const dir = mkdtempSync(join(tmpdir(), 'sf-spoken-'));
function flite(text: string, voice: string): Float32Array {
  const file = join(dir, `${voice}.wav`);
  execFileSync('flite', ['-voice', voice, '-t', text, '-o', file]);
  return loadFile(file);
}
const say = (text: string, voice: string) => concat(silence(0.2), voice.startsWith('flite:') ? flite(text, voice.slice(6)) : speech(text, { voice }), silence(0.2));

const COMMANDS = [
  'translate what I say into Spanish',
  'count how many times the dog barks',
  'tell me if the baby cries',
  'be quiet for five minutes',
  'stop translating',
  'what is your name',
  'what is seven times eight',
  'set a timer for ten seconds',
];
const CHATTER = ['I went to the market yesterday and bought apples', 'the weather is really nice outside', 'we should order pizza for dinner'];

let rec: ConstrainedRecognizer;
before(async () => {
  rec = await ConstrainedRecognizer.open({ withOpenDecoder: true });
});
after(() => {
  rec?.close();
  closeTranslators();
  rmSync(dir, { recursive: true, force: true });
});

async function score(voices: string[], items: string[]): Promise<{ ok: number; wrong: string[]; n: number }> {
  let ok = 0;
  const wrong: string[] = [];
  for (const voice of voices) {
    for (const said of items) {
      const r = await rec.recognize(say(said, voice));
      const got = r ? intentOf(r.text) : null;
      if (got === intentOf(said)) ok++;
      else if (got) wrong.push(`${voice}: "${said}" → "${r!.text}"`);
    }
  }
  return { ok, wrong, n: voices.length * items.length };
}

describe('constrained recogniser on spoken instructions', () => {
  test('flite voices: commands and questions come out as the right intent', async () => {
    const r = await score(['flite:slt', 'flite:rms', 'flite:awb', 'flite:kal16'], COMMANDS);
    assert.ok(r.ok >= r.n - 2, `only ${r.ok}/${r.n} right`);
    assert.ok(r.wrong.length <= 1, `wrong: ${r.wrong.join('; ')}`);
  });

  test('espeak-ng klatt voice: commands come out as the right intent', async () => {
    const r = await score(['en-us+klatt'], COMMANDS);
    assert.ok(r.ok >= r.n - 1, `only ${r.ok}/${r.n} right`);
    assert.equal(r.wrong.length, 0, `wrong: ${r.wrong.join('; ')}`);
  });

  test('other espeak-ng voices: many rejected (robotic formant speech), but hardly ever misread', async () => {
    const r = await score(['en-us', 'en+f3', 'en+m3', 'en-gb'], COMMANDS.slice(0, 6));
    assert.ok(r.ok >= 6, `only ${r.ok}/${r.n} right`);
    assert.ok(r.wrong.length <= 1, `wrong: ${r.wrong.join('; ')}`);
  });

  test('chatter is rejected, not forced into a command', async () => {
    let accepted = 0;
    for (const voice of ['flite:slt', 'en-us+klatt']) for (const said of CHATTER) if (await rec.recognize(say(said, voice))) accepted++;
    assert.ok(accepted <= 1, `${accepted} chatter utterances accepted`);
  });

  test('a spoken instruction in noise starts the task and acknowledges it', async () => {
    const audio = say('translate what I say into Spanish', 'flite:slt');
    const noisy = mix(audio, noise(audio.length / 16000 + 0.1), 20);
    const r = await rec.recognize(noisy);
    assert.ok(r, 'rejected');
    assert.ok(r.confidence >= 0.5 && r.confidence <= 1);
    const parsed = parseInstruction(r.text);
    assert.ok(parsed && parsed.type === 'task');
    const update = new TaskManager().apply(parsed, 3.2);
    assert.equal(update.started[0].task, 'translate');
    assert.deepEqual(update.started[0].params, { targetLang: 'es' });
    assert.equal(update.ack, 'Okay, translating into Spanish.');
  });

  test('silence, too-short and bad input', async () => {
    assert.equal(await rec.recognize(silence(1)), null);
    assert.equal(await rec.recognize(new Float32Array(100)), null);
    await assert.rejects(rec.recognize([0, 1] as unknown as Float32Array), SoundFlowError);
  });

  test('a spoken English sentence reaches Spanish text and Spanish speech', async () => {
    const heard = await rec.openDecode(say('my brother is coming home late tonight', 'flite:slt'));
    assert.match(heard, /brother/);
    const es = await translate(heard, { to: 'es' });
    assert.match(es, /hermano/);
    const pcm = await synthesizeAll(new EspeakTts(), es, { voice: 'es', sampleRate: 16000 });
    assert.ok(pcm.length / 16000 > 1);
    assert.ok(rms(Float32Array.from(pcm, (v) => v / 32768)) > 0.02);
  });
});
