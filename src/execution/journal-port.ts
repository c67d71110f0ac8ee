/**
 * The durable journal the execution actor writes before anything takes effect, as an interface:
 * src/store implements it (SQLite), the execution core (src/execution) uses it, and neither
 * imports the other.
 *
 * Rules the implementation keeps: every write is atomic (a crash leaves the journal before or
 * after a call, never between); `transaction(fn)` groups calls so that, for example, a command,
 * its orders and their `sent` marks commit together or not at all; between `beginGroup()` and
 * `commitGroup()` every write shares one transaction (group commit: one commit, one fsync at
 * `full`, for a whole ring batch or venue response). Fills are keyed by what the venue
 * guarantees unique for the account, (venue, symbol, venue order id, trade id): booking a fill
 * twice is detected, not double-counted, and a different fill under a booked key is reported.
 */
import type { CommandMessage, Side, OrderType, TimeInForce } from '../protocol/index.js';
import type { OrderPurpose } from '../trading/orders/multi-leg.js';
import type { OrderRecord } from '../trading/orders/order-state.js';

/**
 * What a commit survives. `full`: fsync per commit (WAL, synchronous=FULL): a process crash,
 * kill -9 and power loss. `normal`: WAL, synchronous=NORMAL: a process crash and kill -9 (the
 * commit is in the OS's page cache), but power loss or an OS crash may lose the last commits.
 */
export const JOURNAL_DURABILITIES = ['full', 'normal'] as const;
export type JournalDurability = (typeof JOURNAL_DURABILITIES)[number];

/** Why an order exists: a strategy's single order, or a step of a multi-leg order. */
export type TrackedPurpose = 'order' | OrderPurpose;

/** How an order was specified and by whom (fixed once journaled). */
export interface OrderSpecRow {
  readonly clientOrderId: string;
  readonly strategyId: string;
  readonly intentSeq: number;
  readonly leg: number;
  readonly attempt: number;
  readonly purpose: TrackedPurpose;
  readonly venue: string;
  readonly symbol: string;
  readonly side: Side;
  readonly orderType: OrderType;
  readonly timeInForce: TimeInForce;
  readonly qty: number;
  readonly limitPx: number | null;
  readonly reduceOnly: boolean;
  readonly createdMs: number;
}

export interface JournaledOrder {
  readonly spec: OrderSpecRow;
  readonly record: OrderRecord;
  /** When the order was handed to the venue (null while `new`). */
  readonly sentMs: number | null;
}

export interface FillRow {
  readonly venue: string;
  readonly symbol: string;
  /** The venue's id of the order (with venue, symbol and tradeId, the fill's key). */
  readonly venueOrderId: string;
  readonly tradeId: string;
  readonly clientOrderId: string;
  readonly strategyId: string;
  readonly side: Side;
  readonly qty: number;
  readonly px: number;
  /** In quote currency (what positions are charged). */
  readonly feeQuote: number;
  /** As the venue charged it. */
  readonly fee: number;
  readonly feeCurrency: string;
  readonly atMs: number;
}

export interface FundingRow {
  readonly venue: string;
  readonly symbol: string;
  readonly strategyId: string;
  /** The funding boundary (venue time) this payment belongs to; with the market and strategy, its key. */
  readonly settlementMs: number;
  readonly rate: number;
  readonly positionQty: number;
  readonly markPx: number;
  /** Received (> 0) or paid (< 0), in quote currency. */
  readonly amount: number;
}

/** A command as received: its key fields and its encoded bytes (compared to detect redelivery). */
export interface CommandRow {
  readonly type: CommandMessage['type'] | 'control';
  readonly strategyId: string;
  /** Null for commands without an intent (cancels, control-plane commands). */
  readonly intentSeq: number | null;
  readonly body: Uint8Array;
  readonly receivedMs: number;
  /** `approved`, a denial reason, `redelivered` … */
  readonly decision: string;
  readonly detail: string;
}

/**
 * What a repeated (strategyId, intentSeq) is: `redelivered` when the bytes are identical (the ring
 * hands the in-flight message to a restarted reader again), `conflict` when a strategy reused the
 * sequence number for something else.
 */
export type IntentSeen = 'unseen' | 'redelivered' | 'conflict';

/** A fill journaled under the same key with other content: what the journal holds. */
export interface FillConflict {
  readonly journaled: Pick<FillRow, 'clientOrderId' | 'qty' | 'px' | 'fee' | 'feeCurrency'>;
}

/**
 * What booking a fill did: `recorded` (new key), `duplicate` (the key with the same qty, price and
 * fee: a redelivery, nothing written) or a conflict (the key with different content; nothing written).
 */
export type FillOutcome = 'recorded' | 'duplicate' | FillConflict;

export interface JournalContents {
  /** Every order not in a terminal state, and terminal ones updated since `recentSinceMs`. */
  readonly orders: readonly JournaledOrder[];
  /** Every fill, in journal order (positions are rebuilt from them). */
  readonly fills: readonly FillRow[];
  readonly funding: readonly FundingRow[];
  /** Multi-leg coordinator states not yet finished, by key. */
  readonly multiLegs: ReadonlyMap<string, unknown>;
  readonly meta: ReadonlyMap<string, string>;
}

export interface ExecutionJournal {
  /** Where the journal lives (for status). */
  readonly path: string;
  readonly durability: JournalDurability;
  /**
   * Runs `fn` as one atomic write. Nested (or inside a group) it is a savepoint of the outer
   * transaction: a throw undoes `fn`'s writes only, and they commit with the outer one.
   */
  transaction<T>(fn: () => T): T;
  /** Opens a group: every write until `commitGroup` shares one transaction (begun at the first write). */
  beginGroup(): void;
  /**
   * Commits the group's writes at the configured durability; false when it made none (nothing to
   * commit). Throws JOURNAL when the commit fails (the group is rolled back).
   */
  commitGroup(): boolean;
  intentSeen(strategyId: string, intentSeq: number, body: Uint8Array): IntentSeen;
  recordCommand(command: CommandRow): void;
  insertOrder(order: JournaledOrder, nowMs: number): void;
  /** Records an order's new state and the event that caused it (appended to the order's history). */
  recordTransition(record: OrderRecord, event: string, nowMs: number, sentMs?: number): void;
  recordFill(fill: FillRow): FillOutcome;
  /** False when the payment was already journaled. */
  recordFunding(funding: FundingRow): boolean;
  saveMultiLeg(key: string, state: unknown, finished: boolean, nowMs: number): void;
  setMeta(key: string, value: string): void;
  load(recentSinceMs: number): JournalContents;
  /** Orders per status, over the whole journal. */
  countsByStatus(): Record<string, number>;
  close(): void;
}
