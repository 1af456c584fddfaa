// Run as a child process by test/asr-native-abort.test.ts (a native assertion aborts the whole process).
// On one live-CMN one-pass decoder: long whole-utterance decodes in which the voice detector keeps few
// frames, then a long utterance streamed in chunks of argv[2] samples. Prints the streamed transcript.
import { PocketSphinxDecoder } from '../../src/perception/asr/pocketsphinx.ts';
import { ONE_PASS_BEAMS, modelCmnInit } from '../../src/perception/asr/one-pass.ts';
import { setCmn } from '../../src/perception/asr/cmn.ts';
import { concat, floatToPcm16, silence, speech } from '../../src/testing/audio.ts';

const chunk = Number(process.argv[2] ?? 6400);
// 'yes': the whole-utterance decodes hold a word before their silence (more feature frames kept).
const word = process.argv[3] === 'yes' ? [speech('yes')] : [];
const d = await PocketSphinxDecoder.open({ beams: ONE_PASS_BEAMS, cmn: 'live' });
await d.decodeOwnMean(floatToPcm16(concat(...word, silence(5))));
await d.decode(floatToPcm16(concat(...word, silence(3))));
const talk = floatToPcm16(concat(speech('turn the lights off in the kitchen and then tell me what time it is please'), speech('set a timer for ten seconds')));
// decode() on a live decoder keeps what it learnt from the silence: start from the model's prior, as a session would.
await d.withHandle((ps) => setCmn(ps, modelCmnInit()!, 0));
d.start();
for (let i = 0; i < talk.length; i += chunk) await d.process(talk.subarray(i, i + chunk));
console.log(JSON.stringify({ text: (await d.end()).text }));
d.close();
