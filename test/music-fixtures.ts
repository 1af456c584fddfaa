// Held-out music for tests: a test-split song of the music corpus recipe (charts and groove variants the
// classifier never trained on), taken from .cache/music when rendered there with the same recipe, else
// rendered now with mma + fluidsynth. Skips cleanly when those Debian packages are missing.
import { existsSync, readFileSync } from 'node:fs';
import type { TestContext } from 'node:test';
import { DEFAULT_MUSIC_DIR, loadSong, songWav } from '../src/soundflow/music/corpus.ts';
import { planSongs, type SongPlan } from '../src/soundflow/music/plan.ts';
import { renderSong, SOUNDFONT } from '../src/soundflow/music/render.ts';

let plan: SongPlan[] | null = null;

export function musicToolsPresent(): boolean {
  return existsSync('/usr/share/mma/lib/stdlib/swing.mma') && existsSync(SOUNDFONT) && existsSync('/usr/bin/fluidsynth');
}

/** The n-th held-out song of a style and its audio, or null (test skipped) without mma/fluidsynth. */
export function heldOutSong(t: TestContext, style: string, n = 0): { song: SongPlan; x: Float32Array } | null {
  if (!musicToolsPresent()) {
    t.skip('mma, fluidsynth or fluid-soundfont-gm not installed (scripts/debian-packages.txt)');
    return null;
  }
  plan ??= planSongs();
  const song = plan.filter((s) => s.style === style && s.split === 'test')[n];
  if (!song) throw new Error(`no held-out ${style} song #${n}`);
  const wav = songWav(DEFAULT_MUSIC_DIR, song.id);
  const recipe = wav.replace(/\.wav$/, '.json');
  if (existsSync(wav) && existsSync(recipe) && readFileSync(recipe, 'utf8') === JSON.stringify(song)) return { song, x: loadSong(DEFAULT_MUSIC_DIR, song.id) };
  return { song, x: renderSong(song) };
}

/** A song of the music corpus recipe by id (any split), or null (test skipped) without mma/fluidsynth. */
export function corpusSong(t: TestContext, id: string): { song: SongPlan; x: Float32Array } | null {
  if (!musicToolsPresent()) {
    t.skip('mma, fluidsynth or fluid-soundfont-gm not installed (scripts/debian-packages.txt)');
    return null;
  }
  plan ??= planSongs();
  const song = plan.find((s) => s.id === id);
  if (!song) throw new Error(`no song ${id} in the music corpus recipe`);
  const wav = songWav(DEFAULT_MUSIC_DIR, song.id);
  const recipe = wav.replace(/\.wav$/, '.json');
  if (existsSync(wav) && existsSync(recipe) && readFileSync(recipe, 'utf8') === JSON.stringify(song)) return { song, x: loadSong(DEFAULT_MUSIC_DIR, song.id) };
  return { song, x: renderSong(song) };
}
