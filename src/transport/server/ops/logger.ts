// Structured logs: one JSON object per line (pino), with `conn` and `session` ids bound on every line
// a connection writes, so one session's story can be pulled out of a busy server's log.
import { pino, type Logger } from 'pino';

export type { Logger };

/**
 * The server's logger: `logger` when given; else lines go to `log` (the older string sink, kept for
 * embedders and tests); else silent.
 */
export function makeLogger(opts: { logger?: Logger; log?: (line: string) => void }): Logger {
  if (opts.logger) return opts.logger;
  const sink = opts.log;
  if (!sink) return pino({ level: 'silent' });
  return pino({ base: { name: 'soundflow' } }, { write: (s: string) => sink(s.trimEnd()) });
}

/** JSON lines on stderr (stdout carries the CLI's `listening` line); `quiet` keeps warnings and worse. */
export function stderrLogger(quiet: boolean): Logger {
  return pino({ base: { name: 'soundflow', pid: process.pid }, level: quiet ? 'warn' : 'info' }, pino.destination({ fd: 2, sync: true }));
}
