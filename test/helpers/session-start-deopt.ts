// Child process of test/session-start-deopt.test.ts, run under --trace-deopt-verbose: three sessions'
// worth of per-session perception state (acoustic context, alarm detector) one after the other, as a
// server runs them. The first (speech and noise with beep trains) gets the code optimised, the second
// (beeps and noise) lets V8 widen what it widens once per process; marker lines on stdout separate them
// from the third (speech and beeps again, new objects), whose deoptimisations the test reads.
import { writeSync } from 'node:fs';
import { AcousticContext } from '../../src/perception/acoustic-context.ts';
import { AlarmDetector } from '../../src/perception/sounds/alarm.ts';
import { FRAMES_PER_CHUNK, LogMel } from '../../src/perception/features.ts';
import { SileroVad } from '../../src/perception/vad.ts';
import { SR, concat, mix, noise, silence, speech, tone } from '../../src/testing/audio.ts';

const CHUNK = 6400;
const beeps = (n: number) => concat(...Array.from({ length: n }, () => concat(tone(3100, 0.5, 0.2), silence(0.5))));

async function session(audio: Float32Array): Promise<void> {
  const lm = new LogMel();
  const vad = await SileroVad.create();
  const ctx = new AcousticContext();
  const alarm = new AlarmDetector();
  for (let o = 0; o + CHUNK <= audio.length; o += CHUNK) {
    const pcm = audio.subarray(o, o + CHUNK);
    const mel = lm.process(pcm);
    const { probs } = await vad.process(pcm);
    ctx.update(mel, FRAMES_PER_CHUNK, probs, pcm);
    alarm.process(pcm, (o + CHUNK) / SR);
  }
}

const talk = concat(...['turn the lights off in the kitchen', 'what time is it now', 'set a timer for ten minutes please'].map((t) => concat(speech(t), silence(0.6))));
const first = mix(concat(talk, beeps(6), talk, talk, beeps(6), talk), noise(60, { amplitude: 0.01, seed: 1 }), 25);
const second = mix(concat(beeps(8), silence(2), beeps(8)), noise(20, { amplitude: 0.01, seed: 2 }), 25);
await session(first);
writeSync(1, '@@second session\n');
await session(second);
writeSync(1, '@@third session\n');
await session(first.subarray(0, 30 * SR));
writeSync(1, '@@done\n');
