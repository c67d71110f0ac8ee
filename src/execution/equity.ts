/**
 * Drawdown and daily-loss limits across restarts. The trading state machine measures drawdown from
 * the equity peak and the daily loss from the equity at the start of the UTC day; both baselines
 * live in its memory, so a restart would forgive the day's loss so far. This keeps a mirror of
 * the two baselines in the journal and, at start, replays them into a fresh state machine (day
 * start first, then the peak: the same extremes it had seen) before the first real observation.
 *
 * The first observation is made when execution starts, before any order, so the baseline of a
 * fresh journal is what the journal says, not whatever the first seconds of trading did.
 */
import type { ExecutionJournal } from './journal-port.js';
import { netPnl, type PositionBook } from '../trading/market/positions.js';
import type { TradingStatus } from '../protocol/index.js';
import type { TradingStateMachine } from '../trading/risk/trading-state.js';

const BASELINE_KEY = 'lossBaseline';
const MS_PER_DAY = 86_400_000;

interface Baseline {
  day: number;
  dayStartEquityUsd: number;
  peakEquityUsd: number;
}

export class EquityWatch {
  private baseline: Baseline | null = null;

  constructor(
    private readonly tradingState: TradingStateMachine,
    private readonly journal: ExecutionJournal,
  ) {}

  /**
   * Replays a saved baseline (from the journal's meta) into the state machine, at the saved day's
   * time: if that day is over, the next real observation starts a new day, as it would have.
   */
  restore(saved: string | undefined): void {
    if (!saved) return;
    const baseline = JSON.parse(saved) as Baseline;
    const dayMs = baseline.day * MS_PER_DAY;
    this.tradingState.observeEquity(baseline.dayStartEquityUsd, dayMs);
    this.tradingState.observeEquity(baseline.peakEquityUsd, dayMs);
    this.baseline = baseline;
  }

  /** Equity at marks (fees and funding included) fed to the state machine; returns an escalation. */
  observe(positions: PositionBook, markOf: (venue: string, symbol: string) => number | null, nowMs: number): TradingStatus | null {
    let equity = 0;
    for (const entry of positions.entries()) equity += netPnl(entry.position, markOf(entry.venue, entry.symbol) ?? entry.position.avgEntryPx);
    this.remember(equity, nowMs);
    return this.tradingState.observeEquity(equity, nowMs);
  }

  /** An operator resumed: the state machine rebases both baselines on the next observation. */
  rebase(): void {
    this.baseline = null;
    this.journal.setMeta(BASELINE_KEY, '');
  }

  private remember(equity: number, nowMs: number): void {
    const day = Math.floor(nowMs / MS_PER_DAY);
    const previous = this.baseline;
    const next: Baseline =
      previous && previous.day === day
        ? { day, dayStartEquityUsd: previous.dayStartEquityUsd, peakEquityUsd: Math.max(previous.peakEquityUsd, equity) }
        : { day, dayStartEquityUsd: equity, peakEquityUsd: Math.max(previous?.peakEquityUsd ?? equity, equity) };
    if (previous && previous.day === next.day && previous.peakEquityUsd === next.peakEquityUsd) return;
    this.baseline = next;
    this.journal.setMeta(BASELINE_KEY, JSON.stringify(next));
  }
}

export { BASELINE_KEY };
