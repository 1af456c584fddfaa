// English → target-language translation with Apertium, one persistent pipeline per pair shared by
// every session of the process. ASR text is truecased first (it changes what Apertium understands).
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { SoundFlowError } from '../../util/errors.ts';
import { findLanguage, TARGET_LANGUAGES, type TargetLanguage } from '../../instructions/languages.ts';
import { MODES_DIR, modeStages } from './mode.ts';
import { ApertiumPipeline } from './pipeline.ts';
import { truecase } from './truecase.ts';
import { punctuateOpeners } from './punctuate.ts';

export interface TranslateOptions {
  from?: string;
  to: string;
  /** Per-request limit (default 10 s: the first request of a pair loads its dictionaries). */
  timeoutMs?: number;
  /** Restore casing before translating (default true); pass false for text that is already cased. */
  truecase?: boolean;
  properNouns?: readonly string[];
}

/** Longest text accepted in one request; longer input is split by the caller (one utterance is far less). */
export const MAX_CHARS = 4000;

export class Translator {
  private pipelines = new Map<string, ApertiumPipeline>();

  /** Languages whose Apertium mode is installed. */
  supportedTargets(): TargetLanguage[] {
    return TARGET_LANGUAGES.filter((l) => existsSync(join(MODES_DIR, `${l.mode}.mode`)));
  }

  pipeline(to: string): ApertiumPipeline {
    const lang = findLanguage(to);
    if (!lang) throw new SoundFlowError('unsupported_language', `no translation into "${to}"; supported: ${TARGET_LANGUAGES.map((l) => l.code).join(', ')}`, { recoverable: true });
    let p = this.pipelines.get(lang.mode);
    if (!p) {
      p = new ApertiumPipeline(lang.mode, modeStages(lang.mode, lang.debianPackage));
      this.pipelines.set(lang.mode, p);
    }
    return p;
  }

  async translate(text: string, opts: TranslateOptions): Promise<string> {
    if (typeof text !== 'string') throw new SoundFlowError('invalid_input', 'translate: text must be a string', { recoverable: true });
    if (opts.from && opts.from.toLowerCase() !== 'en' && opts.from.toLowerCase() !== 'english') {
      throw new SoundFlowError('unsupported_language', `translation from "${opts.from}" is not supported (English only)`, { recoverable: true });
    }
    if (text.length > MAX_CHARS) throw new SoundFlowError('invalid_input', `translate: text longer than ${MAX_CHARS} characters`, { recoverable: true });
    const pipeline = this.pipeline(opts.to);
    // One line per request: control characters (and the "\0" delimiter) would break the framing.
    const clean = text.replace(/[\u0000-\u001f\u007f]+/g, ' ').replace(/\s+/g, ' ').trim();
    if (!clean) return '';
    // Recogniser text (lower case, no punctuation) gets its casing and the clause break after a greeting back.
    const cased = opts.truecase === false ? clean : truecase(punctuateOpeners(clean), { properNouns: opts.properNouns });
    const out = await pipeline.translate(cased, opts.timeoutMs);
    // Some pairs lower-case a sentence-initial pronoun ("I have" → "mi havas"); keep the input's capital.
    return /^[A-Z]/.test(cased) ? out.replace(/^(\p{Ll})/u, (c) => c.toUpperCase()) : out;
  }

  /** Starts the pipeline of a pair and loads its dictionaries, so the first real sentence is fast. */
  async warmup(to: string): Promise<void> {
    await this.translate('Hello.', { to, truecase: false, timeoutMs: 30_000 });
  }

  close(): void {
    for (const p of this.pipelines.values()) p.close();
    this.pipelines.clear();
  }
}

let shared: Translator | null = null;

/** The process-wide translator every session shares. */
export function sharedTranslator(): Translator {
  shared ??= new Translator();
  return shared;
}

export function translate(text: string, opts: TranslateOptions): Promise<string> {
  return sharedTranslator().translate(text, opts);
}

export function supportedTargets(): TargetLanguage[] {
  return sharedTranslator().supportedTargets();
}

export function closeTranslators(): void {
  shared?.close();
  shared = null;
}
