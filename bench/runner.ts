/**
 * Runs benchmark suites in order, prints each suite's table as it finishes, writes
 * `<out>/<suite>.json`, merges everything into `<out>/latest.json`, and ends with the
 * ring ÷ postMessage ratios (the numbers we publish).
 */
import { codecSuite } from './codec.js';
import { e2eSuite } from './e2e.js';
import { fanoutSuite } from './fanout.js';
import { hopSuite } from './hop.js';
import { journalSuite } from './journal.js';
import { pipelineSuite } from './pipeline.js';
import { reloadSuite } from './reload.js';
import { computeRatios, formatRatios } from './lib/ratios.js';
import { loadAverage, readLatest, runEnvironment, toRow, writeLatest, writeSuiteFile, type SuiteFile } from './lib/results.js';
import type { BenchRow } from './lib/rows.js';
import type { BenchSuite } from './lib/suite.js';
import { formatRows } from './lib/table.js';

export const SUITES: readonly BenchSuite[] = [codecSuite, hopSuite, pipelineSuite, fanoutSuite, reloadSuite, journalSuite, e2eSuite];

export interface BenchOptions {
  suites: readonly string[];
  quick: boolean;
  outDir: string;
  /** Where tables and progress go (stdout for the CLI). */
  print(text: string): void;
  verbose: boolean;
}

export interface BenchOutcome {
  files: string[];
  rows: BenchRow[];
}

export function findSuites(names: readonly string[]): BenchSuite[] {
  if (names.length === 0) return [...SUITES];
  return names.map((name) => {
    const suite = SUITES.find((s) => s.name === name);
    if (!suite) throw new Error(`unknown suite ${JSON.stringify(name)} (suites: ${SUITES.map((s) => s.name).join(', ')})`);
    return suite;
  });
}

export async function runBench(options: BenchOptions): Promise<BenchOutcome> {
  const suites = findSuites(options.suites);
  const env = runEnvironment();
  const latest = (await readLatest(options.outDir)) ?? { updatedAt: '', suites: {}, rows: [], ratios: [] };
  const files: string[] = [];
  options.print(`arbiter bench${options.quick ? ' --quick' : ''}: ${suites.map((s) => s.name).join(', ')} · commit ${env.commit} · node ${env.node} · ${env.cores} cores\n`);
  for (const suite of suites) {
    const startedMs = Date.now();
    const loadBefore = loadAverage();
    const log = options.verbose ? (line: string) => options.print(`  ${line}`) : () => {};
    const measurements = await suite.run({ quick: options.quick, log });
    const file: SuiteFile = {
      suite: suite.name,
      finishedAt: new Date().toISOString(),
      loadAverage: { before: loadBefore, after: loadAverage() },
      rows: measurements.map((m) => toRow(suite.name, m, env)),
    };
    files.push(await writeSuiteFile(options.outDir, file));
    latest.suites[suite.name] = file;
    const took = `${((Date.now() - startedMs) / 1e3).toFixed(1)} s, load average ${file.loadAverage.before} → ${file.loadAverage.after}`;
    options.print(`\n## ${suite.name}: ${suite.summary} (${took})\n\n${formatRows(file.rows)}\n`);
  }
  latest.updatedAt = new Date().toISOString();
  latest.rows = Object.values(latest.suites).flatMap((file) => file.rows);
  latest.ratios = computeRatios(latest.rows);
  files.push(await writeLatest(options.outDir, latest));
  options.print(`\n## ring ÷ postMessage\n\n${formatRatios(latest.ratios)}\n`);
  return { files, rows: latest.rows };
}
