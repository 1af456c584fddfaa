// Rendering of session events: one timeline row per session (every chunk kept, a time axis, zoom),
// transcript, replies, sounds and tasks with a separator per session, and links between a respond
// box and its reply. Text always goes through textContent (event text comes from ASR and users).
const $ = (id) => document.getElementById(id);
const MAX_ITEMS = 500;
const CHUNK_S = 0.4;
/** Box widths (px) the zoom steps through; the axis labels every 2 s, or every 10 s when boxes are narrow. */
const ZOOMS = [2, 3, 4, 6, 8, 10, 14, 20, 28];

function el(tag, cls, text) {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text !== undefined) e.textContent = text;
  return e;
}

function trim(list, max) {
  while (list.children.length > max) list.removeChild(list.firstChild);
}

function clock(seconds) {
  const m = Math.floor(seconds / 60);
  const s = Math.round(seconds - m * 60);
  return m ? `${m}:${String(s).padStart(2, '0')}` : `${s}s`;
}

export class View {
  constructor() {
    this.replies = new Map();
    this.tasks = new Map();
    this.session = 0;
    this.zoom = 5;
    this.applyZoom();
    $('zoomIn').addEventListener('click', () => this.setZoom(this.zoom + 1));
    $('zoomOut').addEventListener('click', () => this.setZoom(this.zoom - 1));
    $('timeline').addEventListener(
      'wheel',
      (e) => {
        if (!e.ctrlKey) return;
        e.preventDefault();
        this.setZoom(this.zoom + (e.deltaY < 0 ? 1 : -1));
      },
      { passive: false },
    );
  }

  setZoom(z) {
    const next = Math.max(0, Math.min(ZOOMS.length - 1, z));
    if (next === this.zoom) return;
    // Keep the chunk at the left edge of the current row in view.
    const scroller = this.row?.scroller;
    const first = scroller ? scroller.scrollLeft / (ZOOMS[this.zoom] + 1) : 0;
    this.zoom = next;
    this.applyZoom();
    if (scroller) scroller.scrollLeft = first * (ZOOMS[this.zoom] + 1);
  }

  applyZoom() {
    const tl = $('timeline');
    tl.style.setProperty('--cw', `${ZOOMS[this.zoom]}px`);
    tl.dataset.zoom = ZOOMS[this.zoom] < 6 ? 'low' : 'high';
  }

  get chunkWidth() {
    return ZOOMS[this.zoom];
  }

  /** A new session: its own timeline row, and a heading in every list. */
  newSession(kind) {
    this.session++;
    this.replies.clear();
    this.clearTasks();
    const tl = $('timeline');
    tl.querySelector('.empty')?.remove();
    const row = el('div', 'session-row');
    row.dataset.session = String(this.session);
    const label = el('div', 'session-label', `Session ${this.session} · ${kind} · ${new Date().toLocaleTimeString()}`);
    const scroller = el('div', 'tl-scroll');
    const inner = el('div', 'tl-inner');
    const track = el('div', 'track');
    const axis = el('div', 'axis');
    inner.append(track, axis);
    scroller.append(inner);
    row.append(label, scroller);
    tl.append(row);
    this.row = { row, label, scroller, inner, track, axis, count: 0, byT: new Map() };
    for (const id of ['transcript', 'replies', 'sounds']) {
      const li = el('li', 'session-sep', `Session ${this.session}`);
      $(id).appendChild(li);
    }
    row.scrollIntoView?.({ block: 'nearest' });
  }

  sessionEnded(ev) {
    this.clearTasks();
    if (this.row) this.row.label.textContent += ` · ended at ${clock(ev.t)} (${ev.chunks} chunks)`;
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
    const r = this.row;
    if (!r) return;
    const box = el('div', 'chunk');
    if (ev.speech >= 0.3) box.classList.add('speech');
    if (ev.decision === 'respond') box.classList.add('respond');
    if (ev.state === 'speaking') box.classList.add('speaking');
    box.dataset.index = ev.index;
    box.dataset.decision = ev.decision;
    box.dataset.reason = ev.reason;
    box.style.setProperty('--i', ev.index);
    const sounds = ev.sounds?.length ? `\nsounds: ${ev.sounds.map((s) => `${s.label} ${(s.p * 100).toFixed(0)}%`).join(', ')}` : '';
    box.title = `#${ev.index}  t=${ev.t.toFixed(1)} s\n${ev.decision}: ${ev.reason}\nspeech ${(ev.speech * 100).toFixed(0)}%  level ${ev.levelDb.toFixed(0)} dBFS\nstate: ${ev.state}${sounds}`;
    // Follow the live edge only when the user has not scrolled back.
    const s = r.scroller;
    const following = s.scrollLeft + s.clientWidth >= s.scrollWidth - 2 * (this.chunkWidth + 1);
    r.track.appendChild(box);
    r.byT.set(ev.t.toFixed(2), box);
    r.count = Math.max(r.count, ev.index + 1);
    r.inner.style.setProperty('--n', r.count);
    // A tick every 2 s (5 chunks); the major ones (10 s) keep their label at low zoom.
    for (let i = Math.ceil((r.ticks ?? 0) / 5) * 5; i <= ev.index; i += 5) {
      const tick = el('div', i % 25 === 0 ? 'tick major' : 'tick');
      tick.style.setProperty('--i', i);
      tick.append(el('span', 'lbl', clock(i * CHUNK_S)));
      r.axis.appendChild(tick);
      r.ticks = i + 1;
    }
    if (following) s.scrollLeft = s.scrollWidth;
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
    li.id = `reply-${ev.id}`;
    li.append(el('span', `emotion ${ev.emotion}`, ev.emotion), el('span', 'task', ev.task), el('span', 'text', ''));
    $('replies').appendChild(li);
    trim($('replies'), MAX_ITEMS);
    this.replies.set(ev.id, li);
    // The reply starts at the chunk that decided it: link the two both ways.
    const box = this.row?.byT.get(ev.t.toFixed(2));
    if (box && box.classList.contains('respond') && !box.dataset.reply) {
      box.dataset.reply = ev.id;
      box.classList.add('linked');
      box.addEventListener('click', () => this.focus(box, li));
      li.classList.add('linked');
      const at = el('button', 'at', `@ ${clock(ev.t)}`);
      at.type = 'button';
      at.title = 'show the decision on the timeline';
      at.addEventListener('click', () => this.focus(box, li));
      li.prepend(at);
    }
  }

  /** Highlights a respond box and its reply, scrolling both into view. */
  focus(box, li) {
    for (const e of document.querySelectorAll('.focus')) e.classList.remove('focus');
    box.classList.add('focus');
    li.classList.add('focus');
    li.scrollIntoView({ block: 'nearest' });
    const s = box.closest('.tl-scroll');
    if (s) s.scrollLeft = Math.max(0, box.offsetLeft - s.clientWidth / 2);
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

  /** Only `sound` events (a detected sound's onset) are listed, not every label a chunk scored. */
  sound(ev) {
    const li = el('li', 'sound', `${ev.label} (${(ev.p * 100).toFixed(0)}%) at ${ev.t.toFixed(1)} s`);
    $('sounds').appendChild(li);
    trim($('sounds'), MAX_ITEMS);
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

  /** Tasks live in a session: when it stops, none are active. */
  clearTasks() {
    $('tasks').replaceChildren();
    this.tasks.clear();
  }
}
