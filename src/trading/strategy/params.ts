/**
 * Parameters every strategy shares, as zod shapes each strategy spreads into its own schema, and
 * the one parse function that turns a bad config into an error naming the field and the value
 * (`funding-carry params: entryEdgeBps: expected number, got "5"`).
 *
 * Defaults are chosen for the embedded simulator's four venues; the comments say why each value.
 */
import { z } from 'zod';
import { LEG_FAILURE_POLICIES } from '../../protocol/index.js';
import { configError } from '../../base/config-errors.js';
import { arbiterError } from '../../base/errors.js';
import { marketKindOf, type MarketKind } from '../market/symbols.js';

export const commonParamsShape = {
  /** How often every opportunity is evaluated and published; strategies with a tick path (actOnTick) also decide on market data. */
  evaluationIntervalMs: z.int().min(50).max(60_000).default(1_000),
  /** A quote older than this is absent (feeds conflate, so a live market updates far more often). */
  maxQuoteAgeMs: z.int().positive().default(5_000),
  /** After a denial, rejection, leg imbalance or an unanswered intent, leave that opportunity alone this long. */
  backoffMs: z.int().nonnegative().default(30_000),
  /** Per-leg timeout of a multi-leg order (execution cancels a leg that has not filled by then). */
  legTimeoutMs: z.int().positive().default(5_000),
  /** An intent with no final answer by then is treated as over (and backed off): decisions resume from positions. */
  intentDeadlineMs: z.int().positive().default(30_000),
  onLegFailure: z.enum(LEG_FAILURE_POLICIES.enum).default('unwind'),
  /** Net exposure execution may leave after repairing a failed leg. */
  toleranceUsd: z.number().nonnegative().default(25),
  /** How far past the touch an IOC leg may fill; the edge estimate already charges the expected slippage. */
  limitSlippageBps: z.number().nonnegative().max(500).default(10),
  /** How many recent acted-on opportunities status() keeps. */
  recentOpportunities: z.int().min(1).max(200).default(20),
};

function kindOf(symbol: string): MarketKind | null {
  try {
    return marketKindOf(symbol);
  } catch {
    return null;
  }
}

/** A ccxt unified perp symbol (`BTC/USDT:USDT`). */
export const perpSymbolSchema = z.string().refine((symbol) => kindOf(symbol) === 'perp', 'expected a perp symbol BASE/QUOTE:SETTLE');
/** A ccxt unified spot symbol (`BTC/USDT`). */
export const spotSymbolSchema = z.string().refine((symbol) => kindOf(symbol) === 'spot', 'expected a spot symbol BASE/QUOTE');

/** A non-empty list of distinct strings (venues, symbols). */
export const distinctList = <T extends z.ZodType<string>>(item: T, min: number) =>
  z
    .array(item)
    .min(min)
    .refine((values) => new Set(values).size === values.length, 'expected distinct entries');

/** The params every strategy has, parsed. */
export type CommonParams = z.output<z.ZodObject<typeof commonParamsShape>>;

/**
 * Params that used to describe the venue from config. Lot sizes and fee rates now come from the
 * venue (execution publishes each market's `MarketRules`), so a config that still sets them is
 * refused with the reason, not the generic "unrecognized key".
 */
const FROM_THE_VENUE: Readonly<Record<string, string>> = {
  lots: 'lot sizes (amount step, minimum quantity and notional) now come from the venue: execution publishes each market\'s rules to the strategies; remove `lots`',
  fees: 'fee rates now come from the venue (the account\'s maker/taker rates, published by execution); remove `fees` (a fallback table for venues that do not report rates is execution.params.fees)',
};

function refuseVenueFacts(strategy: string, input: unknown): void {
  if (typeof input !== 'object' || input === null) return;
  for (const [key, why] of Object.entries(FROM_THE_VENUE)) {
    if (key in input) throw arbiterError('CONFIG_INVALID', `${strategy} params: ${key}: ${why}, got ${JSON.stringify((input as Record<string, unknown>)[key]).slice(0, 120)}`);
  }
}

/**
 * Validates raw params against a strict schema (unknown keys are errors: a typo must not silently
 * fall back to a default). Throws CONFIG_INVALID naming each field; `lots` and `fees` are refused
 * with the reason (they come from the venue now).
 *
 * @example parseStrategyParams('spot-spread', schema, { minSpreadBps: 'x' }) // throws "spot-spread params: minSpreadBps: …, got \"x\""
 */
export function parseStrategyParams<S extends z.ZodType<CommonParams>>(strategy: string, schema: S, raw: unknown): z.output<S> {
  const input = raw ?? {};
  refuseVenueFacts(strategy, input);
  const result = schema.safeParse(input);
  if (!result.success) throw configError(`${strategy} params`, result.error, input);
  return result.data;
}
