/**
 * What a strategy knows about the market: the shared `QuoteBook` (tops, depth, funding, venue
 * status and staleness), plus two things the book does not keep:
 *
 * - the ingress `ts` of the latest message per market, so a command can carry the `ts` of the
 *   market data that led to it (execution measures tick-to-order latency from it);
 * - since when a market has been unusable (stale, down or silent), so an exit on a stale venue can
 *   wait out a reconnect blip instead of paying a round trip for it.
 *
 * `applyMarketData` is the hot path: one book update and one map write, no allocation beyond the
 * market key.
 */
import type { MarketDataMessage } from '../../protocol/index.js';
import { QuoteBook, type QuoteBookSnapshot } from '../market/book.js';
import type { FundingQuote } from '../market/funding.js';
import { marketKey } from '../market/symbols.js';

export interface MarketView {
  readonly book: QuoteBook;
  /** The book's clock (ms). */
  readonly now: () => number;
  /** `ts` (monotonic ns) of the latest message per `venue|symbol`. */
  readonly lastTs: Map<string, number>;
  /** Wall ms at which an evaluation first found the market unusable; cleared once it is usable. */
  readonly unusableSinceMs: Record<string, number>;
}

export interface MarketViewSnapshot {
  readonly book: QuoteBookSnapshot;
  readonly lastTs: [string, number][];
  readonly unusableSinceMs: Record<string, number>;
}

/** `now` is the book's clock in ms (monotonic: only differences matter). */
export function createMarketView(now: () => number, maxAgeMs: number): MarketView {
  return { book: new QuoteBook({ now, maxAgeMs }), now, lastTs: new Map(), unusableSinceMs: {} };
}

export function applyMarketData(view: MarketView, message: MarketDataMessage): void {
  view.book.apply(message);
  if (message.symbol !== '') view.lastTs.set(marketKey(message.venue, message.symbol), message.ts);
}

/**
 * The `ts` for a decision that used these markets: the newest of their messages, i.e. the tick
 * that completed the picture the decision was taken on.
 */
export function decisionTs(view: MarketView, markets: readonly (readonly [string, string])[]): number {
  let ts = 0;
  for (const [venue, symbol] of markets) ts = Math.max(ts, view.lastTs.get(marketKey(venue, symbol)) ?? 0);
  return ts;
}

/**
 * How long (ms) the market has been unusable as seen by successive evaluations (0 at the first
 * that sees it), null while it is usable. Call it on every evaluation for the markets a position
 * depends on.
 */
export function unusableForMs(view: MarketView, venue: string, symbol: string, nowMs: number): number | null {
  const key = marketKey(venue, symbol);
  if (view.book.top(venue, symbol) !== null) {
    delete view.unusableSinceMs[key];
    return null;
  }
  const since = view.unusableSinceMs[key] ?? (view.unusableSinceMs[key] = nowMs);
  return nowMs - since;
}

/**
 * A perp's funding if it is recent enough to act on and its venue is usable (a stale venue's last
 * rate says nothing about what it pays now).
 */
export function freshFunding(view: MarketView, venue: string, symbol: string, maxAgeMs: number): FundingQuote | null {
  const funding = view.book.funding(venue, symbol);
  if (!funding || view.now() - funding.receivedMs > maxAgeMs || !view.book.isFresh(venue, symbol)) return null;
  return funding;
}

export function snapshotMarketView(view: MarketView): MarketViewSnapshot {
  return { book: view.book.snapshot(), lastTs: [...view.lastTs], unusableSinceMs: { ...view.unusableSinceMs } };
}

export function restoreMarketView(snapshot: MarketViewSnapshot, now: () => number, maxAgeMs: number): MarketView {
  return {
    book: QuoteBook.restore(snapshot.book, { now, maxAgeMs }),
    now,
    lastTs: new Map(snapshot.lastTs),
    unusableSinceMs: { ...snapshot.unusableSinceMs },
  };
}
