/**
 * The simulator's control API: truth queries (what it serves and what it did) and commands
 * (faults, funding settlements, scenarios). One interface, two implementations: in-process
 * (`Simulator.control`) and over HTTP (`SimControl`, for tests and actors in other threads).
 */
import type { SimFill } from '../exchange/types.js';
import type { FaultSpec } from '../faults.js';
import type { ScenarioName, ScenarioOptions } from '../scenario-types.js';
import type { FaultRecord, FundingPayment, ReceivedOrder } from '../truth.js';

export type { FaultSpec, ScenarioName, ScenarioOptions, SimFill, ReceivedOrder, FundingPayment, FaultRecord };

export interface SimHealth {
  readonly ok: true;
  readonly seed: number;
  readonly scenario: ScenarioName;
  readonly timeScale: number;
  readonly tickMs: number;
  readonly venues: readonly string[];
  readonly backend: string;
  readonly uptimeMs: number;
  readonly sockets: number;
  readonly paused: boolean;
  /** The account world's id (stable across restarts with a state file), and whether it was restored. */
  readonly worldId: string;
  readonly restored: boolean;
}

export interface BookTop {
  readonly venue: string;
  readonly symbol: string;
  readonly bidPrice: number | null;
  readonly bidQuantity: number | null;
  readonly askPrice: number | null;
  readonly askQuantity: number | null;
  /** The book's update id (binance `lastUpdateId`). */
  readonly updateId: number;
  readonly markPrice: number;
  readonly indexPrice: number;
}

export interface BookDepth {
  readonly venue: string;
  readonly symbol: string;
  readonly updateId: number;
  /** [price, quantity], best first. */
  readonly bids: readonly (readonly [number, number])[];
  readonly asks: readonly (readonly [number, number])[];
}

export interface FundingView {
  readonly venue: string;
  readonly symbol: string;
  /** The rate that settles next. */
  readonly rate: number;
  readonly nextFundingTimeMs: number;
  readonly intervalHours: number;
  /** Real milliseconds between settlements under the time scale. */
  readonly intervalRealMs: number;
  readonly markPrice: number;
  readonly indexPrice: number;
  /** Settled rates, oldest first (only when asked for). */
  readonly history?: readonly { readonly fundingTimeMs: number; readonly rate: number; readonly markPrice: number }[];
}

export interface PositionView {
  readonly symbol: string;
  readonly quantity: number;
  readonly entryPrice: number;
  readonly markPrice: number;
  readonly unrealizedPnl: number;
  readonly realizedPnl: number;
  readonly fundingPnl: number;
}

export interface AccountView {
  readonly venue: string;
  readonly accountId: string;
  readonly balances: Readonly<Record<string, { readonly free: number; readonly locked: number }>>;
  readonly positions: readonly PositionView[];
  readonly openOrders: number;
}

export interface OrderFilter {
  readonly venue?: string;
  readonly clientOrderId?: string;
}

export interface SettlementView {
  readonly venue: string;
  readonly symbol: string;
  readonly rate: number;
  readonly markPrice: number;
  readonly fundingTimeMs: number;
}

export interface SimControlApi {
  health(): Promise<SimHealth>;
  /** Best bid/ask, mark and index per venue and symbol. */
  books(venue?: string): Promise<BookTop[]>;
  book(venue: string, symbol: string, depth?: number): Promise<BookDepth>;
  funding(venue?: string, withHistory?: boolean): Promise<FundingView[]>;
  /** Every order request received (accepted or rejected), oldest first. */
  orders(filter?: OrderFilter): Promise<ReceivedOrder[]>;
  fills(filter?: OrderFilter): Promise<SimFill[]>;
  fundingPayments(venue?: string): Promise<FundingPayment[]>;
  accounts(venue?: string): Promise<AccountView[]>;
  inject(fault: FaultSpec): Promise<void>;
  clearFaults(): Promise<void>;
  faults(): Promise<{ readonly armed: Record<string, unknown>; readonly history: readonly FaultRecord[] }>;
  /** Settles funding now, off schedule (one symbol, or every perp of the venue). */
  settleFunding(venue: string, symbol?: string): Promise<SettlementView[]>;
  setScenario(name: ScenarioName, options?: ScenarioOptions): Promise<void>;
  /** Freezes (or unfreezes) the market model; pending book changes are still published. */
  setMarketPaused(paused: boolean): Promise<void>;
  /** Moves one venue's prices (symbol `*`: all of them) by `bps` until changed (0 clears). */
  setPriceOffset(venue: string, symbol: string, bps: number): Promise<void>;
}
