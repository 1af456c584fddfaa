// Recipe of the cepstral-mean prior a session's first utterance is decoded with
// (src/perception/asr/cmn-prior.ts): the mean of each tuning utterance taken as the re-decode with its
// own mean took it (the decoder's front end over the dithered pre-roll + speech + closing silence,
// frames with c0 >= 0), averaged over voices × phrases × room conditions. The phrases are kept apart from
// the ones bench/first-utterance.ts reports on.
//   node --import tsx scripts/fit-cmn-prior.ts [--voices a,b] [--out FILE]   (prints the prior)
import { writeFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { concat } from '../src/testing/audio.ts';
import { floatToPcm16 } from '../src/audio/pcm.ts';
import { CEP_SIZE } from '../src/perception/asr/cmn.ts';
import type { PocketSphinxDecoder } from '../src/perception/asr/pocketsphinx.ts';
import { openOnePassPool } from '../src/perception/asr/one-pass.ts';
import { CONDITIONS, FIRST_UTTERANCE_VOICES, cleanUp, utterance } from '../bench/first-utterance-audio.ts';

/** Tuning phrases only (never reported): requests, questions and statements of everyday length. */
export const TUNING_PHRASES = [
  'Could you tell me how long it takes to get to the station?',
  'I left my umbrella on the bus this morning.',
  'Turn the volume down a little please.',
  'We are going to visit my grandmother next weekend.',
  'How much does a ticket cost?',
  'The weather has been cold and windy all week.',
];

/** The average own cepstral mean of the tuning utterances spoken by `voices`. */
export async function fitCmnPrior(d: PocketSphinxDecoder, voices: readonly string[]): Promise<Float32Array> {
  const sum = new Float64Array(CEP_SIZE);
  let n = 0;
  for (const voice of voices) {
    for (const [i, phrase] of TUNING_PHRASES.entries()) {
      for (const condition of CONDITIONS) {
        const u = utterance([phrase], voice, condition, 1000 + i);
        const m = await d.cepstralMean(floatToPcm16(concat(u.preRoll, u.audio)));
        if (!m) continue;
        for (let j = 0; j < CEP_SIZE; j++) sum[j] += m.mean[j];
        n++;
      }
    }
  }
  return Float32Array.from(sum, (v) => v / n);
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  const { values } = parseArgs({ options: { voices: { type: 'string', default: FIRST_UTTERANCE_VOICES.join(',') }, out: { type: 'string' } } });
  const pool = openOnePassPool({}, { max: 1, spare: 1 });
  const d = await pool.acquire();
  const prior = await fitCmnPrior(d, values.voices.split(','));
  pool.release(d);
  pool.close();
  cleanUp();
  const text = `[${Array.from(prior, (v) => v.toFixed(2)).join(', ')}]`;
  console.log(text);
  if (values.out) writeFileSync(values.out, text + '\n');
}
