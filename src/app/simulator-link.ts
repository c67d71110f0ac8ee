/**
 * The simulator a `sim` run trades: its own child process (the default, stopped with the run), or
 * one already running (`simulator.url`, e.g. `arbiter sim --state data/sim-state.json`), which this
 * run only attaches to and leaves running when it stops, so restarts meet the same venue.
 */
import { arbiterError } from '../base/errors.js';
import { SimControl } from '../sim/control/client.js';

/** What the system needs of its simulator (a SimulatorProcess is one). */
export interface SimulatorLink {
  readonly url: string;
  readonly worldId: string;
  readonly restored: boolean;
  /** The simulator's process id when this run started it (null when attached to one running elsewhere). */
  readonly pid: number | null;
  /** Stops a simulator this run started; an attached one keeps running. */
  stop(): Promise<void>;
}

/** Attaches to a running simulator; it must answer and serve every configured venue. */
export async function attachSimulator(url: string, venues: readonly string[]): Promise<SimulatorLink> {
  let health;
  try {
    health = await new SimControl(url).health();
  } catch (error) {
    throw arbiterError('CONFIG_INVALID', `simulator.url: no simulator answers at ${url} (start one with \`arbiter sim --state <file>\`), got ${JSON.stringify(url)}`, { cause: error });
  }
  const missing = venues.filter((venue) => !health.venues.includes(venue));
  if (missing.length > 0) throw arbiterError('CONFIG_INVALID', `simulator.url: the simulator at ${url} serves ${health.venues.join(', ')}, not ${missing.join(', ')}`);
  return { url, worldId: health.worldId, restored: health.restored, pid: null, stop: async () => undefined };
}
