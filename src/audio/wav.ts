// WAV reading (whole buffers and streams) and writing (one-shot and placed-at-stream-time files).
// Reading accepts what real tools write: PCM 8/16/24/32-bit, float 32/64, A-law/µ-law, WAVE_FORMAT_EXTENSIBLE,
// RF64, unknown chunks, odd chunk sizes, and the "size unknown" headers of streaming writers
// (espeak-ng --stdout says 0x7ffff000, ffmpeg to a pipe says 0xFFFFFFFF).
import { closeSync, fstatSync, openSync, readFileSync, readSync } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { SoundFlowError } from '../util/errors.ts';
import { writeFileAtomic } from '../util/fs.ts';
import { SAMPLE_RATE } from './chunk.ts';
import { floatToPcm16, pcm16ToBytes } from './pcm.ts';

export type WavEncoding = 'pcm' | 'float' | 'alaw' | 'mulaw';

export interface WavFormat {
  sampleRate: number;
  channels: number;
  /** Bits per sample as declared (valid bits); the container is `blockAlign / channels` bytes. */
  bitsPerSample: number;
  encoding: WavEncoding;
  blockAlign: number;
}

export interface WavHeader extends WavFormat {
  /** Byte offset of the first sample in the stream. */
  dataOffset: number;
  /** Declared data size in bytes, or null when the writer did not know it (streaming). */
  dataBytes: number | null;
}

export interface WavAudio {
  sampleRate: number;
  channels: number;
  bitsPerSample: number;
  encoding: WavEncoding;
  /** Mono downmix (mean of the channels), in [-1, 1]. */
  samples: Float32Array;
}

const FORMAT_PCM = 1;
const FORMAT_FLOAT = 3;
const FORMAT_ALAW = 6;
const FORMAT_MULAW = 7;
const FORMAT_EXTENSIBLE = 0xfffe;
/** Headers larger than this (huge metadata before `data`) are rejected rather than buffered forever. */
const MAX_HEADER_BYTES = 16 << 20;

function badWav(message: string): SoundFlowError {
  return new SoundFlowError('invalid_wav', message);
}

function fourcc(b: Uint8Array, at: number): string {
  return String.fromCharCode(b[at], b[at + 1], b[at + 2], b[at + 3]);
}

function parseFmt(dv: DataView, at: number, size: number): WavFormat {
  if (size < 16) throw badWav(`fmt chunk too short (${size} bytes)`);
  let code = dv.getUint16(at, true);
  const channels = dv.getUint16(at + 2, true);
  const sampleRate = dv.getUint32(at + 4, true);
  let blockAlign = dv.getUint16(at + 12, true);
  let bits = dv.getUint16(at + 14, true);
  if (code === FORMAT_EXTENSIBLE) {
    if (size < 40) throw badWav('WAVE_FORMAT_EXTENSIBLE fmt chunk too short');
    const valid = dv.getUint16(at + 18, true);
    code = dv.getUint16(at + 24, true); // first two bytes of the sub-format GUID are the format code
    if (valid > 0 && valid <= bits) bits = valid;
  }
  if (channels < 1) throw badWav('WAV declares 0 channels');
  if (sampleRate < 1 || sampleRate > 1_000_000) throw badWav(`implausible WAV sample rate ${sampleRate}`);
  let encoding: WavEncoding;
  if (code === FORMAT_PCM) {
    if (bits < 1 || bits > 32) throw badWav(`unsupported PCM bit depth ${bits}`);
    encoding = 'pcm';
  } else if (code === FORMAT_FLOAT) {
    if (bits !== 32 && bits !== 64) throw badWav(`unsupported float bit depth ${bits}`);
    encoding = 'float';
  } else if (code === FORMAT_ALAW || code === FORMAT_MULAW) {
    encoding = code === FORMAT_ALAW ? 'alaw' : 'mulaw';
    bits = 8;
  } else {
    throw badWav(`unsupported WAV format code 0x${code.toString(16)} (only PCM, float, A-law, µ-law)`);
  }
  const container = Math.ceil(bits / 8);
  // Some writers leave blockAlign at 0 or wrong; the container size follows from the bit depth.
  if (blockAlign === 0 || blockAlign % channels !== 0 || blockAlign / channels < container || blockAlign / channels > 8) {
    blockAlign = container * channels;
  }
  if (encoding === 'float' && blockAlign / channels !== bits / 8) throw badWav('float WAV with a padded container');
  return { sampleRate, channels, bitsPerSample: bits, encoding, blockAlign };
}

/**
 * Parses the header from the start of `buf`. Returns 'more' when `buf` ends before the `data` chunk starts
 * (a stream should wait for more bytes); throws `invalid_wav` for input that can never become valid.
 */
function tryParseHeader(buf: Uint8Array): WavHeader | 'more' {
  if (buf.length < 12) {
    // Reject early when the bytes we do have already rule RIFF out.
    const magic = fourcc(buf, 0);
    if (buf.length >= 4 && magic !== 'RIFF' && magic !== 'RF64') throw badWav('not a RIFF/WAVE file');
    return 'more';
  }
  const riff = fourcc(buf, 0);
  if (riff !== 'RIFF' && riff !== 'RF64') throw badWav(`not a RIFF/WAVE file (starts with ${JSON.stringify(riff)})`);
  if (fourcc(buf, 8) !== 'WAVE') throw badWav('RIFF file is not WAVE');
  const dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  let fmt: WavFormat | null = null;
  let rf64DataSize: number | null = null;
  let pos = 12;
  for (;;) {
    if (pos + 8 > buf.length) return 'more';
    const id = fourcc(buf, pos);
    const size = dv.getUint32(pos + 4, true);
    const body = pos + 8;
    if (id === 'data') {
      if (!fmt) throw badWav('data chunk before fmt chunk');
      let dataBytes: number | null = size;
      if (riff === 'RF64' && size === 0xffffffff) dataBytes = rf64DataSize;
      else if (size === 0xffffffff || size === 0) dataBytes = null; // streaming writers: "until the end"
      return { ...fmt, dataOffset: body, dataBytes };
    }
    if (body + size > buf.length) {
      if (body + size > MAX_HEADER_BYTES) throw badWav(`chunk "${id}" of ${size} bytes before the audio data`);
      return 'more';
    }
    if (id === 'fmt ') fmt = parseFmt(dv, body, size);
    else if (id === 'ds64' && size >= 24) {
      const lo = dv.getUint32(body + 8, true);
      const hi = dv.getUint32(body + 12, true);
      rf64DataSize = hi * 2 ** 32 + lo;
    }
    pos = body + size + (size & 1); // chunks are word-aligned: odd sizes carry a pad byte
  }
}

/** Reads the header of a complete WAV buffer; `invalid_wav` if it is broken or truncated. */
export function readWavHeader(buf: Uint8Array): WavHeader {
  if (!(buf instanceof Uint8Array)) throw badWav('WAV input must be a Buffer/Uint8Array');
  const h = tryParseHeader(buf);
  if (h === 'more') throw badWav(`truncated WAV header (${buf.length} bytes, no data chunk)`);
  return h;
}

/** Decodes whole frames of `bytes` to a mono Float32 downmix. */
function decodeFrames(bytes: Uint8Array, f: WavFormat): Float32Array {
  const frames = Math.floor(bytes.length / f.blockAlign);
  const out = new Float32Array(frames);
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const width = f.blockAlign / f.channels;
  const read = sampleReader(dv, f.encoding, width);
  const inv = 1 / f.channels;
  for (let fr = 0; fr < frames; fr++) {
    let s = 0;
    let at = fr * f.blockAlign;
    for (let c = 0; c < f.channels; c++, at += width) s += read(at);
    out[fr] = s * inv;
  }
  return out;
}

function sampleReader(dv: DataView, enc: WavEncoding, width: number): (at: number) => number {
  if (enc === 'float') return width === 4 ? (at) => dv.getFloat32(at, true) : (at) => dv.getFloat64(at, true);
  if (enc === 'alaw') return (at) => alaw(dv.getUint8(at)) / 32768;
  if (enc === 'mulaw') return (at) => mulaw(dv.getUint8(at)) / 32768;
  // Integer PCM is left-justified in its container, so reading the whole container scales correctly
  // whatever the valid bit count (e.g. 20 bits in 24).
  switch (width) {
    case 1:
      return (at) => (dv.getUint8(at) - 128) / 128;
    case 2:
      return (at) => dv.getInt16(at, true) / 32768;
    case 3:
      return (at) => ((dv.getUint8(at) | (dv.getUint8(at + 1) << 8) | (dv.getInt8(at + 2) << 16)) / 8388608);
    case 4:
      return (at) => dv.getInt32(at, true) / 2147483648;
    default:
      throw badWav(`unsupported PCM container of ${width} bytes`);
  }
}

function alaw(v: number): number {
  v ^= 0x55;
  const seg = (v & 0x70) >> 4;
  let t = (v & 0x0f) << 4;
  t = seg === 0 ? t + 8 : (t + 0x108) << (seg - 1);
  return v & 0x80 ? t : -t;
}

function mulaw(v: number): number {
  v = ~v & 0xff;
  let t = ((v & 0x0f) << 3) + 0x84;
  t <<= (v & 0x70) >> 4;
  return v & 0x80 ? 0x84 - t : t - 0x84;
}

/** Parses a complete WAV file into a mono downmix. A file cut short mid-data decodes what is there. */
export function parseWav(buf: Uint8Array): WavAudio {
  const h = readWavHeader(buf);
  const available = buf.length - h.dataOffset;
  const n = h.dataBytes === null ? available : Math.min(h.dataBytes, available);
  const samples = decodeFrames(buf.subarray(h.dataOffset, h.dataOffset + n), h);
  return { sampleRate: h.sampleRate, channels: h.channels, bitsPerSample: h.bitsPerSample, encoding: h.encoding, samples };
}

/**
 * Sample frames in a WAV file, from its header and size without reading the samples (a file cut short
 * counts what is there). Errors name the file (`not_found`, `invalid_wav`).
 */
export function wavFileFrames(path: string): number {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (err) {
    throw new SoundFlowError('not_found', `WAV file not found: ${path}`, { cause: err });
  }
  try {
    const size = fstatSync(fd).size;
    let h: WavHeader | 'more' = 'more';
    // Headers are small: read 4 KiB, more only when unknown chunks come before the data.
    for (let want = 4096; h === 'more'; want *= 4) {
      const head = Buffer.alloc(Math.min(want, size, MAX_HEADER_BYTES));
      const n = readSync(fd, head, 0, head.length, 0);
      try {
        h = tryParseHeader(head.subarray(0, n));
      } catch (err) {
        throw new SoundFlowError('invalid_wav', `${path}: ${(err as Error).message}`, { cause: err });
      }
      if (h === 'more' && (n >= size || n >= MAX_HEADER_BYTES)) throw new SoundFlowError('invalid_wav', `${path}: no data chunk in the WAV header`);
    }
    const available = size - h.dataOffset;
    return Math.floor(Math.max(0, h.dataBytes === null ? available : Math.min(h.dataBytes, available)) / h.blockAlign);
  } finally {
    closeSync(fd);
  }
}

/** Writes a WAV (16 kHz mono PCM16 with the canonical header unless told otherwise) atomically: a file that exists is complete. */
export function writeWavFile(path: string, audio: Float32Array | Int16Array, sampleRate = SAMPLE_RATE): void {
  writeFileAtomic(path, encodeWav(audio, sampleRate));
}

/** Reads and parses a WAV file; errors name the file (`not_found`, `invalid_wav`). */
export function readWavFile(path: string): WavAudio {
  let buf: Buffer;
  try {
    buf = readFileSync(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') throw new SoundFlowError('not_found', `WAV file not found: ${path}`);
    throw new SoundFlowError('invalid_wav', `cannot read ${path}: ${(err as Error).message}`, { cause: err });
  }
  try {
    return parseWav(buf);
  } catch (err) {
    if (err instanceof SoundFlowError) throw new SoundFlowError(err.code, `${path}: ${err.message}`, { cause: err });
    throw err;
  }
}

/**
 * Incremental WAV decoder for a byte stream (a child's stdout, a socket): feed bytes as they arrive,
 * get mono samples back as soon as the header is complete. Chunk boundaries may fall anywhere.
 */
export class WavStreamDecoder {
  header: WavHeader | null = null;
  private pending: Uint8Array = new Uint8Array(0);
  private remaining = Infinity; // data bytes still expected

  push(chunk: Uint8Array): Float32Array {
    let buf = this.pending.length ? concatBytes(this.pending, chunk) : chunk;
    if (!this.header) {
      const h = tryParseHeader(buf);
      if (h === 'more') {
        this.pending = buf.slice();
        return new Float32Array(0);
      }
      this.header = h;
      this.remaining = h.dataBytes ?? Infinity;
      buf = buf.subarray(h.dataOffset);
    }
    if (this.remaining <= 0) return new Float32Array(0); // trailing chunks after the data
    if (buf.length > this.remaining) buf = buf.subarray(0, this.remaining);
    const usable = buf.length - (buf.length % this.header.blockAlign);
    this.remaining -= usable;
    this.pending = buf.slice(usable);
    return decodeFrames(buf.subarray(0, usable), this.header);
  }

  /** Call at end of stream: a stream that never got past its header is `invalid_wav`. */
  end(): void {
    if (!this.header) {
      if (this.pending.length === 0) throw badWav('empty WAV stream');
      tryParseHeader(this.pending); // throws the specific reason if there is one
      throw badWav(`truncated WAV header (${this.pending.length} bytes, no data chunk)`);
    }
  }
}

function concatBytes(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a, 0);
  out.set(b, a.length);
  return out;
}

/** A canonical 44-byte header. `dataBytes` 0xFFFFFFFF marks a stream whose size is not known yet. */
export function wavHeader(sampleRate: number, channels: number, bitsPerSample: number, float: boolean, dataBytes: number): Buffer {
  const blockAlign = channels * (bitsPerSample / 8);
  const h = Buffer.alloc(44);
  h.write('RIFF', 0, 'latin1');
  h.writeUInt32LE(dataBytes >= 0xffffffff - 36 ? 0xffffffff : 36 + dataBytes, 4);
  h.write('WAVEfmt ', 8, 'latin1');
  h.writeUInt32LE(16, 16);
  h.writeUInt16LE(float ? FORMAT_FLOAT : FORMAT_PCM, 20);
  h.writeUInt16LE(channels, 22);
  h.writeUInt32LE(sampleRate, 24);
  h.writeUInt32LE(sampleRate * blockAlign, 28);
  h.writeUInt16LE(blockAlign, 32);
  h.writeUInt16LE(bitsPerSample, 34);
  h.write('data', 36, 'latin1');
  h.writeUInt32LE(Math.min(dataBytes, 0xffffffff), 40);
  return h;
}

export interface EncodeWavOptions {
  /** Default 16. 8 is unsigned PCM; 32 is integer PCM unless `float`. */
  bitsPerSample?: 8 | 16 | 24 | 32;
  float?: boolean;
}

/**
 * Encodes a WAV file. `audio` is mono (Float32 or PCM16) or one Float32Array per channel (equal lengths).
 * The default output is 16-bit PCM, which is what everything else in the project writes.
 */
export function encodeWav(audio: Float32Array | Int16Array | Float32Array[], sampleRate: number, opts: EncodeWavOptions = {}): Buffer {
  if (!Number.isInteger(sampleRate) || sampleRate < 1) throw new SoundFlowError('invalid_argument', `sample rate must be a positive integer, got ${sampleRate}`);
  const bits = opts.float ? 32 : (opts.bitsPerSample ?? 16);
  if (![8, 16, 24, 32].includes(bits)) throw new SoundFlowError('invalid_argument', `unsupported bit depth ${bits}`);
  if (audio instanceof Int16Array && bits === 16 && !opts.float) {
    return Buffer.concat([wavHeader(sampleRate, 1, 16, false, audio.byteLength), pcm16ToBytes(audio)]);
  }
  const chans = Array.isArray(audio) ? audio : [audio instanceof Int16Array ? Float32Array.from(audio, (v) => v / 32768) : audio];
  if (chans.length < 1) throw new SoundFlowError('invalid_argument', 'no channels to encode');
  const frames = chans[0].length;
  if (chans.some((c) => c.length !== frames)) throw new SoundFlowError('invalid_argument', 'channels differ in length');
  const width = bits / 8;
  const data = Buffer.alloc(frames * chans.length * width);
  const clip = (v: number) => (v > 1 ? 1 : v < -1 ? -1 : v || 0);
  let at = 0;
  for (let i = 0; i < frames; i++) {
    for (const ch of chans) {
      const v = clip(ch[i]);
      if (opts.float) data.writeFloatLE(ch[i], at);
      else if (bits === 8) data.writeUInt8(Math.min(255, Math.round(v * 127.5 + 128)), at);
      else if (bits === 16) data.writeInt16LE(Math.round(v * 32767), at);
      else if (bits === 24) data.writeIntLE(Math.round(v * 8388607), at, 3);
      else data.writeInt32LE(Math.round(v * 2147483647), at);
      at += width;
    }
  }
  return Buffer.concat([wavHeader(sampleRate, chans.length, bits, !!opts.float, data.length), data]);
}

/**
 * A 16-bit mono WAV file built while a session runs (the CLI's `--speak out.wav`): each reply is placed at
 * its stream time, silence fills the gaps, overlapping replies are mixed (summed, clipped). The header says
 * "size unknown" until `close()` writes the real sizes, so even an interrupted run leaves a readable file.
 */
export class WavFileWriter {
  private frames = 0; // samples written so far (file length after the header)
  private chain: Promise<void> = Promise.resolve();
  private closed = false;

  private constructor(
    private readonly fh: FileHandle,
    readonly path: string,
    readonly sampleRate: number,
  ) {}

  static async create(path: string, sampleRate = 16000): Promise<WavFileWriter> {
    if (!Number.isInteger(sampleRate) || sampleRate < 1) throw new SoundFlowError('invalid_argument', `sample rate must be a positive integer, got ${sampleRate}`);
    let fh: FileHandle;
    try {
      fh = await open(path, 'w+');
    } catch (err) {
      throw new SoundFlowError('write_failed', `cannot write ${path}: ${(err as Error).message}`, { cause: err });
    }
    await fh.write(wavHeader(sampleRate, 1, 16, false, 0xffffffff), 0, 44, 0);
    return new WavFileWriter(fh, path, sampleRate);
  }

  /** Seconds of audio in the file so far. */
  get duration(): number {
    return this.frames / this.sampleRate;
  }

  /**
   * Places `pcm` (at this writer's sample rate) starting at stream time `atSeconds`
   * (default: right after what is already written).
   */
  write(pcm: Int16Array | Float32Array, atSeconds?: number): Promise<void> {
    if (this.closed) return Promise.reject(new SoundFlowError('writer_closed', 'WAV writer is closed'));
    if (atSeconds !== undefined && !Number.isFinite(atSeconds)) return Promise.reject(new SoundFlowError('invalid_argument', `bad stream time ${atSeconds}`));
    const samples = pcm instanceof Int16Array ? pcm : floatToPcm16(pcm);
    // "After what is written" is resolved when the job runs, so it sees the writes queued before it.
    return this.enqueue(() => this.place(samples, atSeconds === undefined ? this.frames : Math.max(0, Math.round(atSeconds * this.sampleRate))));
  }

  /** Pads with silence up to `endSeconds` (if given, so the output lines up with the input), then finalises the header. */
  close(endSeconds?: number): Promise<void> {
    if (this.closed) return this.chain;
    this.closed = true;
    return this.enqueue(async () => {
      try {
        if (endSeconds !== undefined && Number.isFinite(endSeconds)) {
          await this.padTo(Math.round(endSeconds * this.sampleRate));
        }
        await this.fh.write(wavHeader(this.sampleRate, 1, 16, false, this.frames * 2), 0, 44, 0);
      } finally {
        await this.fh.close();
      }
    });
  }

  private enqueue(job: () => Promise<void>): Promise<void> {
    const run = this.chain.then(job);
    this.chain = run.catch(() => {}); // one failed write must not wedge the ones after it
    return run;
  }

  private async padTo(frame: number): Promise<void> {
    const zeros = Buffer.alloc(64 * 1024);
    while (this.frames < frame) {
      const n = Math.min(zeros.length / 2, frame - this.frames);
      await this.fh.write(zeros, 0, n * 2, 44 + this.frames * 2);
      this.frames += n;
    }
  }

  private async place(samples: Int16Array, start: number): Promise<void> {
    await this.padTo(start);
    const overlap = Math.max(0, Math.min(samples.length, this.frames - start));
    let out = samples;
    if (overlap > 0) {
      // Mix with what is already there: read it back, sum, clip.
      const old = Buffer.alloc(overlap * 2);
      await this.fh.read(old, 0, old.length, 44 + start * 2);
      out = new Int16Array(samples);
      for (let i = 0; i < overlap; i++) {
        const v = out[i] + old.readInt16LE(i * 2);
        out[i] = v > 32767 ? 32767 : v < -32768 ? -32768 : v;
      }
    }
    const bytes = pcm16ToBytes(out);
    await this.fh.write(bytes, 0, bytes.length, 44 + start * 2);
    this.frames = Math.max(this.frames, start + samples.length);
  }
}
