/**
 * `arbiter sim`: runs the exchange simulator standalone until SIGINT/SIGTERM.
 *
 *   arbiter sim [--port 8900] [--seed 1] [--scenario calm] [--time-scale 1] [--tick-ms 100]
 *               [--venues binance,binanceusdm] [--backend auto|uws|node] [--state <file>]
 */
import { SCENARIO_NAMES, isScenarioName } from '../sim/scenario-types.js';
import { startSimulator, type SimulatorOptions } from '../sim/simulator.js';
import { VENUE_MODULES } from '../sim/venues/index.js';

const USAGE = `usage: arbiter sim [options]

Runs the embedded exchange simulator on 127.0.0.1 (every venue on one port, routed by the
original host: http://127.0.0.1:<port>/fapi.binance.com/fapi/v1/depth).

options:
  --port <n>          port to listen on (default 8900; 0 picks a free one)
  --seed <n>          PRNG seed, an unsigned 32-bit integer (default 1)
  --scenario <name>   ${SCENARIO_NAMES.join(' | ')} (default calm)
  --time-scale <x>    funding-time compression, e.g. 960 settles 8 h funding every 30 s (default 1; mix: 960)
  --tick-ms <n>       market step and depth-stream cadence in ms (default 100)
  --venues <list>     comma-separated: ${VENUE_MODULES.map((m) => m.spec.id).join(', ')} (default all)
  --backend <name>    auto | uws | node (default auto)
  --state <file>      keep the account world (balances, positions, orders, ids) in this file and
                      restore it on the next start (default: a new world each start)

API key arbiter-sim, secret arbiter-sim-secret. Control endpoint: /_sim/health, /_sim/books, …`;

class UsageError extends Error {}

function bad(option: string, expected: string, value: string): never {
  throw new UsageError(`${option}: expected ${expected}, got ${JSON.stringify(value)}`);
}

function integer(option: string, value: string, min: number, max: number): number {
  const parsed = Number(value);
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(parsed) || parsed < min || parsed > max) bad(option, `an integer ${min}…${max}`, value);
  return parsed;
}

type Setter = (options: Record<string, unknown>, value: string) => void;

const SETTERS: Record<string, Setter> = {
  '--port': (o, v) => (o.port = integer('--port', v, 0, 65535)),
  '--seed': (o, v) => (o.seed = integer('--seed', v, 0, 0xffffffff)),
  '--scenario': (o, v) => (o.scenario = isScenarioName(v) ? v : bad('--scenario', `one of ${SCENARIO_NAMES.join(', ')}`, v)),
  '--time-scale': (o, v) => {
    const scale = Number(v);
    o.timeScale = v.trim() !== '' && Number.isFinite(scale) && scale > 0 && scale <= 1e6 ? scale : bad('--time-scale', 'a number > 0 and ≤ 1e6', v);
  },
  '--tick-ms': (o, v) => (o.tickMs = integer('--tick-ms', v, 5, 10_000)),
  '--venues': (o, v) => {
    const known = VENUE_MODULES.map((m) => m.spec.id);
    const venues = v.split(',').filter((id) => id !== '');
    const unknown = venues.find((id) => !known.includes(id));
    if (venues.length === 0 || unknown !== undefined) bad('--venues', `a comma-separated list of ${known.join(', ')}`, unknown ?? v);
    o.venues = venues;
  },
  '--state': (o, v) => (o.stateFile = v !== '' ? v : bad('--state', 'a file path', v)),
  '--backend': (o, v) => (o.backend = v === 'auto' || v === 'uws' || v === 'node' ? v : bad('--backend', 'auto, uws or node', v)),
};

/** Parses `--name value` and `--name=value`. */
export function parseSimArgs(argv: readonly string[]): SimulatorOptions {
  const options: Record<string, unknown> = { port: 8900 };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    const [name, inline] = arg.includes('=') ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg, undefined];
    const setter = SETTERS[name];
    if (!setter) throw new UsageError(`unknown option ${JSON.stringify(arg)}`);
    const value = inline ?? argv[++i];
    if (value === undefined) throw new UsageError(`${name}: a value is required`);
    setter(options, value);
  }
  return options as SimulatorOptions;
}

function waitForSignal(): Promise<string> {
  return new Promise((resolve) => {
    const onSignal = (signal: string): void => {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      resolve(signal);
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  });
}

export async function run(argv: string[]): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    console.log(USAGE);
    return 0;
  }
  let options: SimulatorOptions;
  try {
    options = parseSimArgs(argv);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    console.error(`arbiter sim: ${error.message}\n\n${USAGE}`);
    return 2;
  }
  const simulator = await startSimulator(options);
  console.log(`arbiter sim: listening on ${simulator.url} (backend ${simulator.backend}); world ${simulator.worldId} (${simulator.restored ? 'restored' : 'new'}); Ctrl-C stops`);
  const signal = await waitForSignal();
  console.log(`arbiter sim: ${signal}, stopping`);
  await simulator.stop();
  return 0;
}
