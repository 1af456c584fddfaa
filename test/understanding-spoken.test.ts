// Understanding on real speech through whole sessions: a garbled count request, an honest limit, a
// translation of lower-case recogniser text, n-best readings from pocketsphinx.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createEngine } from '../src/engine/registry.ts';
import type { Engine } from '../src/engine/types.ts';
import { PocketSphinxDecoder } from '../src/perception/asr/pocketsphinx.ts';
import { FINAL_BEAMS } from '../src/perception/asr/config.ts';
import { concat, loadFile, silence, speech } from '../src/testing/audio.ts';
import { collect, eventsOf as of } from '../src/testing/session.ts';

const tmp = mkdtempSync(join(tmpdir(), 'sf-und-'));
const flite = (text: string, voice = 'slt') => {
  const f = join(tmp, 'f.wav');
  execFileSync('flite', ['-voice', voice, '-t', text, '-o', f]);
  return loadFile(f);
};
let engine: Engine;
before(async () => {
  engine = await createEngine('embedded');
});
after(async () => {
  await engine.close?.();
  rmSync(tmp, { recursive: true, force: true });
});

test('pocketsphinx n-best: several distinct readings, the best one among them', async () => {
  const dec = await PocketSphinxDecoder.open({ beams: FINAL_BEAMS });
  try {
    const r = await dec.decode(concat(silence(0.3), speech('what is seven times eight'), silence(0.3)), { nbest: 5 });
    assert.ok(r.nbest && r.nbest.length >= 2, JSON.stringify(r.nbest));
    assert.equal(new Set(r.nbest).size, r.nbest.length, 'distinct');
    assert.ok(r.nbest.every((h) => !/[<[(]/.test(h)), 'no fillers or variant marks');
    assert.equal((await dec.decode(silence(1), { nbest: 5 })).nbest, undefined, 'nothing heard, no n-best');
  } finally {
    dec.close();
  }
});

test('spoken: "please count how many times the dog barks in total" starts counting dog barks', async () => {
  const events = await collect(await engine.createSession({ mode: 'sequential' }), concat(silence(0.5), flite('please count how many times the dog barks in total', 'kal16'), silence(2.5)));
  const started = of(events, 'task.started');
  assert.ok(started.some((s) => s.task === 'count' && s.params.label === 'dog_bark'), JSON.stringify(of(events, 'transcript')));
});

test('spoken: an out-of-scope request gets an honest reply naming what it can do', async () => {
  const events = await collect(await engine.createSession({ mode: 'sequential' }), concat(silence(0.5), flite('convert spoken language audio into chinese'), silence(2.5), flite('yes'), silence(2)));
  const said = of(events, 'response.end').map((e) => e.text);
  assert.ok(said.includes("I can't translate into Chinese offline. I can translate into Spanish, Catalan, Galician or Esperanto."), JSON.stringify({ said, heard: of(events, 'transcript').filter((t) => t.final).map((t) => t.text) }));
});

test('spoken: lower-case recogniser text still translates the pronoun after a greeting', async () => {
  const events = await collect(
    await engine.createSession({ mode: 'sequential', instructions: ['translate into spanish'] }),
    concat(silence(0.5), flite('good morning. i would like a cup of coffee'), silence(2.5)),
  );
  const heard = of(events, 'transcript').filter((t) => t.final).map((t) => t.text);
  const ids = new Set(of(events, 'response.start').filter((e) => e.task === 'translate').map((e) => e.id));
  const tr = of(events, 'response.end').filter((e) => ids.has(e.id)).map((e) => e.text);
  assert.ok(heard.some((h) => /good morning i would like/.test(h)), `recogniser text: ${JSON.stringify(heard)}`);
  assert.ok(tr.some((x) => /me gustaría/.test(x) && !/\bI\b/.test(x)), JSON.stringify(tr));
});
