// Regenerates assets/demo.flac, the demo's bundled recording: questions to the assistant, people talking
// to each other, a smoke alarm, a translation request. Run: node --import tsx scripts/make-demo-audio.ts
import { execFileSync } from 'node:child_process';
import { concat, mix, noise, silence, speech, tone, writeWav } from '../test/helpers/audio.ts';

/** ANSI T3 temporal pattern: three 0.5 s beeps at ~3.1 kHz with 0.5 s gaps, then 1.5 s pause. */
function smokeAlarm(cycles: number): Float32Array {
  const parts: Float32Array[] = [];
  for (let c = 0; c < cycles; c++) {
    for (let b = 0; b < 3; b++) parts.push(tone(3100, 0.5, 0.5), silence(0.5));
    parts.push(silence(1.0));
  }
  return concat(...parts);
}

const voice = { voice: 'en-us', speed: 150 };
const script = concat(
  silence(1.0),
  speech('Hey SoundFlow, what is your name?', voice),
  silence(2.0),
  speech('What is seven times eight?', voice),
  silence(2.0),
  // Two people talking to each other, not to the assistant: it should stay silent.
  speech('I think we should paint the kitchen blue this weekend.', { voice: 'en+m3', speed: 170 }),
  silence(0.4),
  speech('Sure, but the hardware store closes early on Sunday.', { voice: 'en+f3', speed: 170 }),
  silence(2.0),
  smokeAlarm(1),
  silence(2.0),
  speech('Translate what I say into Spanish.', voice),
  silence(2.0),
  speech('Good morning, I would like a cup of coffee.', voice),
  silence(2.5),
);
const withRoom = mix(script, noise(script.length / 16000, { color: 'pink', amplitude: 0.05 }), 30);
const wav = writeWav(withRoom);
execFileSync('ffmpeg', ['-v', 'error', '-y', '-i', wav, '-c:a', 'flac', 'assets/demo.flac']);
console.log(`assets/demo.flac: ${(withRoom.length / 16000).toFixed(1)} s`);
