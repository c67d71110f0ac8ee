/**
 * `arbiter <command> [options]`. Each command lives in its own module and is loaded only
 * when asked for, so `arbiter sim` never pays for the runtime and `arbiter run` never pays for
 * the benchmarks. Nothing imports src/cli: it is the top of the dependency graph.
 */
import { describeError } from '../base/errors.js';

type CommandModule = { run(argv: string[]): Promise<number> };

const COMMANDS: Record<string, { summary: string; load: () => Promise<CommandModule> }> = {
  // Each entry: name → { summary, load: () => import('./<name>.js') }.
  run: { summary: 'run an actor graph under the supervisor (see arbiter run --help)', load: () => import('./run.js') },
  sim: { summary: 'run the exchange simulator standalone (see arbiter sim --help)', load: () => import('./sim.js') },
  bench: { summary: 'latency and throughput benchmarks: rings vs postMessage (see arbiter bench --help)', load: () => import('./bench.js') },
};

function usage(): string {
  const lines = Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(8)} ${c.summary}`);
  return ['usage: arbiter <command> [options]', '', 'commands:', ...lines, '', 'arbiter <command> --help for its options'].join('\n');
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    console.log(usage());
    return name === undefined ? 2 : 0;
  }
  const command = COMMANDS[name];
  if (!command) {
    console.error(`arbiter: unknown command ${JSON.stringify(name)}\n\n${usage()}`);
    return 2;
  }
  try {
    const module = await command.load();
    return await module.run(rest);
  } catch (error) {
    console.error(`arbiter ${name}: ${describeError(error)}`);
    return 1;
  }
}
