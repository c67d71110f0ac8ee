/**
 * Funding rate of one perp on one venue: an Ornstein-Uhlenbeck process in venue time (it
 * drifts and reverts to a mean that a scenario may bias), a settlement schedule on multiples of
 * the venue's interval, and the history of settled rates.
 *
 * Settlement times are aligned like the venues align them (8 h settles at 00:00, 08:00 and
 * 16:00 UTC: multiples of the interval since the epoch). Under a time scale the interval in
 * real time shrinks and the alignment follows it, so with 8 h / 960 settlements land every
 * 30 s on the half-minute.
 *
 * A venue states its funding dynamics for its default interval; a symbol settling more often
 * gets them scaled to its own interval (mean, volatility and cap alike), as venues scale the
 * rate by the interval: a 1 h perp pays about an eighth of an 8 h perp's rate per settlement.
 * Without it, hourly perps would look eight times as generous to a per-interval comparison.
 */
import { scaledDurationMs, type SimClock } from '../clock.js';
import type { Prng } from '../prng.js';
import type { FundingSpec } from '../types.js';

const HOUR_MS = 3_600_000;

export interface FundingSettlement {
  readonly fundingTimeMs: number;
  readonly rate: number;
  readonly markPrice: number;
}

/** History kept per symbol; venues serve at most 1000 entries per request. */
const HISTORY_LIMIT = 1000;
const BACKFILLED_SETTLEMENTS = 30;

export class FundingState {
  /** The rate that will settle next (binance `lastFundingRate`, bybit `fundingRate`, okx `fundingRate`). */
  rate: number;
  /** Added to the mean by scenarios (funding divergence). */
  meanBias = 0;
  nextFundingTimeMs: number;
  readonly history: FundingSettlement[] = [];
  /** The venue's dynamics scaled to this symbol's interval. */
  private readonly spec: FundingSpec;

  constructor(
    readonly intervalHours: number,
    venueFunding: FundingSpec,
    private readonly clock: SimClock,
    private readonly prng: Prng,
    referencePrice: number,
  ) {
    const scale = intervalHours / venueFunding.intervalHours;
    this.spec = {
      ...venueFunding,
      intervalHours,
      meanRate: venueFunding.meanRate * scale,
      volatilityPerSqrtHour: venueFunding.volatilityPerSqrtHour * scale,
      maxAbsRate: venueFunding.maxAbsRate * scale,
    };
    this.rate = this.spec.meanRate;
    this.nextFundingTimeMs = this.alignedAfter(clock.nowMs());
    this.backfill(referencePrice);
  }

  /** The cap on |rate| for this symbol's interval. */
  get maxAbsRate(): number {
    return this.spec.maxAbsRate;
  }

  /** Real milliseconds between settlements. */
  intervalRealMs(): number {
    return scaledDurationMs(this.clock, this.intervalHours * HOUR_MS);
  }

  private alignedAfter(timeMs: number): number {
    const interval = this.intervalRealMs();
    return (Math.floor(timeMs / interval) + 1) * interval;
  }

  /** Venues have history from before we started; generate some so history queries are not empty. */
  private backfill(referencePrice: number): void {
    const interval = this.intervalRealMs();
    let rate = this.spec.meanRate;
    const first = this.nextFundingTimeMs - BACKFILLED_SETTLEMENTS * interval;
    for (let i = 0; i < BACKFILLED_SETTLEMENTS; i++) {
      rate = this.evolve(rate, this.spec.meanRate, this.intervalHours);
      this.history.push({ fundingTimeMs: first + i * interval, rate: roundRate(rate), markPrice: referencePrice });
    }
  }

  /**
   * One exact Ornstein-Uhlenbeck step. The Euler step (rate += κ(mean − rate)dt) overshoots
   * once κ·dt > 1 and diverges past 2, which an 8 h backfill step with κ = 0.3/h (2.4) did:
   * the history alternated between the caps. The exact form is stable for any dt.
   */
  private evolve(rate: number, mean: number, dtHours: number): number {
    const { reversionPerHour, volatilityPerSqrtHour, maxAbsRate } = this.spec;
    const decay = Math.exp(-reversionPerHour * dtHours);
    const spread = reversionPerHour > 0 ? Math.sqrt((1 - decay * decay) / (2 * reversionPerHour)) : Math.sqrt(dtHours);
    const next = mean + (rate - mean) * decay + volatilityPerSqrtHour * spread * this.prng.normal();
    return Math.max(-maxAbsRate, Math.min(maxAbsRate, next));
  }

  /** Drifts the rate by `dtRealMs` of real time (scaled to venue time). */
  step(dtRealMs: number): void {
    const dtHours = (dtRealMs * this.clock.timeScale) / HOUR_MS;
    this.rate = this.evolve(this.rate, this.spec.meanRate + this.meanBias, dtHours);
  }

  /** Settles if due; returns the settlement (at most one per call: a late tick settles once, like a venue). */
  settleIfDue(nowMs: number, markPrice: number): FundingSettlement | undefined {
    if (nowMs < this.nextFundingTimeMs) return undefined;
    const settlement = { fundingTimeMs: this.nextFundingTimeMs, rate: roundRate(this.rate), markPrice };
    this.record(settlement);
    this.nextFundingTimeMs = this.alignedAfter(Math.max(nowMs, this.nextFundingTimeMs));
    return settlement;
  }

  /** Settles now, off schedule (the control endpoint's `settle-funding`, for tests and demos). */
  settleNow(nowMs: number, markPrice: number): FundingSettlement {
    const settlement = { fundingTimeMs: nowMs, rate: roundRate(this.rate), markPrice };
    this.record(settlement);
    return settlement;
  }

  private record(settlement: FundingSettlement): void {
    this.history.push(settlement);
    if (this.history.length > HISTORY_LIMIT) this.history.splice(0, this.history.length - HISTORY_LIMIT);
  }
}

/** Venues publish rates with 8 decimals; settle exactly what is published. */
function roundRate(rate: number): number {
  return Math.round(rate * 1e8) / 1e8;
}
