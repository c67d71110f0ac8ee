/**
 * OKX v5 (spot and USDT swaps), one public socket for everything.
 *
 * - Book: `watchOrderBook` with limit 400, which ccxt maps to the `books` channel (snapshot, then
 *   updates with `seqId`/`prevSeqId` and a CRC32 checksum ccxt verifies, raising InvalidNonce or
 *   ChecksumError; the next watch subscribes again and okx answers with a fresh snapshot). Other
 *   limits pick other channels: ≤ 5 `books5` (no sequence), 50 `books50-l2-tbt` (VIP, needs a login).
 * - Best bid/ask: `watchBidsAsks` (`bbo-tbt`, whose `seqId` is the book's).
 * - Perp mark: `watchMarkPrice` (`mark-price`; no index price on that channel).
 * - Funding: `watchFundingRate` (`funding-rate`): `fundingRate` settles at `fundingTime`; ccxt derives
 *   the interval from `nextFundingTime − fundingTime`. okx pushes it only every 30–90 s, hence the
 *   long stale interval. Where that interval is missing, `fetchFundingRate` (REST) supplies it.
 */
import type { Exchange, Ticker } from 'ccxt';
import { bidsAsksStream, fundingRateStream, intervalHours, markPriceStream } from '../streams.js';
import type { FeedAdapter } from '../types.js';

const BOOK_STALE_MS = 10_000;
const MARK_STALE_MS = 10_000;
const FUNDING_STALE_MS = 120_000;

const bboSequence = (ticker: Ticker): number => Number((ticker.info as { seqId?: unknown }).seqId) || 0;

async function fundingIntervals(exchange: Exchange, symbols: readonly string[]): Promise<Map<string, number>> {
  const intervals = new Map<string, number>();
  for (const symbol of symbols) {
    const hours = intervalHours((await exchange.fetchFundingRate(symbol)).interval);
    if (hours > 0) intervals.set(symbol, hours);
  }
  return intervals;
}

export const okx: FeedAdapter = {
  id: 'okx',
  bookDepth: 400,
  bookStaleAfterMs: BOOK_STALE_MS,
  bidsAsks: (symbol) => bidsAsksStream(symbol, BOOK_STALE_MS, bboSequence),
  fundingStream: true,
  perp: (symbol, withFunding) => [markPriceStream(symbol, MARK_STALE_MS), ...(withFunding ? [fundingRateStream(symbol, FUNDING_STALE_MS)] : [])],
  fundingIntervals,
};
