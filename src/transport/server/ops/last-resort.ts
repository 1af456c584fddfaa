// The process-level net under everything: an exception or rejection that escaped every handler is
// logged and the server keeps serving. No client input may ever end the process; a real bug shows up
// in the log (and in `soundflow_uncaught_errors_total`) instead of as an outage for every session.
import type { Logger } from './logger.ts';

let installed = false;

export function installLastResort(logger: Logger, onError: () => void = () => {}): void {
  if (installed) return;
  installed = true;
  process.on('uncaughtException', (err, origin) => {
    onError();
    logger.error({ err, origin }, 'uncaught exception (kept serving)');
  });
  process.on('unhandledRejection', (reason) => {
    onError();
    logger.error({ err: reason }, 'unhandled rejection (kept serving)');
  });
}
