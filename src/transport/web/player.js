// Gapless reply playback: each PCM16 piece becomes an AudioBuffer scheduled right after the previous
// one, so network jitter never leaves clicks between pieces. stop() silences everything at once
// (barge-in) and reports how much of the reply was actually heard.
export class Player {
  constructor(ctx) {
    this.ctx = ctx;
    this.gain = ctx.createGain();
    this.gain.connect(ctx.destination);
    this.sources = new Set();
    this.nextTime = 0;
    this.responseId = null;
    this.startedAt = 0;
    this.scheduledSeconds = 0;
    /** Total seconds of reply audio scheduled, and actually played to the end, since the page loaded. */
    this.totalSeconds = 0;
    this.playedSeconds = 0;
  }

  get playing() {
    return this.sources.size > 0;
  }

  /** Queues one piece of base64 PCM16 mono audio at `rate` Hz for response `id`. */
  enqueue(id, b64, rate) {
    const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
    const n = bytes.length >> 1;
    if (n === 0) return;
    const dv = new DataView(bytes.buffer);
    const buf = this.ctx.createBuffer(1, n, rate);
    const data = buf.getChannelData(0);
    for (let i = 0; i < n; i++) data[i] = dv.getInt16(i * 2, true) / 32768;
    const src = this.ctx.createBufferSource();
    src.buffer = buf;
    src.connect(this.gain);
    const now = this.ctx.currentTime;
    // A small lead absorbs scheduling jitter; after a gap we restart from "now".
    const at = Math.max(this.nextTime, now + 0.04);
    if (id !== this.responseId) {
      this.responseId = id;
      this.startedAt = at;
      this.scheduledSeconds = 0;
    }
    src.start(at);
    this.nextTime = at + buf.duration;
    this.scheduledSeconds += buf.duration;
    this.totalSeconds += buf.duration;
    this.sources.add(src);
    src.onended = () => {
      // Sources cut by stop() were removed already; only pieces that played out count as heard.
      if (this.sources.delete(src)) this.playedSeconds += buf.duration;
    };
  }

  /** Milliseconds of the current response that have been heard so far. */
  playedMs() {
    if (this.responseId === null) return 0;
    const heard = Math.max(0, Math.min(this.scheduledSeconds, this.ctx.currentTime - this.startedAt));
    return Math.round(heard * 1000);
  }

  /** Stops all scheduled audio now; returns { id, playedMs } of what was cut, or null. */
  stop() {
    if (this.sources.size === 0) return null;
    const cut = { id: this.responseId, playedMs: this.playedMs() };
    for (const s of this.sources) {
      try {
        s.stop();
      } catch {
        /* already stopped */
      }
    }
    this.sources.clear();
    this.nextTime = 0;
    return cut;
  }
}
