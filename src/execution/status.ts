/**
 * The execution actor's status for ops: trading state, reconciliation, open orders, positions with
 * PnL, orders by status, denials by reason, tick-to-order latency, the journal's path. Built on
 * demand (a status request), never on the hot path.
 */
import type { ExecutionCore } from './core.js';

const MAX_LISTED_ORDERS = 200;

function openOrders(core: ExecutionCore): Record<string, unknown>[] {
  return core.ledger
    .open()
    .slice(0, MAX_LISTED_ORDERS)
    .map(({ spec, record }) => ({
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
    }));
}

export function executionStatus(core: ExecutionCore): Record<string, unknown> {
  const { reconciler } = core;
  const open = core.ledger.open();
  return {
    mode: core.mode,
    tradingState: { ...core.risk.tradingState.status },
    reconciliation: {
      state: reconciler.state,
      startedMs: reconciler.startedMs,
      finishedMs: reconciler.finishedMs,
      venues: reconciler.venues,
      unknownOrders: open.filter((o) => o.record.status === 'unknown').length,
    },
    openOrderCount: open.length,
    openOrders: openOrders(core),
    positions: core.ledger.positions.entries().map((e) => core.ledger.positions.update(e.strategyId, e.venue, e.symbol, core.book.referencePx(e.venue, e.symbol))),
    ordersByStatus: core.journalCounts(),
    denialsByReason: { ...core.commands.denials },
    tickToOrderLatencyUs: core.latency.summary(),
    multiLeg: core.multiLeg.status(),
    journal: core.journalPath,
  };
}
