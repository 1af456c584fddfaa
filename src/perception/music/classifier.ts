// Music style from a few seconds of log-mel: features (features.ts) → network (model.ts) → the style,
// its probability, whether that is sure enough to say, and what was heard, in words. Run on demand
// (a pending "what style is this?" question), never on every chunk.
import { fileURLToPath } from 'node:url';
import { MEL_BINS } from '../features.ts';
import { musicFeatures, type MusicEvidence } from './features.ts';
import { loadMusicModel, type MusicNet } from './model.ts';

export const DEFAULT_MUSIC_MODEL = fileURLToPath(new URL('../../../models/music/model.json', import.meta.url));

export interface MusicStyleResult {
  style: string;
  p: number;
  /** Styles and probabilities, most likely first. */
  ranked: { style: string; p: number }[];
  /** False when the top probability is under the model's tuned "not sure" threshold. */
  sure: boolean;
  evidence: MusicEvidence;
  /** What was heard, as short phrases ("swung rhythm", "walking bass", "about 120 beats per minute"). */
  heard: string[];
}

/**
 * Phrases for what the features measured, said only where the measure is telling. Quartiles on the
 * training songs (docs/notes/music.md): swing ≥ 0.12 is the top quarter of jazz windows and rare in
 * straight styles; triple ≥ 0.1 is most waltz windows (and slow 12/8 blues, so it is said of waltzes only); a bass that changes ≥ 0.8 from beat
 * to beat is the top quarter (walking or moving lines). A swing reading is only trusted for the styles
 * that swing (a few rock grooves read high from their shuffled fills).
 */
export function describeEvidence(e: MusicEvidence, style: string): string[] {
  const out: string[] = [];
  if (e.swing >= 0.12 && SWINGING.has(style)) out.push('swung rhythm');
  // Slow 12/8 blues reads as "triple" too (its beat is heard as the triplet): only a waltz is said to be in three.
  if (e.triple >= 0.1 && style === 'waltz') out.push('three beats to the bar');
  if (e.bassChange >= 0.8) out.push(SWINGING.has(style) ? 'a walking bass' : 'a moving bass line');
  out.push(`about ${Math.round(e.bpm / 5) * 5} beats per minute`);
  return out;
}

const SWINGING = new Set(['jazz', 'blues', 'country']);

const cache = new Map<string, MusicNet>();

export class MusicStyleClassifier {
  private constructor(private readonly net: MusicNet) {}

  static load(path = DEFAULT_MUSIC_MODEL): MusicStyleClassifier {
    let net = cache.get(path);
    if (!net) cache.set(path, (net = loadMusicModel(path)));
    return new MusicStyleClassifier(net);
  }

  get styles(): readonly string[] {
    return this.net.spec.styles;
  }

  /** `mel`: frames × 64 log-mel (≥ 3 s = 300 frames for a meaningful answer). */
  classify(mel: Float32Array, frames = mel.length / MEL_BINS): MusicStyleResult {
    const { features, evidence } = musicFeatures(mel, frames);
    const probs = this.net.forward(features);
    const ranked = this.net.spec.styles.map((style, i) => ({ style, p: probs[i] })).sort((a, b) => b.p - a.p);
    const top = ranked[0];
    return { style: top.style, p: top.p, ranked, sure: top.p >= this.net.spec.minConfidence, evidence, heard: describeEvidence(evidence, top.style) };
  }
}
