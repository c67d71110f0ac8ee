/**
 * The simulator's domain vocabulary: what a venue lists and how it quotes. Venue modules
 * declare these as data; the core (market model, matching engine, funding) runs on them
 * without knowing any venue's wire protocol.
 */

export type MarketKind = 'spot' | 'perp';

/** One tradable market on one venue. Sizes are in base units, prices in quote units. */
export interface InstrumentSpec {
  /** ccxt's unified symbol: `BTC/USDT` (spot) or `BTC/USDT:USDT` (linear perp). */
  readonly symbol: string;
  readonly base: string;
  readonly quote: string;
  /** Settlement asset of a perp (the margin currency). */
  readonly settle?: string;
  readonly kind: MarketKind;
  readonly tickSize: number;
  readonly stepSize: number;
  readonly minQty: number;
  readonly maxQty: number;
  /** Smallest price × quantity accepted. */
  readonly minNotional: number;
  /** Typical resting size of one book level, in base units. */
  readonly levelQty: number;
  /** Funding interval of a perp on this venue (venues differ per symbol: 1, 4 or 8 h). */
  readonly fundingIntervalHours?: number;
  /**
   * Base units per contract where the venue sizes orders in contracts (okx swaps: 0.01 BTC).
   * The engine always works in base units; only the venue's wire format converts. Absent = 1.
   */
  readonly contractSize?: number;
  /** Fees of this market when they differ from the venue's (one account trading spot and perps). */
  readonly fees?: FeeSpec;
}

/** How a venue quotes around the fair price. */
export interface QuotingSpec {
  /** Persistent offset of this venue's prices from fair, in basis points. */
  readonly offsetBps: number;
  readonly spreadBps: number;
  /** Standard deviation of the venue's mean-reverting price noise, in basis points. */
  readonly noiseBps: number;
  /** Levels per side. */
  readonly levels: number;
  /** Distance between levels, in basis points (at least one tick). */
  readonly levelSpacingBps: number;
  /** Probability per tick that a level's size is redrawn (liquidity churn). */
  readonly refreshProbability: number;
}

/**
 * Funding-rate dynamics of a venue's perps (Ornstein-Uhlenbeck per symbol, in venue time),
 * per settlement of the default interval; a perp with another interval scales them to its own.
 */
export interface FundingSpec {
  /** Default interval when an instrument does not set its own. */
  readonly intervalHours: number;
  readonly meanRate: number;
  readonly volatilityPerSqrtHour: number;
  readonly reversionPerHour: number;
  /** Venue cap on |rate| per interval. */
  readonly maxAbsRate: number;
}

export interface FeeSpec {
  readonly makerRate: number;
  readonly takerRate: number;
}

/** An account's own fee tier on one venue, per market kind (a kind left out pays the venue's regular rates). */
export type AccountFeeTier = Readonly<Partial<Record<MarketKind, FeeSpec>>>;

/** Everything the core needs to simulate one venue (one ccxt exchange id). */
export interface VenueSpec {
  /** The ccxt exchange id this venue answers as (`binance`, `binanceusdm`, `bybit`, …). */
  readonly id: string;
  /** Original hosts served (REST and WebSocket), the first path segment after redirection. */
  readonly hosts: readonly string[];
  readonly instruments: readonly InstrumentSpec[];
  readonly quoting: QuotingSpec;
  readonly fees: FeeSpec;
  /** Present when the venue lists perps. */
  readonly funding?: FundingSpec;
  /** Balances a fresh account starts with, per asset. */
  readonly startingBalances: Readonly<Record<string, number>>;
  /** Leverage of perp positions until the client changes it. */
  readonly defaultLeverage: number;
  /** How often the server pings each WebSocket. */
  readonly wsPingIntervalMs: number;
}

/** A price level: integer price in ticks (exact map key), quantity in base units. */
export type Level = [priceTicks: number, quantity: number];

/** Decimal places of a step such as 0.001 → 3. */
export function decimalsOf(step: number): number {
  if (step >= 1) return 0;
  return Math.max(0, Math.ceil(-Math.log10(step) - 1e-9));
}

export function instrumentOf(venue: VenueSpec, symbol: string): InstrumentSpec | undefined {
  return venue.instruments.find((instrument) => instrument.symbol === symbol);
}
