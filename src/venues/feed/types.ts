/**
 * The contracts between the generic feed engine and the per-venue adapters.
 *
 * An adapter is data plus a few small functions: which ccxt `watch*` / `fetch*` method carries
 * which kind of market data on that venue, how to read the venue-specific fields (binance's
 * funding rate hides in `info.r` of the mark price), how fast each stream normally updates, and
 * where the funding interval comes from. Everything else — the watch loops, staleness,
 * reconnects, sanity checks, publishing — is the engine's, and the same for every venue.
 */
import type { Exchange } from 'ccxt';
import type { CcxtErrorClasses } from '../ccxt-loader.js';
import type { SymbolOutput } from './output.js';
import type { Verdict } from './sink.js';

/** Stream names, also the keys of `staleAfterMs`. */
export const STREAM_NAMES = ['book', 'bidsAsks', 'ticker', 'mark', 'funding'] as const;
export type StreamName = (typeof STREAM_NAMES)[number];

/** One kind of market data for one symbol, as a venue delivers it through ccxt. */
export interface StreamSpec {
  readonly name: StreamName;
  /** The ccxt method that delivers it (shown in status, and the answer to "what does this venue use"). */
  readonly method: string;
  /** Drops the subscription, when the venue can (a resubscribe without a reconnect); `method` is checked against `exchange.has`. */
  readonly unwatch?: { readonly method: string; call(exchange: Exchange, symbol: string): Promise<unknown> };
  /** A REST poll instead of a stream: the delay between calls. */
  readonly pollMs?: number;
  /** No update for this long is stale, unless the params say otherwise. */
  readonly staleAfterMs: number;
  /**
   * After a sequence error, what makes the venue send a fresh snapshot, when the next watch alone
   * does not (bybit: unsubscribe first, or it refuses the second subscribe). Omitted: nothing needed.
   */
  resync?(exchange: Exchange, symbol: string): Promise<unknown>;
  /** Waits for (watch) or fetches (poll) the next update. */
  next(exchange: Exchange, symbol: string): Promise<unknown>;
  /** Turns one ccxt result into messages through `out`. `ts` is the ingress time. */
  handle(result: unknown, out: SymbolOutput, ts: number): Verdict;
}

/**
 * A venue's quirks. The engine decides what runs (book always; the best bid/ask stream when
 * `topSource` asks for it; per perp the adapter's streams, and a REST funding poll when no stream
 * carries funding or the params ask for one); the adapter says how each is done on this venue.
 */
export interface FeedAdapter {
  /** The ccxt exchange id. */
  readonly id: string;
  /** Snapshot depth for the local book when the params do not set one (a limit the venue accepts). */
  readonly bookDepth: number;
  /** How long the book may go without an update before it is stale (by default). */
  readonly bookStaleAfterMs: number;
  /** The book stream, when the venue needs more than `orderBookStream` (a resync step). */
  orderBook?(symbol: string, depth: number): StreamSpec;
  /** Patches the ccxt instance where ccxt misses a venue rule (runs once, before any socket opens). */
  install?(exchange: Exchange, errors: CcxtErrorClasses): void;
  /** The venue's best bid/ask stream, if it has one. */
  bidsAsks?(symbol: string): StreamSpec;
  /** Whether some stream carries the funding rate (otherwise the REST endpoint is polled). */
  readonly fundingStream: boolean;
  /** Streams for a perp: its mark price and, when `withFunding`, the stream that carries funding. */
  perp(symbol: string, withFunding: boolean): StreamSpec[];
  /** Funding interval in hours per perp symbol, read from the venue (never assumed). */
  fundingIntervals?(exchange: Exchange, symbols: readonly string[]): Promise<Map<string, number>>;
}
