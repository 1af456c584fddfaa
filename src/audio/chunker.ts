// Cuts a stream that arrives in pieces of any size into exact 0.4 s chunks (6400 samples).
import { CHUNK_SAMPLES, SAMPLE_RATE, type Chunk } from './chunk.ts';

export class Chunker {
  private buf = new Float32Array(CHUNK_SAMPLES);
  private fill = 0;
  private index = 0;
  private flushed = false;

  /** Total samples accepted so far (padding excluded). */
  samplesIn = 0;

  /** Appends samples; returns the chunks completed by them, in order. */
  push(pcm: Float32Array | Int16Array): Chunk[] {
    if (this.flushed) throw new Error('chunker already flushed');
    const out: Chunk[] = [];
    const scale = pcm instanceof Int16Array ? 1 / 32768 : 1;
    let i = 0;
    while (i < pcm.length) {
      const n = Math.min(CHUNK_SAMPLES - this.fill, pcm.length - i);
      if (scale === 1) this.buf.set((pcm as Float32Array).subarray(i, i + n), this.fill);
      else for (let k = 0; k < n; k++) this.buf[this.fill + k] = pcm[i + k] * scale;
      this.fill += n;
      i += n;
      if (this.fill === CHUNK_SAMPLES) out.push(this.emit(false));
    }
    this.samplesIn += pcm.length;
    return out;
  }

  /** Zero-pads and returns the last partial chunk, if any samples are pending. */
  flush(): Chunk | null {
    if (this.flushed) return null;
    this.flushed = true;
    if (this.fill === 0) return null;
    this.buf.fill(0, this.fill);
    return this.emit(true);
  }

  private emit(padded: boolean): Chunk {
    const index = this.index++;
    const chunk: Chunk = {
      index,
      start: (index * CHUNK_SAMPLES) / SAMPLE_RATE,
      t: ((index + 1) * CHUNK_SAMPLES) / SAMPLE_RATE,
      pcm: this.buf,
      padded,
    };
    this.buf = new Float32Array(CHUNK_SAMPLES);
    this.fill = 0;
    return chunk;
  }
}
