// `soundflow corpus music`: renders the planned songs (plan.ts) to 16 kHz mono WAVs under
// .cache/music/wav and writes the song list (the data recipe: every song's chart, groove, key, tempo,
// gain, split) to DIR/songs.json and models/music/songs.json. Songs already rendered are kept.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { encodeWav, readWavFile } from '../../audio/wav.ts';
import { planSongs, type PlanOptions, type SongPlan } from './plan.ts';
import { renderSong } from './render.ts';
import { SoundFlowError } from '../../util/errors.ts';

export const DEFAULT_MUSIC_DIR = '.cache/music';

export interface MusicCorpusOptions {
  dir: string;
  plan: Partial<PlanOptions>;
  /** Where the committed copy of the song list goes (null: none). */
  recipeOut: string | null;
  log: (s: string) => void;
}

export const songWav = (dir: string, id: string): string => join(dir, 'wav', `${id}.wav`);

export function buildMusicCorpus(partial: Partial<MusicCorpusOptions> = {}): SongPlan[] {
  const o: MusicCorpusOptions = { dir: DEFAULT_MUSIC_DIR, plan: {}, recipeOut: 'models/music/songs.json', log: (s) => process.stderr.write(s + '\n'), ...partial };
  const songs = planSongs(o.plan);
  mkdirSync(join(o.dir, 'wav'), { recursive: true });
  const t0 = Date.now();
  let rendered = 0;
  // Round-robin over styles (song k of every style, then k+1), so a partial run covers every style.
  const rank = new Map<string, number>();
  const order = songs.map((song) => {
    const k = rank.get(song.style) ?? 0;
    rank.set(song.style, k + 1);
    return { song, k };
  }).sort((a, b) => a.k - b.k).map((x) => x.song);
  order.forEach((song, i) => {
    const path = songWav(o.dir, song.id);
    // A cached file is reused only when it was rendered from the same recipe.
    const recipePath = path.replace(/\.wav$/, '.json');
    const recipe = JSON.stringify(song);
    if (existsSync(path) && existsSync(recipePath) && readFileSync(recipePath, 'utf8') === recipe) return;
    writeFileSync(path, encodeWav(renderSong(song), 16000));
    writeFileSync(recipePath, recipe);
    rendered++;
    if (rendered % 20 === 0) o.log(`  rendered ${rendered} songs (${i + 1}/${songs.length}, ${((Date.now() - t0) / 1000).toFixed(0)} s)`);
  });
  const list = JSON.stringify({ version: 1, command: 'soundflow corpus music', songs }, null, 0).replace(/\},\{"id"/g, '},\n{"id"') + '\n';
  writeFileSync(join(o.dir, 'songs.json'), list);
  if (o.recipeOut) {
    mkdirSync(join(o.recipeOut, '..'), { recursive: true });
    writeFileSync(o.recipeOut, list);
  }
  o.log(`music corpus: ${songs.length} songs (${rendered} rendered now) in ${o.dir} (${((Date.now() - t0) / 1000).toFixed(0)} s)`);
  return songs;
}

export function readSongs(dir = DEFAULT_MUSIC_DIR): SongPlan[] {
  try {
    return (JSON.parse(readFileSync(join(dir, 'songs.json'), 'utf8')) as { songs: SongPlan[] }).songs;
  } catch (err) {
    throw new SoundFlowError('corpus_incomplete', `no music corpus in ${dir} (run "soundflow corpus music")`, { cause: err });
  }
}

export function loadSong(dir: string, id: string): Float32Array {
  const w = readWavFile(songWav(dir, id));
  return w.samples;
}
