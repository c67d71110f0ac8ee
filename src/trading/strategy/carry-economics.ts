/**
 * The economics of a funding carry: short the leg that pays more funding, long the one that pays
 * less, same quantity on both, hold while funding flows. Shared by `funding-carry` (two perps on
 * two venues) and `spot-perp-hedge` (a perp and its spot market: spot is a leg whose funding is 0).
 *
 * Entry. Each leg's rate is divided by its own interval (1 h, 4 h and 8 h venues coexist, so raw
 * rates are not comparable), and the expected funding over the holding horizon is
 *
 *     grossUsd = notional × (ratePerHour(short) − ratePerHour(long)) × holdingHours
 *
 * from which the round trip is subtracted: on both legs, entry and exit, the taker fee, half the
 * spread (mid → touch) and the slippage the size walks into beyond the touch, read from the live
 * book and its depth (`costs.ts`). The exit is priced with today's book: the only estimate there
 * is. The result, `netEdgeBps` of one leg's notional over the horizon, must clear `entryEdgeBps`.
 *
 * Holding. Once in, the entry costs are sunk and the exit costs are paid whenever we leave, so
 * neither changes the choice between holding and leaving now: only the funding still to come
 * does. A carry is therefore held while the annualized funding differential in its direction
 * stays above `exitAprPct` (entering needs the costs covered, leaving does not: that gap is the
 * hysteresis that keeps it from flapping).
 */
import type { QuoteBook } from '../market/book.js';
import { legCostFromBook, roundTripCostBps } from '../market/costs.js';
import { carryEdge, fundingRatePerHour, HOURS_PER_YEAR, MS_PER_HOUR, type CarryEdge, type FundingQuote } from '../market/funding.js';
import { commonLegQty } from '../market/lot-size.js';
import type { MarketRulesEntry } from '../market/market-rules-view.js';
import { BPS, marketKey } from '../market/symbols.js';

/** A market one leg trades. */
export interface CarryMarket {
  readonly venue: string;
  readonly symbol: string;
}

/** A candidate leg: its market and the funding it pays (spot: rate 0). */
export interface CarryLegInput extends CarryMarket {
  readonly funding: FundingQuote;
  /** The market's rules and fee rates as execution published them; undefined until they arrive (no entry then). */
  readonly rules: MarketRulesEntry | undefined;
}

export interface CarryEntry {
  readonly short: CarryMarket;
  readonly long: CarryMarket;
  /** The one quantity both legs trade (on both venues' lot steps, above both minimums). */
  readonly qty: number;
  /** qty × the mean of both mids: what each leg is worth. */
  readonly notionalUsd: number;
  readonly edge: CarryEdge;
  /** Round-trip cost in bps of one leg's notional. */
  readonly costBps: number;
  /** The longest funding interval of the legs: by then every leg has settled at least once. */
  readonly intervalHours: number;
  /** Net expected PnL per such interval: the horizon's net spread evenly over its intervals. */
  readonly pnlPerIntervalUsd: number;
}

export interface CarrySizing {
  readonly notionalUsd: number;
  readonly holdingHours: number;
  /** A cap on the quantity from elsewhere (spot inventory), or Infinity. */
  readonly maxQty: number;
}

export type CarryEstimate = { readonly entry: CarryEntry; readonly problem?: undefined } | { readonly entry?: undefined; readonly problem: string };

/**
 * Prices entering the carry between two legs now: direction from per-hour funding, one matched
 * quantity, costs from the live book at that size (with each leg's published taker rate), and the
 * net edge over the horizon.
 *
 * @example estimateCarryEntry(book, bybitLeg, okxLeg, { notionalUsd: 10_000, holdingHours: 24, maxQty: Infinity }).entry?.edge.netEdgeBps
 */
export function estimateCarryEntry(book: QuoteBook, a: CarryLegInput, b: CarryLegInput, sizing: CarrySizing): CarryEstimate {
  // The same tie-break as carryEdge: on equal rates, `a` is the short.
  const [short, long] = fundingRatePerHour(a.funding) >= fundingRatePerHour(b.funding) ? [a, b] : [b, a];
  const shortMid = book.mid(short.venue, short.symbol);
  const longMid = book.mid(long.venue, long.symbol);
  if (shortMid === null || longMid === null) return { problem: `no fresh quote on ${shortMid === null ? label(short) : label(long)}` };
  const missing = !short.rules ? short : !long.rules ? long : null;
  if (missing || !short.rules || !long.rules) return { problem: `no market rules yet for ${label(missing ?? short)} (execution publishes them once the venue is connected)` };
  const refPx = (shortMid + longMid) / 2;
  const sized = commonLegQty(Math.min(sizing.notionalUsd / refPx, sizing.maxQty), [
    { label: label(short), rules: short.rules, px: shortMid },
    { label: label(long), rules: long.rules, px: longMid },
  ]);
  if (sized.problem !== undefined) return { problem: `${sized.problem} (${fmt(Math.min(sizing.notionalUsd, sizing.maxQty * refPx))} USD at ${fmt(refPx)})` };
  const qty = sized.qty;
  const notionalUsd = qty * refPx;
  const shortCost = legCostFromBook(book, short.rules.takerRateBps, short.venue, short.symbol, 'sell', notionalUsd);
  const longCost = legCostFromBook(book, long.rules.takerRateBps, long.venue, long.symbol, 'buy', notionalUsd);
  if (!shortCost || !longCost) return { problem: `no fresh book to price ${!shortCost ? label(short) : label(long)}` };
  const costBps = roundTripCostBps([shortCost, longCost]);
  // Venue labels are market keys, so a spot and a perp leg on the same venue stay apart.
  const edge = carryEdge({
    a: { venue: marketKey(short.venue, short.symbol), ...short.funding },
    b: { venue: marketKey(long.venue, long.symbol), ...long.funding },
    notionalUsd,
    horizonHours: sizing.holdingHours,
    costBps,
  });
  const intervalHours = Math.max(short.funding.intervalHours, long.funding.intervalHours);
  const pnlPerIntervalUsd = (edge.netUsd * intervalHours) / sizing.holdingHours;
  return { entry: { short: market(short), long: market(long), qty, notionalUsd, edge, costBps, intervalHours, pnlPerIntervalUsd } };
}

export interface CarryHold {
  /** ratePerHour(short) − ratePerHour(long): positive while the carry earns. */
  readonly spreadPerHour: number;
  readonly aprPct: number;
  /** Funding still expected over the horizon, in bps of one leg's notional (costs excluded: see above). */
  readonly edgeBps: number;
  readonly pnlPerIntervalUsd: number;
}

/** What holding an open carry still earns, from the current rates. */
export function carryHoldEdge(shortFunding: FundingQuote, longFunding: FundingQuote, notionalUsd: number, holdingHours: number): CarryHold {
  const spreadPerHour = fundingRatePerHour(shortFunding) - fundingRatePerHour(longFunding);
  const intervalHours = Math.max(shortFunding.intervalHours, longFunding.intervalHours);
  return {
    spreadPerHour,
    aprPct: spreadPerHour * HOURS_PER_YEAR * 100,
    edgeBps: (spreadPerHour * holdingHours) / BPS,
    pnlPerIntervalUsd: notionalUsd * spreadPerHour * intervalHours,
  };
}

export interface ExitCheck {
  /** Null when a leg's funding is unknown: the edge test is skipped, the others still apply. */
  readonly hold: CarryHold | null;
  readonly exitAprPct: number;
  readonly heldMs: number;
  readonly maxHoldingHours: number;
  /** How long each leg's market has been unusable, with its label. */
  readonly unusable: readonly { readonly label: string; readonly forMs: number | null }[];
  readonly staleExitAfterMs: number;
  /** Only one leg holds a position (a failed entry or exit left a residue). */
  readonly oneSided: boolean;
}

/** Why an open carry should be closed now, or null to keep holding. Checked in order of urgency. */
export function carryExitReason(check: ExitCheck): string | null {
  if (check.oneSided) return 'only one leg is open: closing the residue';
  for (const leg of check.unusable) {
    if (leg.forMs !== null && leg.forMs >= check.staleExitAfterMs) return `${leg.label} stale or down for ${fmt(leg.forMs / 1000)} s (staleExitAfterMs ${check.staleExitAfterMs})`;
  }
  const maxHoldingMs = check.maxHoldingHours * MS_PER_HOUR;
  if (check.heldMs >= maxHoldingMs) return `held ${fmt(check.heldMs / MS_PER_HOUR)} h ≥ maxHoldingHours ${check.maxHoldingHours}`;
  if (check.hold && check.hold.aprPct < check.exitAprPct) return `funding edge ${fmt(check.hold.aprPct)} %/yr < exitAprPct ${check.exitAprPct}`;
  return null;
}

const market = (leg: CarryMarket): CarryMarket => ({ venue: leg.venue, symbol: leg.symbol });

export const label = (m: CarryMarket): string => `${m.symbol}@${m.venue}`;

/** Compact numbers for reasons: 4 significant digits. */
export const fmt = (value: number): string => (Number.isFinite(value) ? String(Number(value.toPrecision(4))) : String(value));
