// Voice analysis of a whole recording without recognition: the perceiver's front end (log-mel, Silero VAD,
// segmenter with its closing silence) feeding a VoiceAnalyzer, one VoiceInfo per utterance.
// Used by the voice bench and tests; a session gets the same through the perceiver.
import { LogMel } from '../features.ts';
import { SileroVad } from '../vad.ts';
import { SpeechSegmenter, type SegmenterOptions } from '../segmenter.ts';
import { DEFAULT_PERCEIVER } from '../perceiver.ts';
import { CHUNK_SAMPLES } from '../../audio/chunk.ts';
import { VoiceAnalyzer } from './analyzer.ts';
import { VoiceFrameExtractor, type VoiceFrame } from './frames.ts';
import type { VoiceInfo } from './types.ts';

/**
 * The voice frames of a whole recording (log-mel, Silero VAD, frame extractor chunk by chunk), for
 * measuring cues frame by frame. `vad` is reset first, so one model serves many recordings.
 */
export async function voiceFramesOf(pcm: Float32Array, vad: SileroVad): Promise<VoiceFrame[]> {
  const mel = new LogMel();
  const ex = new VoiceFrameExtractor();
  vad.reset();
  const frames: VoiceFrame[] = [];
  for (let o = 0; o < pcm.length; o += CHUNK_SAMPLES) {
    const chunk = new Float32Array(CHUNK_SAMPLES);
    chunk.set(pcm.subarray(o, Math.min(pcm.length, o + CHUNK_SAMPLES)));
    frames.push(...ex.process(mel.process(chunk), (await vad.process(chunk)).probs, chunk, o));
  }
  return frames;
}

export interface SignalVoiceResult {
  utterances: VoiceInfo[];
  /** Wall time of the voice analysis alone per chunk, ms (features and VAD excluded). */
  msPerChunk: number[];
}

/**
 * `analyzer` may be shared across calls to keep speaker models and baselines (a session's memory);
 * `onUtterance` sees each result as it is made (e.g. to enrol a speaker).
 */
export async function analyzeSignal(
  pcm: Float32Array,
  analyzer = new VoiceAnalyzer(),
  opts: {
    segmenter?: Partial<SegmenterOptions>;
    onUtterance?: (v: VoiceInfo, a: VoiceAnalyzer) => void;
    startSample?: number;
    /** The utterance's transcript, given its stream span in seconds (as a recogniser would give it). */
    textFor?: (startS: number, endS: number) => string | undefined;
  } = {},
): Promise<SignalVoiceResult> {
  const mel = new LogMel();
  const vad = await SileroVad.create();
  const seg = new SpeechSegmenter(opts.segmenter ?? DEFAULT_PERCEIVER.segmenter);
  const out: VoiceInfo[] = [];
  const ms: number[] = [];
  const n = Math.ceil(pcm.length / CHUNK_SAMPLES);
  let inUtt = false;
  let uttStart = 0;
  const base = opts.startSample ?? 0;
  for (let c = 0; c < n; c++) {
    const chunk = new Float32Array(CHUNK_SAMPLES);
    chunk.set(pcm.subarray(c * CHUNK_SAMPLES, Math.min(pcm.length, (c + 1) * CHUNK_SAMPLES)));
    const m = mel.process(chunk);
    const { probs, frameEnds } = await vad.process(chunk);
    const updates = seg.update(probs, frameEnds.map((e) => e + base));
    const t0 = performance.now();
    analyzer.push(m, probs, chunk, base + c * CHUNK_SAMPLES);
    const started = updates.some((u) => u.kind === 'start');
    const ended = updates.some((u) => u.kind === 'end');
    if (!inUtt && (started || seg.inSpeech)) {
      inUtt = true;
      uttStart = (base + Math.max(0, c - 1) * CHUNK_SAMPLES) / 16000;
      analyzer.begin();
    }
    const last = c === n - 1;
    if (inUtt && ((ended && !seg.inSpeech) || last)) {
      inUtt = false;
      const v = analyzer.end(undefined, opts.textFor?.(uttStart, (base + (c + 1) * CHUNK_SAMPLES) / 16000));
      if (v) {
        out.push(v);
        opts.onUtterance?.(v, analyzer);
      }
    }
    ms.push(performance.now() - t0);
  }
  return { utterances: out, msPerChunk: ms };
}
