// `soundflow corpus build|list`: the real sound corpus from Debian packages (see src/soundflow/corpus).
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { parseFlags } from '../args.ts';
import { SoundFlowError } from '../../../util/errors.ts';
import { buildCorpus, DEFAULT_CORPUS_DIR, readManifest, summarise, writeManifest, type CorpusManifest } from '../../../soundflow/corpus/index.ts';

const USAGE = `usage: soundflow corpus build [--dir DIR] [--classes a,b,...] [--no-synth] [--sources default|extended] [--manifest-out FILE]
       soundflow corpus list [--dir DIR]
       soundflow corpus music [--help]     the music-style corpus (MMA grooves rendered with fluidsynth)
  build  downloads the Debian packages (apt-get download, no install), converts the selected files to
         16 kHz mono WAV under DIR (default ${DEFAULT_CORPUS_DIR}), synthesises what Debian lacks, splits
         train/val/test by source file and writes DIR/manifest.json (and, for a full build,
         models/sounds/manifest.json, the committed list of every file used).`;

function table(m: CorpusManifest): string {
  const s = summarise(m.entries);
  const rows = [['class', 'train', 'val', 'test', 'seconds']];
  let tot = 0;
  for (const [cls, v] of s) {
    const secs = v.train.seconds + v.val.seconds + v.test.seconds;
    tot += secs;
    rows.push([cls, String(v.train.files), String(v.val.files), String(v.test.files), secs.toFixed(1)]);
  }
  rows.push(['total', '', '', String(m.entries.length) + ' files', tot.toFixed(1)]);
  const w = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  return rows.map((r) => r.map((c, i) => (i ? c.padStart(w[i]) : c.padEnd(w[i]))).join('  ')).join('\n');
}

export async function run(args: string[]): Promise<number> {
  const [sub, ...rest] = args;
  if (sub === 'music') return (await import('./corpus-music.ts')).runCorpusMusic(rest);
  if (!sub || sub === '--help' || sub === '-h') {
    process.stdout.write(USAGE + '\n');
    return sub ? 0 : 2;
  }
  const { values } = parseFlags(
    rest,
    sub === 'list' ? { dir: { type: 'string' } } : { dir: { type: 'string' }, classes: { type: 'string' }, 'no-synth': { type: 'boolean' }, sources: { type: 'string' }, 'manifest-out': { type: 'string' } },
    USAGE,
    {
      dir: `corpus directory (default ${DEFAULT_CORPUS_DIR})`,
      classes: 'only these classes, comma-separated (writes manifest-subset.json)',
      'no-synth': 'skip the synthesised classes Debian lacks',
      sources: "'extended' adds more Debian packages (hedgewars, tuxpaint stamps, searchandrescue, frozen-bubble; opt-in)",
      'manifest-out': 'also write the manifest here (a full build: models/sounds/manifest.json)',
    },
  ) as { values: { dir?: string; classes?: string; 'no-synth'?: boolean; sources?: string; 'manifest-out'?: string } };
  const dir = values.dir ?? DEFAULT_CORPUS_DIR;
  if (sub === 'list') {
    process.stdout.write(table(readManifest(join(dir, 'manifest.json'))) + '\n');
    return 0;
  }
  if (sub !== 'build') throw new SoundFlowError('invalid_argument', `unknown corpus subcommand "${sub}"\n${USAGE}`);
  const sources = values.sources ?? 'default';
  if (sources !== 'default' && sources !== 'extended') throw new SoundFlowError('invalid_argument', `--sources must be default or extended, not "${sources}"`);
  const classes = values.classes?.split(',').map((c) => c.trim()).filter(Boolean);
  const t0 = Date.now();
  const m = await buildCorpus({ cacheDir: dir, classes, noSynth: values['no-synth'], sources, log: (l) => process.stderr.write(l + '\n') });
  const full = !classes && !values['no-synth'];
  // An extended build never overwrites the committed manifest of the shipped model's corpus by default.
  writeManifest(join(dir, full ? 'manifest.json' : 'manifest-subset.json'), m);
  const committed = values['manifest-out'] ?? (full && sources === 'default' ? 'models/sounds/manifest.json' : undefined);
  if (committed) {
    mkdirSync(join(committed, '..'), { recursive: true });
    writeManifest(committed, m);
  }
  process.stdout.write(table(m) + '\n');
  if (m.skipped.length) {
    process.stdout.write(`skipped ${m.skipped.length} file(s):\n` + m.skipped.map((s) => `  ${s.id}: ${s.reason}`).join('\n') + '\n');
  }
  process.stdout.write(`corpus in ${dir} (${((Date.now() - t0) / 1000).toFixed(1)} s)${committed ? `; manifest also written to ${committed}` : ''}\n`);
  return 0;
}
