/**
 * Every message that crosses a channel, declared once.
 *
 * The codec derives its frozen msgpackr record structures from `MESSAGE_SCHEMAS` and
 * `STRUCT_SCHEMAS` (key order = declaration order, with `type` and `ts` first), validators
 * derive their checks from them, and the TypeScript types below are derived from them too.
 * Adding a message is one entry here; nothing else retypes its fields.
 *
 * Conventions: commands are imperative (`SubmitOrder`), events past tense (`OrderAccepted`).
 * Every message carries `ts`, the ingress time in monotonic nanoseconds (see base/clock)
 * of the market event that caused it, so tick-to-order latency is `now - intent.ts`.
 * Prices and quantities are plain numbers in venue units; money is in the quote currency (USD(T)).
 */
import { listOf, oneOf, type FieldsType, type Fields } from './fields.js';

const SIDES = oneOf('buy', 'sell');
const ORDER_TYPES = oneOf('market', 'limit');
/** GTC rests; IOC/FOK never rest; PO (post-only) is rejected if it would take liquidity. */
const TIME_IN_FORCE = oneOf('GTC', 'IOC', 'FOK', 'PO');
const VENUE_STATES = oneOf('up', 'degraded', 'stale', 'down');
const TRADING_STATES = oneOf('ACTIVE', 'REDUCING', 'HALTED');
/** What execution does when one leg of a multi-leg order fills and another does not. */
export const LEG_FAILURE_POLICIES = oneOf('retry', 'hedge', 'unwind');
const LEG_IMBALANCE_ACTIONS = oneOf('detected', 'retry', 'hedge', 'unwind', 'resolved', 'failed');
const OPPORTUNITY_DECISIONS = oneOf('act', 'skip', 'hold', 'exit');
/** What decided a command: the book or funding update it reacted to, or the evaluation timer. */
const DECISION_PATHS = oneOf('tick', 'timer');
/**
 * How a strategy decided a command, on the monotonic clock of `ts`: when it began handling the
 * message that led to it (`strategyInNs`, the timer's firing on the timer path) and when the
 * command was ready to send (`decidedNs`). 0 when unknown.
 */
const decided = { path: DECISION_PATHS, strategyInNs: 'num', decidedNs: 'num' } as const;

/** Why pre-trade risk refused an order. A denial is data (an `OrderDenied` event), not an exception. */
const DENIAL_REASONS = oneOf(
  'invalid_order',
  'unknown_venue',
  'notional_cap',
  'symbol_exposure',
  'venue_exposure',
  'gross_exposure',
  'strategy_budget',
  'open_orders_cap',
  'price_collar',
  'no_reference_price',
  'rate_budget',
  'circuit_open',
  'halted',
  'reducing',
  'drawdown',
  'daily_loss',
  'reconciling',
  'duplicate_intent',
  'insufficient_balance',
  'min_qty',
  'min_notional',
);

/** Where a market's fee rates came from: the account's rates read from the venue, or execution's fallback table. */
export const FEE_SOURCES = oneOf('venue', 'table');

/** Nested structs used inside messages. */
export const STRUCT_SCHEMAS = {
  Leg: {
    venue: 'str',
    symbol: 'str',
    side: SIDES,
    orderType: ORDER_TYPES,
    timeInForce: TIME_IN_FORCE,
    qty: 'num',
    limitPx: 'num?',
    reduceOnly: 'bool',
  },
  /** One asset of an account: `free` can pay for new orders, `used` is held by orders and margin. */
  AssetBalance: { asset: 'str', free: 'num', used: 'num', total: 'num' },
  /**
   * One journaled position of a strategy, as execution's book holds it (see `PositionsSynced`).
   * `symbol` first: the codec tells list structs apart by their first key (Leg starts with `venue`).
   */
  SyncedPosition: { symbol: 'str', venue: 'str', qty: 'num', avgEntryPx: 'num', realizedPnl: 'num', fees: 'num', fundingPnl: 'num' },
  /** One intent of a strategy with orders still open: how many, and the status of the first (`new`, `sent`, `open`, `unknown`…). */
  SyncedIntent: { intentSeq: 'int', openLegs: 'int', state: 'str' },
} as const satisfies Record<string, Fields>;

const orderRef = { strategyId: 'str', clientOrderId: 'str', intentSeq: 'int', leg: 'int' } as const;
const fill = {
  ...orderRef,
  venue: 'str',
  symbol: 'str',
  side: SIDES,
  fillQty: 'num',
  fillPx: 'num',
  cumQty: 'num',
  remainingQty: 'num',
  fee: 'num',
  feeCurrency: 'str',
  tradeId: 'str',
} as const;

/** Every message type: name → fields (besides the common `type` and `ts`). */
export const MESSAGE_SCHEMAS = {
  // ── market data: feed → strategies and execution ──────────────────────────────────────
  /** Best bid/ask. `venueSeq` is the venue's own update id; `exchangeTimeMs` is venue time in ms. */
  BookTop: {
    venue: 'str',
    symbol: 'str',
    bidPx: 'num',
    bidSz: 'num',
    askPx: 'num',
    askSz: 'num',
    venueSeq: 'num',
    exchangeTimeMs: 'num',
  },
  /** Top N levels, flattened as [px0, sz0, px1, sz1, …], best first. */
  BookLevels: {
    venue: 'str',
    symbol: 'str',
    bids: 'num[]',
    asks: 'num[]',
    venueSeq: 'num',
    exchangeTimeMs: 'num',
  },
  /** A perp's funding rate per interval. `settled` is true for a realised rate, false for the predicted one. */
  FundingRate: {
    venue: 'str',
    symbol: 'str',
    rate: 'num',
    intervalHours: 'num',
    nextFundingTimeMs: 'num',
    settled: 'bool',
    exchangeTimeMs: 'num',
  },
  MarkPrice: { venue: 'str', symbol: 'str', markPx: 'num', indexPx: 'num?', exchangeTimeMs: 'num' },
  /** Feed health. `symbol` is '' when the status is about the whole venue. Stale data must be treated as absent. */
  VenueStatus: { venue: 'str', symbol: 'str', state: VENUE_STATES, reason: 'str' },

  // ── commands: strategy → execution ───────────────────────────────────────────────────
  SubmitOrder: {
    strategyId: 'str',
    intentSeq: 'int',
    venue: 'str',
    symbol: 'str',
    side: SIDES,
    orderType: ORDER_TYPES,
    timeInForce: TIME_IN_FORCE,
    qty: 'num',
    limitPx: 'num?',
    reduceOnly: 'bool',
    ...decided,
  },
  /** Two or more legs sent concurrently; `onLegFailure` restores net exposure within `toleranceUsd`. */
  SubmitMultiLeg: {
    strategyId: 'str',
    intentSeq: 'int',
    legs: listOf('Leg'),
    onLegFailure: LEG_FAILURE_POLICIES,
    toleranceUsd: 'num',
    timeoutMs: 'int',
    ...decided,
  },
  CancelOrder: { strategyId: 'str', clientOrderId: 'str' },
  /** Cancel every open order of the strategy, on one venue or (venue null) on all. */
  CancelAll: { strategyId: 'str', venue: 'str?' },
  /**
   * A strategy that (re)started or was reloaded asks for its book: execution answers with
   * `PositionsSynced` once its reconciliation is done. The strategy trades nothing until then.
   */
  SyncPositions: { strategyId: 'str' },

  // ── order events: execution → the strategy that asked ────────────────────────────────
  OrderAccepted: {
    ...orderRef,
    venue: 'str',
    symbol: 'str',
    side: SIDES,
    qty: 'num',
    limitPx: 'num?',
    venueOrderId: 'str',
  },
  OrderDenied: { ...orderRef, reason: DENIAL_REASONS, detail: 'str' },
  OrderRejected: { ...orderRef, venue: 'str', code: 'str', error: 'str' },
  PartiallyFilled: fill,
  Filled: fill,
  Canceled: { ...orderRef, venue: 'str', symbol: 'str', cumQty: 'num', reason: 'str' },
  /** Signed position (`qty` < 0 is short) with its running PnL components in quote currency. */
  PositionChanged: {
    strategyId: 'str',
    venue: 'str',
    symbol: 'str',
    qty: 'num',
    avgEntryPx: 'num',
    markPx: 'num?',
    realizedPnl: 'num',
    unrealizedPnl: 'num',
    fees: 'num',
    fundingPnl: 'num',
  },
  /** A perp funding settlement applied to a position: `amount` > 0 was received. */
  FundingSettled: {
    strategyId: 'str',
    venue: 'str',
    symbol: 'str',
    rate: 'num',
    positionQty: 'num',
    markPx: 'num',
    amount: 'num',
  },
  /**
   * Every journaled position of the strategy (non-flat, spot and perp) and its intents with
   * orders still in flight, after reconciliation: the answer to `SyncPositions`, and pushed to
   * every strategy with a position after execution's own start. One message, so it is also the
   * completion marker: the strategy's positions are exactly these, and it may trade from now on.
   */
  PositionsSynced: { strategyId: 'str', positions: listOf('SyncedPosition'), intents: listOf('SyncedIntent') },
  /** A multi-leg order's legs disagree; every corrective step is reported. */
  LegImbalanceUpdated: {
    strategyId: 'str',
    intentSeq: 'int',
    netNotionalUsd: 'num',
    action: LEG_IMBALANCE_ACTIONS,
    detail: 'str',
  },
  /**
   * An account's balances as the venue reported them (`simulated`: paper/replay's starting
   * balances moved by the local fill model). Sent at start, after fills and periodically, with
   * the topic `exec.balances.<venue>`, to the strategies that trade the venue.
   */
  BalanceChanged: { venue: 'str', account: 'str', balances: listOf('AssetBalance'), fetchedMs: 'num', simulated: 'bool' },
  /** Execution's trading state, broadcast to every strategy when it changes. */
  TradingStateChanged: { state: TRADING_STATES, reason: 'str' },
  /**
   * One market's trading rules and the account's fee rates on it, as the venue states them,
   * broadcast by execution to every strategy once the venues are connected (before any order is
   * accepted) and again whenever a value changes. Quantities are in base units (`amountStep` and
   * `minQty` already multiplied by `contractSize`); `minNotional` is in quote currency, 0 when the
   * venue has none.
   */
  MarketRules: {
    venue: 'str',
    symbol: 'str',
    amountStep: 'num',
    priceTick: 'num',
    minQty: 'num',
    minNotional: 'num',
    contractSize: 'num',
    makerRateBps: 'num',
    takerRateBps: 'num',
    feeSource: FEE_SOURCES,
  },

  // ── strategy → ops ───────────────────────────────────────────────────────────────────
  /** Every opportunity a strategy considered, acted on or not, with the reason for its decision. */
  Opportunity: {
    strategyId: 'str',
    kind: 'str',
    symbol: 'str',
    venues: 'str',
    edgeBps: 'num',
    expectedPnlUsd: 'num',
    annualizedPct: 'num',
    decision: OPPORTUNITY_DECISIONS,
    reason: 'str',
  },

  // ── runtime diagnostics ──────────────────────────────────────────────────────────────
  /** Used by runtime tests and benchmarks: a sequence number, a conflation key and a body. */
  Probe: { seq: 'int', key: 'str', body: 'str' },
} as const satisfies Record<string, Fields>;

export type StructName = keyof typeof STRUCT_SCHEMAS;
export type MessageType = keyof typeof MESSAGE_SCHEMAS;

type StructTypes = { [S in StructName]: FieldsType<(typeof STRUCT_SCHEMAS)[S], StructTypesShallow> };
// Structs do not nest further, so one level of resolution is enough.
type StructTypesShallow = { [S in StructName]: FieldsType<(typeof STRUCT_SCHEMAS)[S], never> };

export type Leg = StructTypes['Leg'];
export type AssetBalance = StructTypes['AssetBalance'];
export type SyncedPosition = StructTypes['SyncedPosition'];
export type SyncedIntent = StructTypes['SyncedIntent'];

/** The message with the given `type` (distributes over a union of types, so unions narrow on `type`). */
export type MessageOf<T extends MessageType> = T extends MessageType
  ? { type: T; ts: number } & FieldsType<(typeof MESSAGE_SCHEMAS)[T], StructTypes>
  : never;

/** The discriminated union of every message. */
export type Message = { [T in MessageType]: MessageOf<T> }[MessageType];

export type Side = Leg['side'];
export type OrderType = Leg['orderType'];
export type TimeInForce = Leg['timeInForce'];
export type DenialReason = MessageOf<'OrderDenied'>['reason'];
export type VenueState = MessageOf<'VenueStatus'>['state'];
export type TradingStateName = MessageOf<'TradingStateChanged'>['state'];
export type LegFailurePolicy = MessageOf<'SubmitMultiLeg'>['onLegFailure'];
export type FeeSource = MessageOf<'MarketRules'>['feeSource'];
export type DecisionPath = MessageOf<'SubmitOrder'>['path'];
/** The decision fields of a command nobody stamped (tests, tools): timer path, times unknown. */
export const UNSTAMPED_DECISION = Object.freeze({ path: 'timer', strategyInNs: 0, decidedNs: 0 } as const);

/** Keys common to every message, first in every record structure. */
export const HEADER_KEYS = Object.freeze(['type', 'ts'] as const);

export const MESSAGE_TYPES = Object.freeze(Object.keys(MESSAGE_SCHEMAS) as MessageType[]);

export function isMessageType(value: unknown): value is MessageType {
  return typeof value === 'string' && Object.prototype.hasOwnProperty.call(MESSAGE_SCHEMAS, value);
}

/** Market-data message types (what feeds publish). */
export const MARKET_DATA_TYPES = Object.freeze([
  'BookTop',
  'BookLevels',
  'FundingRate',
  'MarkPrice',
  'VenueStatus',
] as const satisfies readonly MessageType[]);
export type MarketDataMessage = MessageOf<(typeof MARKET_DATA_TYPES)[number]>;

/** Commands a strategy may send to execution. */
export const COMMAND_TYPES = Object.freeze([
  'SubmitOrder',
  'SubmitMultiLeg',
  'CancelOrder',
  'CancelAll',
  'SyncPositions',
] as const satisfies readonly MessageType[]);
export type CommandMessage = MessageOf<(typeof COMMAND_TYPES)[number]>;

/** Events execution sends back to a strategy. */
export const ORDER_EVENT_TYPES = Object.freeze([
  'OrderAccepted',
  'OrderDenied',
  'OrderRejected',
  'PartiallyFilled',
  'Filled',
  'Canceled',
  'PositionChanged',
  'FundingSettled',
  'PositionsSynced',
  'LegImbalanceUpdated',
  'TradingStateChanged',
] as const satisfies readonly MessageType[]);
export type OrderEventMessage = MessageOf<(typeof ORDER_EVENT_TYPES)[number]>;
