// Whole-utterance decodes followed by streamed ones on one decoder used to abort the process inside
// pocketsphinx (acmod.c:769 `n_feat_frame <= n_feat_alloc`, or ngram_search_fwdtree.c
// `hmm_frame(&hmm->hmm) == frame_idx` when the search had to skip a frame): see docs/notes/asr.md.
// Run in a child process so an abort fails the test instead of ending the runner. espeak-ng klatt speech.
import { it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { wer } from '../src/perception/asr/wer.ts';

const script = fileURLToPath(new URL('./helpers/whole-then-stream.ts', import.meta.url));
const SAID = 'turn the lights off in the kitchen and then tell me what time it is please set a timer for ten seconds';

// Without the fix: silent whole decodes + 0.4 s chunks hit the acmod.c assertion, a word before the
// silence + 1 s chunks the ngram_search_fwdtree.c one.
for (const [chunk, word] of [[6400, 'no'], [16000, 'yes']] as const) {
  it(`streams in ${chunk / 16000} s chunks on a decoder after long, mostly silent whole-utterance decodes (word: ${word})`, () => {
    const r = spawnSync(process.execPath, ['--import', 'tsx', script, String(chunk), word], { encoding: 'utf8', timeout: 120_000 });
    assert.equal(r.signal, null, `decoder process killed by ${r.signal}: ${r.stderr.slice(-300)}`);
    assert.equal(r.status, 0, r.stderr.slice(-300));
    const { text } = JSON.parse(r.stdout.trim().split('\n').at(-1)!) as { text: string };
    // Still recognised after the whole-utterance decodes (wide margin: this is a crash test).
    assert.ok(wer(SAID, text) < 0.6, text);
  });
}
