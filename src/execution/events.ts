/**
 * Where execution's events go. The actor implements it over its `events` output: each event is
 * sent with the topic `exec.events.<strategyId>`, so only the strategy that owns the order gets
 * it; `TradingStateChanged` goes to everyone; `BalanceChanged` goes with the topic
 * `exec.balances.<venue>` to the strategies wired to that venue.
 */
import type { Message } from '../protocol/index.js';

export interface EventSink {
  toStrategy(strategyId: string, message: Message): void;
  broadcast(message: Message): void;
  /** To the strategies that trade `venue`. */
  toVenue(venue: string, message: Message): void;
}
