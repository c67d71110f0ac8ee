/**
 * Per-strategy REDUCING, beside the global trading state (trading-state.ts): a problem that
 * concerns one strategy's book (its journaled position disagrees with the venue past the
 * tolerance) restricts that strategy to risk-reducing orders and leaves the others trading.
 * Like the global state it only de-escalates when an operator resumes.
 *
 * @example
 * const states = new StrategyStates();
 * states.reduce('carry', 'position mismatch on okx BTC/USDT:USDT'); // true (changed)
 * states.denial('carry', false); // { reason: 'reducing', detail: … }
 */
import type { DenialReason, StrategyTradingStatus } from '../../protocol/index.js';

export class StrategyStates {
  readonly #reducing = new Map<string, StrategyTradingStatus>();

  /** Moves `strategyId` to REDUCING; false when it already was. */
  reduce(strategyId: string, reason: string): boolean {
    if (this.#reducing.has(strategyId)) return false;
    this.#reducing.set(strategyId, { state: 'REDUCING', reason });
    return true;
  }

  /** An operator's resume: every strategy back to the global state. */
  clear(): void {
    this.#reducing.clear();
  }

  get status(): Record<string, StrategyTradingStatus> {
    return Object.fromEntries(this.#reducing);
  }

  denial(strategyId: string, isReducing: boolean): { reason: DenialReason; detail: string } | null {
    const status = this.#reducing.get(strategyId);
    if (!status || isReducing) return null;
    return { reason: 'reducing', detail: `strategy ${strategyId} is REDUCING (${status.reason}): only risk-reducing orders pass` };
  }
}
