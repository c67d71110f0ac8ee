/**
 * Binance WebSocket event payloads (encoded once per event, then fanned out). Field names are
 * binance's single letters; ccxt's pro/binance.js reads exactly these.
 */
import type { BadDataFault } from '../faults.js';
import type { DepthUpdate } from '../market/book.js';
import type { InstrumentMarket, VenueMarket } from '../market/venue-market.js';
import type { Level } from '../types.js';
import { amountText, binanceId, priceText, quantityText, type BinanceFlavor } from './binance-format.js';

function levelsJson(flavor: BinanceFlavor, market: InstrumentMarket, levels: readonly Level[]): string[][] {
  const { spec } = market;
  return levels.map(([ticks, quantity]) => [priceText(flavor, spec, ticks * spec.tickSize), quantityText(flavor, spec, quantity)]);
}

/**
 * A diff-depth event. Spot: `U` = first update id, `u` = last; the next event's `U` is this
 * `u` + 1. Futures add `T` and `pu` (the previous event's `u`), and continuity is `pu` == last `u`.
 */
export function depthEvent(flavor: BinanceFlavor, market: InstrumentMarket, update: DepthUpdate, fault?: BadDataFault): string {
  const timeMs = fault?.field === 'timestamp-seconds' ? Math.floor(update.timeMs / 1000) : update.timeMs;
  const head = { e: 'depthUpdate', E: timeMs, ...(flavor === 'usdm' ? { T: timeMs } : {}), s: binanceId(market.spec) };
  const ids = flavor === 'usdm' ? { U: update.firstUpdateId, u: update.lastUpdateId, pu: update.previousUpdateId } : { U: update.firstUpdateId, u: update.lastUpdateId };
  const bids = levelsJson(flavor, market, update.bids);
  const best = market.book.bestBid();
  // The fault: the best bid's level arrives with a negative size (the venue never had one), last, so it sticks.
  if (fault?.field === 'book-size' && best) bids.push([priceText(flavor, market.spec, best[0] * market.spec.tickSize), `-${quantityText(flavor, market.spec, best[1])}`]);
  return JSON.stringify({ ...head, ...ids, b: bids, a: levelsJson(flavor, market, update.asks) });
}

/** REST depth snapshot: `lastUpdateId` is the id the first applicable diff continues from. */
export function depthSnapshot(flavor: BinanceFlavor, market: InstrumentMarket, limit: number, nowMs: number): Record<string, unknown> {
  const snapshot = market.book.snapshot(limit);
  const times = flavor === 'usdm' ? { E: nowMs, T: nowMs } : {};
  return {
    lastUpdateId: snapshot.lastUpdateId,
    ...times,
    bids: levelsJson(flavor, market, snapshot.bids),
    asks: levelsJson(flavor, market, snapshot.asks),
  };
}

/** Best bid/ask (`@bookTicker`). Spot carries no event type; futures add `e`, `E`, `T`. */
export function bookTickerEvent(flavor: BinanceFlavor, market: InstrumentMarket, nowMs: number): string | undefined {
  const bid = market.book.bestBid();
  const ask = market.book.bestAsk();
  if (!bid || !ask) return undefined;
  const { spec } = market;
  const head = flavor === 'usdm' ? { e: 'bookTicker', u: market.book.updateId, E: nowMs, T: nowMs } : { u: market.book.updateId };
  return JSON.stringify({
    ...head,
    s: binanceId(spec),
    b: priceText(flavor, spec, bid[0] * spec.tickSize),
    B: quantityText(flavor, spec, bid[1]),
    a: priceText(flavor, spec, ask[0] * spec.tickSize),
    A: quantityText(flavor, spec, ask[1]),
  });
}

/** `@ticker`: the rolling 24 h statistics (spot also carries best bid/ask). */
export function tickerEvent(flavor: BinanceFlavor, market: InstrumentMarket, nowMs: number): Record<string, unknown> {
  const { spec, ticker } = market;
  const price = (value: number): string => priceText(flavor, spec, value);
  const change = ticker.last - ticker.open;
  const bid = market.book.bestBid();
  const ask = market.book.bestAsk();
  const book =
    flavor === 'spot'
      ? {
          x: price(ticker.open),
          b: price((bid?.[0] ?? 0) * spec.tickSize),
          B: quantityText(flavor, spec, bid?.[1] ?? 0),
          a: price((ask?.[0] ?? 0) * spec.tickSize),
          A: quantityText(flavor, spec, ask?.[1] ?? 0),
        }
      : {};
  return {
    e: '24hrTicker',
    E: nowMs,
    s: binanceId(spec),
    p: price(change),
    P: ((change / ticker.open) * 100).toFixed(3),
    w: price(ticker.weightedAverage()),
    c: price(ticker.last),
    Q: quantityText(flavor, spec, ticker.lastQuantity),
    ...book,
    o: price(ticker.open),
    h: price(ticker.high),
    l: price(ticker.low),
    v: quantityText(flavor, spec, ticker.baseVolume),
    q: amountText(ticker.quoteVolume),
    O: ticker.openTimeMs,
    C: nowMs,
    F: ticker.firstTradeId,
    L: ticker.lastTradeId,
    n: ticker.trades,
  };
}

/** `@miniTicker` (what ccxt's watchTicker / watchTickers subscribe to by default). */
export function miniTickerEvent(flavor: BinanceFlavor, market: InstrumentMarket, nowMs: number): Record<string, unknown> {
  const { spec, ticker } = market;
  return {
    e: '24hrMiniTicker',
    E: nowMs,
    s: binanceId(spec),
    c: priceText(flavor, spec, ticker.last),
    o: priceText(flavor, spec, ticker.open),
    h: priceText(flavor, spec, ticker.high),
    l: priceText(flavor, spec, ticker.low),
    v: quantityText(flavor, spec, ticker.baseVolume),
    q: amountText(ticker.quoteVolume),
  };
}

/** `@markPrice`: mark, index, funding rate `r` (the rate that settles next) and its time `T`. */
export function markPriceEvent(venue: VenueMarket, market: InstrumentMarket, nowMs: number, fault?: BadDataFault): Record<string, unknown> {
  const { spec, funding } = market;
  const mark = fault?.field === 'mark' ? String(fault.markPx ?? 1e308) : venue.markPrice(spec.symbol).toFixed(8);
  return {
    e: 'markPriceUpdate',
    E: fault?.field === 'timestamp-seconds' ? Math.floor(nowMs / 1000) : nowMs,
    s: binanceId(spec),
    p: mark,
    i: venue.indexPrice(spec.symbol).toFixed(8),
    P: mark,
    r: (funding?.rate ?? 0).toFixed(8),
    T: funding?.nextFundingTimeMs ?? 0,
  };
}
