// What the assistant does with a finished utterance (spoken or typed): instructions change the active
// tasks (and are acknowledged), active tasks produce their output (transcription, translation), and the
// offline skills (or an LLM endpoint, when configured) answer questions put to it. Everything else —
// chatter between other people, a TV, garbled audio — gets silence.
import type { Emotion, SessionEvent } from '../events.ts';
import { parseInstruction } from '../instructions/parser.ts';
import { TaskManager } from '../decision/task-manager.ts';
import { answer } from './skills/index.ts';
import { translate } from './translate/apertium.ts';
import { findLanguage } from '../instructions/languages.ts';
import type { ChatModel } from './chat-model.ts';
import type { HandlerResult, UtteranceHandler } from '../decision/rules.ts';
import type { ResponsePlan } from '../decision/types.ts';
import { errorMessage } from '../util/errors.ts';

const SILENT = (reason: string, events: SessionEvent[] = []): HandlerResult => ({ responses: [], events, reason });

export interface AssistantDeps {
  /** Answers questions the offline skills cannot (an LLM endpoint); none: the skills' fallback line. */
  chat?: ChatModel | null;
  /** Wall clock for time/date answers (tests pin it). */
  now?: () => Date;
}

export class Assistant implements UtteranceHandler {
  readonly tasks: TaskManager;
  private timers: { due: number; text: string }[] = [];
  private readonly now: () => Date;
  private readonly llm: ChatModel | null;
  /** Errors from asynchronous producers (LLM/translation), surfaced at the next chunk. */
  private readonly pendingEvents: SessionEvent[] = [];

  constructor(deps: AssistantDeps = {}) {
    this.tasks = new TaskManager();
    this.now = deps.now ?? (() => new Date());
    this.llm = deps.chat ?? null;
  }

  onUtterance(u: { text: string; command?: string; t: number; typed: boolean; overheard?: boolean }): HandlerResult {
    const { text, t } = u;
    // Instructions and questions: the grammar's reading first (it is right far more often on them).
    // A voice other than the enrolled user's (not naming us) gives no instructions and gets no answers;
    // active tasks (transcription, translation) still take its words.
    const fromCommand = u.command && !u.overheard ? parseInstruction(u.command) : null;
    const parsed = u.overheard ? null : fromCommand ?? parseInstruction(text);
    const heard = fromCommand ? u.command : undefined;
    if (parsed) {
      const update = this.tasks.apply(parsed, t);
      const events: SessionEvent[] = [...update.ended, ...update.started];
      // A spoken "stop" with nothing running is most likely overheard: no need to answer it.
      if (!u.typed && parsed.type === 'task' && parsed.task.kind === 'stop' && update.ended.length === 0) {
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

    const responses: ResponsePlan[] = [];
    const quiet = this.tasks.isQuiet(t);
    if (this.tasks.has('transcribe')) responses.push({ task: 'transcribe', emotion: 'normal', text, spoken: false });
    for (const task of this.tasks.active()) {
      if (task.kind !== 'translate') continue;
      const lang = findLanguage(task.targetLang);
      responses.push({
        task: 'translate',
        emotion: 'normal',
        voice: lang?.voice,
        spoken: !quiet,
        produce: (signal) => this.translated(text, task.targetLang, signal),
      });
    }
    if (responses.length) return { responses, events: [], reason: responses.map((r) => r.task).join('+') };
    if (u.overheard) return SILENT('overheard');

    const addressed = u.typed || this.tasks.has('chat');
    const ctx = { now: this.now(), addressed };
    const fromGrammar = u.command ? answer(u.command, ctx) : null;
    const a = fromGrammar && fromGrammar.skill !== 'fallback' ? fromGrammar : answer(text, ctx);
    const answeredHeard = a === fromGrammar ? u.command : undefined;
    if (a && a.skill !== 'fallback') {
      if (quiet) return SILENT('quiet');
      if (a.timer) this.timers.push({ due: t + a.timer.seconds, text: a.timer.doneText });
      if (a.cancelTimers) this.timers = [];
      return { responses: [{ task: 'chat', emotion: a.emotion, text: a.text }], events: [], reason: `answer:${a.skill}`, heard: answeredHeard };
    }
    if (a && this.llm && !quiet) {
      // A question put to us that the offline skills cannot answer: ask the LLM, fall back on error.
      return { responses: [{ task: 'chat', emotion: 'normal', produce: (signal) => this.fromLlm(text, a.text, signal) }], events: [], reason: 'answer:llm' };
    }
    if (a) return quiet ? SILENT('quiet') : { responses: [{ task: 'chat', emotion: a.emotion, text: a.text }], events: [], reason: 'answer:fallback' };
    return SILENT('not-addressed');
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
