// The voice description is a public contract (the final transcript's `voice`), so it is declared in
// events.ts with the other event types; perception produces it.
export { AROUSALS, type Arousal, type VoiceInfo } from '../../events.ts';
