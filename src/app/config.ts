/**
 * The trading configuration a user edits (config/default.json and the paper/live examples):
 * mode, venues and symbols, strategies, execution, ops. Validated at start-up with zod; an
 * invalid file is refused with every bad field named with its value. It compiles into the
 * runtime's actor graph (compile.ts): users never write rings by hand.
 */
import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { configError } from '../base/config-errors.js';
import { arbiterError } from '../base/errors.js';
import { WAIT_STRATEGIES } from '../runtime/transport/wait-strategy.js';
import { EXTERNAL_STRATEGY_ID } from '../execution/position-watch.js';
import { JOURNAL_DURABILITIES } from '../execution/journal-port.js';
import { FEED_VENUES } from '../venues/feed/index.js';

export const MODES = ['sim', 'paper', 'live', 'replay'] as const;

/** Where a paper run's public venues are: the real ones (needs internet), or the simulator standing in for them. */
export const PAPER_VENUES = ['public', 'simulator'] as const;

const id = z.string().regex(/^[A-Za-z0-9_-]+$/, 'expected letters, digits, _ or -');
const symbol = z.string().regex(/^[A-Z0-9]+\/[A-Z0-9]+(:[A-Z0-9]+)?$/, 'expected a ccxt unified symbol like BTC/USDT or BTC/USDT:USDT');

const venueSchema = z
  .object({
    symbols: z.array(symbol).min(1, 'expected at least one symbol'),
    /** Extra feed params (staleness intervals, book levels, sanity caps…), passed to the feed actor. */
    feed: z.record(z.string(), z.unknown()).default({}),
  })
  .strict();

const strategySchema = z
  .object({
    id,
    module: z.string().min(1),
    enabled: z.boolean().default(true),
    params: z.record(z.string(), z.unknown()).default({}),
    /** Market data this strategy receives; default: every configured venue and symbol. */
    subscribe: z.object({ venues: z.array(z.string()).optional(), symbols: z.array(symbol).optional() }).strict().optional(),
  })
  .strict();

const configSchema = z
  .object({
    /** Free text for the reader of the file (JSON has no comments). */
    comment: z.string().optional(),
    mode: z.enum(MODES).default('sim'),
    dataDir: z.string().min(1).default('data'),
    simulator: z
      .object({
        /**
         * A simulator already running (`arbiter sim`) for this run to trade instead of starting its
         * own; it keeps running across Arbiter restarts. Loopback only.
         */
        url: z
          .string()
          .regex(/^http:\/\/(127\.0\.0\.1|localhost|\[::1\]):\d{1,5}$/, 'expected http://127.0.0.1:<port> (a simulator on loopback)')
          .optional(),
        port: z.int().min(0).max(65535).default(0),
        seed: z.int().default(7),
        scenario: z.string().min(1).default('calm'),
        timeScale: z.number().positive().max(100_000).default(1),
        /** What a new simulator account holds per venue (venue → asset → amount); default: the simulator's own (100 000 USDT and some coins). */
        startingBalances: z.record(z.string(), z.record(z.string(), z.number().nonnegative())).optional(),
        options: z.record(z.string(), z.unknown()).default({}),
      })
      .strict()
      .prefault({}),
    venues: z.record(id, venueSchema).refine((v) => Object.keys(v).length > 0, 'expected at least one venue'),
    strategies: z.array(strategySchema).default([]),
    execution: z
      .object({
        module: z.string().min(1).default('actors/execution/execution.ts'),
        params: z.record(z.string(), z.unknown()).default({}),
        /**
         * `durability`: what a journal commit survives, `full` (power loss) or `normal` (process
         * crash, kill -9); default `full` in live mode, `normal` otherwise (README, "Durability").
         */
        journal: z.object({ durability: z.enum(JOURNAL_DURABILITIES).optional() }).strict().prefault({}),
      })
      .strict()
      .prefault({}),
    ops: z
      .object({
        host: z.string().default('127.0.0.1'),
        port: z.int().min(0).max(65535).default(9464),
        /** Bearer token for mutating routes; generated into the data dir when absent. */
        token: z.string().min(16, 'expected at least 16 characters').optional(),
      })
      .strict()
      .prefault({}),
    runtime: z
      .object({
        wait: z.enum(WAIT_STRATEGIES).optional(),
        /** How actors' channels move messages: shared-memory rings, or postMessage (for comparison). */
        transport: z.enum(['ring', 'port']).default('ring'),
        marketDataRingBytes: z.int().default(1 << 20),
        commandRingBytes: z.int().default(1 << 20),
        eventRingBytes: z.int().default(1 << 20),
        /** Directories besides actors/strategy that hot reload may load strategy modules from (relative to the project). */
        reloadDirs: z.array(z.string().min(1)).default([]),
      })
      .strict()
      .prefault({}),
    /**
     * Paper mode only. `venues: "simulator"`: the simulator (embedded, or the one at
     * `simulator.url`) stands in for the public venues: feeds read its streams and execution its
     * markets' rules, while orders are still filled locally and never sent to it.
     */
    paper: z.object({ venues: z.enum(PAPER_VENUES).default('public') }).strict().optional(),
    /** Replay mode: the recording to play (written by --record) and an optional pace (1 = as recorded). */
    replay: z.object({ file: z.string().min(1), speed: z.number().positive().optional() }).strict().optional(),
    /** Record every market-data message the feeds publish to this file (a new file; see md-recording.ts). */
    record: z.object({ file: z.string().min(1) }).strict().optional(),
  })
  .strict();

export type AppConfigInput = z.input<typeof configSchema>;
export type AppConfig = z.output<typeof configSchema>;
export type StrategyConfig = AppConfig['strategies'][number];

/** Validates a parsed config object; CONFIG_INVALID names every bad field with its value. */
export function parseAppConfig(input: unknown, source = 'config'): AppConfig {
  const result = configSchema.safeParse(input);
  if (!result.success) throw configError(source, result.error, input);
  const config = result.data;
  const problems = crossFieldProblems(config);
  if (problems.length > 0) throw arbiterError('CONFIG_INVALID', `${source}:\n  ${problems.join('\n  ')}`, { details: { issues: problems } });
  return config;
}

function crossFieldProblems(config: AppConfig): string[] {
  const problems: string[] = [];
  const venues = Object.keys(config.venues);
  for (const venue of venues) {
    if (!FEED_VENUES.includes(venue)) problems.push(`venues.${venue}: not a venue Arbiter trades (${FEED_VENUES.join(', ')}), got ${JSON.stringify(venue)}`);
  }
  const symbols = new Set(Object.values(config.venues).flatMap((v) => v.symbols));
  const ids = new Set<string>();
  config.strategies.forEach((strategy, i) => {
    if (ids.has(strategy.id)) problems.push(`strategies[${i}].id: duplicate strategy id, got ${JSON.stringify(strategy.id)}`);
    if (strategy.id === EXTERNAL_STRATEGY_ID) problems.push(`strategies[${i}].id: ${JSON.stringify(EXTERNAL_STRATEGY_ID)} is reserved for positions no strategy journaled, got ${JSON.stringify(strategy.id)}`);
    ids.add(strategy.id);
    strategy.subscribe?.venues?.forEach((venue, j) => {
      if (!venues.includes(venue)) problems.push(`strategies[${i}].subscribe.venues[${j}]: not a configured venue (${venues.join(', ')}), got ${JSON.stringify(venue)}`);
    });
    strategy.subscribe?.symbols?.forEach((symbol, j) => {
      if (!symbols.has(symbol)) problems.push(`strategies[${i}].subscribe.symbols[${j}]: not a symbol of any configured venue (${[...symbols].join(', ')}), got ${JSON.stringify(symbol)}`);
    });
  });
  if (config.execution.params.durability !== undefined) problems.push(`execution.params.durability: set it as execution.journal.durability, got ${JSON.stringify(config.execution.params.durability)}`);
  if (config.paper && config.mode !== 'paper') problems.push(`paper: only a paper run has paper venues, got mode ${JSON.stringify(config.mode)}`);
  if (config.simulator.url !== undefined && !usesSimulator(config)) {
    problems.push(`simulator.url: only sim mode and paper mode with paper.venues "simulator" use a simulator, got ${JSON.stringify(config.simulator.url)} in mode ${JSON.stringify(config.mode)}`);
  }
  if (config.mode === 'paper' && usesSimulator(config) && config.simulator.startingBalances) {
    problems.push(`simulator.startingBalances: a paper run never trades the simulator's accounts; set its simulated balances in execution.params.paper.startingBalances, got ${JSON.stringify(config.simulator.startingBalances)}`);
  }
  if (config.mode === 'replay' && !config.replay) problems.push('replay: replay mode needs replay.file (a recording made with --record), got nothing');
  if (config.mode === 'replay' && config.record) problems.push(`record: a replay cannot record its own input, got ${JSON.stringify(config.record.file)}`);
  return problems;
}

/** The run's venues are the simulator: every sim run, and a paper run with `paper.venues: "simulator"`. */
export function usesSimulator(config: Pick<AppConfig, 'mode' | 'paper'>): boolean {
  return config.mode === 'sim' || (config.mode === 'paper' && config.paper?.venues === 'simulator');
}

/** Reads and validates a JSON config file. */
export async function loadAppConfig(path: string): Promise<AppConfig> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw arbiterError('CONFIG_INVALID', `cannot read config ${path}: ${(error as Error).message}`);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw arbiterError('CONFIG_INVALID', `${path} is not valid JSON: ${(error as Error).message}`);
  }
  return parseAppConfig(raw, path);
}
