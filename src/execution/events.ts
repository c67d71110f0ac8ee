/**
 * Where execution's events go. The actor implements it over its `events` output: each event is
 * sent with the topic `exec.events.<strategyId>`, so only the strategy that owns the order gets
 * it; `TradingStateChanged` goes to everyone.
 */
import type { Message } from '../protocol/index.js';

export interface EventSink {
  toStrategy(strategyId: string, message: Message): void;
  broadcast(message: Message): void;
}
