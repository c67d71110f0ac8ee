/**
 * `arbiter bench [suite...] [--quick]`: latency and throughput benchmarks (bench/). Prints a
 * table per suite and the ring ÷ postMessage ratios, and writes bench/results/<suite>.json
 * and latest.json. Numbers are measurements, never pass/fail: the exit code only says
 * whether the suites ran.
 */
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { LOG_LEVEL_ENV } from '../base/log.js';
import { parseCommandArgs } from './args.js';

const PROJECT_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const DEFAULT_OUT = resolve(PROJECT_ROOT, 'bench/results');

const HELP = `usage: arbiter bench [suite...] [--quick] [--out <dir>] [--verbose]

  suite        codec, hop, pipeline, fanout, reload, journal (default: all, in that order)
  --quick      smoke run: a few seconds per suite instead of up to a minute
  --out <dir>  where <suite>.json and latest.json go (default: bench/results)
  --verbose    progress lines while a suite runs

Run it on an otherwise idle machine: the suites compare transports within one run, so the
ratios hold on a noisy host even when the absolute times do not.`;

export async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parseCommandArgs('bench', argv, {
    quick: { type: 'boolean' },
    out: { type: 'string' },
    verbose: { type: 'boolean', short: 'v' },
    help: { type: 'boolean', short: 'h' },
  });
  if (values.help) {
    console.log(HELP);
    return 0;
  }
  // Actor workers inherit the environment: keep their info logs out of the tables.
  process.env[LOG_LEVEL_ENV] ??= 'warn';
  const { runBench } = await import('../../bench/runner.js');
  await runBench({
    suites: positionals,
    quick: values.quick === true,
    outDir: values.out ? resolve(values.out) : DEFAULT_OUT,
    verbose: values.verbose === true,
    print: (text) => process.stdout.write(`${text}\n`),
  });
  return 0;
}
