// `--speak out.wav`: writes each reply's audio at the stream time its reply started, so the file
// lines up with the input (play both together to hear the duplex conversation).
import type { SessionEvent } from '../../events.ts';
import { WavFileWriter } from '../../audio/wav.ts';
import { base64ToPcm16 } from '../../audio/pcm.ts';
import { resamplePcm16 } from '../../audio/resample.ts';

export class ReplyAudioFile {
  private readonly writer: Promise<WavFileWriter>;
  private readonly cursor = new Map<string, number>();
  private lastT = 0;
  private pending: Promise<void>[] = [];

  constructor(path: string, private readonly sampleRate = 16000) {
    this.writer = WavFileWriter.create(path, sampleRate);
    this.writer.catch(() => undefined);
  }

  event(ev: SessionEvent): void {
    if (ev.type === 'chunk' || ev.type === 'session.ended') this.lastT = Math.max(this.lastT, ev.t);
    if (ev.type === 'response.start') this.cursor.set(ev.id, ev.t);
    if (ev.type === 'response.audio') {
      const at = this.cursor.get(ev.id);
      if (at === undefined) return;
      let pcm = base64ToPcm16(ev.pcm);
      if (ev.sampleRate !== this.sampleRate) pcm = resamplePcm16(pcm, ev.sampleRate, this.sampleRate);
      this.cursor.set(ev.id, at + pcm.length / this.sampleRate);
      this.pending.push(this.writer.then((w) => w.write(pcm, at)));
    }
  }

  async close(): Promise<void> {
    const w = await this.writer;
    await Promise.all(this.pending);
    await w.close(this.lastT);
  }
}
