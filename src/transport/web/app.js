// Wires the page: audio input -> connection -> events -> view + player. `window.sf` exposes the
// page's state for debugging and for the end-to-end browser test.
import { AudioInput } from './audio-in.js';
import { Connection } from './connection.js';
import { Player } from './player.js';
import { View } from './ui.js';

const $ = (id) => document.getElementById(id);
const view = new View();
const state = { events: 0, sessions: 0, ended: 0, chunks: [], speech: [], transcripts: [], replies: [], sounds: [], audioPieces: 0, sentFrames: 0, interrupted: 0, lastError: null, closeDetail: null };
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
      state.sounds.push({ label: ev.label, t: ev.t });
      view.sound(ev);
      break;
    case 'session.ended':
      state.ended++;
      view.sessionEnded(ev);
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

/** Seconds a streamed file's session keeps listening after the file ends (room for the last reply). */
const FILE_TAIL_S = 1.5;

/** Starts a session: from the microphone, from a file, or text only (no audio input at all). */
async function start(kind, file) {
  view.error('');
  ctx ??= new AudioContext({ latencyHint: 'interactive' });
  await ctx.resume();
  player ??= new Player(ctx);
  player.stop();
  const c = new Connection({
    onEvent,
    onState: (s, detail) => {
      if (conn !== c) return; // a previous session closing late
      view.connection(s, detail);
      state.connection = s;
      if (s === 'closed') state.closeDetail = detail;
      if (s === 'closed' || s === 'error') stopInput();
    },
  });
  conn = c;
  state.sessions++;
  view.newSession(kind === 'file' ? `file ${file.name}` : kind === 'mic' ? 'microphone' : 'text only');
  $('mic').disabled = true;
  $('file').disabled = true;
  $('stop').disabled = false;
  $('turn').disabled = true;
  await c.connect({ turnDetection: $('turn').value });
  if (kind === 'text') return; // the server keeps the session's clock running without audio
  input = new AudioInput(ctx, (pcm, rms) => {
    state.sentFrames++;
    c.sendAudio(pcm);
    view.level(rms);
  });
  if (kind === 'mic') await input.startMic();
  // A file is one session: when it has played (plus a short tail), the session ends on its own.
  else await input.startFile(file, () => setTimeout(() => conn === c && c.end(), FILE_TAIL_S * 1000));
}

function stopInput() {
  input?.stop();
  input = null;
  $('mic').disabled = false;
  $('file').disabled = false;
  $('stop').disabled = true;
  $('turn').disabled = false;
  $('file').value = '';
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
  view.clearTasks();
});
$('instruct').addEventListener('submit', async (e) => {
  e.preventDefault();
  const text = $('instruction').value.trim();
  if (!text) return;
  $('instruction').value = '';
  try {
    // No session yet: typing starts a text-only one (no microphone needed).
    if (!conn?.open) await start('text');
    conn.send({ type: 'instruction', text });
    view.instruction(text);
  } catch (err) {
    fail(err);
  }
});
