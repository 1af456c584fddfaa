// Regenerates assets/demo.flac, the demo's bundled recording: questions to the assistant, people talking
// to each other, a smoke alarm, a translation request. Run: node --import tsx scripts/make-demo-audio.ts
import { execFileSync } from 'node:child_process';
import { concat, mix, noise, silence, speech, writeWav } from '../src/testing/audio.ts';
// The corpus's own T3 smoke-alarm generator (ANSI temporal-three pattern at ~3 kHz), fixed seed.
import { smokeAlarm } from '../src/soundflow/corpus/synth.ts';
import { makeRng } from '../src/util/rng.ts';
import { SAMPLE_RATE } from '../src/audio/chunk.ts';


const voice = { voice: 'en-us', speed: 150 };
const script = concat(
  silence(1.0),
  speech('Hey SoundFlow, what is your name?', voice),
  silence(3.0),
  speech('What is seven times eight?', voice),
  silence(3.0),
  // Two people talking to each other, not to the assistant: it should stay silent.
  speech('I think we should paint the kitchen blue this weekend.', { voice: 'en+m3', speed: 170 }),
  silence(0.4),
  speech('Sure, but the hardware store closes early on Sunday.', { voice: 'en+f3', speed: 170 }),
  silence(3.0),
  smokeAlarm(makeRng(7)),
  silence(3.0),
  speech('Translate what I say into Spanish.', voice),
  silence(3.0),
  speech('Good morning, I would like a cup of coffee.', voice),
  silence(2.5),
);
const withRoom = mix(script, noise(script.length / SAMPLE_RATE, { color: 'pink', amplitude: 0.05 }), 30);
const wav = writeWav(withRoom);
execFileSync('ffmpeg', ['-v', 'error', '-y', '-i', wav, '-c:a', 'flac', 'assets/demo.flac']);
console.log(`assets/demo.flac: ${(withRoom.length / SAMPLE_RATE).toFixed(1)} s`);
