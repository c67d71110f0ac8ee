/**
 * Funding-rate math for perps.
 *
 * A venue quotes `rate` per funding interval, and the interval differs per venue and per symbol
 * (binance USDⓈ-M lists 8 h, 4 h and 1 h contracts; bybit and okx move symbols between intervals
 * when funding is extreme), so a raw rate is meaningless across venues until it is divided by its
 * own interval. Everything here takes the interval from the message; nothing assumes 8 h.
 *
 * Sign convention (every venue uses it): a positive rate means longs pay shorts. All rates are
 * fractions (0.0001 = 1 bp), all money is in quote currency (USD(T)).
 */
import { arbiterError } from '../../base/errors.js';
import { BPS } from './symbols.js';

/** Funding accrues every day of the year; leap days are noise at this precision. */
export const HOURS_PER_YEAR = 24 * 365;
export const MS_PER_HOUR = 3_600_000;

/** A funding rate and the interval it applies to (the fields of a `FundingRate` message). */
export interface FundingQuote {
  readonly rate: number;
  readonly intervalHours: number;
}

function checkQuote(quote: FundingQuote): void {
  if (!Number.isFinite(quote.rate) || !(quote.intervalHours > 0) || !Number.isFinite(quote.intervalHours)) {
    throw arbiterError('INVALID_ARGUMENT', `funding quote needs a finite rate and intervalHours > 0, got rate=${quote.rate} intervalHours=${quote.intervalHours}`);
  }
}

/**
 * The rate per hour. @example fundingRatePerHour({ rate: 0.0004, intervalHours: 4 }) // 0.0001
 */
export function fundingRatePerHour(quote: FundingQuote): number {
  checkQuote(quote);
  return quote.rate / quote.intervalHours;
}

/**
 * The cash a position receives at one settlement (negative = paid): longs pay a positive rate.
 *
 * @example fundingPaymentUsd(2, 50_000, 0.0001) // -10 (a 2 BTC long pays 10 USD)
 */
export function fundingPaymentUsd(positionQty: number, markPx: number, rate: number): number {
  // `0 -` keeps a flat position at +0 rather than -0 (which would surprise equality checks).
  return 0 - positionQty * markPx * rate;
}

/** One venue's funding for a symbol. */
export interface VenueFunding extends FundingQuote {
  readonly venue: string;
}

export interface CarryEdgeInput {
  readonly a: VenueFunding;
  readonly b: VenueFunding;
  /** Notional of each leg (the legs are matched in notional). */
  readonly notionalUsd: number;
  readonly horizonHours: number;
  /** Round-trip cost of the whole trade in bps of one leg's notional (see costs.ts `roundTripCostBps`). */
  readonly costBps: number;
}

export interface CarryEdge {
  /** Where funding is higher: short the perp there and receive it. */
  readonly shortVenue: string;
  /** Where funding is lower: long the perp there. */
  readonly longVenue: string;
  /** Funding differential per hour (fraction of notional). */
  readonly spreadPerHour: number;
  /** Expected funding income per hour, before costs. */
  readonly grossPerHourUsd: number;
  readonly grossUsd: number;
  readonly costUsd: number;
  /** Expected profit over the horizon net of costs. */
  readonly netUsd: number;
  /** `netUsd` in bps of one leg's notional. */
  readonly netEdgeBps: number;
  /** The gross differential annualized, in percent of one leg's notional. */
  readonly annualizedPct: number;
}

/**
 * The cross-venue carry: short the perp where funding is higher, long it where it is lower, hold
 * for the horizon. Each leg's funding is normalized by its own interval before comparing.
 *
 * @example
 * carryEdge({ a: { venue: 'bybit', rate: 0.0004, intervalHours: 4 }, b: { venue: 'okx', rate: 0.0001, intervalHours: 8 },
 *   notionalUsd: 10_000, horizonHours: 24, costBps: 20 })
 * // shortVenue 'bybit', spreadPerHour 8.75e-5, grossUsd 21, costUsd 20, netUsd 1
 */
export function carryEdge(input: CarryEdgeInput): CarryEdge {
  const perHourA = fundingRatePerHour(input.a);
  const perHourB = fundingRatePerHour(input.b);
  const [high, low] = perHourA >= perHourB ? [input.a, input.b] : [input.b, input.a];
  const spreadPerHour = Math.abs(perHourA - perHourB);
  const grossPerHourUsd = input.notionalUsd * spreadPerHour;
  const grossUsd = grossPerHourUsd * input.horizonHours;
  const costUsd = input.notionalUsd * input.costBps * BPS;
  const netUsd = grossUsd - costUsd;
  return {
    shortVenue: high.venue,
    longVenue: low.venue,
    spreadPerHour,
    grossPerHourUsd,
    grossUsd,
    costUsd,
    netUsd,
    netEdgeBps: input.notionalUsd > 0 ? netUsd / input.notionalUsd / BPS : 0,
    annualizedPct: spreadPerHour * HOURS_PER_YEAR * 100,
  };
}
