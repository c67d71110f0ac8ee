/**
 * The shape of a strategy's pure side: everything the actor needs, with no actor context in it.
 * The actor module (actors/strategy/<name>.ts) wires an engine to ports and a timer; tests drive
 * the same engine directly with a hand-moved clock.
 */
import type { MessageOf, OrderEventMessage, StrategyStatus } from '../../protocol/index.js';
import type { StrategyOutput } from './outputs.js';
import type { CommonParams } from './params.js';
import type { BaseState, StrategyClock } from './state.js';

/** A book update the tick path reacts to. */
export type BookUpdate = MessageOf<'BookTop' | 'BookLevels'>;
/** A funding update the tick path reacts to. */
export type FundingUpdate = MessageOf<'FundingRate'>;

export interface StrategyLogic<S extends BaseState, P extends CommonParams> {
  /** The `kind` of its Opportunity messages. */
  readonly kind: string;
  /** Code version; a snapshot from another version goes through the engine's migrations. */
  readonly version: string;
  /** Validates raw config params; throws CONFIG_INVALID naming the field and value. */
  parseParams(raw: unknown): P;
  init(strategyId: string, params: P, clock: StrategyClock): S;
  /** One evaluation at wall time `nowMs`: the commands to send and the opportunities to publish. */
  evaluate(state: S, params: P, nowMs: number): StrategyOutput;
  /**
   * Optional tick path: called with the BookTop/BookLevels message once it has updated the market
   * view, at wall time `nowMs`. Returns what to send now, or null (the common case: it must not
   * allocate then). Commands it returns should carry the message's `ts`: latency is measured from it.
   */
  onBookUpdate?(state: S, message: BookUpdate, params: P, nowMs: number): StrategyOutput | null;
  /** The same for a FundingRate (the carry strategies' opportunities open on funding, not on price). */
  onFundingUpdate?(state: S, message: FundingUpdate, params: P, nowMs: number): StrategyOutput | null;
  /** Called after the shared ledger has taken the event (for state only this strategy keeps). */
  onOrderEvent?(state: S, event: OrderEventMessage, params: P): void;
  /** An account's balances as execution fetched them (only from venues the strategy is wired to). */
  onBalanceChanged?(state: S, event: MessageOf<'BalanceChanged'>, params: P): void;
  snapshot(state: S): unknown;
  restore(snapshot: unknown, fromVersion: string, strategyId: string, params: P, clock: StrategyClock): S;
  /** This version's snapshot in an older version's shape, by that version (ActorDefinition.downgrades): reloading back to it restores. */
  readonly downgrades?: Readonly<Record<string, (snapshot: unknown) => unknown>>;
  status(state: S): StrategyStatus;
}
