// Rendering of session events: the chunk timeline, transcript, replies, sounds and tasks.
// Text always goes through textContent (event text comes from speech recognition and users).
const $ = (id) => document.getElementById(id);
const MAX_CHUNKS = 240;
const MAX_ITEMS = 100;

function el(tag, cls, text) {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text !== undefined) e.textContent = text;
  return e;
}

function trim(list, max) {
  while (list.children.length > max) list.removeChild(list.firstChild);
}

export class View {
  constructor() {
    this.replies = new Map();
    this.tasks = new Map();
  }

  connection(state, detail) {
    const c = $('conn');
    c.dataset.state = state;
    c.textContent = detail ? `${state} (${detail})` : state;
  }

  level(rms) {
    const db = Math.max(-100, rms > 0 ? 20 * Math.log10(rms) : -100);
    $('level').style.width = `${Math.max(0, Math.min(100, ((db + 60) / 60) * 100))}%`;
    $('levelDb').textContent = `${db.toFixed(0)} dB`;
  }

  error(msg) {
    $('error').textContent = msg;
  }

  stats(text) {
    $('stats').textContent = text;
  }

  chunk(ev) {
    const box = el('div', 'chunk');
    if (ev.speech >= 0.3) box.classList.add('speech');
    if (ev.decision === 'respond') box.classList.add('respond');
    if (ev.state === 'speaking') box.classList.add('speaking');
    box.dataset.index = ev.index;
    box.dataset.decision = ev.decision;
    box.dataset.reason = ev.reason;
    const sounds = ev.sounds?.length ? `\nsounds: ${ev.sounds.map((s) => `${s.label} ${(s.p * 100).toFixed(0)}%`).join(', ')}` : '';
    box.title = `#${ev.index}  t=${ev.t.toFixed(1)} s\n${ev.decision}: ${ev.reason}\nspeech ${(ev.speech * 100).toFixed(0)}%  level ${ev.levelDb.toFixed(0)} dBFS\nstate: ${ev.state}${sounds}`;
    const tl = $('timeline');
    tl.appendChild(box);
    trim(tl, MAX_CHUNKS);
    tl.scrollLeft = tl.scrollWidth;
  }

  transcript(ev) {
    if (!ev.final) {
      $('partial').textContent = ev.text;
      return;
    }
    $('partial').textContent = '';
    if (!ev.text.trim()) return;
    const li = el('li', 'final', ev.text);
    li.title = `t=${ev.t.toFixed(1)} s`;
    $('transcript').appendChild(li);
    trim($('transcript'), MAX_ITEMS);
  }

  instruction(text) {
    const li = el('li', 'typed', `⌨ ${text}`);
    $('transcript').appendChild(li);
  }

  responseStart(ev) {
    const li = el('li', 'reply');
    li.dataset.id = ev.id;
    li.append(el('span', `emotion ${ev.emotion}`, ev.emotion), el('span', 'task', ev.task), el('span', 'text', ''));
    $('replies').appendChild(li);
    trim($('replies'), MAX_ITEMS);
    this.replies.set(ev.id, li);
  }

  responseText(ev) {
    const li = this.replies.get(ev.id);
    if (li) li.querySelector('.text').textContent += ev.delta;
  }

  responseEnd(ev) {
    const li = this.replies.get(ev.id);
    if (!li) return;
    if (ev.text) li.querySelector('.text').textContent = ev.text;
    if (ev.interrupted) li.classList.add('interrupted');
    this.replies.delete(ev.id);
  }

  sound(ev) {
    const li = el('li', 'sound', `${ev.label} (${(ev.p * 100).toFixed(0)}%) at ${ev.t.toFixed(1)} s`);
    $('sounds').appendChild(li);
    trim($('sounds'), 30);
  }

  taskStarted(ev) {
    const params = Object.entries(ev.params).map(([k, v]) => `${k}=${v}`).join(' ');
    const li = el('li', 'task-item', `${ev.task}${params ? ` (${params})` : ''}`);
    li.title = ev.instruction;
    li.dataset.task = ev.taskId;
    $('tasks').appendChild(li);
    this.tasks.set(ev.taskId, li);
  }

  taskEnded(ev) {
    this.tasks.get(ev.taskId)?.remove();
    this.tasks.delete(ev.taskId);
  }
}
