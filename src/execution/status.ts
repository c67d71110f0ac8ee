/**
 * The execution actor's status for ops: trading state, reconciliation, open orders, positions with
 * PnL, orders by status, denials by reason, tick-to-order latency and its stages, the journal's path, durability
 * and group commits, each market's rules and fee
 * rates with their source. Built on
 * demand (a status request), never on the hot path, from the core's parts (the core passes them:
 * this file does not know the core).
 */
import type { ExecutionStatus, MarketRulesStatus, OpenOrderStatus, VenueBalanceStatus } from '../protocol/index.js';
import type { QuoteBook } from '../trading/market/book.js';
import type { TradingStateMachine } from '../trading/risk/trading-state.js';
import type { CommitGroup } from './commit-group.js';
import type { ExecutionJournal } from './journal-port.js';
import type { OrderLatency } from './latency.js';
import type { MultiLegRunner } from './multi-leg-runner.js';
import type { LiveOrder, OrderStore } from './order-store.js';
import type { StrategyStates } from '../trading/risk/strategy-states.js';
import type { PositionWatch } from './position-watch.js';
import type { Reconciler } from './reconciler.js';

const MAX_LISTED_ORDERS = 200;

/** What the status is read from. */
export interface StatusSources {
  readonly mode: string;
  readonly tradingState: TradingStateMachine;
  readonly strategyStates: StrategyStates;
  readonly reconciler: Reconciler;
  readonly positionWatch: PositionWatch;
  readonly reconcileIntervalMs: number;
  readonly ledger: OrderStore;
  readonly book: QuoteBook;
  readonly journal: ExecutionJournal;
  readonly group: CommitGroup;
  readonly denials: Readonly<Record<string, number>>;
  readonly latency: OrderLatency;
  readonly multiLeg: MultiLegRunner;
  readonly balances: Readonly<Record<string, VenueBalanceStatus>>;
  readonly marketRules: readonly MarketRulesStatus[];
}

function openOrderStatus({ spec, record }: LiveOrder): OpenOrderStatus {
  return {
    clientOrderId: spec.clientOrderId,
    strategyId: spec.strategyId,
    venue: spec.venue,
    symbol: spec.symbol,
    side: spec.side,
    orderType: spec.orderType,
    timeInForce: spec.timeInForce,
    qty: record.qty,
    limitPx: spec.limitPx,
    cumQty: record.cumQty,
    status: record.status,
    purpose: spec.purpose,
  };
}

export function executionStatus(from: StatusSources): ExecutionStatus {
  const { reconciler, ledger } = from;
  const open = ledger.open();
  return {
    mode: from.mode,
    tradingState: { ...from.tradingState.status },
    reconciliation: {
      state: reconciler.state,
      startedMs: reconciler.startedMs,
      finishedMs: reconciler.finishedMs,
      venues: reconciler.venues,
      unknownOrders: open.filter((o) => o.record.status === 'unknown').length,
      passes: reconciler.passes,
      lastPassMs: reconciler.lastPassMs,
      intervalMs: from.reconcileIntervalMs,
      mismatchEvents: { ...from.positionWatch.events },
      mismatches: from.positionWatch.mismatches(),
      external: from.positionWatch.external(),
      strategyStates: from.strategyStates.status,
    },
    openOrderCount: open.length,
    openOrders: open.slice(0, MAX_LISTED_ORDERS).map(openOrderStatus),
    positions: ledger.positions.entries().map((e) => ledger.positions.update(e.strategyId, e.venue, e.symbol, from.book.referencePx(e.venue, e.symbol))),
    ordersByStatus: from.journal.countsByStatus(),
    denialsByReason: { ...from.denials },
    tickToOrderLatencyUs: from.latency.tickToOrder.summary(),
    stageLatencyUs: from.latency.stages.status(),
    commandsByPath: { ...from.latency.commandsByPath },
    multiLeg: from.multiLeg.status(),
    balances: from.balances,
    marketRules: from.marketRules,
    journal: from.journal.path,
    journalDurability: from.journal.durability,
    journalGroupCommits: from.group.commits,
  };
}
