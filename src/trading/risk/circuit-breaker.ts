/**
 * Circuit breakers per venue and per strategy: after N consecutive failures (venue rejections,
 * timeouts, request errors: whatever the wiring reports) the breaker opens and orders are denied
 * with `circuit_open` for a cool-down. Risk denials are not failures: they never reached a venue.
 *
 * After the cool-down the breaker lets orders through but keeps its failure count, so one more
 * failure reopens it at once (half-open), while one success closes it for good.
 */

export interface BreakerState {
  readonly consecutiveFailures: number;
  /** Open while `nowMs < openUntilMs`. */
  readonly openUntilMs: number;
}

export interface BreakerConfig {
  readonly failureThreshold: number;
  readonly coolDownMs: number;
}

export const CLOSED: BreakerState = Object.freeze({ consecutiveFailures: 0, openUntilMs: -Infinity });

export function isBreakerOpen(state: BreakerState, nowMs: number): boolean {
  return nowMs < state.openUntilMs;
}

/** @example recordFailure(CLOSED, { failureThreshold: 1, coolDownMs: 1000 }, 0).openUntilMs // 1000 */
export function recordFailure(state: BreakerState, config: BreakerConfig, nowMs: number): BreakerState {
  const consecutiveFailures = state.consecutiveFailures + 1;
  const trips = consecutiveFailures >= config.failureThreshold;
  return { consecutiveFailures, openUntilMs: trips ? nowMs + config.coolDownMs : state.openUntilMs };
}

/** Breakers keyed by a scope string such as `venue:bybit` or `strategy:carry`. */
export class CircuitBreakers {
  readonly #states = new Map<string, BreakerState>();
  readonly #config: BreakerConfig;

  constructor(config: BreakerConfig) {
    this.#config = config;
  }

  state(key: string): BreakerState {
    return this.#states.get(key) ?? CLOSED;
  }

  isOpen(key: string, nowMs: number): boolean {
    return isBreakerOpen(this.state(key), nowMs);
  }

  /** Returns true when this failure opened (or reopened) the breaker. */
  failure(key: string, nowMs: number): boolean {
    const before = this.state(key);
    const after = recordFailure(before, this.#config, nowMs);
    this.#states.set(key, after);
    return after.openUntilMs !== before.openUntilMs;
  }

  success(key: string): void {
    this.#states.delete(key);
  }
}

export const venueBreakerKey = (venue: string): string => `venue:${venue}`;
export const strategyBreakerKey = (strategyId: string): string => `strategy:${strategyId}`;
