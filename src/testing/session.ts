// Runs real audio through a session and collects every event it emits.
import { createEngine } from '../engine/registry.ts';
import type { SessionOptions } from '../engine/options.ts';
import type { Session } from '../engine/types.ts';
import type { EventOf, SessionEvent } from '../events.ts';

/** Pushes `audio` in pieces of `piece` samples into `session`, ends it, and returns its events. */
export async function collect(session: Session, audio: Float32Array, piece = 4000): Promise<SessionEvent[]> {
  const events: SessionEvent[] = [];
  const reader = (async () => {
    for await (const ev of session) events.push(ev);
  })();
  for (let i = 0; i < audio.length; i += piece) await session.push(audio.subarray(i, i + piece));
  await session.end();
  await reader;
  return events;
}

/** A fresh embedded engine and session over `audio`. */
export async function runSession(audio: Float32Array, opts: Partial<SessionOptions> = {}, piece = 4000): Promise<SessionEvent[]> {
  const engine = await createEngine('embedded');
  try {
    return await collect(await engine.createSession(opts), audio, piece);
  } finally {
    await engine.close?.();
  }
}

export const eventsOf = <T extends SessionEvent['type']>(events: SessionEvent[], type: T): EventOf<T>[] =>
  events.filter((e): e is EventOf<T> => e.type === type);
