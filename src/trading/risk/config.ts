/**
 * The risk engine's configuration: every limit, with defaults sized for the simulator, merged
 * from config and validated at start-up (a bad value fails with the field's path and value).
 */
import { arbiterError } from '../../base/errors.js';

export type EscalationState = 'REDUCING' | 'HALTED';

export interface RateBudgetConfig {
  /** Burst size: requests that may go out back to back. */
  readonly capacity: number;
  /** Sustained requests per second. */
  readonly refillPerSecond: number;
}

export interface RiskConfig {
  /** Venues execution may trade; anything else is `unknown_venue`. Empty = any venue. */
  readonly venues: readonly string[];
  /** Largest notional of any one order (each leg of a multi-leg order is an order). */
  readonly maxOrderNotionalUsd: number;
  /** Net exposure per underlying (BTC, ETH …), netted across venues and spot/perp. */
  readonly maxSymbolNetExposureUsd: number;
  /** Gross exposure per venue (counterparty risk: never netted across venues). */
  readonly maxVenueGrossExposureUsd: number;
  /** Gross exposure of everything. */
  readonly maxGrossExposureUsd: number;
  /** Gross exposure a strategy may use unless `strategyBudgetsUsd` names it. */
  readonly defaultStrategyBudgetUsd: number;
  readonly strategyBudgetsUsd: Readonly<Record<string, number>>;
  /** Orders that may be open at once, in total and per strategy. */
  readonly maxOpenOrders: number;
  readonly maxOpenOrdersPerStrategy: number;
  /** How far a limit may be through the reference price (mark, else mid) before it is refused. */
  readonly priceCollarBps: number;
  /** Request budget per venue account (orders, cancels and lookups share it). */
  readonly rateBudget: RateBudgetConfig;
  readonly rateBudgetByVenue: Readonly<Record<string, RateBudgetConfig>>;
  /** An order that would wait longer than this for rate budget is denied instead of queued. */
  readonly maxRateWaitMs: number;
  /** Consecutive failures that open a breaker, and how long it stays open. */
  readonly breakerFailureThreshold: number;
  readonly breakerCoolDownMs: number;
  /** Loss from the equity peak that escalates the trading state, and to what. */
  readonly maxDrawdownUsd: number;
  readonly drawdownState: EscalationState;
  /** Loss since the start of the UTC day that escalates the trading state, and to what. */
  readonly maxDailyLossUsd: number;
  readonly dailyLossState: EscalationState;
}

export type RiskConfigInput = Partial<RiskConfig>;

export const DEFAULT_RISK_CONFIG: RiskConfig = Object.freeze({
  venues: [],
  maxOrderNotionalUsd: 25_000,
  maxSymbolNetExposureUsd: 25_000,
  maxVenueGrossExposureUsd: 100_000,
  maxGrossExposureUsd: 250_000,
  defaultStrategyBudgetUsd: 100_000,
  strategyBudgetsUsd: {},
  maxOpenOrders: 100,
  maxOpenOrdersPerStrategy: 40,
  priceCollarBps: 100,
  rateBudget: { capacity: 10, refillPerSecond: 10 },
  rateBudgetByVenue: {},
  maxRateWaitMs: 2_000,
  // The seed systems used 5 failures and a 300 s cool-down.
  breakerFailureThreshold: 5,
  breakerCoolDownMs: 300_000,
  maxDrawdownUsd: 10_000,
  drawdownState: 'REDUCING',
  maxDailyLossUsd: 5_000,
  dailyLossState: 'HALTED',
});

const POSITIVE_FIELDS = [
  'maxOrderNotionalUsd',
  'maxSymbolNetExposureUsd',
  'maxVenueGrossExposureUsd',
  'maxGrossExposureUsd',
  'defaultStrategyBudgetUsd',
  'maxOpenOrders',
  'maxOpenOrdersPerStrategy',
  'breakerFailureThreshold',
] as const;
const NON_NEGATIVE_FIELDS = ['priceCollarBps', 'maxRateWaitMs', 'breakerCoolDownMs', 'maxDrawdownUsd', 'maxDailyLossUsd'] as const;

function fail(path: string, value: unknown, rule: string): never {
  throw arbiterError('CONFIG_INVALID', `risk.${path} ${rule}, got ${JSON.stringify(value)}`);
}

function checkNumber(path: string, value: unknown, min: number, inclusive: boolean): void {
  if (typeof value !== 'number' || !Number.isFinite(value) || (inclusive ? value < min : value <= min)) {
    fail(path, value, `must be a finite number ${inclusive ? '≥' : '>'} ${min}`);
  }
}

function checkBudget(path: string, budget: RateBudgetConfig): void {
  checkNumber(`${path}.capacity`, budget.capacity, 0, false);
  checkNumber(`${path}.refillPerSecond`, budget.refillPerSecond, 0, false);
}

/**
 * Defaults merged with `input`, validated. Throws `CONFIG_INVALID` naming the field.
 *
 * @example riskConfig({ maxOrderNotionalUsd: 5_000, venues: ['binance', 'bybit'] })
 */
export function riskConfig(input: RiskConfigInput = {}): RiskConfig {
  const config: RiskConfig = { ...DEFAULT_RISK_CONFIG, ...input };
  for (const field of POSITIVE_FIELDS) checkNumber(field, config[field], 0, false);
  for (const field of NON_NEGATIVE_FIELDS) checkNumber(field, config[field], 0, true);
  for (const field of ['drawdownState', 'dailyLossState'] as const) {
    if (config[field] !== 'REDUCING' && config[field] !== 'HALTED') fail(field, config[field], "must be 'REDUCING' or 'HALTED'");
  }
  if (!Array.isArray(config.venues) || !config.venues.every((v) => typeof v === 'string')) fail('venues', config.venues, 'must be a list of venue ids');
  for (const [id, budget] of Object.entries(config.strategyBudgetsUsd)) checkNumber(`strategyBudgetsUsd.${id}`, budget, 0, true);
  checkBudget('rateBudget', config.rateBudget);
  for (const [venue, budget] of Object.entries(config.rateBudgetByVenue)) checkBudget(`rateBudgetByVenue.${venue}`, budget);
  return Object.freeze(config);
}
