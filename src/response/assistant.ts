// What the assistant does with a finished utterance (spoken or typed): instructions change the active
// tasks (and are acknowledged), active tasks produce their output (transcription, translation), and the
// offline skills (or an LLM endpoint, when configured) answer questions put to it. Everything else —
// chatter between other people, a TV, garbled audio — gets silence.
import type { Emotion, SessionEvent } from '../events.ts';
import { parseInstruction } from '../instructions/parser.ts';
import { parseSoundQuestion } from '../instructions/sound-questions.ts';
import { SoundQuestions } from '../decision/sound-questions.ts';
import { MusicStyleClassifier } from '../perception/music/classifier.ts';
import { TaskManager } from '../decision/task-manager.ts';
import { translate } from './translate/apertium.ts';
import { findLanguage } from '../instructions/languages.ts';
import type { ChatModel } from './chat-model.ts';
import type { HandlerResult, HeardUtterance, UtteranceHandler } from '../decision/rules.ts';
import type { ResponsePlan } from '../decision/types.ts';
import { errorMessage } from '../util/errors.ts';
import type { ParsedInstruction } from '../instructions/types.ts';
import { commandContradicted, Understander, type Understanding } from './understanding/understand.ts';
import { cannotAnswerSoundQuestion, SoundQuestionRegistry } from './understanding/sound-questions.ts';
import { cannotTranslateInto } from './understanding/limits.ts';
import { findWorldLanguage } from '../instructions/world-languages.ts';

const SILENT = (reason: string, events: SessionEvent[] = []): HandlerResult => ({ responses: [], events, reason });

export interface AssistantDeps {
  /** Answers questions the offline skills cannot (an LLM endpoint); none: the skills' fallback line. */
  chat?: ChatModel | null;
  /** Wall clock for time/date answers (tests pin it). */
  now?: () => Date;
  /**
   * Questions about sounds ("what is that noise?") can be answered: false where no sound model runs
   * (server_vad turn detection), so they get an honest reply instead of a task nothing would end.
   */
  soundQuestions?: boolean;
  /** Extra handlers for sound questions the pending-question tasks do not take; none = an honest "not yet". */
  soundQuestionHandlers?: SoundQuestionRegistry;
}

export class Assistant implements UtteranceHandler {
  readonly tasks: TaskManager;
  /** Pending questions about sounds ("what style is this music?"), answered by later chunks. */
  readonly questions: SoundQuestions;
  private readonly hearsSounds: boolean;
  /** Handlers for sound questions the pending tasks do not parse; none = an honest "not yet". */
  readonly soundQuestions: SoundQuestionRegistry;
  private readonly understander = new Understander();
  private timers: { due: number; text: string }[] = [];
  private readonly now: () => Date;
  private readonly llm: ChatModel | null;
  /** Errors from asynchronous producers (LLM/translation), surfaced at the next chunk. */
  private readonly pendingEvents: SessionEvent[] = [];

  constructor(deps: AssistantDeps = {}) {
    this.tasks = new TaskManager();
    this.questions = new SoundQuestions(loadMusicStyle);
    this.hearsSounds = deps.soundQuestions ?? true;
    this.now = deps.now ?? (() => new Date());
    this.soundQuestions = deps.soundQuestionHandlers ?? new SoundQuestionRegistry();
    this.llm = deps.chat ?? null;
  }

  onUtterance(utterance: HeardUtterance): HandlerResult {
    const { text, t } = utterance;
    const safeText = typeof text === 'string' ? text : '';
    // A grammar reading nothing else heard, put on an addressed request the grammar cannot say, is not used.
    const u = commandContradicted({ ...utterance, text: safeText }) ? { ...utterance, command: undefined } : utterance;
    // The answer to a confirmation question we just asked ("Count the dog barks?" — "yes").
    const follow = u.overheard ? null : this.understander.followUp(safeText, t);
    if (follow) return this.act(follow, t, u.typed);
    const asked = u.overheard ? null : this.askAboutSound({ text: safeText, command: u.command, t });
    if (asked) return asked;
    // Instructions and questions: the grammar's reading first (it is right far more often on them).
    // A voice other than the enrolled user's (not naming us) gives no instructions and gets no answers;
    // active tasks (transcription, translation) still take its words.
    const fromCommand = u.command && !u.overheard ? parseInstruction(u.command) : null;
    const parsed = u.overheard ? null : fromCommand ?? parseInstruction(safeText);
    const heard = fromCommand ? u.command : undefined;
    if (parsed) return this.instruction(parsed, t, u.typed, heard);

    const responses: ResponsePlan[] = [];
    const quiet = this.tasks.isQuiet(t);
    if (this.tasks.has('transcribe')) responses.push({ task: 'transcribe', emotion: 'normal', text: safeText, spoken: false });
    for (const task of this.tasks.active()) {
      if (task.kind !== 'translate') continue;
      const lang = findLanguage(task.targetLang);
      const world = lang ? undefined : findWorldLanguage(task.targetLang);
      responses.push({
        task: 'translate',
        emotion: 'normal',
        voice: lang?.voice ?? world?.voice,
        spoken: !quiet,
        produce: (signal) => (lang ? this.translated(safeText, task.targetLang, signal) : this.llmTranslated(safeText, world?.name ?? task.targetLang, signal)),
      });
    }
    if (responses.length) return { responses, events: [], reason: responses.map((r) => r.task).join('+') };
    if (u.overheard) return SILENT('overheard');

    const understood = this.understander.understand({
      text: safeText, command: u.command, candidate: u.candidate, alternatives: u.alternatives, typed: u.typed,
      addressedHint: this.tasks.has('chat'), afterReply: u.afterReply, now: this.now(), t,
    });
    return this.act(understood, t, u.typed);
  }

  /** Carries out what was understood: a task change, an answer, a question back, an honest limit. */
  private act(un: Understanding, t: number, typed: boolean): HandlerResult {
    const quiet = this.tasks.isQuiet(t);
    const heard = un.source === 'open' || un.source === 'typed' ? undefined : un.heard;
    if (un.confirm) {
      if (quiet) return SILENT('quiet');
      return { responses: [{ task: 'chat', emotion: 'normal', text: un.confirm }], events: [], reason: 'confirm', heard };
    }
    const intent = un.intent;
    switch (intent.kind) {
      case 'instruction':
        return this.instruction(intent.parsed, t, typed || un.source === 'confirmed', heard);
      case 'skill': {
        const a = intent.answer;
        if (quiet) return SILENT('quiet');
        if (a.timer) this.timers.push({ due: t + a.timer.seconds, text: a.timer.doneText });
        if (a.cancelTimers) this.timers = [];
        return { responses: [{ task: 'chat', emotion: a.emotion, text: a.text }], events: [], reason: `answer:${a.skill}`, heard };
      }
      case 'sound_question': {
        // The pending-question tasks first (they read the repaired text too), then registered handlers.
        const pending = this.askAboutSound({ text: intent.question.text, t });
        if (pending) return { ...pending, heard };
        const r = this.soundQuestions.handle(intent.question, t);
        if (r) return { ...r, heard };
        if (quiet) return SILENT('quiet');
        return { responses: [{ task: 'chat', emotion: 'sad', text: cannotAnswerSoundQuestion(intent.question) }], events: [], reason: 'sound-question:unanswered', heard };
      }
      case 'out_of_scope': {
        if (quiet) return SILENT('quiet');
        const limit = intent.limit;
        if (this.llm && limit.topic === 'translate_language' && limit.language) {
          return this.instruction({ type: 'task', task: { kind: 'translate', targetLang: limit.language.code }, ack: true, text: intent.text }, t, typed);
        }
        if (this.llm) {
          // A request the offline skills cannot serve: ask the LLM, fall back to the honest limit on error.
          return { responses: [{ task: 'chat', emotion: 'normal', produce: (signal) => this.fromLlm(intent.text, limit.reply, signal) }], events: [], reason: 'answer:llm' };
        }
        return { responses: [{ task: 'chat', emotion: 'sad', text: limit.reply }], events: [], reason: 'answer:fallback' };
      }
      case 'declined':
        return quiet ? SILENT('quiet') : { responses: [{ task: 'chat', emotion: 'normal', text: 'Okay.' }], events: [], reason: 'confirm:declined' };
      case 'none':
        return SILENT('not-addressed');
    }
  }

  private instruction(parsed: ParsedInstruction, t: number, typed: boolean, heard?: string): HandlerResult {
    // Into a language Apertium lacks: the LLM translates when configured; offline, an honest refusal.
    if (parsed.type === 'refusal' && parsed.code === 'unsupported_language') {
      const world = findWorldLanguage(parsed.requested);
      if (this.llm && world && world.code !== 'en') parsed = { type: 'task', task: { kind: 'translate', targetLang: world.code }, ack: true, text: parsed.text };
      else parsed = { ...parsed, message: cannotTranslateInto(world?.name ?? parsed.requested) };
    }
    // Spoken replies stay short: a few examples rather than the parser's long list.
    if (parsed.type === 'refusal' && parsed.code === 'unknown_sound') {
      parsed = { ...parsed, message: "Sorry, I don't know that sound. I can listen for sounds like a dog barking, a knock, the doorbell, a baby crying or the phone." };
    }
    const update = this.tasks.apply(parsed, t);
    const events: SessionEvent[] = [...update.ended, ...update.started];
    // A spoken "stop" with nothing running is most likely overheard: no need to answer it.
    if (!typed && parsed.type === 'task' && parsed.task.kind === 'stop' && update.ended.length === 0) {
      return { ...SILENT('instruction:nothing-to-stop', events), heard };
    }
    if (!update.ack) return { ...SILENT('instruction', events), heard };
    return {
      responses: [{ task: 'ack', emotion: update.refused ? 'sad' : 'normal', text: update.ack }],
      events,
      reason: update.refused ? 'instruction:refused' : 'instruction',
      heard,
    };
  }

  /** A question about what is heard starts a pending task (src/decision/sound-questions.ts). */
  private askAboutSound(u: { text: string; command?: string; t: number }): HandlerResult | null {
    const fromCommand = u.command ? parseSoundQuestion(u.command) : null;
    const q = fromCommand ?? parseSoundQuestion(u.text);
    if (!q) return null;
    const heard = fromCommand ? u.command : undefined;
    if (!this.hearsSounds) {
      // No sound model runs in this mode: nothing would ever answer the question.
      return { responses: [{ task: 'chat', emotion: 'sad', text: "Sorry, I can't listen for sounds in this mode." }], events: [], reason: 'question:unsupported', heard };
    }
    return { ...this.questions.ask(q, u.t, heard ?? u.text), heard };
  }

  tick(t: number): HandlerResult | null {
    const events: SessionEvent[] = [...this.tasks.tick(t), ...this.pendingEvents.splice(0)];
    const due = this.timers.filter((x) => t >= x.due);
    this.timers = this.timers.filter((x) => t < x.due);
    const responses: ResponsePlan[] = due.map((x) => ({ task: 'chat', emotion: 'surprise' as Emotion, text: x.text, urgent: true }));
    if (!events.length && !responses.length) return null;
    return { responses, events, reason: responses.length ? 'timer' : 'tasks' };
  }

  private async *translated(text: string, to: string, signal: AbortSignal): AsyncIterable<string> {
    const out = await translate(text, { from: 'en', to });
    if (!signal.aborted) yield out;
  }

  private async *llmTranslated(text: string, language: string, signal: AbortSignal): AsyncIterable<string> {
    try {
      const stream = this.llm!.translate ? this.llm!.translate(text, language, signal) : this.llm!.reply(`Translate into ${language}, reply with the translation only: ${text}`, signal);
      for await (const delta of stream) yield delta;
    } catch (err) {
      if (signal.aborted) return;
      this.pendingEvents.push({ type: 'error', code: 'llm_failed', message: `LLM endpoint failed, no translation into ${language}: ${errorMessage(err)}`, recoverable: true });
    }
  }

  private async *fromLlm(text: string, fallback: string, signal: AbortSignal): AsyncIterable<string> {
    let any = false;
    try {
      for await (const delta of this.llm!.reply(text, signal)) {
        any = true;
        yield delta;
      }
    } catch (err) {
      if (signal.aborted) return;
      this.pendingEvents.push({ type: 'error', code: 'llm_failed', message: `LLM endpoint failed, answering offline: ${errorMessage(err)}`, recoverable: true });
      if (!any) yield fallback;
    }
  }
}

let musicStyle: MusicStyleClassifier | null | undefined;
/** Loads the music-style model once per process; null when it is missing (the answer says so). */
function loadMusicStyle(): MusicStyleClassifier | null {
  if (musicStyle === undefined) {
    try {
      musicStyle = MusicStyleClassifier.load();
    } catch {
      musicStyle = null;
    }
  }
  return musicStyle;
}
