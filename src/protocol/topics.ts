/**
 * Topic names, built in one place (NautilusTrader-style) and never retyped as literals.
 *
 * Topics name what a message is about; channels (runtime) carry bytes between actors. A feed
 * tags each market-data message with its topic so fan-out can route it to the strategies that
 * subscribed, and so conflation can keep the latest value per topic.
 */
import type { MarketDataMessage } from './messages.js';

export type MarketDataKind = 'book' | 'levels' | 'funding' | 'mark' | 'status';

const KIND_BY_TYPE: Readonly<Record<MarketDataMessage['type'], MarketDataKind>> = Object.freeze({
  BookTop: 'book',
  BookLevels: 'levels',
  FundingRate: 'funding',
  MarkPrice: 'mark',
  VenueStatus: 'status',
});

export function marketDataKind(type: MarketDataMessage['type']): MarketDataKind {
  return KIND_BY_TYPE[type];
}

/** `md.<kind>.<venue>.<symbol>`; venue-wide status uses `md.status.<venue>`. */
export function marketDataTopic(kind: MarketDataKind, venue: string, symbol: string): string {
  return symbol === '' ? `md.${kind}.${venue}` : `md.${kind}.${venue}.${symbol}`;
}

/** The topic of a market-data message (used as its conflation key). */
export function topicOf(message: MarketDataMessage): string {
  return marketDataTopic(KIND_BY_TYPE[message.type], message.venue, message.symbol);
}

/** Order events for one strategy. */
export function executionEventsTopic(strategyId: string): string {
  return `exec.events.${strategyId}`;
}

/** Commands from every strategy to the execution actor. */
export const EXECUTION_COMMANDS_TOPIC = 'exec.commands';

/** Opportunities a strategy reports to ops. */
export function opportunitiesTopic(strategyId: string): string {
  return `strategy.opportunities.${strategyId}`;
}

/**
 * A market-data subscription: which venues and symbols an actor wants. Empty lists mean all.
 * `matches` is evaluated once per (venue, symbol) when a topic is first seen, never per message.
 */
export interface MarketDataSubscription {
  readonly venues?: readonly string[];
  readonly symbols?: readonly string[];
  readonly kinds?: readonly MarketDataKind[];
}

export function subscriptionMatches(
  subscription: MarketDataSubscription,
  kind: MarketDataKind,
  venue: string,
  symbol: string,
): boolean {
  const { venues, symbols, kinds } = subscription;
  if (venues && venues.length > 0 && !venues.includes(venue)) return false;
  if (kinds && kinds.length > 0 && !kinds.includes(kind)) return false;
  // Venue-wide status reaches everyone who follows the venue.
  if (symbol === '') return true;
  return !symbols || symbols.length === 0 || symbols.includes(symbol);
}
