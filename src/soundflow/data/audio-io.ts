// Minimal audio I/O for the builder: decode anything through ffmpeg to 16 kHz mono, and read/write
// 16-bit PCM WAV. Kept local so the builder has no dependency on the engine's audio stage.
import { execFile } from 'node:child_process';
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { SoundFlowError, MissingDependencyError } from '../../util/errors.ts';

export const SR = 16000;
export const CHUNK = 6400;

/** Decodes any file ffmpeg reads to 16 kHz mono Float32; rejects with a reason on corrupt or missing input. */
export function decodeAudio(path: string): Promise<Float32Array> {
  return new Promise((resolve, reject) => {
    execFile(
      'ffmpeg',
      ['-nostdin', '-v', 'error', '-i', path, '-ac', '1', '-ar', String(SR), '-f', 's16le', '-'],
      { encoding: 'buffer', maxBuffer: 1 << 30 },
      (err, stdout, stderr) => {
        if (err && (err as NodeJS.ErrnoException).code === 'ENOENT') return reject(new MissingDependencyError('ffmpeg', 'ffmpeg'));
        // ffmpeg prefixes its message with the input path, which our message already names.
        const msg = (stderr.toString().trim().split('\n').pop() ?? '').replace(`${path}: `, '');
        if (err) return reject(new SoundFlowError('decode_failed', `cannot decode ${path}: ${msg || err.message}`));
        if (stdout.length < 2) return reject(new SoundFlowError('decode_failed', `cannot decode ${path}: no audio samples${msg ? ` (${msg})` : ''}`));
        resolve(pcm16ToFloat(stdout));
      },
    );
  });
}

export function pcm16ToFloat(buf: Buffer): Float32Array {
  const n = buf.length >> 1;
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = buf.readInt16LE(i * 2) / 32768;
  return out;
}

export function floatToPcm16Buffer(x: Float32Array): Buffer {
  const buf = Buffer.alloc(x.length * 2);
  for (let i = 0; i < x.length; i++) {
    const v = Math.round(Math.max(-1, Math.min(1, x[i])) * 32767);
    buf.writeInt16LE(v, i * 2);
  }
  return buf;
}

export function wavBytes(x: Float32Array, sampleRate = SR): Buffer {
  const pcm = floatToPcm16Buffer(x);
  const h = Buffer.alloc(44);
  h.write('RIFF', 0);
  h.writeUInt32LE(36 + pcm.length, 4);
  h.write('WAVEfmt ', 8);
  h.writeUInt32LE(16, 16);
  h.writeUInt16LE(1, 20);
  h.writeUInt16LE(1, 22);
  h.writeUInt32LE(sampleRate, 24);
  h.writeUInt32LE(sampleRate * 2, 28);
  h.writeUInt16LE(2, 32);
  h.writeUInt16LE(16, 34);
  h.write('data', 36);
  h.writeUInt32LE(pcm.length, 40);
  return Buffer.concat([h, pcm]);
}

/** Writes through a temp file and a rename, so a file that exists is always complete (resume relies on it). */
export function writeAtomic(path: string, data: Buffer | string): void {
  const tmp = `${path}.tmp-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
  writeFileSync(tmp, data);
  renameSync(tmp, path);
}

export function writeWav(path: string, x: Float32Array): void {
  writeAtomic(path, wavBytes(x));
}

/** Reads a 16-bit mono PCM WAV as written by writeWav (finds the data chunk; other layouts: use decodeAudio). */
export function readWav16(path: string): { samples: Float32Array; sampleRate: number } {
  const b = readFileSync(path);
  if (b.length < 12 || b.toString('ascii', 0, 4) !== 'RIFF' || b.toString('ascii', 8, 12) !== 'WAVE') {
    throw new SoundFlowError('bad_wav', `${path}: not a RIFF/WAVE file`);
  }
  let off = 12;
  let sampleRate = 0, channels = 0, bits = 0, format = 0;
  while (off + 8 <= b.length) {
    const id = b.toString('ascii', off, off + 4);
    const size = b.readUInt32LE(off + 4);
    const body = off + 8;
    if (id === 'fmt ') {
      format = b.readUInt16LE(body);
      channels = b.readUInt16LE(body + 2);
      sampleRate = b.readUInt32LE(body + 4);
      bits = b.readUInt16LE(body + 14);
    } else if (id === 'data') {
      if (format !== 1 || channels !== 1 || bits !== 16) {
        throw new SoundFlowError('bad_wav', `${path}: expected 16-bit mono PCM, got format ${format}, ${channels} ch, ${bits} bit`);
      }
      const end = Math.min(b.length, body + size);
      return { samples: pcm16ToFloat(b.subarray(body, end - ((end - body) & 1))), sampleRate };
    }
    off = body + size + (size & 1);
  }
  throw new SoundFlowError('bad_wav', `${path}: no data chunk`);
}

/** Sample count of a WAV written by writeWav, from its size (no decode): for completeness checks. */
export function wavSampleCount(bytes: number): number {
  return Math.max(0, (bytes - 44) >> 1);
}
