// Answering in kind, from the voice perception measured on the user's utterance:
// - a whispered request gets a whispered reply (emotion 'whisper': espeak's whisper variant, low volume);
// - a stressed voice gets a shorter, calmer, slower reply (emotion 'calm', first sentence only), and when
//   it follows an alarm or a fall, a proactive "Are you all right?";
// - with an enrolled user, other voices are overheard unless they address the assistant by name;
// - "this is my voice" enrols the speaker who said it;
// - an utterance no louder than the room's (new) noise floor is the room, not a request.
import type { SessionEvent } from '../events.ts';
import type { VoiceInfo } from '../perception/voice/types.ts';
import { normalizeInstruction } from '../instructions/parser.ts';
import type { ResponsePlan } from './types.ts';

/** Sounds after which a stressed voice gets asked whether all is well (labels of the sound model). */
const DISTRESS_SOUNDS = /alarm|fall|thud|crash|glass|scream/;
/** How long after such a sound a stressed voice is taken as related to it, s. */
const CARE_WINDOW_S = 60;

const ENROL = /\b(?:this is|that is|that s|thats|it is|it s|its|here is|here s|heres) my voice\b|\b(?:remember|learn|know|enrol|enroll|save) my voice\b/;
/** The assistant's name, as pocketsphinx spells it back (the same forms the skills accept). */
const NAMED = /^(?:(?:hey|hi|hello|ok|okay|oh|a)\s+)?(?:soundflow|sound flow|sound flows|sound flower|sounds flow)\b/;

export const ENROLLED_TEXT = "Okay, I'll know your voice.";
export const CARE_TEXT = 'Are you all right? I am here. Tell me if you need help.';

/** True when the utterance asks to enrol the speaker's voice. */
export function isEnrolment(text: string): boolean {
  return ENROL.test(normalizeInstruction(text));
}

/**
 * Below this many dB over the room's floor (as the acoustic context knows it when the utterance ends),
 * an "utterance" is the room itself: a noise step that set the VAD off before the floor caught up.
 */
export const MIN_UTTERANCE_SNR_DB = 2;

/**
 * Shorter than any spoken word (s of speaking time): the recogniser still makes a word of it ("hello" from
 * 70 ms of orchestral music, "one" from 30 ms; bench/music-replies.ts). espeak-ng one-syllable words
 * measure 0.19–0.40 s at 160 wpm and 0.11–0.26 s at 220 wpm ("stop", en+m3: 0.11).
 */
export const MIN_UTTERANCE_SPEECH_S = 0.09;

/** The utterance does not stand out of the current noise floor, or is too short to be a word. */
export function isRoomNoise(voice: VoiceInfo | undefined): boolean {
  return (voice?.snrDb !== undefined && voice.snrDb < MIN_UTTERANCE_SNR_DB) || (voice?.speechS !== undefined && voice.speechS < MIN_UTTERANCE_SPEECH_S);
}

/** True when the utterance names the assistant (its wake word). */
export function addressesAssistant(text: string): boolean {
  return NAMED.test(normalizeInstruction(text));
}

export class VoiceStyler {
  private lastDistress = -Infinity;

  /**
   * Remembers alarms and falls reported in a chunk's events. Only in chunks without speech: the sound
   * model hears "thud_fall" in some voices (measured p = 0.76 on flite slt), also in a voice's tail.
   */
  noteEvents(events: readonly SessionEvent[], t: number, speech = 0): void {
    if (speech > 0) return;
    for (const e of events) if (e.type === 'sound' && DISTRESS_SOUNDS.test(e.label)) this.lastDistress = t;
  }

  /** Another voice than the enrolled user's, not addressing the assistant: heard, not answered. */
  overheard(voice: VoiceInfo | undefined, text: string): boolean {
    return voice?.user === false && !addressesAssistant(text);
  }

  /** Adapts the replies to how the user spoke; may add proactive care. */
  style(responses: ResponsePlan[], voice: VoiceInfo | undefined, t: number): ResponsePlan[] {
    if (!voice) return responses;
    if (voice.whisper) return responses.map((r) => (r.spoken === false || r.urgent ? r : { ...r, emotion: 'whisper' }));
    if (voice.arousal !== 'stressed') return responses;
    const out = responses.map((r) => (r.spoken === false || r.urgent ? r : { ...r, emotion: 'calm' as const, ...(r.text ? { text: firstSentence(r.text) } : {}) }));
    if (t - this.lastDistress <= CARE_WINDOW_S) {
      this.lastDistress = -Infinity; // ask once per event
      out.unshift({ task: 'chat', emotion: 'calm', text: CARE_TEXT });
    }
    return out;
  }
}

function firstSentence(text: string): string {
  const m = /^(.+?[.!?])(\s|$)/.exec(text.trim());
  return m ? m[1] : text;
}
