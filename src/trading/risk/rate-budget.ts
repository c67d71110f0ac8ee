/**
 * Per-venue request budgets (token buckets), shared by everything that trades one venue account:
 * orders, cancels and status lookups all draw from the same bucket, because the venue counts
 * them against the same limit.
 *
 * A reservation never fails by itself: it reports how long the caller must wait before the
 * request fits the budget (tokens may go negative, which queues later requests behind it). That
 * lets execution throttle instead of refusing; only a wait beyond the configured maximum makes
 * the risk engine deny with `rate_budget`, and then nothing is reserved.
 */
import type { RateBudgetConfig } from './config.js';

export interface BucketState {
  readonly tokens: number;
  readonly updatedMs: number;
}

/** The bucket refilled up to `nowMs`. */
function refill(state: BucketState, config: RateBudgetConfig, nowMs: number): BucketState {
  const elapsedMs = Math.max(0, nowMs - state.updatedMs);
  return { tokens: Math.min(config.capacity, state.tokens + (elapsedMs / 1000) * config.refillPerSecond), updatedMs: Math.max(nowMs, state.updatedMs) };
}

/** How long until the bucket has `cost` tokens (0 if it has them now). */
export function waitFor(state: BucketState, config: RateBudgetConfig, nowMs: number, cost: number): number {
  const tokens = refill(state, config, nowMs).tokens - cost;
  return tokens >= 0 ? 0 : Math.ceil((-tokens / config.refillPerSecond) * 1000);
}

/**
 * Takes `cost` tokens; the result says how long to wait before sending.
 *
 * @example reserve({ tokens: 0, updatedMs: 0 }, { capacity: 5, refillPerSecond: 10 }, 0, 1).waitMs // 100
 */
export function reserve(state: BucketState, config: RateBudgetConfig, nowMs: number, cost: number): { state: BucketState; waitMs: number } {
  const waitMs = waitFor(state, config, nowMs, cost);
  const current = refill(state, config, nowMs);
  return { state: { tokens: current.tokens - cost, updatedMs: current.updatedMs }, waitMs };
}

/**
 * The buckets of every venue.
 *
 * @example
 * const budgets = new RateBudgets({ capacity: 10, refillPerSecond: 10 });
 * budgets.reserve('bybit', now, 1); // 0 while the burst lasts, then ~100 ms per request
 */
export class RateBudgets {
  readonly #buckets = new Map<string, BucketState>();
  readonly #defaults: RateBudgetConfig;
  readonly #byVenue: Readonly<Record<string, RateBudgetConfig>>;

  constructor(defaults: RateBudgetConfig, byVenue: Readonly<Record<string, RateBudgetConfig>> = {}) {
    this.#defaults = defaults;
    this.#byVenue = byVenue;
  }

  configFor(venue: string): RateBudgetConfig {
    return this.#byVenue[venue] ?? this.#defaults;
  }

  /** The wait a request of `cost` would need now, without taking anything. */
  peek(venue: string, nowMs: number, cost = 1): number {
    return waitFor(this.#bucket(venue, nowMs), this.configFor(venue), nowMs, cost);
  }

  /** Takes `cost` tokens and returns the wait in ms before the request may go out. */
  reserve(venue: string, nowMs: number, cost = 1): number {
    const result = reserve(this.#bucket(venue, nowMs), this.configFor(venue), nowMs, cost);
    this.#buckets.set(venue, result.state);
    return result.waitMs;
  }

  #bucket(venue: string, nowMs: number): BucketState {
    // A venue starts with a full burst.
    return this.#buckets.get(venue) ?? { tokens: this.configFor(venue).capacity, updatedMs: nowMs };
  }
}
