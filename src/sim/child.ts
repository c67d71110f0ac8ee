/**
 * Entry point of a simulator child process (see process.ts). Reads its options from the
 * environment, starts the simulator, reports `{ type: 'ready', url, port }` over IPC, and stops
 * on a `{ type: 'stop' }` message, on SIGTERM/SIGINT, or when the parent goes away (the IPC
 * channel closes), so an orphaned simulator never keeps a port.
 */
import { describeError } from '../base/errors.js';
import { SIM_OPTIONS_ENV } from './process.js';
import { startSimulator, type SimulatorOptions } from './simulator.js';

async function main(): Promise<void> {
  const options = JSON.parse(process.env[SIM_OPTIONS_ENV] ?? '{}') as SimulatorOptions;
  const simulator = await startSimulator(options);
  let stopping = false;
  const stop = async (): Promise<void> => {
    if (stopping) return;
    stopping = true;
    await simulator.stop();
    process.disconnect?.();
    process.exit(0);
  };
  process.on('message', (message: { type?: string }) => void (message?.type === 'stop' && stop()));
  process.on('disconnect', () => void stop());
  process.on('SIGTERM', () => void stop());
  process.on('SIGINT', () => void stop());
  process.send?.({ type: 'ready', url: simulator.url, port: simulator.port, backend: simulator.backend, worldId: simulator.worldId, restored: simulator.restored });
}

main().catch((error: unknown) => {
  process.send?.({ type: 'failed', error: describeError(error) });
  process.exitCode = 1;
  process.disconnect?.();
});
