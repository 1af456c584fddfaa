// Wires the page: audio input -> connection -> events -> view + player. `window.sf` exposes the
// page's state for debugging and for the end-to-end browser test.
import { AudioInput } from './audio-in.js';
import { Connection } from './connection.js';
import { Player } from './player.js';
import { View } from './ui.js';

const $ = (id) => document.getElementById(id);
const view = new View();
const state = { events: 0, chunks: [], speech: [], transcripts: [], replies: [], audioPieces: 0, sentFrames: 0, interrupted: 0, lastError: null };
window.sf = state;
// Seconds of reply audio scheduled, and played out to the end (not cut by a barge-in).
Object.defineProperty(state, 'scheduledSeconds', { get: () => player?.totalSeconds ?? 0 });
Object.defineProperty(state, 'playedSeconds', { get: () => player?.playedSeconds ?? 0 });

let ctx = null;
let input = null;
let player = null;
let conn = null;

function onEvent(ev) {
  state.events++;
  switch (ev.type) {
    case 'chunk':
      state.chunks.push({ index: ev.index, t: ev.t, decision: ev.decision, reason: ev.reason });
      view.chunk(ev);
      break;
    case 'transcript':
      if (ev.final) state.transcripts.push(ev.text);
      view.transcript(ev);
      break;
    case 'speech.started':
    case 'speech.stopped':
      // Barge-in is the server's call: it cancels the reply, and the response.end below stops playback.
      state.speech.push({ type: ev.type, t: ev.t });
      break;
    case 'response.start':
      state.replies.push({ id: ev.id, emotion: ev.emotion, task: ev.task, text: '', interrupted: false });
      view.responseStart(ev);
      break;
    case 'response.text':
      view.responseText(ev);
      break;
    case 'response.audio':
      state.audioPieces++;
      player.enqueue(ev.id, ev.pcm, ev.sampleRate);
      break;
    case 'response.end': {
      const r = state.replies.find((x) => x.id === ev.id);
      if (r) Object.assign(r, { text: ev.text, interrupted: ev.interrupted });
      if (ev.interrupted) {
        // Barge-in: silence at once and tell the server how much was actually heard.
        state.interrupted++;
        const cut = player.stop();
        if (cut && cut.id === ev.id) conn.send({ type: 'truncate', id: cut.id, playedMs: cut.playedMs });
      }
      view.responseEnd(ev);
      break;
    }
    case 'sound':
      view.sound(ev);
      break;
    case 'task.started':
      view.taskStarted(ev);
      break;
    case 'task.ended':
      view.taskEnded(ev);
      break;
    case 'error':
      state.lastError = ev;
      view.error(`${ev.code}: ${ev.message}`);
      break;
  }
  view.stats(`${state.chunks.length} chunks · ${state.replies.length} replies · ${player ? player.totalSeconds.toFixed(1) : 0} s of reply audio`);
}

async function start(kind, file) {
  view.error('');
  ctx ??= new AudioContext({ latencyHint: 'interactive' });
  await ctx.resume();
  player ??= new Player(ctx);
  conn = new Connection({
    onEvent,
    onState: (s, detail) => {
      view.connection(s, detail);
      state.connection = s;
      if (s === 'closed' || s === 'error') stopInput();
    },
  });
  await conn.connect({ turnDetection: $('turn').value });
  input = new AudioInput(ctx, (pcm, rms) => {
    state.sentFrames++;
    conn.sendAudio(pcm);
    view.level(rms);
  });
  if (kind === 'mic') await input.startMic();
  else await input.startFile(file);
  $('mic').disabled = true;
  $('file').disabled = true;
  $('stop').disabled = false;
  $('turn').disabled = true;
}

function stopInput() {
  input?.stop();
  input = null;
  $('mic').disabled = false;
  $('file').disabled = false;
  $('stop').disabled = true;
  $('turn').disabled = false;
}

function fail(err) {
  view.error(String(err?.message ?? err));
  state.lastError = { code: 'page', message: String(err?.message ?? err) };
  stopInput();
}

$('mic').addEventListener('click', () => start('mic').catch(fail));
$('file').addEventListener('change', (e) => {
  const f = e.target.files?.[0];
  if (f) start('file', f).catch(fail);
});
$('stop').addEventListener('click', () => {
  stopInput();
  conn?.end();
});
$('instruct').addEventListener('submit', (e) => {
  e.preventDefault();
  const text = $('instruction').value.trim();
  if (!text) return;
  if (!conn?.open) {
    view.error('start the microphone or a file first');
    return;
  }
  conn.send({ type: 'instruction', text });
  view.instruction(text);
  $('instruction').value = '';
});
