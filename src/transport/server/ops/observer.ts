// What the server tells its metrics about sessions. A small interface so the measurement points
// (connections, wherever the engine runs) do not depend on prom-client, and a no-op for embedders
// that do not want metrics.
export interface SessionObserver {
  sessionOpened(protocol: 'native' | 'realtime'): void;
  sessionClosed(durationS: number): void;
  /** Audio completing a chunk reached the server -> that chunk's event left the engine. */
  chunk(latencyMs: number, missedDeadline: boolean): void;
  /** Audio completing a chunk -> the engine decided to respond on it. */
  decision(latencyMs: number): void;
  /** Respond decision -> first reply audio sent. */
  replyStart(latencyMs: number): void;
  droppedAudio(bytes: number): void;
  /** An `error` event sent to a client. */
  error(code: string): void;
  /** A connection paused for exceeding its budget. */
  throttled(): void;
}

export const NO_OBSERVER: SessionObserver = {
  sessionOpened() {},
  sessionClosed() {},
  chunk() {},
  decision() {},
  replyStart() {},
  droppedAudio() {},
  error() {},
  throttled() {},
};

/** Sends every report to each observer (metrics, memory upkeep, ...). */
export function fanOut(...observers: Partial<SessionObserver>[]): SessionObserver {
  const call = <K extends keyof SessionObserver>(k: K) =>
    ((...args: unknown[]) => {
      for (const o of observers) (o[k] as ((...a: unknown[]) => void) | undefined)?.(...args);
    }) as SessionObserver[K];
  return {
    sessionOpened: call('sessionOpened'),
    sessionClosed: call('sessionClosed'),
    chunk: call('chunk'),
    decision: call('decision'),
    replyStart: call('replyStart'),
    droppedAudio: call('droppedAudio'),
    error: call('error'),
    throttled: call('throttled'),
  };
}
