// The browser page end to end: Debian's Chromium (headless, fake microphone playing an espeak-ng
// question) talks to the server with the real engine. The page must show the transcript and the reply,
// play the reply audio, and mark the respond decision on the right chunk of the timeline.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync } from 'node:fs';
import { chromium, type Browser, type Page } from 'playwright-core';
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

const NO_CHROMIUM = !existsSync(CHROMIUM) && 'needs Debian chromium';

async function launch(): Promise<Browser> {
  browser ??= await chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless', '--no-sandbox', '--use-fake-ui-for-media-stream', '--use-fake-device-for-media-stream',
      `--use-file-for-fake-audio-capture=${wav}`, '--autoplay-policy=no-user-gesture-required',
      '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync',
    ],
  });
  return browser;
}

test('the page hears a spoken question from the microphone, shows transcript and reply, plays it', { skip: NO_CHROMIUM }, async () => {
  const page = await (await launch()).newPage();
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
  const reply = page.locator('#replies li.reply').first();
  assert.ok(((await reply.locator('.text').textContent()) ?? '').trim().length > 0);
  assert.match((await reply.locator('.emotion').textContent()) ?? '', /^(happy|sad|angry|surprise|normal|urgent)$/);
  assert.equal(await page.getAttribute('#conn', 'data-state'), 'open');
  await page.close(); // its microphone session would otherwise keep streaming beside the next test
});

const sf = (page: Page) => page.evaluate(() => {
  const s = (window as any).sf;
  return { sessions: s.sessions, ended: s.ended, sentFrames: s.sentFrames, replies: s.replies, sounds: s.sounds, connection: s.connection, closeDetail: s.closeDetail, lastError: s.lastError };
});

test('text without a microphone, Stop clears tasks, a streamed file ends its own session; sessions, legend, axis, zoom, reply links', { skip: NO_CHROMIUM }, async () => {
  const page = await (await launch()).newPage({ viewport: { width: 1280, height: 900 } });
  const pageErrors: string[] = [];
  page.on('pageerror', (e) => pageErrors.push(e.message));
  await page.goto(`${srv.url}/?token=${TOKEN}`);
  assert.equal(await page.locator('#legend li').count(), 4, 'legend: silent, speech, respond, speaking');

  // Typing starts a text-only session: no microphone, no audio sent.
  await page.fill('#instruction', 'what is your name');
  await page.press('#instruction', 'Enter');
  await page.waitForFunction(() => (window as any).sf.replies.some((r: any) => /soundflow/i.test(r.text)), null, { timeout: 30_000 });
  await page.fill('#instruction', 'transcribe this');
  await page.press('#instruction', 'Enter');
  await page.waitForFunction(() => document.querySelectorAll('#tasks li').length === 1, null, { timeout: 20_000 });
  let st = await sf(page);
  assert.equal(st.sentFrames, 0, 'nothing was captured');
  assert.equal(st.sessions, 1);

  // Stop ends the session and its tasks.
  await page.click('#stop');
  assert.equal(await page.locator('#tasks li').count(), 0, 'Stop clears the task list at once');
  await page.waitForFunction(() => (window as any).sf.ended === 1, null, { timeout: 20_000 });

  // A file is a session of its own that ends when the file does.
  const talk = writeWav(concat(silence(0.5), speech('how are you'), silence(1.5)));
  await page.setInputFiles('#file', talk);
  await page.waitForFunction(() => (window as any).sf.sessions === 2 && (window as any).sf.ended === 2 && (window as any).sf.connection === 'closed', null, { timeout: 90_000 });
  st = await sf(page);
  assert.match(st.closeDetail ?? '', /^1000/, `closed normally: ${st.closeDetail}`);
  assert.ok(st.sentFrames > 20, 'the file was streamed');
  assert.equal(await page.isDisabled('#stop'), true);

  // One section per session in the timeline and in the lists.
  assert.equal(await page.locator('#timeline .session-row').count(), 2);
  for (const list of ['#transcript', '#replies', '#sounds']) assert.equal(await page.locator(`${list} li.session-sep`).count(), 2, list);
  // The sounds panel lists exactly the `sound` events.
  assert.equal(await page.locator('#sounds li.sound').count(), st.sounds.length);

  // The file's timeline keeps every chunk, has a time axis, and its respond box links to the reply.
  const row = page.locator('#timeline .session-row').nth(1);
  const chunks = await row.locator('.chunk').count();
  assert.ok(chunks >= 10, `${chunks} chunks kept`);
  assert.ok((await row.locator('.tick').count()) >= 2);
  assert.equal(await row.locator('.tick .lbl').first().textContent(), '0s');
  const linked = row.locator('.chunk.respond.linked').first();
  assert.equal(await linked.count(), 1, 'a respond box linked to its reply');
  const replyId = await linked.getAttribute('data-reply');
  await linked.click();
  assert.match((await page.locator(`#reply-${replyId}`).getAttribute('class')) ?? '', /focus/);

  // Zoom changes the box width, and the whole session stays (scrollable).
  const w0 = (await row.locator('.chunk').first().boundingBox())!.width;
  await page.click('#zoomIn');
  await page.click('#zoomIn');
  const w1 = (await row.locator('.chunk').first().boundingBox())!.width;
  assert.ok(w1 > w0, `zoom in: ${w0} → ${w1} px`);
  assert.equal(await row.locator('.chunk').count(), chunks);

  mkdirSync('artifacts', { recursive: true });
  await page.screenshot({ path: 'artifacts/browser-sessions.png', fullPage: true });
  assert.deepEqual(pageErrors, []);
  assert.equal(st.lastError, null);
});
