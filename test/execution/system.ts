/**
 * The trading system the crash tests run: a stand-in feed polling the simulator, a strategy that
 * keeps sending intents, and the execution actor with credentials, wired as the app wires them
 * (strategy X's events input takes the topic `exec.events.X`).
 */
import type { GraphConfigInput } from '../../src/runtime/graph/graph-config.js';

export interface SystemOptions {
  simUrl: string;
  dataDir: string;
  strategyId: string;
  seqBase: number;
  intervalMs?: number;
}

export const EXEC_VENUE = 'binanceusdm';
export const EXEC_SYMBOL = 'BTC/USDT:USDT';

export function systemGraph(options: SystemOptions): GraphConfigInput {
  const { simUrl, dataDir, strategyId, seqBase } = options;
  return {
    actors: [
      { id: 'feed', module: 'test/fixtures/actors/sim-book-feed.ts', params: { simUrl, intervalMs: 100 } },
      // The actor id is the strategy id: execution refuses commands whose strategyId is not their sender.
      { id: strategyId, module: 'test/fixtures/actors/intent-sender.ts', params: { strategyId, seqBase, intervalMs: options.intervalMs ?? 20, venue: EXEC_VENUE, symbol: EXEC_SYMBOL, qty: 0.002 } },
      {
        id: 'execution',
        module: 'actors/execution/execution.ts',
        credentials: true,
        // Crash tests kill it on purpose, again and again: restart at once, never give up.
        restart: { maxRestarts: 10_000, withinMs: 60_000, initialBackoffMs: 0, maxBackoffMs: 0 },
        params: {
          mode: 'sim',
          simUrl,
          venues: [{ id: EXEC_VENUE }],
          dataDir,
          // No durability: the crash tests run with the default (sim mode: `normal`).
          pollIntervalMs: 200,
          unknownGraceMs: 1_500,
          risk: { maxOpenOrders: 1_000, maxOpenOrdersPerStrategy: 1_000, maxSymbolNetExposureUsd: 1e6, maxVenueGrossExposureUsd: 1e7, maxGrossExposureUsd: 1e7, defaultStrategyBudgetUsd: 1e7, rateBudget: { capacity: 500, refillPerSecond: 500 }, breakerFailureThreshold: 1_000 },
        },
      },
    ],
    channels: [
      { from: 'feed.md', to: ['execution.md', `${strategyId}.md`], policy: 'conflate', capacityBytes: 65_536 },
      { from: `${strategyId}.intents`, to: ['execution.commands'] },
      { from: 'execution.events', to: [{ endpoint: `${strategyId}.events`, topics: [`exec.events.${strategyId}`] }] },
    ],
  };
}
