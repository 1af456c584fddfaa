// Prometheus metrics for one server (its own registry, so several servers in one process do not
// collide): sessions, chunk/decision/reply-start latency, missed chunk deadlines, dropped reply audio,
// errors by code, throttled connections, and the default process metrics (RSS, CPU, event-loop lag).
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { SessionObserver } from './observer.ts';

/** Seconds; chunk deadlines are 0.4 s, so the buckets are dense around it. */
const LATENCY_BUCKETS = [0.01, 0.025, 0.05, 0.1, 0.2, 0.3, 0.4, 0.6, 0.8, 1, 1.5, 2, 3, 5, 10];

export interface ServerGauges {
  sessionsActive(): number;
  draining(): boolean;
}

export class ServerMetrics implements SessionObserver {
  readonly registry = new Registry();
  private readonly sessionsTotal: Counter<'protocol'>;
  private readonly sessionSeconds: Histogram;
  private readonly chunkLatency: Histogram;
  private readonly decisionLatency: Histogram;
  private readonly replyStartLatency: Histogram;
  private readonly missed: Counter;
  private readonly droppedMessages: Counter;
  private readonly droppedBytes: Counter;
  private readonly errors: Counter<'code'>;
  private readonly throttles: Counter;
  readonly uncaught: Counter;

  constructor(gauges: ServerGauges, opts: { defaultMetrics?: boolean } = {}) {
    const registers = [this.registry];
    if (opts.defaultMetrics !== false) collectDefaultMetrics({ register: this.registry });
    new Gauge({ name: 'soundflow_sessions_active', help: 'Sessions (WebSocket connections) open now', registers, collect() { this.set(gauges.sessionsActive()); } });
    new Gauge({ name: 'soundflow_draining', help: '1 while the server drains (not ready for new sessions)', registers, collect() { this.set(gauges.draining() ? 1 : 0); } });
    new Gauge({ name: 'soundflow_rss_bytes', help: 'Resident set size of this process', registers, collect() { this.set(process.memoryUsage.rss()); } });
    this.sessionsTotal = new Counter({ name: 'soundflow_sessions_total', help: 'Sessions opened', labelNames: ['protocol'], registers });
    this.sessionSeconds = new Histogram({ name: 'soundflow_session_duration_seconds', help: 'Session wall-clock duration', buckets: [1, 10, 60, 300, 900, 3600, 10800], registers });
    this.chunkLatency = new Histogram({ name: 'soundflow_chunk_latency_seconds', help: 'Audio completing a chunk received -> its chunk event sent', buckets: LATENCY_BUCKETS, registers });
    this.decisionLatency = new Histogram({ name: 'soundflow_decision_latency_seconds', help: 'Audio completing a chunk received -> respond decision on it', buckets: LATENCY_BUCKETS, registers });
    this.replyStartLatency = new Histogram({ name: 'soundflow_reply_start_latency_seconds', help: 'Respond decision -> first reply audio sent', buckets: LATENCY_BUCKETS, registers });
    this.missed = new Counter({ name: 'soundflow_missed_chunk_deadlines_total', help: 'Chunks whose event came later than one chunk duration after their audio', registers });
    this.droppedMessages = new Counter({ name: 'soundflow_dropped_audio_messages_total', help: 'Reply audio messages dropped because the client read too slowly', registers });
    this.droppedBytes = new Counter({ name: 'soundflow_dropped_audio_bytes_total', help: 'Bytes of reply audio dropped because the client read too slowly', registers });
    this.errors = new Counter({ name: 'soundflow_errors_total', help: 'error events sent to clients, by code', labelNames: ['code'], registers });
    this.throttles = new Counter({ name: 'soundflow_throttled_total', help: 'Times a connection was paused for exceeding its byte or CPU budget', registers });
    this.uncaught = new Counter({ name: 'soundflow_uncaught_errors_total', help: 'Exceptions that escaped every handler (logged, server kept serving)', registers });
  }

  sessionOpened(protocol: 'native' | 'realtime'): void {
    this.sessionsTotal.inc({ protocol });
  }
  sessionClosed(durationS: number): void {
    this.sessionSeconds.observe(durationS);
  }
  chunk(latencyMs: number, missedDeadline: boolean): void {
    this.chunkLatency.observe(latencyMs / 1000);
    if (missedDeadline) this.missed.inc();
  }
  decision(latencyMs: number): void {
    this.decisionLatency.observe(latencyMs / 1000);
  }
  replyStart(latencyMs: number): void {
    this.replyStartLatency.observe(latencyMs / 1000);
  }
  droppedAudio(bytes: number): void {
    this.droppedMessages.inc();
    this.droppedBytes.inc(bytes);
  }
  error(code: string): void {
    // Codes are ours (a fixed vocabulary), but bound the label anyway: client input never names a series.
    this.errors.inc({ code: /^[a-z_]{1,40}$/.test(code) ? code : 'other' });
  }
  throttled(): void {
    this.throttles.inc();
  }

  async text(): Promise<string> {
    return this.registry.metrics();
  }
}
