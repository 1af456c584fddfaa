// The browser page end to end: Debian's Chromium (headless, fake microphone playing an espeak-ng
// question) talks to the server with the real engine. The page must show the transcript and the reply,
// play the reply audio, and mark the respond decision on the right chunk of the timeline.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';
import { startServer, type SoundFlowServer } from '../src/transport/server/server.ts';
import type { Engine } from '../src/engine/types.ts';
import { concat, silence, speech, writeWav } from '../src/testing/audio.ts';
import { testEngine } from '../src/testing/scripted-engine.ts';

const CHROMIUM = '/usr/bin/chromium';
const TOKEN = 'page-token';
let engine: Engine;
let srv: SoundFlowServer;
let browser: Browser | undefined;

// The fake device loops its file: lead-in, the question, then enough silence to outlast the test.
const LEAD_S = 1.0;
const questionAudio = speech('how are you'); // one the offline ASR hears reliably on espeak's voice
const wav = writeWav(concat(silence(LEAD_S), questionAudio, silence(14)));

before(async () => {
  engine = await testEngine();
  srv = await startServer(engine, { port: 0, token: TOKEN });
});

after(async () => {
  await browser?.close();
  await srv.close();
  await engine.close?.();
});

test('the page hears a spoken question from the microphone, shows transcript and reply, plays it', { skip: !existsSync(CHROMIUM) && 'needs Debian chromium' }, async () => {
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless', '--no-sandbox', '--use-fake-ui-for-media-stream', '--use-fake-device-for-media-stream',
      `--use-file-for-fake-audio-capture=${wav}`, '--autoplay-policy=no-user-gesture-required',
      '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync',
    ],
  });
  const page = await browser.newPage();
  const pageErrors: string[] = [];
  page.on('pageerror', (e) => pageErrors.push(e.message));
  const requests: string[] = [];
  page.on('request', (r) => requests.push(r.url()));
  await page.goto(`${srv.url}/?token=${TOKEN}`);
  await page.click('#mic');
  await page.waitForFunction(() => (window as any).sf.connection === 'open', null, { timeout: 10_000 });
  // Wait for a finished reply whose audio has played out.
  await page.waitForFunction(
    () => {
      const s = (window as any).sf;
      return s.replies.some((r: any) => r.text && !r.interrupted) && s.playedSeconds > 0.3 && s.playedSeconds >= s.scheduledSeconds - 0.01;
    },
    null,
    { timeout: 40_000 },
  );
  const st = await page.evaluate(() => {
    const s = (window as any).sf;
    return { chunks: s.chunks, speech: s.speech, transcripts: s.transcripts, replies: s.replies, played: s.playedSeconds, lastError: s.lastError };
  });
  mkdirSync('artifacts', { recursive: true });
  await page.screenshot({ path: 'artifacts/browser-page.png', fullPage: true });

  assert.deepEqual(pageErrors, []);
  assert.equal(st.lastError, null);
  assert.ok(requests.every((u) => u.startsWith(srv.url) || u.startsWith('data:')), `only local requests: ${requests.filter((u) => !u.startsWith(srv.url))}`);
  assert.ok(st.transcripts.some((t: string) => t.trim().length > 0), 'a final transcript');
  assert.ok(st.played > 0.3, `played ${st.played} s of reply audio`);

  // The timeline: the respond decision sits on the chunk right after the question ended.
  const stopped = st.speech.find((e: any) => e.type === 'speech.stopped');
  assert.ok(stopped, 'speech.stopped');
  const questionEnd = LEAD_S + questionAudio.length / 16000;
  assert.ok(Math.abs(stopped.t - questionEnd) < 1.2, `speech stopped at ${stopped.t} s; the question ends at ${questionEnd.toFixed(2)} s of the file`);
  const respond = st.chunks.find((c: any) => c.decision === 'respond');
  assert.ok(respond, 'a respond chunk');
  assert.ok(respond.t >= stopped.t - 0.4 && respond.t <= stopped.t + 1.6, `respond at t=${respond.t}, speech stopped at ${stopped.t}`);
  assert.ok(st.chunks.filter((c: any) => c.t < stopped.t - 0.4).every((c: any) => c.decision === 'silent'), 'silent while the question is asked');

  // What the person sees.
  const box = page.locator(`#timeline .chunk.respond[data-index="${respond.index}"]`);
  assert.equal(await box.count(), 1);
  assert.match((await box.getAttribute('title')) ?? '', /respond: /);
  assert.ok(((await page.textContent('#transcript')) ?? '').trim().length > 0);
  const reply = page.locator('#replies li').first();
  assert.ok(((await reply.locator('.text').textContent()) ?? '').trim().length > 0);
  assert.match((await reply.locator('.emotion').textContent()) ?? '', /^(happy|sad|angry|surprise|normal|urgent)$/);
  assert.equal(await page.getAttribute('#conn', 'data-state'), 'open');
});
