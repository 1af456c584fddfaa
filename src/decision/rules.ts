// Decision v1, rule-based. Per chunk:
// - user speech ends (VAD silence) → wait for the final transcript; if it reads as unfinished
//   ("what is the"), hold for a longer pause (comprehension-aware silence) instead of answering;
// - a finished utterance goes to the utterance handler (instructions, active tasks, offline skills),
//   which says whether and how to reply; background chatter gets no reply;
// - sounds go to the sound handler (proactive alerts, counting);
// - user speech starting while a reply plays cuts the reply (barge-in).
// The echo guard drops utterances that repeat what the assistant itself just said.
import { grammarCompletedSum, soundsUnfinished } from '../instructions/unfinished.ts';
import { parseInstruction } from '../instructions/parser.ts';
import type { SessionEvent } from '../events.ts';
import type { Percept } from '../perception/types.ts';
import type { ChunkDecision, DecisionContext, Policy, ResponsePlan } from './types.ts';
import type { VoiceInfo } from '../perception/voice/types.ts';
import { addressesAssistant, ENROLLED_TEXT, isEnrolment, isRoomNoise, VoiceStyler } from './voice-style.ts';

export interface HandlerResult {
  responses: ResponsePlan[];
  events: SessionEvent[];
  /** Why (for the chunk event), e.g. "answer", "instruction", "not-addressed". */
  reason: string;
  /** The reading of the utterance the handler acted on, when it preferred the grammar's. */
  heard?: string;
}

/**
 * A finished utterance as the handler gets it. `text` is the open-vocabulary transcript; `command` the
 * grammar's reading when it accepted one (better for instructions and questions, wrong for free speech
 * such as a sentence to translate).
 */
export interface HeardUtterance {
  text: string;
  command?: string;
  candidate?: string;
  alternatives?: string[];
  t: number;
  typed: boolean;
  afterReply?: boolean;
  overheard?: boolean;
  commandFloored?: boolean;
  /** The open decode's mean word fit (FinalTranscript.openFit). */
  openFit?: number;
}

/** Turns finished utterances (spoken or typed) into replies and task changes. */
export interface UtteranceHandler {
  onUtterance(u: HeardUtterance): Promise<HandlerResult> | HandlerResult;
  /** Time-driven work: timers, quiet periods ending. */
  tick(t: number): HandlerResult | null;
}

/** Looks at every chunk's sounds: proactive alerts and live counting. */
/** In a music scene, an utterance that is not a command must stand this far out of the music (dB). */
const MUSIC_MIN_UTTERANCE_SNR_DB = 8;

export interface SoundHandler {
  onChunk(p: Percept, userSpeaking: boolean): HandlerResult | null;
  /** Music is playing (as of the last chunk): what the recogniser makes of it is not someone talking to us. */
  inMusic?(): boolean;
}

export interface RulePolicyOptions {
  /** Extra silence granted to an utterance that sounds unfinished, ms. */
  holdMs: number;
  /** Word-overlap ratio above which an utterance counts as our own echo. */
  echoOverlap: number;
  /** Share of an utterance's speech chunks the acoustic guard called echo above which it is our own. */
  echoShare: number;
  /** server_vad baseline: reply to every utterance end, no sounds. */
  respondToAllSpeech: boolean;
}

/** An utterance this soon after our reply is likely an answer to it ("thank you"). */
const AFTER_REPLY_S = 10;

/** Handler outcomes that only state a limit: worth a pause's wait rather than a cut-in. */
const HOLD_BEFORE = new Set(['answer:fallback', 'sound-question:unanswered']);

const DEFAULTS: RulePolicyOptions = { holdMs: 1200, echoOverlap: 0.6, echoShare: 0.5, respondToAllSpeech: false };

// The unfinished-ending list is part of the instruction language (perception reads it too).
export { soundsUnfinished };

const FUNCTION_WORDS = new Set([
  'a', 'an', 'the', 'is', 'are', 'i', 'you', 'me', 'my', 'your', 'it', 'to', 'into', 'of', 'for', 'what', 'whats',
  'how', 'please', 'can', 'could', 'do', 'does', 'and', 'on', 'in', 'at', 'this', 'that', 'hey', 'be', 'when', 'if',
  // Auxiliaries carry no content either: "what was that sound" shared only "was" with "when was the eiffel
  // tower built" and was taken as the grammar's word.
  'was', 'were', 'did', 'has', 'have', 'had', 'will', 'would', 'am',
]);

/**
 * A grammar reading its own thresholds rejected still counts when the open decoder heard most of the
 * same content words: two independent decoders agreeing is strong evidence ("translate what i say into
 * spanish" vs an open "translate what i say it does have is"), while a forced reading of chatter rarely
 * shares its content words with the open transcript.
 */
export function agreedCommand(candidate: string | undefined, open: string): string | undefined {
  if (!candidate) return undefined;
  const content = (candidate.toLowerCase().match(/[a-z']+/g) ?? []).filter((w) => !FUNCTION_WORDS.has(w));
  if (content.length === 0) return undefined;
  const heard = new Set(open.toLowerCase().match(/[a-z']+/g) ?? []);
  const shared = content.filter((w) => heard.has(w)).length;
  return shared / content.length >= 0.5 && shared >= 1 ? candidate : undefined;
}

export function wordOverlap(a: string, b: string): number {
  const wa = a.toLowerCase().match(/[a-z']+/g) ?? [];
  const wb = new Set(b.toLowerCase().match(/[a-z']+/g) ?? []);
  if (wa.length === 0) return 0;
  return wa.filter((w) => wb.has(w)).length / wa.length;
}

export class RulePolicy implements Policy {
  private readonly opts: RulePolicyOptions;
  /** Text of an utterance held back because it sounded unfinished. */
  private held: Held | null = null;
  /** Replies in kind to how the user spoke (whisper, stress), enrolment, overheard voices. */
  private readonly voiceStyle = new VoiceStyler();
  private lastPartial = '';
  /** Stream time of our last reply (from the decision context), for "thank you" right after it. */
  private lastReplyT = -Infinity;
  /** Echo of the current reply has been heard (the VAD may stay "in speech" because of it). */
  private echoSeen = false;
  /** Speech chunks of the current utterance (since it started or last cut a reply), and how many the
   *  acoustic guard called our own echo: a noisy transcript of the echo may share few words with the
   *  reply text, but an utterance that was mostly echo while it was heard is ours. */
  private utteranceChunks = 0;
  private utteranceEchoChunks = 0;

  constructor(
    private readonly utterances: UtteranceHandler,
    private readonly sounds: SoundHandler | null,
    options: Partial<RulePolicyOptions> = {},
  ) {
    this.opts = { ...DEFAULTS, ...options };
  }

  instruct(text: string, t: number): ChunkDecision {
    const r = this.utterances.onUtterance({ text, t, typed: true });
    if (r instanceof Promise) throw new Error('typed instructions must be handled synchronously');
    return { decision: r.responses.length ? 'respond' : 'silent', reason: r.reason, responses: r.responses, events: r.events };
  }

  async decide(p: Percept, ctx: DecisionContext): Promise<ChunkDecision> {
    const t = p.chunk.t;
    this.lastReplyT = ctx.lastReplyT;
    const events: SessionEvent[] = [];
    const responses: ResponsePlan[] = [];
    let reason = p.inSpeech ? 'speech' : p.speech > 0 ? 'speech-tail' : 'quiet';
    let interrupt = false;

    if (p.speechStarted) events.push({ type: 'speech.started', t });
    // Barge-in: the user speaks while a reply plays. Our own voice leaking back through a microphone is
    // not the user (the acoustic echo guard), and since echo keeps the VAD "in speech", a real
    // interruption during echo shows as speech the guard cannot explain rather than as a new start.
    if (ctx.speaking && !ctx.echo && (p.speechStarted || (p.inSpeech && p.speech >= 0.5 && this.echoSeen))) {
      interrupt = true;
      reason = 'barge-in';
    }
    this.echoSeen = ctx.speaking && (ctx.echo || (this.echoSeen && !interrupt));
    if (p.speechStarted || interrupt) this.utteranceChunks = this.utteranceEchoChunks = 0;
    if (p.inSpeech) {
      this.utteranceChunks++;
      if (ctx.speaking && ctx.echo) this.utteranceEchoChunks++;
    }

    const partial = p.partialNow?.() ?? null;
    if (partial && partial.text !== this.lastPartial && !p.final) {
      this.lastPartial = partial.text;
      events.push({ type: 'transcript', t, text: partial.text, final: false, utterance: partial.utterance });
    }

    if (p.final) {
      events.push({ type: 'speech.stopped', t });
      const fin = await p.final;
      this.lastPartial = '';
      if (fin?.fallback) {
        events.push({ type: 'error', code: fin.fallback.code, message: `ASR endpoint failed, using the local transcript: ${fin.fallback.message}`, recoverable: true });
      }
      if (fin && fin.text) {
        const transcript: SessionEvent = {
          type: 'transcript', t, text: fin.text, final: true, utterance: fin.utterance,
          ...(fin.voice ? { speaker: fin.voice.speaker, voice: fin.voice } : {}),
        };
        events.push(transcript);
        const echo = ctx.recentOutput.some((o) => wordOverlap(fin.text, o) >= this.opts.echoOverlap)
          || (this.utteranceChunks > 0 && this.utteranceEchoChunks / this.utteranceChunks >= this.opts.echoShare);
        this.utteranceChunks = this.utteranceEchoChunks = 0;
        if (echo) {
          reason = 'echo';
        } else if (fin.room || isRoomNoise(fin.voice)) {
          reason = 'room-noise';
        } else if (this.sounds?.inMusic?.() && !fin.command && fin.voice?.snrDb !== undefined && fin.voice.snrDb < MUSIC_MIN_UTTERANCE_SNR_DB && !addressesAssistant(fin.text)) {
          // Vocals and instruments make words ("what whoa" at 5 dB over the music). Someone talking to us
          // over music stands out of it, says a command the grammar knows, or names the assistant.
          reason = 'music';
        } else if (fin.voice && p.enrollSpeaker && isEnrolment(fin.text)) {
          p.enrollSpeaker(fin.voice.speaker);
          responses.push(...this.voiceStyle.style([{ task: 'ack', emotion: 'normal', text: ENROLLED_TEXT }], fin.voice, t));
          reason = 'voice:enrolled';
        } else {
          if (this.held && anotherSpeaker(this.held, fin.text, fin.voice)) {
            // Someone else spoke after a held fragment (talk that ended on "and", then a question to us):
            // the fragment is settled on its own, and the new words are a new utterance.
            reason = await this.releaseHeld(t, responses, events);
          }
          const joined = this.held !== null;
          const text = this.held ? `${this.held.joinAs ?? this.held.text} ${fin.text}` : fin.text;
          this.held = null;
          // A sum the grammar finished with a number nobody said: held for the number still to come.
          const sumSoFar = joined || p.chunk.padded ? null : grammarCompletedSum(fin.command?.text ?? fin.commandCandidate, [fin.text, ...(fin.alternatives ?? [])]);
          if (sumSoFar !== null) {
            // Released on its own, it is acted on as heard (the grammar's reading, its candidate and the
            // n-best); joined, the continuation takes the place of the number the grammar made up.
            this.held = { text, since: t, command: fin.command?.text, candidate: fin.commandCandidate, alternatives: fin.alternatives, joinAs: sumSoFar, voice: fin.voice };
            reason = 'hold:unfinished';
          } else if (((soundsUnfinished(text) && !flooredInstruction(fin.command)) || (fin.command !== undefined && soundsUnfinished(fin.command.text))) && !p.chunk.padded) {
            // The grammar may complete a paused sentence on its own ("what is eleven times" → "… times
            // two"), so it never cuts the hold short; but when the speaker really stopped, its reading is
            // kept for the release ("what is seven times a" heard, "… times eight" read by the grammar).
            const command = joined || !fin.command || soundsUnfinished(fin.command.text) ? undefined : fin.command.text;
            this.held = { text, since: t, command, voice: fin.voice };
            reason = 'hold:unfinished';
          } else {
            const overheard = this.voiceStyle.overheard(fin.voice, text);
            const command = fin.command?.text ?? agreedCommand(fin.commandCandidate, fin.text);
            const r = await this.handle(text, t, command, overheard, fin.commandCandidate, fin.alternatives, !!fin.command?.floored, joined ? undefined : fin.openFit);
            // Show what was acted on: the grammar's reading of a command is the better transcript.
            if (r.heard) transcript.text = r.heard;
            if (!joined && !p.chunk.padded && !this.opts.respondToAllSpeech && HOLD_BEFORE.has(r.reason) && r.events.length === 0) {
              // "I can't answer that" to the first half of a paused question is a cut-in: such a reply
              // waits out the hold, so a continuation joins it and is answered whole.
              this.held = { text, since: t, command, voice: fin.voice };
              reason = 'hold:limit';
            } else {
              responses.push(...(overheard ? r.responses : this.voiceStyle.style(r.responses, fin.voice, t)));
              events.push(...r.events);
              reason = r.reason;
            }
          }
        }
      } else {
        reason = 'no-transcript';
      }
    } else if (p.finalPending) {
      // An utterance ended and its transcript is still being recognised (past the decision budget): the
      // turn is held, nothing is said on a guess, and a held fragment waits for it (it may continue it).
      reason = 'wait:transcript';
    } else if (this.held && !p.inSpeech && (t - this.held.since) * 1000 >= this.opts.holdMs) {
      reason = await this.releaseHeld(t, responses, events);
    }

    const tick = this.utterances.tick(t);
    if (tick) {
      responses.push(...tick.responses);
      events.push(...tick.events);
      if (tick.responses.length) reason = tick.reason;
    }

    if (this.sounds && !this.opts.respondToAllSpeech) {
      const s = this.sounds.onChunk(p, p.inSpeech);
      if (s) {
        events.push(...s.events);
        if (s.responses.length) {
          responses.push(...s.responses);
          reason = s.reason;
        }
      }
    }

    this.voiceStyle.noteEvents(events, t, p.inSpeech ? 1 : p.speech);
    return { decision: responses.length ? 'respond' : 'silent', reason, responses, events, interrupt };
  }

  /** Acts on the held fragment on its own (its hold ran out, or another speaker took over). */
  private async releaseHeld(t: number, responses: ResponsePlan[], events: SessionEvent[]): Promise<string> {
    const held = this.held!;
    this.held = null;
    const r = await this.handle(held.text, t, held.command, this.voiceStyle.overheard(held.voice, held.text), held.candidate, held.alternatives);
    responses.push(...this.voiceStyle.style(r.responses, held.voice, t));
    events.push(...r.events);
    return r.reason;
  }

  private async handle(text: string, t: number, command?: string, overheard = false, candidate?: string, alternatives?: string[], commandFloored = false, openFit?: number): Promise<HandlerResult> {
    const afterReply = t - this.lastReplyT <= AFTER_REPLY_S;
    const r = await this.utterances.onUtterance({ text, command, candidate, alternatives, t, typed: false, afterReply, ...(overheard ? { overheard } : {}), ...(commandFloored ? { commandFloored } : {}), ...(openFit !== undefined ? { openFit } : {}) });
    if (this.opts.respondToAllSpeech && r.responses.length === 0) {
      // The classic turn-taking baseline answers whatever it heard.
      return { ...r, responses: [{ task: 'chat', emotion: 'normal', text: "Sorry, I can't answer that offline." }], reason: 'end-of-turn' };
    }
    return r;
  }
}

/**
 * A complete instruction the grammar accepted only over a noise floor (a voice the recogniser fits badly,
 * grammar-recognizer.ts FloorRetry): the open transcript of such a voice is garble, so its ending ("it
 * totally theaters on" for "translate what i say into spanish") says nothing about the sentence being
 * unfinished. Sums are not covered: a paused sum's first half reads as a whole one (grammarCompletedSum).
 */
function flooredInstruction(command: { text: string; floored?: boolean } | undefined): boolean {
  return !!command?.floored && parseInstruction(command.text)?.type === 'task';
}

/** An utterance held back for its continuation. */
interface Held {
  text: string;
  since: number;
  command?: string;
  /** The grammar's rejected reading and the n-best, for acting on the fragment on its own. */
  candidate?: string;
  alternatives?: string[];
  /** What a continuation is joined to, when not `text` (a sum without the number the grammar made up). */
  joinAs?: string;
  voice?: VoiceInfo;
}

/**
 * A held fragment and the next utterance come from different speakers when the voice tracker gave them
 * different labels and both are long enough for the label to mean something (a one-word continuation
 * like "… nine" is too short to trust a label change, so it still joins).
 */
function anotherSpeaker(held: { text: string; voice?: VoiceInfo }, text: string, voice?: VoiceInfo): boolean {
  const words = (s: string) => s.split(/\s+/).filter(Boolean).length;
  return !!held.voice?.speaker && !!voice?.speaker && held.voice.speaker !== voice.speaker && words(held.text) >= 3 && words(text) >= 3;
}
