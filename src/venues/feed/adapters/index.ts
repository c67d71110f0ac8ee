/**
 * The feed adapters by ccxt id. Adding a venue is one file next to these (its quirks only) and
 * one line here.
 */
import type { FeedAdapter } from '../types.js';
import { binance, binanceusdm } from './binance.js';
import { bybit } from './bybit.js';
import { okx } from './okx.js';

export const FEED_ADAPTERS: Readonly<Record<string, FeedAdapter>> = Object.freeze({ binance, binanceusdm, bybit, okx });

export const FEED_VENUES: readonly string[] = Object.freeze(Object.keys(FEED_ADAPTERS));

export function feedAdapter(id: string): FeedAdapter | undefined {
  return Object.prototype.hasOwnProperty.call(FEED_ADAPTERS, id) ? FEED_ADAPTERS[id] : undefined;
}
