/**
 * Journal rows as SQLite returns them (snake_case columns) and their domain shapes. Columns that
 * hold enums are trusted: only the journal writes them, from already-validated values.
 */
import type { OrderType, Side, TimeInForce } from '../protocol/index.js';
import type { FillRow, FundingRow, JournaledOrder, TrackedPurpose } from '../execution/journal-port.js';
import type { OrderStatus } from '../trading/orders/order-state.js';

export interface OrderDbRow {
  client_order_id: string;
  strategy_id: string;
  intent_seq: number;
  leg: number;
  attempt: number;
  purpose: string;
  venue: string;
  symbol: string;
  side: string;
  order_type: string;
  time_in_force: string;
  qty: number;
  limit_px: number | null;
  reduce_only: number;
  status: string;
  cum_qty: number;
  avg_fill_px: number;
  fees: number;
  venue_order_id: string | null;
  reason: string | null;
  created_ms: number;
  sent_ms: number | null;
  updated_ms: number;
}

export interface FillDbRow {
  venue: string;
  symbol: string;
  venue_order_id: string;
  trade_id: string;
  client_order_id: string;
  strategy_id: string;
  side: string;
  qty: number;
  px: number;
  fee_quote: number;
  fee: number;
  fee_currency: string;
  at_ms: number;
}

export interface FundingDbRow {
  venue: string;
  symbol: string;
  strategy_id: string;
  settlement_ms: number;
  rate: number;
  position_qty: number;
  mark_px: number;
  amount: number;
}

export function orderFromRow(row: OrderDbRow, tradeIds: readonly string[]): JournaledOrder {
  const side = row.side as Side;
  return {
    spec: {
      clientOrderId: row.client_order_id,
      strategyId: row.strategy_id,
      intentSeq: row.intent_seq,
      leg: row.leg,
      attempt: row.attempt,
      purpose: row.purpose as TrackedPurpose,
      venue: row.venue,
      symbol: row.symbol,
      side,
      orderType: row.order_type as OrderType,
      timeInForce: row.time_in_force as TimeInForce,
      qty: row.qty,
      limitPx: row.limit_px,
      reduceOnly: row.reduce_only === 1,
      createdMs: row.created_ms,
    },
    record: {
      clientOrderId: row.client_order_id,
      venue: row.venue,
      symbol: row.symbol,
      side,
      qty: row.qty,
      status: row.status as OrderStatus,
      cumQty: row.cum_qty,
      avgFillPx: row.avg_fill_px,
      fees: row.fees,
      venueOrderId: row.venue_order_id,
      tradeIds,
      reason: row.reason,
    },
    sentMs: row.sent_ms,
  };
}

export function fillFromRow(row: FillDbRow): FillRow {
  return {
    venue: row.venue,
    symbol: row.symbol,
    venueOrderId: row.venue_order_id,
    tradeId: row.trade_id,
    clientOrderId: row.client_order_id,
    strategyId: row.strategy_id,
    side: row.side as Side,
    qty: row.qty,
    px: row.px,
    feeQuote: row.fee_quote,
    fee: row.fee,
    feeCurrency: row.fee_currency,
    atMs: row.at_ms,
  };
}

export function fundingFromRow(row: FundingDbRow): FundingRow {
  return {
    venue: row.venue,
    symbol: row.symbol,
    strategyId: row.strategy_id,
    settlementMs: row.settlement_ms,
    rate: row.rate,
    positionQty: row.position_qty,
    markPx: row.mark_px,
    amount: row.amount,
  };
}
