// The music styles the classifier names, and which MMA groove files render each of them. MMA ships
// ~300 groove files (stdlib, casio, zoom, yamaha, ...); each file defines several groove variants
// (Swing, Swing1Walk, SwingSus, ...). A style is a family of files; the variants inside a file are what
// the train/test split holds out (see plan.ts). Intro/ending/fill grooves are never used: they are bars,
// not a style's steady pattern.

import { MUSIC_STYLES, type MusicStyle } from '../../perception/music/styles.ts';

export { MUSIC_STYLES, type MusicStyle };

export interface StyleRecipe {
  style: MusicStyle;
  /** MMA library files ("stdlib/swing"), relative to the MMA lib directory. */
  files: string[];
  /** Quarter-note tempo range (BPM) the songs are rendered at. */
  tempo: [number, number];
  /** Chart families this style plays (see charts.ts). */
  charts: ('any' | 'blues' | 'jazz' | 'minor')[];
}

export const STYLE_RECIPES: readonly StyleRecipe[] = Object.freeze([
  {
    style: 'jazz', tempo: [90, 200], charts: ['jazz', 'any', 'minor'],
    files: ['stdlib/swing', 'stdlib/jazzcombo', 'stdlib/bebop', 'stdlib/fastswing', 'stdlib/easyswing', 'stdlib/slowjazz', 'stdlib/bigband', 'stdlib/jazzguitar', 'stdlib/mellowjazz', 'stdlib/nitejazz', 'stdlib/modernjazz', 'casio/slowswing', 'casio/middlebigband'],
  },
  {
    style: 'rock', tempo: [100, 160], charts: ['any', 'minor'],
    files: ['stdlib/50srock', 'stdlib/60srock', 'stdlib/rock-128', 'stdlib/bubblerock', 'stdlib/folkrock', 'stdlib/basicrock', 'casio/rock1', 'casio/rock2', 'casio/slowrock', 'casio/digitalrock', 'zoom/rock'],
  },
  {
    style: 'blues', tempo: [70, 130], charts: ['blues'],
    files: ['stdlib/blues', 'stdlib/blues128', 'stdlib/fastblues', 'stdlib/slowblues', 'stdlib/boggiewoggie', 'stdlib/shuffleboggie', 'casio/blues', 'casio/shuffleboogie', 'zoom/blues'],
  },
  {
    style: 'latin', tempo: [90, 150], charts: ['any', 'jazz', 'minor'],
    files: ['stdlib/bossanova', 'stdlib/samba', 'stdlib/rhumba', 'stdlib/mambo', 'stdlib/chacha', 'stdlib/salsa', 'stdlib/son', 'stdlib/merengue', 'stdlib/beguine', 'zoom/bossa', 'zoom/samba', 'zoom/latin'],
  },
  {
    style: 'waltz', tempo: [90, 180], charts: ['any', 'minor', 'jazz'],
    files: ['stdlib/waltz', 'stdlib/vienesewaltz', 'stdlib/fastwaltz', 'stdlib/frenchwaltz', 'stdlib/broadwaywaltz', 'casio/popwaltz'],
  },
  {
    style: 'country', tempo: [90, 170], charts: ['any'],
    files: ['stdlib/countryswing', 'stdlib/slowcountry', 'stdlib/bluegrass', 'stdlib/westernswing', 'stdlib/hillcountry', 'zoom/country', 'zoom/cntry', 'yamaha/western'],
  },
  {
    style: 'pop', tempo: [70, 130], charts: ['any', 'minor'],
    files: ['stdlib/popballad', 'stdlib/8beat', 'stdlib/pianoballad', 'stdlib/softrock', 'casio/pop', 'casio/60spop', 'casio/80spop', 'casio/8beatpop1', 'casio/8beatpop2', 'casio/8beatpop3', 'casio/dancepop1', 'casio/soulpop', 'casio/worldpop', 'casio/electricpop', 'zoom/pop'],
  },
  {
    // MMA has no baroque groove: piano arpeggio patterns played on harpsichord, strings, harp or piano,
    // with no drums, stand in for classical/baroque textures (the voice is part of the variant).
    style: 'classical', tempo: [60, 130], charts: ['any', 'minor'],
    files: ['stdlib/arpeggio44', 'stdlib/arpeggio68'],
  },
]);

/** GM voices a classical variant plays its arpeggio (and sustained chords) on. */
export const CLASSICAL_VOICES = ['Harpsichord', 'Piano1', 'Strings', 'OrchestralHarp', 'Celesta', 'ChurchOrgan'] as const;

export function styleRecipe(style: string): StyleRecipe | undefined {
  return STYLE_RECIPES.find((r) => r.style === style);
}
