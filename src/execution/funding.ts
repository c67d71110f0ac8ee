/**
 * Perp funding, booked per strategy.
 *
 * Paper and replay: the fill model settles a rate on a market; each strategy holding a position
 * there pays or receives `−qty × mark × rate` (trading/funding.ts).
 *
 * sim and live: the venue pays the account, not a strategy. Execution polls the account's funding
 * payments and splits each one across the strategies holding that market, in proportion to their
 * position (same-signed positions; a venue nets them into one). A payment is processed once: the
 * time of the last one processed per venue is kept in the journal's meta, because re-splitting an
 * old payment over today's positions would book it to the wrong strategies.
 */
import { fundingPaymentUsd } from '../trading/market/funding.js';
import type { ExecutionJournal, FundingRow } from './journal-port.js';
import type { TradeVenue, VenueFundingPayment } from './venue-port.js';
import type { OrderStoreCounters, OrderStore } from './order-store.js';

const SINCE_KEY = (venue: string): string => `fundingSince.${venue}`;

/** The rows a settled rate books (one per strategy with a position in the market). */
export function settlementRows(ledger: OrderStore, venue: string, symbol: string, rate: number, markPx: number, settlementMs: number): FundingRow[] {
  return ledger.positions
    .entries()
    .filter((e) => e.venue === venue && e.symbol === symbol && e.position.qty !== 0)
    .map((e) => ({ venue, symbol, strategyId: e.strategyId, settlementMs, rate, positionQty: e.position.qty, markPx, amount: fundingPaymentUsd(e.position.qty, markPx, rate) }));
}

/** One account payment split over the strategies holding the market; empty when none does. */
function splitPayment(ledger: OrderStore, venue: string, payment: VenueFundingPayment, markPx: number | null): FundingRow[] {
  const holders = ledger.positions.entries().filter((e) => e.venue === venue && e.symbol === payment.symbol && e.position.qty !== 0);
  const total = holders.reduce((sum, e) => sum + Math.abs(e.position.qty), 0);
  if (total === 0) return [];
  const px = markPx ?? holders[0]!.position.avgEntryPx;
  const netQty = holders.reduce((sum, e) => sum + e.position.qty, 0);
  const rate = netQty !== 0 && px > 0 ? -payment.amount / (netQty * px) : 0;
  return holders.map((e) => ({
    venue,
    symbol: payment.symbol,
    strategyId: e.strategyId,
    settlementMs: payment.timestampMs,
    rate,
    positionQty: e.position.qty,
    markPx: px,
    amount: (payment.amount * Math.abs(e.position.qty)) / total,
  }));
}

/** Polls one venue's funding payments since the last processed one and books them. */
export async function pollFunding(
  venue: TradeVenue,
  ledger: OrderStore,
  journal: ExecutionJournal,
  sinceMs: number,
  markPx: (symbol: string) => number | null,
  counters: OrderStoreCounters,
): Promise<number> {
  const payments = (await venue.fundingPayments(sinceMs)).filter((p) => p.timestampMs > sinceMs).sort((a, b) => a.timestampMs - b.timestampMs);
  let last = sinceMs;
  for (const payment of payments) {
    const rows = splitPayment(ledger, venue.id, payment, markPx(payment.symbol));
    if (rows.length === 0) counters.count('funding_unattributed');
    journal.transaction(() => {
      for (const row of rows) ledger.applyFunding(row);
      journal.setMeta(SINCE_KEY(venue.id), String(payment.timestampMs));
    });
    last = payment.timestampMs;
  }
  return last;
}

/** Where funding polling resumes for a venue after a restart. */
export function fundingSince(meta: ReadonlyMap<string, string>, venue: string, fallbackMs: number): number {
  const saved = Number(meta.get(SINCE_KEY(venue)));
  return Number.isFinite(saved) && saved > 0 ? saved : fallbackMs;
}
