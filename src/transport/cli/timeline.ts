// The human-readable live view of a session: one glyph per 0.4 s chunk, replies and transcripts inline.
import type { SessionEvent } from '../../events.ts';

const GLYPHS = {
  respond: '●',
  speaking: '▸',
  speech: '~',
  quiet: '·',
} as const;

const PER_LINE = 25; // 10 s of audio per row

export class TimelinePrinter {
  private col = 0;
  private lineStart = 0;
  private texts = new Map<string, { task: string; emotion: string; text: string; t: number }>();

  constructor(private readonly out: NodeJS.WritableStream) {}

  event(ev: SessionEvent): void {
    switch (ev.type) {
      case 'session.started':
        this.out.write(`SoundFlow ${ev.engine} engine, ${ev.chunkMs} ms chunks (${ev.mode})   ${GLYPHS.quiet} quiet  ${GLYPHS.speech} speech  ${GLYPHS.respond} respond  ${GLYPHS.speaking} speaking\n`);
        break;
      case 'chunk': {
        if (this.col === 0) {
          this.lineStart = ev.t - 0.4;
          this.out.write(`${this.lineStart.toFixed(1).padStart(7)}s │ `);
        }
        const g = ev.decision === 'respond' ? GLYPHS.respond : ev.state === 'speaking' ? GLYPHS.speaking : ev.speech > 0.3 ? GLYPHS.speech : GLYPHS.quiet;
        this.out.write(g);
        if (++this.col === PER_LINE) this.newline();
        break;
      }
      case 'transcript':
        if (ev.final) {
          // Who and how, when voice analysis ran: "heard (S2, whisper): ..." — nothing extra for a calm voice.
          const how = ev.voice ? [ev.voice.speaker, ev.voice.whisper ? 'whisper' : ev.voice.arousal !== 'calm' ? ev.voice.arousal : ''].filter(Boolean).join(', ') : '';
          this.note(`heard${how ? ` (${how})` : ''}: "${ev.text}"`);
        }
        break;
      case 'task.started':
        this.note(`task started: ${ev.task} ${JSON.stringify(ev.params)}`);
        break;
      case 'task.ended':
        this.note(`task ended: ${ev.task} (${ev.reason})`);
        break;
      case 'response.start':
        this.texts.set(ev.id, { task: ev.task, emotion: ev.emotion, text: '', t: ev.t });
        break;
      case 'response.text': {
        const r = this.texts.get(ev.id);
        if (r) r.text += ev.delta;
        break;
      }
      case 'response.end': {
        const r = this.texts.get(ev.id);
        this.texts.delete(ev.id);
        if (r) this.note(`↳ ${r.t.toFixed(1)}s [${r.task}/${r.emotion}] ${ev.text}${ev.interrupted ? `  (interrupted at ${ev.t.toFixed(1)}s)` : ''}`);
        break;
      }
      case 'session.ended':
        this.newline();
        this.out.write(`${ev.chunks} chunks, ${ev.t.toFixed(1)} s\n`);
        break;
      default:
        break;
    }
  }

  finish(): void {
    this.newline();
  }

  private note(text: string): void {
    this.newline();
    this.out.write(`          ${text}\n`);
  }

  private newline(): void {
    if (this.col > 0) {
      this.out.write('\n');
      this.col = 0;
    }
  }
}
