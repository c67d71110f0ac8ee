/** Resolves with why the process should stop: SIGINT, SIGTERM, the --duration elapsing, or a fatal system failure. */
import type { Supervisor } from '../runtime/supervision/supervisor.js';

export function untilStop(supervisor: Supervisor, durationS: number | undefined): Promise<string> {
  return new Promise<string>((resolveStop) => {
    process.once('SIGINT', () => resolveStop('SIGINT'));
    process.once('SIGTERM', () => resolveStop('SIGTERM'));
    if (durationS !== undefined) setTimeout(() => resolveStop('duration'), durationS * 1000).unref();
    void supervisor.events.waitFor('system-fatal').then((event) => resolveStop(`fatal: ${event.reason}`));
  });
}
