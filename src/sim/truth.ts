/**
 * Ground truth for tests: every order request the matching engine received (accepted or not),
 * every fill, every funding payment and every injected fault. A test compares what a client
 * believes (a feed's book, an execution journal) against this.
 *
 * Logs are bounded so a long demo run cannot grow without limit; `dropped` says how many of
 * the oldest entries were discarded.
 */
import type { RejectReason, SimFill, OrderSide, OrderType, TimeInForce } from './exchange/types.js';

export interface ReceivedOrder {
  readonly venue: string;
  /** The API key the order came in with (an account identifier; secrets are never recorded). */
  readonly accountId: string;
  readonly clientOrderId: string;
  readonly symbol: string;
  readonly side: OrderSide;
  readonly type: OrderType;
  readonly timeInForce: TimeInForce;
  readonly quantity: number | undefined;
  readonly price: number | undefined;
  readonly receivedMs: number;
  readonly outcome: 'accepted' | 'rejected';
  readonly reason?: RejectReason;
  readonly detail?: string;
  readonly orderId?: number;
}

export interface FundingPayment {
  readonly venue: string;
  readonly accountId: string;
  readonly symbol: string;
  readonly rate: number;
  readonly markPrice: number;
  /** Signed position quantity at settlement. */
  readonly positionQuantity: number;
  /** Received (positive) or paid (negative), in the settle asset: −quantity × mark × rate. */
  readonly amount: number;
  readonly fundingTimeMs: number;
}

export interface FaultRecord {
  readonly kind: string;
  readonly venue: string | undefined;
  readonly atMs: number;
  readonly detail: string;
}

class BoundedLog<T> {
  private readonly items: T[] = [];
  dropped = 0;

  constructor(private readonly capacity: number) {}

  push(item: T): void {
    this.items.push(item);
    if (this.items.length > this.capacity) {
      const excess = this.items.length - this.capacity;
      this.items.splice(0, excess);
      this.dropped += excess;
    }
  }

  all(): readonly T[] {
    return this.items;
  }

  filter(predicate: (item: T) => boolean): T[] {
    return this.items.filter(predicate);
  }
}

const LOG_CAPACITY = 200_000;

export class Truth {
  readonly orders = new BoundedLog<ReceivedOrder>(LOG_CAPACITY);
  readonly fills = new BoundedLog<SimFill>(LOG_CAPACITY);
  readonly funding = new BoundedLog<FundingPayment>(LOG_CAPACITY);
  readonly faults = new BoundedLog<FaultRecord>(10_000);
}
