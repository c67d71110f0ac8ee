/**
 * bybit v5 (spot and USDT linear perps).
 *
 * - Book: `watchOrderBook` (`orderbook.50.<SYM>`: a snapshot, then deltas). ccxt 4.5.84 applies
 *   deltas without checking `u`, bybit's per-topic message counter, so a lost delta would corrupt
 *   the book silently, and it keeps no sequence at all. `install` adds both: a gap fails the
 *   watcher with ChecksumError and drops the topic's deltas until a new snapshot; the resync step
 *   unsubscribes (bybit refuses a second subscribe to a topic) so the next watch gets that snapshot.
 *   `seq`, the book's cross sequence, becomes the book's nonce (the published `venueSeq`).
 * - No best bid/ask stream: ccxt serves `watchBidsAsks` from `orderbook.1`, whose snapshots
 *   overwrite the depth book ccxt keeps under the same symbol.
 * - Perp mark, index and funding: `watchTicker` (`tickers.<SYM>`, a snapshot then deltas that
 *   ccxt merges into `info`): `info.fundingRate`, `info.nextFundingTime`, `info.fundingIntervalHour`.
 * - Funding interval otherwise: the market's `fundingInterval` (minutes) from instruments-info.
 */
import type { Exchange, Ticker } from 'ccxt';
import type { CcxtErrorClasses } from '../../ccxt-loader.js';
import type { SymbolOutput } from '../output.js';
import { orderBookStream, tickerStream } from '../streams.js';
import type { Verdict } from '../sink.js';
import type { FeedAdapter } from '../types.js';

const BOOK_STALE_MS = 10_000;
/** Linear tickers are pushed every 100 ms. */
const TICKER_STALE_MS = 5_000;

interface BookFrame {
  readonly topic?: string;
  readonly type?: string;
  readonly data?: { readonly s?: string; readonly u?: number; readonly seq?: number };
}

interface BybitInternals {
  orderbooks: Record<string, { nonce?: number }>;
  handleOrderBook(client: object, message: BookFrame): void;
  safeMarket(id: string | undefined, market: undefined, delimiter: undefined, type: string): { symbol: string };
}

/** Per socket and topic: the last `u` applied and the symbol (undefined `u`: waiting for a snapshot). */
type TopicState = { u: number | undefined; readonly symbol: string };

function guardBooks(exchange: Exchange, errors: CcxtErrorClasses): void {
  const bybit = exchange as unknown as BybitInternals;
  const handle = bybit.handleOrderBook;
  const topics = new WeakMap<object, Map<string, TopicState>>();
  bybit.handleOrderBook = function (client, message) {
    const { topic = '', data } = message;
    let perTopic = topics.get(client);
    if (!perTopic) topics.set(client, (perTopic = new Map()));
    let state = perTopic.get(topic);
    if (message.type === 'snapshot') {
      const type = (client as { url: string }).url.includes('spot') ? 'spot' : 'contract';
      if (state === undefined) perTopic.set(topic, (state = { u: undefined, symbol: bybit.safeMarket(data?.s, undefined, undefined, type).symbol }));
      state.u = data?.u;
    } else if (state === undefined || state.u === undefined) {
      return; // deltas after a gap (or before any snapshot) cannot be applied
    } else if (data?.u !== state.u + 1) {
      const error = new errors.ChecksumError(`bybit ${state.symbol}: ${topic} delta u=${data?.u} does not follow u=${state.u}`);
      state.u = undefined;
      return void (client as { reject(error: unknown, hash: string): void }).reject(error, `orderbook:${state.symbol}`);
    } else {
      state.u = data.u;
    }
    handle.call(bybit, client, message);
    const book = bybit.orderbooks[state.symbol];
    if (book && data?.seq !== undefined) book.nonce = data.seq;
  };
}

function markAndFunding(ticker: Ticker, out: SymbolOutput, ts: number, withFunding: boolean): Verdict {
  const exchangeTimeMs = ticker.timestamp ?? 0;
  const mark = out.mark(ticker.markPrice, ticker.indexPrice, exchangeTimeMs, ts);
  if (!withFunding) return mark;
  const info = ticker.info as { fundingRate?: string; nextFundingTime?: string; fundingIntervalHour?: string };
  const funding = out.funding(parseFloat(info.fundingRate ?? ''), Number(info.nextFundingTime) || 0, parseFloat(info.fundingIntervalHour ?? ''), exchangeTimeMs, ts);
  return mark === 'published' ? funding : mark;
}

async function fundingIntervals(exchange: Exchange, symbols: readonly string[]): Promise<Map<string, number>> {
  const intervals = new Map<string, number>();
  for (const symbol of symbols) {
    const minutes = Number((exchange.market(symbol).info as { fundingInterval?: unknown }).fundingInterval);
    if (minutes > 0) intervals.set(symbol, minutes / 60);
  }
  return intervals;
}

export const bybit: FeedAdapter = {
  id: 'bybit',
  // The feed reads only spot and linear markets (the loader's minimal options ask for exactly those).
  bookDepth: 50,
  bookStaleAfterMs: BOOK_STALE_MS,
  orderBook: (symbol, depth) => {
    // ccxt unsubscribes `orderbook.500` (linear) unless told the depth that was subscribed.
    const unsubscribe = (exchange: Exchange): Promise<unknown> => exchange.unWatchOrderBook(symbol, { limit: depth });
    return { ...orderBookStream(symbol, depth, BOOK_STALE_MS), unwatch: { method: 'unWatchOrderBook', call: unsubscribe }, resync: unsubscribe };
  },
  install: guardBooks,
  fundingStream: true,
  perp: (symbol, withFunding) => [tickerStream(symbol, TICKER_STALE_MS, (ticker, out, ts) => markAndFunding(ticker, out, ts, withFunding))],
  fundingIntervals,
};
