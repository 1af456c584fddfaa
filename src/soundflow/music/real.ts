// Real recorded music from Debian for evaluation: wesnoth-1.16-music (GPL-2+; 41 orchestral game-score
// tracks, Ogg Vorbis). Its style family is knowable as a whole — orchestral, i.e. "classical" in our
// labels — but not per track (some are folk-like or percussive), so it is an extra test of how the
// classifier behaves on real recordings, never training data. Downloaded with apt-get download (no
// install), the first `seconds` of each track converted to 16 kHz mono.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { readWavFile } from '../../audio/wav.ts';
import { SoundFlowError } from '../../util/errors.ts';

export const REAL_MUSIC_PACKAGE = 'wesnoth-1.16-music';
export const DEFAULT_REAL_MUSIC_DIR = '.cache/music-real';

function sh(cmd: string, args: string[], cwd: string): void {
  const r = spawnSync(cmd, args, { cwd, encoding: 'utf8' });
  if (r.status !== 0) throw new SoundFlowError('download_failed', `${cmd} ${args.join(' ')}: ${(r.stderr || r.error?.message || '').trim().split('\n').at(-1)}`);
}

/** Track name → 16 kHz mono samples (first `seconds` of each track). */
export function realMusic(dir = DEFAULT_REAL_MUSIC_DIR, seconds = 40): Map<string, Float32Array> {
  mkdirSync(join(dir, 'wav'), { recursive: true });
  if (!readdirSync(dir).some((f) => f.startsWith(REAL_MUSIC_PACKAGE) && f.endsWith('.deb'))) sh('apt-get', ['download', REAL_MUSIC_PACKAGE], dir);
  const deb = readdirSync(dir).find((f) => f.startsWith(REAL_MUSIC_PACKAGE) && f.endsWith('.deb'))!;
  if (!existsSync(join(dir, 'x'))) sh('dpkg', ['-x', deb, 'x'], dir);
  const root = join(dir, 'x/usr/share/games/wesnoth/1.16/data/core/music');
  const found = existsSync(root) ? root : findMusicDir(join(dir, 'x'));
  const out = new Map<string, Float32Array>();
  for (const f of readdirSync(found).filter((x) => x.endsWith('.ogg')).sort()) {
    const wav = join(dir, 'wav', f.replace(/\.ogg$/, `-${seconds}s.wav`));
    if (!existsSync(wav)) sh('ffmpeg', ['-v', 'error', '-y', '-t', String(seconds), '-i', join(found, f), '-ac', '1', '-ar', '16000', '-sample_fmt', 's16', wav], '.');
    out.set(f.replace(/\.ogg$/, ''), readWavFile(wav).samples);
  }
  return out;
}

function findMusicDir(root: string): string {
  const r = spawnSync('find', [root, '-name', '*.ogg', '-print', '-quit'], { encoding: 'utf8' });
  const first = r.stdout.trim();
  if (!first) throw new SoundFlowError('corpus_incomplete', `no .ogg tracks in ${root}`);
  return first.slice(0, first.lastIndexOf('/'));
}
