/** Renders supervisor status as a compact table for a terminal. */
import type { SupervisorActorStatus } from '../runtime/supervision/supervisor.js';

const pad = (value: unknown, width: number): string => String(value ?? '-').padEnd(width).slice(0, width);

export function renderStatus(actors: readonly SupervisorActorStatus[]): string {
  const lines = [`${pad('actor', 16)}${pad('kind', 10)}${pad('state', 11)}${pad('restarts', 9)}${pad('in', 11)}${pad('out', 11)}${pad('errors', 7)}details`];
  for (const s of actors) {
    const a = s.actor;
    const details = a?.custom ? JSON.stringify(a.custom) : (s.lastError ?? '');
    lines.push(`${pad(s.actorId, 16)}${pad(s.kind, 10)}${pad(s.state, 11)}${pad(s.restarts, 9)}${pad(a?.messagesIn, 11)}${pad(a?.messagesOut, 11)}${pad(a?.errors, 7)}${details.slice(0, 100)}`);
  }
  return lines.join('\n');
}
