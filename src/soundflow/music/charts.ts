// Chord charts the music corpus renders, written in C (a song transposes them with MMA's Transpose).
// One string per bar; two chords in a bar share it. Charts are grouped in families a style draws from
// (a blues groove plays twelve-bar forms, a jazz groove ii–V–I changes, ...). The test split holds out
// whole charts: a song's chart decides its split (plan.ts), so no test song shares its chords with a
// training song.

export type ChartFamily = 'any' | 'blues' | 'jazz' | 'minor';

export interface Chart {
  id: string;
  family: ChartFamily;
  bars: string[];
}

const c = (id: string, family: ChartFamily, bars: string): Chart => ({ id, family, bars: bars.split('|').map((b) => b.trim()) });

export const CHARTS: readonly Chart[] = Object.freeze([
  c('axis', 'any', 'C | G | Am | F'),
  c('doowop', 'any', 'C | Am | F | G'),
  c('three-chord', 'any', 'C | F | C | G | C | F | G | C'),
  c('backdoor', 'any', 'C | Bb | F | C'),
  c('canon', 'any', 'C | G | Am | Em | F | C | F | G'),
  c('sad-axis', 'any', 'Am | F | C | G'),
  c('climb', 'any', 'C | Em | F | G'),
  c('plagal', 'any', 'C | F | Am | G | F | C | Dm G | C'),
  c('country-form', 'any', 'C | C | F | C | C | C | G | G | C | C | F | F | C | G | C | C'),
  c('sus-pop', 'any', 'F | C | G | Am | F | C | G | G'),
  c('twelve', 'blues', 'C7 | F7 | C7 | C7 | F7 | F7 | C7 | C7 | G7 | F7 | C7 | G7'),
  c('quick-change', 'blues', 'C7 | F7 | C7 | C7 | F7 | F7 | C7 | A7 | Dm7 | G7 | C7 | G7'),
  c('minor-blues', 'blues', 'Cm7 | Cm7 | Cm7 | Cm7 | Fm7 | Fm7 | Cm7 | Cm7 | Ab7 | G7 | Cm7 | G7'),
  c('jazz-blues', 'blues', 'C7 | F7 | C7 | Gm7 C7 | F7 | F#dim | C7 | A7 | Dm7 | G7 | C7 A7 | Dm7 G7'),
  c('eight-bar-blues', 'blues', 'C7 | G7 | F7 | F7 | C7 | G7 | C7 F7 | C7 G7'),
  c('shuffle-blues', 'blues', 'C7 | C7 | C7 | C7 | F7 | F7 | C7 | C7 | G7 | G7 | C7 | C7'),
  c('two-five', 'jazz', 'Dm7 | G7 | CM7 | CM7'),
  c('turnaround', 'jazz', 'CM7 | A7 | Dm7 | G7 | Em7 | A7 | Dm7 | G7'),
  c('fifths', 'jazz', 'Am7 | Dm7 | G7 | CM7 | FM7 | Bm7b5 | E7 | Am7'),
  c('rhythm', 'jazz', 'CM7 Am7 | Dm7 G7 | Em7 A7 | Dm7 G7 | C7 | F6 | Dm7 G7 | C6'),
  c('leaves', 'jazz', 'Dm7 | G7 | CM7 | FM7 | Bm7b5 | E7 | Am7 | Am7'),
  c('bossa-turn', 'jazz', 'CM7 | CM7 | D7 | D7 | Dm7 | G7 | CM7 | Dm7 G7'),
  c('andalusian', 'minor', 'Am | G | F | E'),
  c('minor-cadence', 'minor', 'Am | Dm | E7 | Am'),
  c('minor-jazz', 'minor', 'Cm7 | Fm7 | Bb7 | EbM7 | AbM7 | Dm7b5 | G7 | Cm'),
  c('minor-rock', 'minor', 'Am | F | G | Am | Am | F | G | E'),
  c('dorian', 'minor', 'Dm7 | G7 | Dm7 | G7 | Em7 | A7 | Dm7 | Dm7'),
  c('minor-waltz', 'minor', 'Am | Am | Dm | Dm | E7 | E7 | Am | Am'),
]);

/** Every third chart of each family (the 2nd, 5th, ...) is held out for the test split. */
export function isTestChart(chart: Chart): boolean {
  const i = CHARTS.filter((x) => x.family === chart.family).indexOf(chart);
  return i % 3 === 1;
}
