/**
 * The latest quote per (venue, symbol), fed by market-data messages, read by strategies (edge
 * estimates) and execution (price collars, paper fills, mark-to-market).
 *
 * Staleness: a quote is treated as absent when its venue (or the symbol) was last reported
 * `stale` or `down` by a `VenueStatus`, or when it is older than `maxAgeMs` by the injected clock.
 * The last `VenueStatus` is authoritative until the next one: the feed, which sees the socket,
 * decides when a venue is healthy again, not the arrival of one more quote.
 *
 * Depth: `BookLevels` gives N levels, `BookTop` only the touch. When a newer top disagrees with
 * the stored levels' best prices, the levels are dropped (stale depth would look like liquidity
 * that is gone) and estimates fall back to the top with a penalty for what lies beyond it.
 */
import type { MarketDataMessage, VenueState } from '../../protocol/index.js';
import { BPS, marketKey } from './symbols.js';
import { beyondDepthPx, walkLevels, type Side } from './levels.js';
import type { PriceGuard } from './price-guard.js';

export { walkLevels, type Side, type LevelWalk } from './levels.js';

export interface BookOptions {
  /** Clock in ms; only differences matter, so any monotonic source works. */
  readonly now: () => number;
  /** A quote (or mark) older than this is treated as absent. */
  readonly maxAgeMs: number;
  /** Price penalty for liquidity beyond the known depth, in bps beyond the last known level. Default 25. */
  readonly beyondDepthPenaltyBps?: number;
  /** Checks every top (its mid) and mark before it is taken; a rejected one leaves the book as it was. */
  readonly guard?: PriceGuard;
}

export interface Top {
  readonly bidPx: number;
  readonly bidSz: number;
  readonly askPx: number;
  readonly askSz: number;
  readonly ageMs: number;
}

export interface FundingSnapshot {
  readonly rate: number;
  readonly intervalHours: number;
  readonly nextFundingTimeMs: number;
  readonly settled: boolean;
  readonly receivedMs: number;
}

export interface SlippageEstimate {
  /** Best price on the side a taker consumes (ask for a buy). */
  readonly touchPx: number;
  readonly avgPx: number;
  /** How much worse than the touch the average fill is, in bps (≥ 0). */
  readonly slippageBps: number;
  readonly qty: number;
  /** True when the known depth covered the whole notional (no penalty applied). */
  readonly complete: boolean;
  readonly depthSource: 'levels' | 'top';
}

/** What `QuoteBook.snapshot()` returns: plain data, opaque to callers. */
export interface QuoteBookSnapshot {
  readonly quotes: readonly (readonly [string, Readonly<Quote>])[];
  readonly venueStates: readonly (readonly [string, VenueState])[];
}

interface Quote {
  bidPx: number;
  bidSz: number;
  askPx: number;
  askSz: number;
  topMs: number;
  bids: number[];
  asks: number[];
  hasLevels: boolean;
  /** Bumped by every BookTop/BookLevels, so consumers can tell a new quote from the same one. */
  version: number;
  markPx: number;
  markMs: number;
  state: VenueState;
  funding: FundingSnapshot | null;
}

// Until a VenueStatus says otherwise a market is assumed healthy; freshness still gates every read.
const INITIAL_STATE: VenueState = 'up';
const unusable = (state: VenueState | undefined): boolean => state === 'stale' || state === 'down';

/**
 * @example
 * const book = new QuoteBook({ now: () => Date.now(), maxAgeMs: 5_000 });
 * book.apply(bookTopMessage);
 * book.mid('binance', 'BTC/USDT'); // null when absent or stale
 */
export class QuoteBook {
  readonly #quotes = new Map<string, Quote>();
  readonly #venueState = new Map<string, VenueState>();
  readonly #now: () => number;
  readonly #maxAgeMs: number;
  readonly #penaltyBps: number;
  readonly #guard: PriceGuard | undefined;

  constructor(options: BookOptions) {
    this.#now = options.now;
    this.#maxAgeMs = options.maxAgeMs;
    this.#penaltyBps = options.beyondDepthPenaltyBps ?? 25;
    this.#guard = options.guard;
  }

  /** Feeds one market-data message. Arrays are copied, so the caller may reuse its message. */
  apply(message: MarketDataMessage): void {
    if (message.type === 'VenueStatus' && message.symbol === '') {
      this.#venueState.set(message.venue, message.state);
      return;
    }
    const nowMs = this.#now();
    if (this.#guard && !this.#admit(this.#guard, message, nowMs)) return;
    const quote = this.#quote(message.venue, message.symbol);
    switch (message.type) {
      case 'BookTop':
        if (quote.hasLevels && (quote.bids[0] !== message.bidPx || quote.asks[0] !== message.askPx)) quote.hasLevels = false;
        setTop(quote, message.bidPx, message.bidSz, message.askPx, message.askSz, nowMs);
        break;
      case 'BookLevels':
        copyInto(quote.bids, message.bids);
        copyInto(quote.asks, message.asks);
        quote.hasLevels = true;
        setTop(quote, message.bids[0] ?? NaN, message.bids[1] ?? NaN, message.asks[0] ?? NaN, message.asks[1] ?? NaN, nowMs);
        break;
      case 'MarkPrice':
        quote.markPx = message.markPx;
        quote.markMs = nowMs;
        break;
      case 'FundingRate':
        quote.funding = { rate: message.rate, intervalHours: message.intervalHours, nextFundingTimeMs: message.nextFundingTimeMs, settled: message.settled, receivedMs: nowMs };
        break;
      case 'VenueStatus':
        quote.state = message.state;
        break;
    }
  }

  /** True when the venue and symbol are usable and the top is fresh and not crossed. */
  isFresh(venue: string, symbol: string): boolean {
    return this.top(venue, symbol) !== null;
  }

  /** The fresh top of book, or null. @example book.top('okx', 'BTC/USDT')?.askPx */
  top(venue: string, symbol: string): Top | null {
    const quote = this.#usable(venue, symbol);
    if (!quote) return null;
    const ageMs = this.#now() - quote.topMs;
    // A crossed or one-sided top is bad data for pricing; treat it like a missing quote.
    if (!(ageMs <= this.#maxAgeMs && quote.bidPx > 0 && quote.askPx > quote.bidPx)) return null;
    return { bidPx: quote.bidPx, bidSz: quote.bidSz, askPx: quote.askPx, askSz: quote.askSz, ageMs };
  }

  /** (bid + ask) / 2 of a fresh top. @example book.mid('bybit', 'ETH/USDT') // 3000.5 */
  mid(venue: string, symbol: string): number | null {
    const top = this.top(venue, symbol);
    return top ? (top.bidPx + top.askPx) / 2 : null;
  }

  /** (ask − bid) / mid in bps. @example book.spreadBps('okx', 'BTC/USDT') // 1.6 */
  spreadBps(venue: string, symbol: string): number | null {
    const top = this.top(venue, symbol);
    return top ? ((top.askPx - top.bidPx) / ((top.askPx + top.bidPx) / 2)) / BPS : null;
  }

  /**
   * The price risk checks and mark-to-market use: a fresh mark price when the venue publishes one
   * (perps; it is what the venue liquidates and settles funding at), else the fresh mid.
   */
  referencePx(venue: string, symbol: string): number | null {
    const quote = this.#usable(venue, symbol);
    if (quote && quote.markPx > 0 && this.#now() - quote.markMs <= this.#maxAgeMs) return quote.markPx;
    return this.mid(venue, symbol);
  }

  /** The last mark ever seen, stale or not (a funding settlement uses the venue's mark at that time). */
  lastMarkPx(venue: string, symbol: string): number | null {
    const quote = this.#quotes.get(marketKey(venue, symbol));
    if (!quote) return null;
    if (quote.markPx > 0) return quote.markPx;
    return quote.bidPx > 0 && quote.askPx > 0 ? (quote.bidPx + quote.askPx) / 2 : null;
  }

  /** A counter bumped by every book update of the market (0 before the first). */
  version(venue: string, symbol: string): number {
    return this.#quotes.get(marketKey(venue, symbol))?.version ?? 0;
  }

  /** The latest funding message for a perp (staleness is the caller's call: rates change slowly). */
  funding(venue: string, symbol: string): FundingSnapshot | null {
    return this.#quotes.get(marketKey(venue, symbol))?.funding ?? null;
  }

  /**
   * The levels a taker on `side` consumes (asks for a buy), flattened [px, sz, …], best first:
   * the stored levels when they are current, else the top as a single level. Null when absent.
   */
  depth(venue: string, symbol: string, side: Side): { levels: readonly number[]; source: 'levels' | 'top' } | null {
    const top = this.top(venue, symbol);
    if (!top) return null;
    const quote = this.#quotes.get(marketKey(venue, symbol)) as Quote;
    if (quote.hasLevels) return { levels: side === 'buy' ? quote.asks : quote.bids, source: 'levels' };
    return { levels: side === 'buy' ? [top.askPx, top.askSz] : [top.bidPx, top.bidSz], source: 'top' };
  }

  /**
   * Expected slippage beyond the touch for a taker order of `notionalUsd`, walking the levels.
   * Whatever the known depth does not cover is priced `beyondDepthPenaltyBps` past the last
   * known level (with only the top known, that is everything beyond the top's size).
   *
   * @example book.estimateSlippage('binance', 'BTC/USDT', 'buy', 50_000)?.slippageBps
   */
  estimateSlippage(venue: string, symbol: string, side: Side, notionalUsd: number): SlippageEstimate | null {
    const depth = this.depth(venue, symbol, side);
    if (!depth || !(notionalUsd > 0)) return null;
    return slippageFromLevels(depth.levels, side, notionalUsd, this.#penaltyBps, depth.source);
  }

  /**
   * Plain, structured-cloneable data for a snapshot (a strategy's hot reload hands its book to the
   * successor, so decisions do not wait for every market to quote again). Times stay in the
   * injected clock's units, so restore into a book on the same clock (the same process).
   */
  snapshot(): QuoteBookSnapshot {
    const quotes: [string, Quote][] = [];
    for (const [key, quote] of this.#quotes) quotes.push([key, { ...quote, bids: [...quote.bids], asks: [...quote.asks] }]);
    return { quotes, venueStates: [...this.#venueState] };
  }

  /** A book rebuilt from `snapshot()` output: same quotes, ages, levels, funding and venue states. */
  static restore(snapshot: QuoteBookSnapshot, options: BookOptions): QuoteBook {
    const book = new QuoteBook(options);
    for (const [key, quote] of snapshot.quotes) book.#quotes.set(key, { ...quote, bids: [...quote.bids], asks: [...quote.asks] });
    for (const [venue, state] of snapshot.venueStates) book.#venueState.set(venue, state);
    return book;
  }

  /** Whether the guard lets a top or mark through (other messages carry no price it checks). */
  #admit(guard: PriceGuard, message: MarketDataMessage, nowMs: number): boolean {
    switch (message.type) {
      case 'BookTop':
        return guard.admit(message.venue, message.symbol, 'top', (message.bidPx + message.askPx) / 2, nowMs);
      case 'BookLevels':
        return guard.admit(message.venue, message.symbol, 'top', ((message.bids[0] ?? NaN) + (message.asks[0] ?? NaN)) / 2, nowMs);
      case 'MarkPrice':
        return guard.admit(message.venue, message.symbol, 'mark', message.markPx, nowMs);
      default:
        return true;
    }
  }

  #usable(venue: string, symbol: string): Quote | null {
    if (unusable(this.#venueState.get(venue))) return null;
    const quote = this.#quotes.get(marketKey(venue, symbol));
    return quote && !unusable(quote.state) ? quote : null;
  }

  #quote(venue: string, symbol: string): Quote {
    const key = marketKey(venue, symbol);
    let quote = this.#quotes.get(key);
    if (!quote) {
      quote = { bidPx: NaN, bidSz: 0, askPx: NaN, askSz: 0, topMs: -Infinity, bids: [], asks: [], hasLevels: false, version: 0, markPx: NaN, markMs: -Infinity, state: INITIAL_STATE, funding: null };
      this.#quotes.set(key, quote);
    }
    return quote;
  }
}

function setTop(quote: Quote, bidPx: number, bidSz: number, askPx: number, askSz: number, nowMs: number): void {
  quote.version += 1;
  quote.bidPx = bidPx;
  quote.bidSz = bidSz;
  quote.askPx = askPx;
  quote.askSz = askSz;
  quote.topMs = nowMs;
}

function copyInto(target: number[], source: readonly number[]): void {
  target.length = source.length;
  for (let i = 0; i < source.length; i++) target[i] = source[i] as number;
}

/**
 * Slippage of a taker order of `notionalUsd` against flattened levels (pure; see `QuoteBook.estimateSlippage`).
 *
 * @example slippageFromLevels([100, 1, 101, 1], 'buy', 150, 25, 'levels') // avgPx 100.333…, slippageBps 33.3…
 */
export function slippageFromLevels(
  levels: readonly number[],
  side: Side,
  notionalUsd: number,
  penaltyBps: number,
  depthSource: 'levels' | 'top',
): SlippageEstimate | null {
  const touchPx = levels[0];
  if (touchPx === undefined || !(touchPx > 0)) return null;
  const walk = walkLevels(levels, side, { notional: notionalUsd });
  let qty = walk.filledQty;
  let costUsd = walk.costUsd;
  const complete = walk.remaining <= notionalUsd * 1e-12;
  if (!complete) {
    const penaltyPx = beyondDepthPx(walk, levels, side, penaltyBps);
    qty += walk.remaining / penaltyPx;
    costUsd += walk.remaining;
  }
  const avgPx = costUsd / qty;
  const slippageBps = Math.max(0, (side === 'buy' ? avgPx / touchPx - 1 : 1 - avgPx / touchPx) / BPS);
  return { touchPx, avgPx, slippageBps, qty, complete, depthSource };
}
