/**
 * Stream builders shared by the venue adapters: one per ccxt method shape. An adapter picks the
 * ones its venue supports and supplies what differs (stale intervals, which `info` field holds
 * the funding rate or the venue's sequence).
 *
 * Each builder is called once per symbol, so the closures capture the symbol (and the one-element
 * list `watchBidsAsks` wants) instead of allocating them per update.
 */
import type { FundingRate, OrderBook, Ticker, Tickers } from 'ccxt';
import type { SymbolOutput } from './output.js';
import type { Verdict } from './sink.js';
import type { StreamSpec } from './types.js';

/** `watchOrderBook`: the venue's diff book with its sequence → `BookLevels` and `BookTop`. */
export function orderBookStream(symbol: string, depth: number, staleAfterMs: number): StreamSpec {
  return {
    name: 'book',
    method: 'watchOrderBook',
    staleAfterMs,
    unwatch: { method: 'unWatchOrderBook', call: (exchange) => exchange.unWatchOrderBook(symbol) },
    next: (exchange) => exchange.watchOrderBook(symbol, depth),
    handle: (book, out, ts) => out.book(book as OrderBook, ts),
  };
}

/** `watchBidsAsks`: the venue's best bid/ask stream → `BookTop`. `sequence` reads the venue's update id, if it has one. */
export function bidsAsksStream(symbol: string, staleAfterMs: number, sequence: (ticker: Ticker) => number = () => 0): StreamSpec {
  const symbols = [symbol];
  return {
    name: 'bidsAsks',
    method: 'watchBidsAsks',
    staleAfterMs,
    unwatch: { method: 'unWatchBidsAsks', call: (exchange) => exchange.unWatchBidsAsks(symbols) },
    next: (exchange) => exchange.watchBidsAsks(symbols),
    handle: (tickers, out, ts) => {
      const ticker = (tickers as Tickers)[symbol];
      if (ticker === undefined) return 'rejected';
      return out.bidAsk(ticker.bid, ticker.bidVolume, ticker.ask, ticker.askVolume, sequence(ticker), ticker.timestamp ?? 0, ts);
    },
  };
}

/** `watchMarkPrice` → `MarkPrice`, plus whatever `extra` reads from the same frame (binance: funding). */
export function markPriceStream(symbol: string, staleAfterMs: number, extra?: (mark: Ticker, out: SymbolOutput, ts: number) => Verdict): StreamSpec {
  return {
    name: 'mark',
    method: 'watchMarkPrice',
    staleAfterMs,
    unwatch: { method: 'unWatchMarkPrice', call: (exchange) => exchange.unWatchMarkPrice(symbol) },
    next: (exchange) => exchange.watchMarkPrice(symbol),
    handle: (result, out, ts) => {
      const mark = result as Ticker;
      const verdict = out.mark(mark.markPrice, mark.indexPrice, mark.timestamp ?? 0, ts);
      return extra ? worse(verdict, extra(mark, out, ts)) : verdict;
    },
  };
}

/** `watchTicker`, read by `handle` (bybit's linear tickers carry mark, index and funding). */
export function tickerStream(symbol: string, staleAfterMs: number, handle: (ticker: Ticker, out: SymbolOutput, ts: number) => Verdict): StreamSpec {
  return {
    name: 'ticker',
    method: 'watchTicker',
    staleAfterMs,
    unwatch: { method: 'unWatchTicker', call: (exchange) => exchange.unWatchTicker(symbol) },
    next: (exchange) => exchange.watchTicker(symbol),
    handle: (ticker, out, ts) => handle(ticker as Ticker, out, ts),
  };
}

/** `watchFundingRate` → `FundingRate`. */
export function fundingRateStream(symbol: string, staleAfterMs: number): StreamSpec {
  return {
    name: 'funding',
    method: 'watchFundingRate',
    staleAfterMs,
    next: (exchange) => exchange.watchFundingRate(symbol),
    handle: (rate, out, ts) => publishFundingRate(rate as FundingRate, out, ts),
  };
}

/** `fetchFundingRate` every `pollMs`: the REST endpoint, for venues (or configs) without a funding stream. */
export function fundingPollStream(symbol: string, pollMs: number, staleAfterMs: number): StreamSpec {
  return {
    name: 'funding',
    method: 'fetchFundingRate',
    pollMs,
    staleAfterMs,
    next: (exchange) => exchange.fetchFundingRate(symbol),
    handle: (rate, out, ts) => publishFundingRate(rate as FundingRate, out, ts),
  };
}

const HOUR_MS = 3_600_000;

/**
 * A ccxt funding-rate structure → `FundingRate`. `fundingTimestamp` is when the current rate
 * settles. The interval is ccxt's when it names one, else the spacing of this settlement and
 * the next; venues settle at most hourly, so a shorter spacing (the simulator's compressed
 * time) is no interval at all, and the rate is rejected rather than misread per hour.
 */
export function publishFundingRate(rate: FundingRate, out: SymbolOutput, ts: number): Verdict {
  const settlesAt = rate.fundingTimestamp ?? rate.nextFundingTimestamp ?? 0;
  let hours = intervalHours(rate.interval);
  if (!(hours > 0) && rate.fundingTimestamp !== undefined && rate.nextFundingTimestamp !== undefined) {
    const spacing = (rate.nextFundingTimestamp - rate.fundingTimestamp) / HOUR_MS;
    if (spacing >= 1) hours = spacing;
  }
  return out.funding(rate.fundingRate, settlesAt, hours, rate.timestamp ?? 0, ts);
}

let lastIntervalText: string | undefined;
let lastIntervalHours = Number.NaN;

/** ccxt's funding interval text (`'8h'`, `'30m'`) in hours; NaN when absent or unreadable. Memoised: it rarely changes. */
export function intervalHours(text: string | undefined): number {
  if (text === lastIntervalText) return lastIntervalHours;
  const match = text === undefined ? null : /^(\d+(?:\.\d+)?)\s*([hm])$/.exec(text);
  lastIntervalText = text;
  lastIntervalHours = match ? Number(match[1]) / (match[2] === 'm' ? 60 : 1) : Number.NaN;
  return lastIntervalHours;
}

/** The worse of two verdicts (a frame carrying two messages is corrupt or rejected if either part is). */
function worse(a: Verdict, b: Verdict): Verdict {
  if (a === 'corrupt' || b === 'corrupt') return 'corrupt';
  return a === 'rejected' || b === 'rejected' ? 'rejected' : 'published';
}
