// False alarms on many humanised renderings of the music most like a CO alarm (not run by tests). MMA
// humanises timing and velocity at random; the corpus renders each song once with a fixed seed, so a
// detector that passes that rendering may still go off on others. Renders songs (default latin-train-007,
// whose 2.4 kHz cowbell plays four short hits per bar) with fresh random seeds and runs the alarm
// detector over each whole song. Reports false T3/T4 per rendering.
// Run: npm run bench -- alarm-renders   (needs mma, fluidsynth, fluid-soundfont-gm)
// ALARM_RENDERS=N renderings per song (default 200); ALARM_RENDERS_SONGS=id,id; ALARM_RENDERS_SEEDS=a-b uses
// those seeds instead of random ones (reproduces a failure); ALARM_RENDERS_DUMP=1 prints the pulses of
// every false alert's train.
import { mkdirSync, writeFileSync } from 'node:fs';
import { randomInt } from 'node:crypto';
import { AlarmDetector, pulseDecayDb, pulseRoughnessDb, type AlarmDetectorOptions } from '../src/perception/sounds/alarm.ts';
import { planSongs } from '../src/soundflow/music/plan.ts';
import { renderSong, SOUNDFONT } from '../src/soundflow/music/render.ts';

const SR = 16000;
const CHUNK = 6400;
const songs = (process.env.ALARM_RENDERS_SONGS ?? 'latin-train-007').split(',');
const seedRange = process.env.ALARM_RENDERS_SEEDS?.match(/^(\d+)-(\d+)$/);
const count = seedRange ? Number(seedRange[2]) - Number(seedRange[1]) + 1 : Number(process.env.ALARM_RENDERS ?? 200);
const plan = planSongs();

interface Row { song: string; seed: number; alerts: string[]; without: string[] }
/** Starting points (s into the song) the detector hears each rendering from. */
const OFFSETS = [0, 2.5, 5, 7.5, 10];

function detect(x: Float32Array, from: number, opts: AlarmDetectorOptions, what: string): string[] {
  const d = new AlarmDetector(opts);
  const out: string[] = [];
  for (let i = 0; i < x.length; i += CHUNK) {
    const c = new Float32Array(CHUNK);
    c.set(x.subarray(i, i + CHUNK));
    for (const a of d.process(c, (i + CHUNK) / SR + from)) {
      out.push(`${a.pattern}@${a.t.toFixed(2)}s/${a.freqHz.toFixed(0)}Hz(from ${from})`);
      if (process.env.ALARM_RENDERS_DUMP) {
        const near = d.pulses.filter((p) => Math.abs(p.freqHz - a.freqHz) <= 0.02 * a.freqHz + 62.5 && p.offset > a.onset - 6);
        console.log(`${what} ${a.pattern} at ${a.t.toFixed(2)}: ${near.map((p) => `${p.onset.toFixed(2)}-${p.offset.toFixed(2)}/${p.levelDbfs.toFixed(1)}dB/decay ${pulseDecayDb(p).toFixed(1)}/rough ${pulseRoughnessDb(p).toFixed(1)}${p.envelope ? `[${p.envelope.map((v) => v.toFixed(0)).join(' ')}]` : ''}`).join(' ')}`);
      }
    }
  }
  return out;
}
const rows: Row[] = [];
const t0 = Date.now();
for (const id of songs) {
  const song = plan.find((s) => s.id === id);
  if (!song) throw new Error(`no song ${id} in the music corpus recipe`);
  for (let k = 0; k < count; k++) {
    const seed = seedRange ? Number(seedRange[1]) + k : randomInt(1, 1_000_000_000);
    const x = renderSong(song, SOUNDFONT, { seed });
    // The detector's state depends on what it heard before (a pulse just before a group breaks it), so each
    // rendering is heard from several starting points, as a playlist or a test may start it.
    const alerts: string[] = [];
    const without: string[] = [];
    for (const from of OFFSETS) {
      alerts.push(...detect(x.subarray(Math.round(from * SR)), from, {}, `${id} seed ${seed}`));
      without.push(...detect(x.subarray(Math.round(from * SR)), from, { t4DecayDb: Infinity, t4RoughDb: Infinity }, ''));
    }
    rows.push({ song: id, seed, alerts, without });
    if (rows.length % 20 === 0) console.log(`… ${rows.length} renderings, ${rows.filter((r) => r.alerts.length).length} with a false alert (${rows.filter((r) => r.without.length).length} without the envelope check) (${((Date.now() - t0) / 1000).toFixed(0)} s)`);
    if (alerts.length || without.length) console.log(`${id} seed ${seed}: ${alerts.join(', ') || 'none'}; without the envelope check: ${without.join(', ') || 'none'}`);
  }
}
const bySong = songs.map((id) => {
  const r = rows.filter((x) => x.song === id);
  return {
    song: id,
    renders: r.length,
    falseAlerts: r.reduce((s, x) => s + x.alerts.length, 0),
    rendersWithAlert: r.filter((x) => x.alerts.length).length,
    seedsWithAlert: r.filter((x) => x.alerts.length).map((x) => x.seed),
    withoutEnvelopeCheck: { falseAlerts: r.reduce((s, x) => s + x.without.length, 0), rendersWithAlert: r.filter((x) => x.without.length).length, seeds: r.filter((x) => x.without.length).map((x) => x.seed) },
  };
});
console.log(`song                 renderings  with a false alert  false alerts  (without the envelope check: renderings / alerts); each heard from ${OFFSETS.join(', ')} s`);
for (const s of bySong) console.log(`${s.song.padEnd(20)} ${String(s.renders).padStart(10)}  ${String(s.rendersWithAlert).padStart(18)}  ${String(s.falseAlerts).padStart(12)}  (${s.withoutEnvelopeCheck.rendersWithAlert} / ${s.withoutEnvelopeCheck.falseAlerts})`);
console.log(`${((Date.now() - t0) / 1000).toFixed(0)} s (loaded machine)`);
if (!seedRange) {
  mkdirSync('bench/results', { recursive: true });
  writeFileSync('bench/results/alarm-renders.json', JSON.stringify({ bySong }, null, 1) + '\n');
}
