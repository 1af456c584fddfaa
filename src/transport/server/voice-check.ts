// Whether espeak-ng has a voice, checked when a client picks it (session.update) rather than when the
// first reply fails to synthesise. A voice is `<language id>[+<variant>]`, e.g. `en-us+f3`.
import { execFileSync } from 'node:child_process';
import { installedVoices } from '../../response/tts/index.ts';

let variants: Set<string> | null = null;

function installedVariants(): Set<string> {
  if (variants) return variants;
  variants = new Set();
  try {
    const out = execFileSync('espeak-ng', ['--voices=variant'], { encoding: 'utf8', timeout: 5000, stdio: ['ignore', 'pipe', 'ignore'] });
    for (const line of out.split('\n').slice(1)) {
      const file = line.trim().split(/\s+/)[4];
      if (file?.startsWith('!v/')) variants.add(file.slice(3).toLowerCase());
    }
  } catch {
    // No espeak-ng: nothing to check against (synthesis reports the missing dependency itself).
  }
  return variants;
}

/** False only when espeak-ng is installed and does not know the language or the variant. */
export function isKnownVoice(voice: string): boolean {
  const [lang, variant] = voice.toLowerCase().split('+', 2);
  const langs = installedVoices();
  if (langs.size > 0 && !langs.has(lang) && ![...langs].some((l) => l.startsWith(`${lang}-`))) return false;
  const vs = installedVariants();
  if (variant !== undefined && vs.size > 0 && !vs.has(variant)) return false;
  return true;
}

/** Reads espeak-ng's voice and variant lists now (a synchronous spawn each, cached): at start-up, while the process is small. */
export function warmVoiceCheck(): void {
  installedVoices();
  installedVariants();
}
