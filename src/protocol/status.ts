/**
 * What actors report about themselves to the control plane (an actor's `status()`, carried to
 * the supervisor as `ActorStatus.custom`): execution, each feed, each strategy and the
 * opportunity recorder. The producers return these types, src/app builds ops' `SystemStatus`
 * from them, and tests read them; none of them re-declares a shape.
 *
 * They cross threads as structured clones through the runtime's untyped status slot
 * (`Record<string, unknown>`: the runtime knows no actor's role). The top-level shapes are object
 * type aliases because only those are assignable to it (an interface has no index signature).
 */
import type { AssetBalance, DecisionPath, MessageOf, OrderType, Side, TimeInForce, TradingStateName, VenueState } from './messages.js';

// ── execution ────────────────────────────────────────────────────────────────────────────────

export type TradingCause = 'start' | 'operator' | 'kill_switch' | 'drawdown' | 'daily_loss';

/** The trading state, what moved it there and why. */
export interface TradingStatus {
  readonly state: TradingStateName;
  readonly cause: TradingCause;
  /** Human-readable, carried in the `TradingStateChanged` message. */
  readonly reason: string;
}

/** Reconciliation with one venue after a start (the reconciler updates it in place). */
export interface VenueReconcileStatus {
  state: 'pending' | 'done' | 'retrying';
  attempts: number;
  lookedUp: number;
  orphansCanceled: number;
  fillsRecovered: number;
  positionMismatches: { symbol: string; journalQty: number; venueQty: number }[];
  lastError: string | null;
}

/**
 * A perp position where the venue and the journal disagree (both sides' figures). Venues omit
 * flat positions, so a journal position the venue no longer shows appears with `venueQty` 0.
 */
export interface PositionMismatchStatus {
  readonly venue: string;
  readonly symbol: string;
  /** Σ of every strategy's journaled position. */
  readonly journalQty: number;
  readonly venueQty: number;
  /** venueQty − journalQty: what the venue holds that no strategy's journal explains (adopted as external). */
  readonly differenceQty: number;
  /** |differenceQty| at the reference price; null while there is none. */
  readonly differenceUsd: number | null;
  /** Strategies with a journaled position there (moved to REDUCING past the tolerance). */
  readonly strategies: readonly string[];
  readonly sinceMs: number;
}

/** A position held at the venue that no strategy's journal explains: counted in exposure, traded by no strategy. */
export interface ExternalPositionStatus {
  readonly venue: string;
  readonly symbol: string;
  readonly qty: number;
  readonly notionalUsd: number | null;
}

/** A strategy moved to REDUCING on its own (the global state may still be ACTIVE). */
export interface StrategyTradingStatus {
  readonly state: 'REDUCING';
  readonly reason: string;
}

export interface ReconciliationStatus {
  /** Until `done`, orders are denied with `reconciling`. */
  readonly state: 'reconciling' | 'done';
  readonly startedMs: number;
  readonly finishedMs: number | null;
  readonly venues: Readonly<Record<string, VenueReconcileStatus>>;
  /** Open orders whose fate is not known yet. */
  readonly unknownOrders: number;
  /** Completed passes (the start-up one, then one per `reconcileIntervalMs` or after an ambiguous request). */
  readonly passes: number;
  readonly lastPassMs: number | null;
  readonly intervalMs: number;
  /** Mismatches seen (a new one, or one whose figures changed), per venue, since start. */
  readonly mismatchEvents: Readonly<Record<string, number>>;
  readonly mismatches: readonly PositionMismatchStatus[];
  readonly external: readonly ExternalPositionStatus[];
  /** Strategies in REDUCING because of a mismatch past `mismatchToleranceUsd`. */
  readonly strategyStates: Readonly<Record<string, StrategyTradingStatus>>;
}

export interface OpenOrderStatus {
  readonly clientOrderId: string;
  readonly strategyId: string;
  readonly venue: string;
  readonly symbol: string;
  readonly side: Side;
  readonly orderType: OrderType;
  readonly timeInForce: TimeInForce;
  readonly qty: number;
  readonly limitPx: number | null;
  readonly cumQty: number;
  /** The order's state (ORDER_STATUSES in src/trading/orders/order-state.ts). */
  readonly status: string;
  /** `order` (a strategy's single order) or the multi-leg step: `leg`, `retry`, `hedge`, `unwind`. */
  readonly purpose: string;
}

/** A position with its PnL at the current mark (null when no fresh price). */
export type PositionStatus = Omit<MessageOf<'PositionChanged'>, 'type' | 'ts'>;

/** Upper bounds (µs) of the latency buckets execution counts (Prometheus `le`; +Inf is implied). */
export const LATENCY_BUCKETS_US = Object.freeze([10, 25, 50, 100, 250, 500, 1_000, 2_500, 5_000, 10_000, 25_000, 50_000, 100_000, 250_000, 500_000, 1_000_000, 2_500_000, 5_000_000]);

/** A latency distribution in µs: exact percentiles, and counts per `LATENCY_BUCKETS_US` bucket (cumulative). */
export interface LatencySummary {
  readonly count: number;
  readonly p50Us: number | null;
  readonly p90Us: number | null;
  readonly p99Us: number | null;
  readonly p999Us: number | null;
  readonly maxUs: number | null;
  readonly sumUs: number;
  readonly cumulativeCounts: readonly number[];
}

/**
 * The stages of an order's way from the tick to the wire, on one monotonic clock:
 * ingress_to_strategy (frame arrival at the feed → the strategy's handler), decision (the
 * handler), intent_to_execution (decided → execution took the command), risk (the gate: shape,
 * grid, risk engine), journal (the command's transaction), build_sign (the venue adapter building
 * and signing the request), write (handing it to the socket), and tick_to_wire (the whole: frame
 * arrival → request written), plus leg_spread (multi-leg: first leg written → last leg written).
 */
export const ORDER_STAGES = Object.freeze(['ingress_to_strategy', 'decision', 'intent_to_execution', 'risk', 'journal', 'build_sign', 'write', 'tick_to_wire', 'leg_spread'] as const);
export type OrderStage = (typeof ORDER_STAGES)[number];

export interface StageLatency extends LatencySummary {
  readonly stage: OrderStage;
  /** The path that decided the orders (`tick` or `timer`). */
  readonly path: DecisionPath;
}

export interface MultiLegStatus {
  readonly active: number;
  readonly finished: number;
  readonly failed: number;
}

/** An account's last balances as execution fetched them, and what orders in flight will spend. */
export interface VenueBalanceStatus {
  readonly account: string;
  /** paper/replay: the fill model's simulated balances (`paper.startingBalances`), not a venue's. */
  readonly simulated: boolean;
  /** When the last good snapshot arrived (epoch ms) and its age; null before the first. */
  readonly fetchedMs: number | null;
  readonly ageMs: number | null;
  readonly balances: readonly AssetBalance[];
  /** Reserved by approved orders per asset, until a snapshot shows their effect. */
  readonly reserved: Readonly<Record<string, number>>;
  readonly fetches: number;
  readonly failures: number;
  readonly lastError: string | null;
}
/** One market's published rules; `feeError` says why its rates fell back to the table (null when the venue answered). */
export type MarketRulesStatus = Omit<MessageOf<'MarketRules'>, 'type' | 'ts'> & { readonly feeError: string | null };

export type ExecutionStatus = {
  /** sim, paper, live or replay. */
  readonly mode: string;
  readonly tradingState: TradingStatus;
  readonly reconciliation: ReconciliationStatus;
  readonly openOrderCount: number;
  /** The first 200 open orders. */
  readonly openOrders: readonly OpenOrderStatus[];
  readonly positions: readonly PositionStatus[];
  /** Orders per status, over the whole journal. */
  readonly ordersByStatus: Readonly<Record<string, number>>;
  readonly denialsByReason: Readonly<Record<string, number>>;
  /** From the intent's ingress `ts` to the request's socket write (paper: its hand-over to the fill model), or its denial. */
  readonly tickToOrderLatencyUs: LatencySummary;
  /** Per stage and deciding path; only the pairs that saw an order. */
  readonly stageLatencyUs: readonly StageLatency[];
  /** Order commands (SubmitOrder, SubmitMultiLeg) received, by the path that decided them. */
  readonly commandsByPath: Readonly<Record<DecisionPath, number>>;
  readonly multiLeg: MultiLegStatus;
  /** Per venue: the account's last balances and their age. */
  readonly balances: Readonly<Record<string, VenueBalanceStatus>>;
  /** Each traded market's rules and fee rates as published to the strategies, with where the rates came from. */
  readonly marketRules: readonly MarketRulesStatus[];
  /** The journal's path. */
  readonly journal: string;
  /** What a journal commit survives (`full`: power loss; `normal`: process crash and kill -9). */
  readonly journalDurability: string;
  /** Journal commits made by commit groups (ring batches, venue responses, ticks that wrote) since start. */
  readonly journalGroupCommits: number;
};

// ── feeds ────────────────────────────────────────────────────────────────────────────────────

export type StreamState = 'connecting' | 'up' | 'stale' | 'down';

/** One stream (one kind of market data for one symbol). */
export interface FeedStreamStatus {
  readonly symbol: string;
  readonly stream: string;
  /** The ccxt method behind it. */
  readonly method: string;
  readonly state: StreamState;
  readonly reason: string;
  readonly updates: number;
  readonly errors: number;
  readonly resubscribes: number;
  readonly resyncs: number;
  readonly ageMs: number | null;
}

export interface FeedSymbolStatus {
  readonly state: VenueState;
  readonly reason: string;
  readonly lastBid: number | null;
  readonly lastAsk: number | null;
  /** The last published funding rate (perps). */
  readonly funding: number | null;
  readonly dataAgeMs: number | null;
}

/** What a feed reports (ops builds its venue table from the first fields). */
export type FeedStatus = {
  readonly venue: string;
  readonly state: VenueState;
  readonly reason: string;
  /** Since the last published market data; null before any. */
  readonly dataAgeMs: number | null;
  /** Market-data messages published. */
  readonly messages: number;
  readonly staleEvents: number;
  /** New sockets opened where one had been before. */
  readonly reconnects: number;
  /** Dropped updates by reason (crossed_book, funding_above_cap, malformed_frame, …). */
  readonly rejected: Readonly<Record<string, number>>;
  readonly symbols: Readonly<Record<string, FeedSymbolStatus>>;
  readonly resubscribes: number;
  /** Books rebuilt from a fresh snapshot after a sequence gap. */
  readonly resyncs: number;
  /** Process RSS (all threads together, so the same in every worker) and this worker's own V8 heap. */
  readonly rssMb: number;
  readonly heapMb: number;
  readonly streams: readonly FeedStreamStatus[];
};

// ── strategies ───────────────────────────────────────────────────────────────────────────────

/** What a strategy's intent is for: opening, closing, or a one-shot trade. */
export type IntentPurpose = 'entry' | 'exit' | 'trade';

/** A strategy's running counts (its intent book keeps them). */
export interface StrategyCounters {
  considered: number;
  acted: number;
  skipped: number;
  held: number;
  exited: number;
  denied: number;
  rejected: number;
  imbalances: number;
  fills: number;
  unanswered: number;
}

/** One evaluated opportunity as a strategy remembers it (`atMs`: when it was evaluated). */
export type OpportunityView = Pick<MessageOf<'Opportunity'>, 'symbol' | 'venues' | 'edgeBps' | 'expectedPnlUsd' | 'annualizedPct' | 'decision' | 'reason'> & { readonly atMs: number };

/** A carry a strategy holds: its two legs, size, age, the edge it was entered at and why it is exiting. */
export interface CarryStatus {
  readonly key: string;
  /** `<symbol>@<venue>`. */
  readonly short: string;
  readonly long: string;
  readonly qty: number;
  readonly notionalUsd: number;
  readonly openedAtMs: number;
  readonly heldHours: number;
  readonly entryEdgeBps: number;
  /** The purpose of the intent in flight, else `exiting` or `open`. */
  readonly phase: IntentPurpose | 'exiting' | 'open';
  readonly exitReason: string | null;
}

/** A venue whose spot inventory of a symbol drifted past the strategy's rebalance threshold. */
export interface RebalanceFlag {
  readonly venue: string;
  readonly symbol: string;
  readonly baseShare: number;
  readonly deviation: number;
}

/** What every strategy reports: its intent book, and the opportunities it evaluated. */
export type StrategyStatus = {
  readonly tradingState: TradingStateName;
  readonly intentSeq: number;
  readonly counters: StrategyCounters;
  /** Positions not flat, as execution last reported them. */
  readonly openPositions: readonly Omit<PositionStatus, 'strategyId' | 'markPx'>[];
  readonly pnl: { readonly realizedPnl: number; readonly unrealizedPnl: number; readonly fees: number; readonly fundingReceivedUsd: number };
  /** Opportunity keys backed off after a failure, until `untilMs`. */
  readonly backoff: readonly { readonly key: string; readonly untilMs: number; readonly reason: string }[];
  readonly inFlight: readonly { readonly intentSeq: number; readonly key: string; readonly purpose: IntentPurpose; readonly sentAtMs: number }[];
  /** Why the strategy may not trade yet after a (re)start or reload, or 'synced' (see PositionsSynced). */
  readonly sync: string;
  readonly opportunities: { readonly best: readonly OpportunityView[]; readonly recentActions: readonly OpportunityView[] };
  /** Carry strategies (funding carry, spot-perp hedge). */
  readonly carries?: readonly CarryStatus[];
  /** Carry strategies: held positions no open carry accounts for, and what the policy does with them. */
  readonly unattributed?: readonly { readonly key: string; readonly reason: string }[];
  /** Spot strategies: balances, venue → asset → amount. */
  readonly inventory?: Readonly<Record<string, Readonly<Record<string, number>>>>;
  /** spot-spread: venues whose inventory needs rebalancing. */
  readonly rebalanceNeeded?: readonly RebalanceFlag[];
};

/** The part of a strategy's status its intent book builds (the rest is the strategy's own). */
export type IntentBookStatus = Omit<StrategyStatus, 'opportunities' | 'carries' | 'unattributed' | 'inventory' | 'rebalanceNeeded'>;

// ── services ─────────────────────────────────────────────────────────────────────────────────

/** The opportunity recorder: every Opportunity the strategies evaluated, counted, and the best current ones. */
export type OpportunityRecorderStatus = {
  readonly total: number;
  readonly byDecision: Readonly<Record<string, number>>;
  readonly byStrategy: Readonly<Record<string, number>>;
  /** The latest evaluation of each distinct opportunity, best expected PnL first (up to 10). */
  readonly best: readonly MessageOf<'Opportunity'>[];
};
