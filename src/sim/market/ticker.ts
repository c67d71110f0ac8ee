/**
 * Rolling 24 h statistics a venue reports in its tickers. The simulator has no history before
 * it started, so the window is "since start": open is the first price, volume accumulates the
 * synthetic background trading plus every simulated fill.
 */
export class TickerStats {
  readonly openTimeMs: number;
  open: number;
  high: number;
  low: number;
  last: number;
  lastQuantity = 0;
  baseVolume = 0;
  quoteVolume = 0;
  trades = 0;
  firstTradeId: number;
  lastTradeId: number;

  constructor(price: number, timeMs: number, firstTradeId: number) {
    this.openTimeMs = timeMs;
    this.open = price;
    this.high = price;
    this.low = price;
    this.last = price;
    this.firstTradeId = firstTradeId;
    this.lastTradeId = firstTradeId - 1;
  }

  /** Records a trade (background or simulated fill). */
  trade(price: number, quantity: number): void {
    this.last = price;
    this.lastQuantity = quantity;
    if (price > this.high) this.high = price;
    if (price < this.low) this.low = price;
    this.baseVolume += quantity;
    this.quoteVolume += price * quantity;
    this.trades++;
    this.lastTradeId++;
  }

  /** Volume-weighted average price over the window. */
  weightedAverage(): number {
    return this.baseVolume > 0 ? this.quoteVolume / this.baseVolume : this.last;
  }
}
