// Builds the sound corpus: Debian packages → selected files → 16 kHz mono WAV, plus synthesised and
// TTS audio for what Debian lacks, split by source file, with a manifest. Everything is cached under
// `cacheDir`; a rebuild only converts what is missing.
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { SoundFlowError, errorMessage } from '../../util/errors.ts';
import { SOUND_CLASSES, isSoundClass } from '../../perception/sounds/classes.ts';
import { convertToWav, readWav } from './convert.ts';
import { SAMPLE_RATE } from '../../audio/chunk.ts';
import { writeWavFile } from '../../audio/wav.ts';
import { partName } from '../../util/fs.ts';
import { fetchPackage, listFiles, packageLicence } from './debian.ts';
import type { CorpusEntry, CorpusManifest } from './manifest.ts';
import { makeRng, hash32, pick } from '../../util/rng.ts';
import { MAX_SECONDS, packageSources, type PackageSource, type SourceSet } from './sources.ts';
import { assignSplits } from './split.ts';
import { SYNTH_RECIPES, TTS_SENTENCES, TTS_VOICES } from './synth.ts';

const run = promisify(execFile);

export const DEFAULT_CORPUS_DIR = '.cache/corpus';
export const TTS_COUNT = 40;

export interface BuildOptions {
  cacheDir?: string;
  /** Only these classes (tests build a small subset); default all. */
  classes?: string[];
  /** Skip synthesised and TTS audio. */
  noSynth?: boolean;
  /** 'extended' adds EXTENDED_PACKAGE_SOURCES (opt-in; default 'default'). */
  sources?: SourceSet;
  log?: (line: string) => void;
}

type Pending = Omit<CorpusEntry, 'split'>;

function safeName(s: string): string {
  return s.replace(/[^A-Za-z0-9._-]+/g, '_').replace(/^_+/, '');
}

/** Runs `fn` over items with at most `limit` in flight. */
async function mapLimit<T, R>(items: T[], limit: number, fn: (x: T, i: number) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i], i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

function peak(x: Float32Array): number {
  let m = 0;
  for (const v of x) m = Math.max(m, Math.abs(v));
  return m;
}

async function recordedEntries(src: PackageSource, cacheDir: string, want: Set<string>, skipped: CorpusManifest['skipped'], seen: Set<string>, log: (s: string) => void): Promise<Pending[]> {
  const rules = src.rules.filter((r) => want.has(r.cls));
  if (!rules.length) return [];
  const root = await fetchPackage(cacheDir, src.pkg);
  const files = listFiles(root);
  const { licence: mainLicence } = packageLicence(root, src.pkg);
  const licence = src.licenceHint ? `${src.licenceHint} (package: ${mainLicence})` : mainLicence;
  const chosen: { path: string; cls: string }[] = [];
  for (const rule of rules) {
    let hits = files.filter((f) => new RegExp(rule.re.source, 'i').test(f) && !chosen.some((c) => c.path === f));
    if (rule.max !== undefined && hits.length > rule.max) {
      hits = hits.sort((a, b) => hash32('pick:' + a) - hash32('pick:' + b)).slice(0, rule.max);
    }
    for (const h of hits) chosen.push({ path: h, cls: rule.cls });
  }
  const results = await mapLimit(chosen, 2, async ({ path, cls }): Promise<Pending | null> => {
    const id = `${src.pkg}:/${path}`;
    const digest = createHash('sha1').update(readFileSync(join(root, path))).digest('hex');
    if (seen.has(digest)) return null; // the same recording shipped twice (e.g. per game mod)
    seen.add(digest);
    const rel = join('wav', cls, safeName(`${src.pkg}__${path.split('/').slice(-2).join('_')}`).replace(/\.\w+$/, '') + '.wav');
    const out = join(cacheDir, rel);
    try {
      if (!existsSync(out)) {
        mkdirSync(join(cacheDir, 'wav', cls), { recursive: true });
        await convertToWav(join(root, path), out, MAX_SECONDS);
      }
      const x = readWav(out);
      if (peak(x) < 1e-3) throw new SoundFlowError('silent', 'file is silent');
      return { id, file: rel, cls, package: src.pkg, source: '/' + path, licence, seconds: +(x.length / SAMPLE_RATE).toFixed(3), origin: 'recorded' };
    } catch (err) {
      skipped.push({ id, reason: errorMessage(err) });
      log(`  skipped ${id}: ${errorMessage(err)}`);
      return null;
    }
  });
  return results.filter((r): r is Pending => r !== null);
}

async function generatedEntries(cacheDir: string, want: Set<string>, skipped: CorpusManifest['skipped']): Promise<Pending[]> {
  const out: Pending[] = [];
  for (const recipe of SYNTH_RECIPES) {
    if (!want.has(recipe.cls)) continue;
    mkdirSync(join(cacheDir, 'wav', recipe.cls), { recursive: true });
    for (let i = 0; i < recipe.count; i++) {
      const rel = join('wav', recipe.cls, `synth__${recipe.kind}_${String(i).padStart(2, '0')}.wav`);
      const path = join(cacheDir, rel);
      let x: Float32Array;
      if (existsSync(path)) x = readWav(path);
      else {
        x = recipe.make(makeRng(hash32(`${recipe.kind}:${i}`)));
        writeWavFile(path, x);
      }
      out.push({ id: `synth:${recipe.kind}:${i}`, file: rel, cls: recipe.cls, package: 'soundflow-synth', source: `src/soundflow/corpus/synth.ts ${recipe.kind} seed ${i}`, licence: 'Apache-2.0', seconds: +(x.length / SAMPLE_RATE).toFixed(3), origin: 'generated' });
    }
  }
  if (want.has('speech')) {
    mkdirSync(join(cacheDir, 'wav', 'speech'), { recursive: true });
    const rng = makeRng(4242);
    for (let i = 0; i < TTS_COUNT; i++) {
      const voice = pick(rng, TTS_VOICES);
      const text = pick(rng, TTS_SENTENCES);
      const speed = 130 + Math.floor(rng() * 60);
      const pitch = 30 + Math.floor(rng() * 40);
      const rel = join('wav', 'speech', `tts__${safeName(voice)}_${String(i).padStart(2, '0')}.wav`);
      const path = join(cacheDir, rel);
      const id = `tts:${voice}:${i}`;
      try {
        if (!existsSync(path)) {
          const raw = partName(path + '.espeak.wav');
          await run('espeak-ng', ['-v', voice, '-s', String(speed), '-p', String(pitch), '-w', raw, text]);
          await convertToWav(raw, path, MAX_SECONDS);
          rmSync(raw, { force: true });
        }
        const x = readWav(path);
        out.push({ id, file: rel, cls: 'speech', package: 'espeak-ng', source: `espeak-ng -v ${voice} -s ${speed} -p ${pitch} "${text}"`, licence: 'GPL-3+ (espeak-ng output)', seconds: +(x.length / SAMPLE_RATE).toFixed(3), origin: 'generated' });
      } catch (err) {
        skipped.push({ id, reason: errorMessage(err) });
      }
    }
  }
  return out;
}

/** Builds (or refreshes) the corpus and returns its manifest; does not write it (see `corpus build`). */
export async function buildCorpus(opts: BuildOptions = {}): Promise<CorpusManifest> {
  const cacheDir = opts.cacheDir ?? DEFAULT_CORPUS_DIR;
  const log = opts.log ?? (() => {});
  const classes = opts.classes ?? [...SOUND_CLASSES];
  for (const c of classes) if (!isSoundClass(c)) throw new SoundFlowError('invalid_argument', `unknown sound class "${c}" (known: ${SOUND_CLASSES.join(', ')})`);
  const want = new Set(classes);
  mkdirSync(cacheDir, { recursive: true });
  const skipped: CorpusManifest['skipped'] = [];
  const seen = new Set<string>();
  const pending: Pending[] = [];
  for (const src of packageSources(opts.sources ?? 'default')) {
    if (!src.rules.some((r) => want.has(r.cls))) continue;
    log(`${src.pkg}: fetching and converting`);
    const got = await recordedEntries(src, cacheDir, want, skipped, seen, log);
    log(`${src.pkg}: ${got.length} files`);
    pending.push(...got);
  }
  if (!opts.noSynth) {
    log('synthesising generated sounds and TTS speech');
    pending.push(...(await generatedEntries(cacheDir, want, skipped)));
  }
  const splits = assignSplits(pending);
  const entries: CorpusEntry[] = pending.map((p) => ({ ...p, split: splits.get(p.id)! }));
  entries.sort((a, b) => SOUND_CLASSES.indexOf(a.cls as never) - SOUND_CLASSES.indexOf(b.cls as never) || (a.id < b.id ? -1 : 1));
  return { version: 1, createdBy: 'soundflow corpus build', sampleRate: SAMPLE_RATE, entries, skipped };
}
