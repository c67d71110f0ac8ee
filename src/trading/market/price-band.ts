/**
 * A price's plausibility against the same market's recent accepted prices: the band a new price
 * must fall in around the last accepted one, widening with the time since it (a genuine fast move
 * is accepted once its size is plausible for the time it took; 1e308 or 0.0001 against 50,000
 * never is). Distances are log ratios, so a fall and a rise of the same factor weigh the same.
 *
 *   allowed(Δt) = min(ln(1 + bandPct/100) + ln(1 + widenPctPerSec/100) · Δt[s], ln(1 + maxPct/100))
 *
 * The cap keeps a quiet hour from admitting anything: a move beyond `maxPct` from the last accepted
 * price is never taken from this market alone (its data stays rejected, and its venue degraded).
 *
 * @example
 * const band = new PriceBand({ bandPct: 5, widenPctPerSec: 1, maxPct: 50 });
 * band.admit(50_000, 0);      // true: the first price anchors
 * band.admit(1e308, 100);     // false
 * band.admit(54_000, 3_000);  // true: 8 % in 3 s is within 5 % + 3 × 1 %
 */
export interface PriceBandOptions {
  /** How far (in %) a price may be from the last accepted one at once. */
  readonly bandPct: number;
  /** How much (in %) the band widens per second since the last accepted price. */
  readonly widenPctPerSec: number;
  /** The band never widens beyond this (in %). */
  readonly maxPct: number;
}

export class PriceBand {
  private readonly base: number;
  private readonly widenPerMs: number;
  private readonly max: number;
  /** The band at once as price ratios (the hot path compares without a logarithm). */
  private readonly hi: number;
  private readonly lo: number;
  private refPx = Number.NaN;
  private refMs = 0;

  constructor(options: PriceBandOptions) {
    this.base = Math.log1p(options.bandPct / 100);
    this.widenPerMs = Math.log1p(options.widenPctPerSec / 100) / 1000;
    this.max = Math.log1p(options.maxPct / 100);
    this.hi = 1 + options.bandPct / 100;
    this.lo = 1 / this.hi;
  }

  /** The last accepted price (NaN before the first). */
  get reference(): number {
    return this.refPx;
  }

  /** Whether `px` is plausible at `nowMs`; an accepted price becomes the reference. */
  admit(px: number, nowMs: number): boolean {
    if (!this.plausible(px, nowMs)) return false;
    this.anchor(px, nowMs);
    return true;
  }

  /** Like `admit`, without moving the reference. */
  plausible(px: number, nowMs: number): boolean {
    if (!(px > 0 && px < Number.POSITIVE_INFINITY)) return false;
    if (Number.isNaN(this.refPx)) return true;
    const ratio = px / this.refPx;
    if (ratio <= this.hi && ratio >= this.lo) return true;
    const allowed = Math.min(this.base + this.widenPerMs * Math.max(0, nowMs - this.refMs), this.max);
    return Math.abs(Math.log(ratio)) <= allowed;
  }

  /** Takes `px` as the reference regardless (another source vouched for it). */
  anchor(px: number, nowMs: number): void {
    this.refPx = px;
    this.refMs = nowMs;
  }
}
