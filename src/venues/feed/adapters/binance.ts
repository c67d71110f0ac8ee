/**
 * binance spot and binance USDⓈ-M futures.
 *
 * - Book: `watchOrderBook` (diff stream `<sym>@depth@100ms` + REST snapshot; ccxt checks the
 *   `U`/`u` (spot) and `pu` (futures) continuity and raises ChecksumError on a gap). Snapshot
 *   limits binance accepts: 5, 10, 20, 50, 100, 500, 1000.
 * - Best bid/ask: `watchBidsAsks` (`<sym>@bookTicker`), whose `u` is the book's update id.
 * - USDⓈ-M mark price and funding: one stream, `watchMarkPrice` (`<sym>@markPrice@1s`). ccxt
 *   exposes only the mark and index; the funding rate that settles next is `info.r` and its
 *   settlement time `info.T`.
 * - Funding interval: `fetchFundingIntervals` (`/fapi/v1/fundingInfo`). The real venue lists
 *   only symbols whose interval was adjusted, so for the others it is read off the spacing of
 *   the last settlements (`fetchFundingRateHistory`, `/fapi/v1/fundingRate`).
 */
import type { Exchange, Ticker } from 'ccxt';
import type { SymbolOutput } from '../output.js';
import { bidsAsksStream, intervalHours, markPriceStream } from '../streams.js';
import type { Verdict } from '../sink.js';
import type { FeedAdapter } from '../types.js';

const BOOK_STALE_MS = 10_000;
/** The mark price stream ticks every second. */
const MARK_STALE_MS = 5_000;
const HOUR_MS = 3_600_000;

/** bookTicker's `u`: the order book update id of this best bid/ask. */
const bookTickerSequence = (ticker: Ticker): number => Number((ticker.info as { u?: unknown }).u) || 0;

function fundingFromMark(mark: Ticker, out: SymbolOutput, ts: number): Verdict {
  const info = mark.info as { r?: string; T?: number | string };
  // parseFloat: binance sends "" for contracts without funding, which must not read as 0.
  return out.funding(parseFloat(info.r ?? ''), Number(info.T) || 0, Number.NaN, mark.timestamp ?? 0, ts);
}

/** The funding interval implied by consecutive settlement times (ms, oldest first), in whole hours; NaN if unclear. */
export function intervalFromSettlements(timesMs: readonly number[]): number {
  if (timesMs.length < 2) return Number.NaN;
  const hours = ((timesMs.at(-1) as number) - (timesMs.at(-2) as number)) / HOUR_MS;
  return hours >= 1 ? Math.round(hours) : Number.NaN;
}

async function usdmFundingIntervals(exchange: Exchange, symbols: readonly string[]): Promise<Map<string, number>> {
  const intervals = new Map<string, number>();
  const listed = await exchange.fetchFundingIntervals([...symbols]);
  for (const symbol of symbols) {
    const hours = intervalHours(listed[symbol]?.interval);
    if (hours > 0) intervals.set(symbol, hours);
  }
  for (const symbol of symbols.filter((s) => !intervals.has(s))) {
    const history = await exchange.fetchFundingRateHistory(symbol, undefined, 3);
    const hours = intervalFromSettlements(history.map((entry) => entry.timestamp ?? 0).filter((t) => t > 0));
    if (hours > 0) intervals.set(symbol, hours);
  }
  return intervals;
}

/** Book and best bid/ask work alike on spot and futures. */
const binanceBooks = {
  bookDepth: 100,
  bookStaleAfterMs: BOOK_STALE_MS,
  bidsAsks: (symbol: string) => bidsAsksStream(symbol, BOOK_STALE_MS, bookTickerSequence),
} as const;

export const binance: FeedAdapter = { id: 'binance', ...binanceBooks, fundingStream: false, perp: () => [] };

export const binanceusdm: FeedAdapter = {
  id: 'binanceusdm',
  ...binanceBooks,
  fundingStream: true,
  perp: (symbol, withFunding) => [markPriceStream(symbol, MARK_STALE_MS, withFunding ? fundingFromMark : undefined)],
  fundingIntervals: usdmFundingIntervals,
};
