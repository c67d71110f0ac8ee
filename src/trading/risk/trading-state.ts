/**
 * The trading state: ACTIVE, REDUCING (only risk-reducing orders pass) or HALTED (nothing
 * passes). It escalates on its own (drawdown from the equity peak, loss since the start of the
 * UTC day, the kill switch) but only ever de-escalates when an operator resumes: a limit that
 * tripped stays tripped until a human has looked. Resuming rebases the drawdown peak and the
 * day's starting equity on the next observation, since the operator accepted the loss so far.
 */
import type { DenialReason, TradingCause, TradingStateName, TradingStatus } from '../../protocol/index.js';
import type { RiskConfig } from './config.js';

const RANK: Readonly<Record<TradingStateName, number>> = { ACTIVE: 0, REDUCING: 1, HALTED: 2 };
const MS_PER_DAY = 86_400_000;

type LossLimits = Pick<RiskConfig, 'maxDrawdownUsd' | 'drawdownState' | 'maxDailyLossUsd' | 'dailyLossState'>;

/**
 * @example
 * const ts = new TradingStateMachine(riskConfig());
 * ts.observeEquity(0, now);        // baseline
 * ts.observeEquity(-6_000, now);   // → { state: 'HALTED', cause: 'daily_loss', … } with the defaults
 */
export class TradingStateMachine {
  #status: TradingStatus = { state: 'ACTIVE', cause: 'start', reason: 'started' };
  #peakEquityUsd = NaN;
  #dayStartEquityUsd = NaN;
  #day = NaN;
  readonly #limits: LossLimits;

  constructor(limits: LossLimits) {
    this.#limits = limits;
  }

  get status(): TradingStatus {
    return this.#status;
  }

  /** The kill switch: HALTED at once. (Cancelling open orders is execution's half of it.) */
  kill(reason: string): TradingStatus | null {
    return this.#escalate('HALTED', 'kill_switch', `kill switch: ${reason}`);
  }

  /** An operator's explicit state change, in either direction. */
  set(state: TradingStateName, reason: string): TradingStatus | null {
    if (state === this.#status.state) return null;
    if (state === 'ACTIVE') {
      this.#peakEquityUsd = NaN;
      this.#dayStartEquityUsd = NaN;
    }
    this.#status = { state, cause: 'operator', reason };
    return this.#status;
  }

  /**
   * Feeds the current equity (total net PnL, or account value: any measure whose differences are
   * money). Returns the new status when a loss limit escalated the state, else null.
   */
  observeEquity(equityUsd: number, nowMs: number): TradingStatus | null {
    const day = Math.floor(nowMs / MS_PER_DAY);
    if (day !== this.#day || Number.isNaN(this.#dayStartEquityUsd)) {
      this.#day = day;
      this.#dayStartEquityUsd = equityUsd;
    }
    if (!(this.#peakEquityUsd >= equityUsd)) this.#peakEquityUsd = equityUsd;
    const drawdownUsd = this.#peakEquityUsd - equityUsd;
    const dailyLossUsd = this.#dayStartEquityUsd - equityUsd;
    const { maxDrawdownUsd, drawdownState, maxDailyLossUsd, dailyLossState } = this.#limits;
    const daily = dailyLossUsd > maxDailyLossUsd ? this.#escalate(dailyLossState, 'daily_loss', `daily loss ${dailyLossUsd.toFixed(2)} > maxDailyLossUsd ${maxDailyLossUsd}`) : null;
    const drawdown = drawdownUsd > maxDrawdownUsd ? this.#escalate(drawdownState, 'drawdown', `drawdown ${drawdownUsd.toFixed(2)} > maxDrawdownUsd ${maxDrawdownUsd}`) : null;
    return drawdown ?? daily;
  }

  /** Why the current state refuses an order, or null when it may pass. */
  denial(isReducing: boolean): { reason: DenialReason; detail: string } | null {
    const { state, cause, reason } = this.#status;
    if (state === 'ACTIVE' || (state === 'REDUCING' && isReducing)) return null;
    const denialReason: DenialReason = cause === 'drawdown' || cause === 'daily_loss' ? cause : state === 'HALTED' ? 'halted' : 'reducing';
    const detail = state === 'REDUCING' ? `trading state REDUCING (${reason}): only risk-reducing orders pass` : `trading state HALTED (${reason})`;
    return { reason: denialReason, detail };
  }

  #escalate(state: TradingStateName, cause: TradingCause, reason: string): TradingStatus | null {
    if (RANK[state] <= RANK[this.#status.state]) return null;
    this.#status = { state, cause, reason };
    return this.#status;
  }
}
