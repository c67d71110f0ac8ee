/**
 * Topic names and the patterns that select them, built in one place (NautilusTrader-style) and
 * never retyped as literals.
 *
 * Topics name what a message is about; channels (runtime) carry bytes between actors. A feed
 * tags each market-data message with its topic so fan-out can route it to the strategies that
 * subscribed, and so conflation can keep the latest value per topic.
 */
import type { MarketDataMessage, MessageOf } from './messages.js';

/** `rules`: a market's MarketRules as a recording replays them (they travel with the market data there). */
export type MarketDataKind = 'book' | 'levels' | 'funding' | 'mark' | 'status' | 'rules';

const KIND_BY_TYPE: Readonly<Record<MarketDataMessage['type'], MarketDataKind>> = Object.freeze({
  BookTop: 'book',
  BookLevels: 'levels',
  FundingRate: 'funding',
  MarkPrice: 'mark',
  VenueStatus: 'status',
});

/** `md.<kind>.<venue>.<symbol>`; venue-wide status uses `md.status.<venue>`. */
export function marketDataTopic(kind: MarketDataKind, venue: string, symbol: string): string {
  return symbol === '' ? `md.${kind}.${venue}` : `md.${kind}.${venue}.${symbol}`;
}

/**
 * The subscription pattern for every kind of market data about `symbol` on `venue`:
 * `md.*.<venue>.<symbol>` (`*` matches one segment, see the runtime's topicMatches).
 */
export function marketDataPattern(venue: string, symbol: string): string {
  return `md.*.${venue}.${symbol}`;
}

/** The topic of a market-data message (used as its conflation key). */
export function topicOf(message: MarketDataMessage): string {
  return marketDataTopic(KIND_BY_TYPE[message.type], message.venue, message.symbol);
}

/** The topic a recorded `MarketRules` is replayed on: `md.rules.<venue>.<symbol>`, so it reaches whoever subscribed to that market. */
export function recordedRulesTopic(message: MessageOf<'MarketRules'>): string {
  return marketDataTopic('rules', message.venue, message.symbol);
}

/** Order events for one strategy. */
export function executionEventsTopic(strategyId: string): string {
  return `exec.events.${strategyId}`;
}

/** An account's balances (`BalanceChanged`), for the strategies that trade `venue`. */
export function executionBalancesTopic(venue: string): string {
  return `exec.balances.${venue}`;
}
