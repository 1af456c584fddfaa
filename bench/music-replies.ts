// Unprompted replies during music (not run by tests): music is a scene, not something to answer, so a
// whole embedded session (VAD, ASR, sound model, event layer, alarm detector, rules policy, proactive on)
// listens to ≥ 15 min of music and every reply it makes is counted, with its task, text and the transcript
// or sound that caused it. Sets (never the same music):
// - reported (default): Debian's wesnoth-1.16-music (real orchestral recordings, 22 tracks × 40 s; in no
//   training set) and the project's rendered held-out songs (test split of `soundflow corpus music`,
//   30 × 30 s over 8 styles): 2 × ~15 min.
// - tune (MUSIC_REPLIES_SET=tune): the sound corpus's Debian music (flare, lugaru, singularity, scratch
//   loops) and rendered training songs: what changes are tuned on.
// Run: npm run bench -- music-replies   (needs `soundflow corpus music`; wesnoth is fetched with apt-get download)
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createEngine } from '../src/engine/registry.ts';
import { collect } from '../src/testing/session.ts';
import { DEFAULT_MUSIC_DIR, loadSong, readSongs } from '../src/soundflow/music/corpus.ts';
import { realMusic } from '../src/soundflow/music/real.ts';
import { DEFAULT_CORPUS_DIR } from '../src/soundflow/corpus/build.ts';
import { readManifest } from '../src/soundflow/corpus/manifest.ts';
import { readWav } from '../src/soundflow/corpus/convert.ts';
import type { SessionEvent } from '../src/events.ts';

const SR = 16000;
const TUNE = process.env.MUSIC_REPLIES_SET === 'tune';
const MINUTES = Number(process.env.MUSIC_REPLIES_MINUTES ?? 15);

/** Pieces joined with 0.5 s of near-silence between tracks (as a playlist's gaps), cut at `minutes`. */
function playlist(pieces: Float32Array[], minutes: number): Float32Array {
  const max = Math.round(minutes * 60 * SR);
  const gap = Math.round(0.5 * SR);
  const out = new Float32Array(max);
  let o = 0;
  for (let k = 0; o < max && pieces.length; k++) {
    const p = pieces[k % pieces.length];
    out.set(p.subarray(0, Math.min(p.length, max - o)), o);
    o += p.length + gap;
  }
  return out.subarray(0, Math.min(o, max));
}

/** Every n-th of the songs of one split, alternating styles. */
function rendered(split: 'test' | 'train', count: number): Float32Array[] {
  const dir = process.env.SOUNDFLOW_MUSIC ?? DEFAULT_MUSIC_DIR;
  const songs = readSongs(dir).filter((s) => s.split === split);
  const styles = [...new Set(songs.map((s) => s.style))];
  const picked: string[] = [];
  for (let i = 0; picked.length < count && i < songs.length; i++) {
    const st = styles[picked.length % styles.length];
    const s = songs.filter((x) => x.style === st)[Math.floor(picked.length / styles.length)];
    if (s) picked.push(s.id);
  }
  return picked.map((id) => loadSong(dir, id));
}

function corpusMusic(): Float32Array[] {
  const corpus = process.env.SOUNDFLOW_CORPUS ?? DEFAULT_CORPUS_DIR;
  return readManifest(join(corpus, 'manifest.json')).entries.filter((e) => e.cls === 'music' && e.seconds >= 20).map((e) => readWav(join(corpus, e.file)));
}

const parts: { name: string; x: Float32Array }[] = TUNE
  ? [
      { name: 'Debian music of the sound corpus (flare, lugaru, singularity)', x: playlist(corpusMusic(), MINUTES) },
      { name: 'rendered training songs (8 styles)', x: playlist(rendered('train', 30), MINUTES) },
    ]
  : [
      { name: 'wesnoth-1.16-music (real recordings, never trained on)', x: playlist([...realMusic().values()], MINUTES) },
      { name: 'rendered held-out songs (8 styles, test split)', x: playlist(rendered('test', 30), MINUTES) },
    ];

interface Reply {
  t: number;
  task: string;
  text: string;
  /** What the session heard just before: transcripts and sound events of the last 3 s. */
  heard: string[];
}

const engine = await createEngine('embedded');
const results: { name: string; minutes: number; replies: number; perFifteen: number; byTask: Record<string, number>; examples: Reply[]; transcripts: number; soundEvents: Record<string, number> }[] = [];
for (const part of parts) {
  const t0 = performance.now();
  const events: SessionEvent[] = await collect(await engine.createSession({}), part.x);
  const replies: Reply[] = [];
  const started = new Map<string, { t: number; task: string }>();
  const recent: { t: number; what: string }[] = [];
  const soundEvents: Record<string, number> = {};
  let transcripts = 0;
  for (const ev of events) {
    if (ev.type === 'transcript' && ev.final) {
      transcripts++;
      const v = ev.voice;
      recent.push({ t: ev.t ?? 0, what: `said "${ev.text}"${v ? ` (voiced ${v.voicedRatio.toFixed(2)}, snr ${v.snrDb?.toFixed(1)}, speech ${v.speechS?.toFixed(2)} s, syll/s ${v.syllablesPerSec?.toFixed(1)})` : ''}` });
      if (process.env.MUSIC_REPLIES_DEBUG) console.error(`${ev.t.toFixed(1)} ${recent.at(-1)!.what} ${JSON.stringify(v)}`);
    } else if (ev.type === 'sound') {
      soundEvents[ev.label] = (soundEvents[ev.label] ?? 0) + 1;
      recent.push({ t: ev.t, what: `sound ${ev.label} p ${ev.p}` });
    } else if (ev.type === 'response.start') started.set(ev.id, { t: ev.t, task: ev.task });
    else if (ev.type === 'response.end') {
      const s = started.get(ev.id);
      if (!s) continue;
      replies.push({ t: +s.t.toFixed(1), task: s.task, text: ev.text, heard: recent.filter((r) => s.t - r.t <= 3 && r.t <= s.t + 0.01).map((r) => r.what) });
    }
  }
  const minutes = part.x.length / SR / 60;
  const byTask: Record<string, number> = {};
  for (const r of replies) byTask[r.task] = (byTask[r.task] ?? 0) + 1;
  results.push({ name: part.name, minutes: +minutes.toFixed(1), replies: replies.length, perFifteen: +((replies.length * 15) / minutes).toFixed(2), byTask, examples: replies.slice(0, 20), transcripts, soundEvents });
  console.error(`music-replies: ${part.name}: ${replies.length} replies in ${minutes.toFixed(1)} min (${((performance.now() - t0) / 1000).toFixed(0)} s, machine shared)`);
}
await engine.close?.();

const total = results.reduce((s, r) => s + r.replies, 0);
const minutes = results.reduce((s, r) => s + r.minutes, 0);
const out = { set: TUNE ? 'tune' : 'reported', parts: results, total: { replies: total, minutes: +minutes.toFixed(1), perFifteen: +((total * 15) / minutes).toFixed(2) } };
mkdirSync('bench/results', { recursive: true });
const file = `bench/results/music-replies${TUNE ? '-tune' : ''}.json`;
writeFileSync(file, JSON.stringify(out, null, 1) + '\n');
console.log(`unprompted replies during music${TUNE ? ' (tuning set)' : ''}: whole embedded session, rules policy, proactive`);
for (const r of results) {
  console.log(`  ${r.name.padEnd(62)} ${String(r.minutes).padStart(5)} min  replies ${r.replies} (${r.perFifteen} per 15 min)  ${JSON.stringify(r.byTask)}  final transcripts ${r.transcripts}`);
  for (const e of r.examples.slice(0, 8)) console.log(`    ${e.t}s [${e.task}] ${e.text}  ← ${e.heard.join('; ') || '–'}`);
}
console.log(`  total: ${total} replies in ${out.total.minutes} min = ${out.total.perFifteen} per 15 min (target ≤ 1)`);
console.log(`wrote ${file}`);
