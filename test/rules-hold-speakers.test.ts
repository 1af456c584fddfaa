// The rules hold a fragment that sounds unfinished ("… and") for its continuation. When the next
// utterance comes from another speaker, it is a new utterance, not the rest of the fragment: talk between
// two people that ended on "and" must not swallow the question put to us right after it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RulePolicy } from '../src/decision/rules.ts';
import { Assistant } from '../src/response/assistant.ts';
import type { FinalTranscript } from '../src/perception/types.ts';
import { IDLE_CONTEXT as CTX, policyPercept as percept } from './helpers/policy-percepts.ts';
import type { VoiceInfo } from '../src/events.ts';

function voice(speaker: string): VoiceInfo {
  return { speaker, whisper: false, loud: false, fast: false, arousal: 'calm', arousalScore: 0, f0Hz: 150, f0RangeSt: 3, voicedRatio: 0.7, levelDb: -20, relLevelDb: 0, rateSyllPerSec: 4, tiltDb: -10, startS: 0, endS: 1 } as VoiceInfo;
}

async function run(second: string, secondSpeaker: string): Promise<string[]> {
  const rules = new RulePolicy(new Assistant(), null);
  const replies: string[] = [];
  const utterances: Record<number, FinalTranscript> = {
    5: { text: 'the printer is out of paper again so i went to the shop and', utterance: 1, voice: voice('S1') },
    8: { text: second, utterance: 2, voice: voice(secondSpeaker) },
  };
  for (let i = 0; i < 20; i++) {
    const d = await rules.decide(percept(i, utterances[i]), CTX);
    for (const r of d.responses) replies.push(r.text ?? '');
  }
  return replies;
}

test('a question from another speaker after a held "… and" fragment is answered on its own', async () => {
  const replies = await run('what is your name', 'S2');
  assert.ok(replies.some((r) => /soundflow/i.test(r)), `replies: ${JSON.stringify(replies)}`);
});

test('the same speaker continuing a held fragment is still joined (no answer to talk)', async () => {
  const replies = await run('what is your name', 'S1');
  assert.deepEqual(replies, []);
});

test('a short continuation joins the held fragment even when the speaker label changes', async () => {
  // "what is eleven times" … "nine": a one-word label is too short to trust.
  const rules = new RulePolicy(new Assistant(), null);
  const replies: string[] = [];
  const utterances: Record<number, FinalTranscript> = {
    5: { text: 'what is eleven times', utterance: 1, voice: voice('S1') },
    8: { text: 'nine', utterance: 2, voice: voice('S2') },
  };
  for (let i = 0; i < 20; i++) {
    const d = await rules.decide(percept(i, utterances[i]), CTX);
    for (const r of d.responses) replies.push(r.text ?? '');
  }
  assert.ok(replies.some((r) => r.includes('99')), `replies: ${JSON.stringify(replies)}`);
});
