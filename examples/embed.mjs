// Embedding SoundFlow: one session over a recording, printing what it heard and what it replied.
// Run: node examples/embed.mjs talk.wav   (any file ffmpeg reads; after `npm install soundflow`)
import { createEngine, decodeFile } from 'soundflow';

const engine = await createEngine('embedded');
const session = await engine.createSession({ instructions: ['transcribe this'] });

// Events arrive while audio goes in: read them concurrently.
const reading = (async () => {
  for await (const ev of session) {
    if (ev.type === 'transcript' && ev.final) console.log(`heard at ${ev.t.toFixed(1)} s: ${ev.text}`);
    if (ev.type === 'response.end') console.log(`replied: ${ev.text}`);
    if (ev.type === 'error') console.error(`error ${ev.code}: ${ev.message}`);
  }
})();

const audio = await decodeFile(process.argv[2] ?? 'talk.wav'); // 16 kHz mono Float32Array
for (let i = 0; i < audio.length; i += 1600) {
  await session.push(audio.subarray(i, i + 1600)); // 0.1 s at a time, as a microphone would; awaiting is backpressure
}
await session.end(); // the last chunk, pending replies, then the event stream ends
await reading;
await engine.close();
