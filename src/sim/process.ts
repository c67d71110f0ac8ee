/**
 * Runs the simulator in its own process, so the market model and the venue protocols never
 * compete with the trading actors' event loops. `arbiter run` in `sim` mode starts it this way
 * and stops it at shutdown.
 *
 * @example
 * const sim = await spawnSimulator({ seed: 7, scenario: 'calm' });
 * // … redirect ccxt to sim.url …
 * await sim.stop();
 */
import { fork, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { arbiterError } from '../base/errors.js';
import { publicEnv } from '../base/public-env.js';
import type { SimulatorOptions } from './options.js';

/** The environment variable that carries the child's options as JSON. */
export const SIM_OPTIONS_ENV = 'ARBITER_SIM_OPTIONS';

/** Options that survive JSON (no logger, no clock: the child makes its own). */
export type ProcessSimulatorOptions = Omit<SimulatorOptions, 'logger' | 'clock'>;

export interface SimulatorProcess {
  readonly url: string;
  readonly port: number;
  readonly pid: number;
  /** The account world's id, and whether it was restored from the state file. */
  readonly worldId: string;
  readonly restored: boolean;
  /** Asks the child to stop, waits for it to exit (SIGKILL after `graceMs`). Idempotent. */
  stop(graceMs?: number): Promise<void>;
}

type Ready = { url: string; port: number; worldId: string; restored: boolean };
type ChildMessage = ({ type: 'ready' } & Ready) | { type: 'failed'; error: string };

function waitForReady(child: ChildProcess, timeoutMs: number): Promise<Ready> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => fail(`no ready message within ${timeoutMs} ms`), timeoutMs);
    const fail = (reason: string): void => {
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(arbiterError('CONFIG_INVALID', `simulator process failed to start: ${reason}`));
    };
    child.on('message', (message: ChildMessage) => {
      if (message.type === 'failed') return fail(message.error);
      clearTimeout(timer);
      resolve({ url: message.url, port: message.port, worldId: message.worldId, restored: message.restored });
    });
    child.once('exit', (code, signal) => fail(`exited early (code ${code}, signal ${signal})`));
  });
}

/** Starts a simulator child process; resolves once it listens. */
export async function spawnSimulator(options: ProcessSimulatorOptions = {}, startTimeoutMs = 20_000): Promise<SimulatorProcess> {
  // The child runs TypeScript sources like the parent: through tsx, located from this package.
  const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
  const entry = fileURLToPath(new URL('./child.ts', import.meta.url));
  const child = fork(entry, [], {
    execArgv: ['--import', tsx],
    env: { ...publicEnv(), [SIM_OPTIONS_ENV]: JSON.stringify(options) },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const { url, port, worldId, restored } = await waitForReady(child, startTimeoutMs);
  child.removeAllListeners('exit');
  let stopping: Promise<void> | undefined;
  return {
    url,
    port,
    worldId,
    restored,
    pid: child.pid ?? -1,
    stop: (graceMs = 5000) => {
      stopping ??= (async () => {
        if (child.exitCode !== null || child.signalCode !== null) return;
        const exited = once(child, 'exit');
        child.send({ type: 'stop' });
        const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
        await exited;
        clearTimeout(timer);
      })();
      return stopping;
    },
  };
}
