// Several sound handlers behind one (the sound watcher's alerts and counting, pending sound questions):
// each sees every chunk; their events and replies are joined in order.
import type { HandlerResult, SoundHandler } from './rules.ts';
import type { Percept } from '../perception/types.ts';

export class SoundHandlers implements SoundHandler {
  constructor(private readonly handlers: SoundHandler[]) {}

  onChunk(p: Percept, userSpeaking: boolean): HandlerResult | null {
    let out: HandlerResult | null = null;
    for (const h of this.handlers) {
      const r = h.onChunk(p, userSpeaking);
      if (!r) continue;
      if (!out) out = { responses: [...r.responses], events: [...r.events], reason: r.reason };
      else {
        out.events.push(...r.events);
        out.responses.push(...r.responses);
        if (r.responses.length && !out.responses.length) out.reason = r.reason;
      }
    }
    return out;
  }

  inMusic(): boolean {
    return this.handlers.some((h) => h.inMusic?.() ?? false);
  }
}
