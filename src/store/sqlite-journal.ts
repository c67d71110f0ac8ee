/**
 * The execution journal on SQLite (better-sqlite3), in WAL mode, in the configured data directory.
 *
 * Durability (see JournalDurability): `full` is WAL with `synchronous=FULL`, an fsync per commit,
 * durable against power loss; `normal` is `synchronous=NORMAL`, durable against a process crash
 * and kill -9 (a commit is in the WAL file, i.e. the OS page cache, before `commit` returns), and
 * only power loss or an OS crash can lose the last commits. Group commit (`beginGroup` …
 * `commitGroup`) makes that one commit per ring batch or venue response instead of one per write.
 * Every statement is prepared once at open: the hot path (a command, its orders, their `sent`
 * mark) binds parameters and runs, with no SQL parsing and no JSON. Multi-leg states are stored
 * msgpack-encoded for the same reason.
 *
 * A worker thread that is terminated mid-transaction leaves no partial write: better-sqlite3 closes
 * its connections when the thread's environment is torn down, and SQLite rolls the open transaction
 * back; the next connection waits out a still-held lock (`timeout`) instead of failing.
 *
 * @example
 * const journal = openJournal({ dataDir: 'data', fileName: 'execution.sqlite', durability: 'full' });
 * journal.beginGroup();
 * journal.transaction(() => { journal.recordCommand(row); journal.insertOrder(order, now); });
 * journal.commitGroup(); // now, and only now, may the order be sent
 */
import Database, { type Database as Db, type Statement } from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pack, unpack } from 'msgpackr';
import { arbiterError } from '../base/errors.js';
import type { CommandRow, ExecutionJournal, FillOutcome, FillRow, FundingRow, IntentSeen, JournalContents, JournalDurability, JournaledOrder } from '../execution/journal-port.js';
import type { OrderRecord } from '../trading/orders/order-state.js';
import { migrate } from './schema.js';
import { fillFromRow, fundingFromRow, orderFromRow, type FillDbRow, type FundingDbRow, type OrderDbRow } from './rows.js';

export interface JournalOptions {
  readonly dataDir: string;
  readonly fileName?: string;
  readonly durability: JournalDurability;
  /** How long to wait for a lock held by a dying connection. */
  readonly busyTimeoutMs?: number;
}

const SQL = {
  intentBodies: 'SELECT body FROM commands WHERE strategy_id = ? AND intent_seq = ?',
  insertCommand:
    'INSERT INTO commands (received_ms, type, strategy_id, intent_seq, body, decision, detail) VALUES (@receivedMs, @type, @strategyId, @intentSeq, @body, @decision, @detail)',
  insertOrder: `INSERT INTO orders (client_order_id, strategy_id, intent_seq, leg, attempt, purpose, venue, symbol, side, order_type, time_in_force,
      qty, limit_px, reduce_only, status, cum_qty, avg_fill_px, fees, venue_order_id, reason, created_ms, sent_ms, updated_ms)
    VALUES (@clientOrderId, @strategyId, @intentSeq, @leg, @attempt, @purpose, @venue, @symbol, @side, @orderType, @timeInForce,
      @qty, @limitPx, @reduceOnly, @status, @cumQty, @avgFillPx, @fees, @venueOrderId, @reason, @createdMs, @sentMs, @updatedMs)`,
  updateOrder: `UPDATE orders SET status = @status, cum_qty = @cumQty, avg_fill_px = @avgFillPx, fees = @fees, venue_order_id = @venueOrderId,
      reason = @reason, sent_ms = COALESCE(@sentMs, sent_ms), updated_ms = @updatedMs WHERE client_order_id = @clientOrderId`,
  insertEvent: 'INSERT INTO order_events (client_order_id, event, status, cum_qty, at_ms) VALUES (?, ?, ?, ?, ?)',
  insertFill: `INSERT OR IGNORE INTO fills (venue, symbol, venue_order_id, trade_id, client_order_id, strategy_id, side, qty, px, fee_quote, fee, fee_currency, at_ms)
    VALUES (@venue, @symbol, @venueOrderId, @tradeId, @clientOrderId, @strategyId, @side, @qty, @px, @feeQuote, @fee, @feeCurrency, @atMs)`,
  fillByKey: 'SELECT client_order_id, qty, px, fee, fee_currency FROM fills WHERE venue = ? AND symbol = ? AND venue_order_id = ? AND trade_id = ?',
  insertFunding: `INSERT OR IGNORE INTO funding (venue, symbol, strategy_id, settlement_ms, rate, position_qty, mark_px, amount)
    VALUES (@venue, @symbol, @strategyId, @settlementMs, @rate, @positionQty, @markPx, @amount)`,
  saveMultiLeg:
    'INSERT INTO multi_legs (key, state, finished, updated_ms) VALUES (?, ?, ?, ?) ON CONFLICT (key) DO UPDATE SET state = excluded.state, finished = excluded.finished, updated_ms = excluded.updated_ms',
  setMeta: 'INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value',
  begin: 'BEGIN',
  commit: 'COMMIT',
  rollback: 'ROLLBACK',
} as const;

type Prepared = { [K in keyof typeof SQL]: Statement };

export class SqliteJournal implements ExecutionJournal {
  readonly path: string;
  readonly durability: JournalDurability;
  /** Between beginGroup and commitGroup: the first write opens the group's transaction. */
  private grouping = false;
  private readonly db: Db;
  private readonly statements: Prepared;
  private readonly runInTransaction: (fn: () => unknown) => unknown;

  constructor(options: JournalOptions) {
    const dir = resolve(options.dataDir);
    this.path = join(dir, options.fileName ?? 'execution.sqlite');
    this.durability = options.durability;
    try {
      mkdirSync(dir, { recursive: true });
      this.db = new Database(this.path, { timeout: options.busyTimeoutMs ?? 10_000 });
      this.db.pragma('journal_mode = WAL');
      this.db.pragma(`synchronous = ${options.durability === 'full' ? 'FULL' : 'NORMAL'}`);
      migrate(this.db);
    } catch (error) {
      throw arbiterError('JOURNAL', `cannot open the execution journal at ${this.path}`, { cause: error });
    }
    this.statements = Object.fromEntries(Object.entries(SQL).map(([name, sql]) => [name, this.db.prepare(sql)])) as Prepared;
    this.runInTransaction = this.db.transaction((fn: () => unknown) => fn());
  }

  transaction<T>(fn: () => T): T {
    this.openGroup();
    return this.runInTransaction(fn) as T;
  }

  beginGroup(): void {
    this.grouping = true;
  }

  commitGroup(): boolean {
    this.grouping = false;
    if (!this.db.inTransaction) return false;
    try {
      this.statements.commit.run();
      return true;
    } catch (error) {
      if (this.db.inTransaction) this.statements.rollback.run();
      throw arbiterError('JOURNAL', `cannot commit to the execution journal at ${this.path}`, { cause: error });
    }
  }

  /** Inside a group, the first write begins the group's transaction (later ones join it). */
  private openGroup(): void {
    if (this.grouping && !this.db.inTransaction) this.statements.begin.run();
  }

  intentSeen(strategyId: string, intentSeq: number, body: Uint8Array): IntentSeen {
    const rows = this.statements.intentBodies.all(strategyId, intentSeq) as { body: Buffer }[];
    if (rows.length === 0) return 'unseen';
    return rows.some((row) => Buffer.compare(row.body, body) === 0) ? 'redelivered' : 'conflict';
  }

  recordCommand(command: CommandRow): void {
    this.openGroup();
    // The codec's encode buffer is reused by the next encode: bind a copy.
    this.statements.insertCommand.run({ ...command, body: Buffer.from(command.body) });
  }

  insertOrder(order: JournaledOrder, nowMs: number): void {
    const { spec, record } = order;
    this.openGroup();
    this.statements.insertOrder.run({
      ...spec,
      reduceOnly: spec.reduceOnly ? 1 : 0,
      status: record.status,
      cumQty: record.cumQty,
      avgFillPx: record.avgFillPx,
      fees: record.fees,
      venueOrderId: record.venueOrderId,
      reason: record.reason,
      sentMs: order.sentMs,
      updatedMs: nowMs,
    });
    this.statements.insertEvent.run(spec.clientOrderId, 'created', record.status, record.cumQty, nowMs);
  }

  recordTransition(record: OrderRecord, event: string, nowMs: number, sentMs?: number): void {
    const { clientOrderId, status, cumQty, avgFillPx, fees, venueOrderId, reason } = record;
    this.transaction(() => {
      const changed = this.statements.updateOrder.run({ clientOrderId, status, cumQty, avgFillPx, fees, venueOrderId, reason, sentMs: sentMs ?? null, updatedMs: nowMs });
      if (changed.changes !== 1) throw arbiterError('JOURNAL', `order ${clientOrderId} is not in the journal`);
      this.statements.insertEvent.run(clientOrderId, event, status, cumQty, nowMs);
    });
  }

  recordFill(fill: FillRow): FillOutcome {
    this.openGroup();
    if (this.statements.insertFill.run(fill).changes === 1) return 'recorded';
    const row = this.statements.fillByKey.get(fill.venue, fill.symbol, fill.venueOrderId, fill.tradeId) as Pick<FillDbRow, 'client_order_id' | 'qty' | 'px' | 'fee' | 'fee_currency'>;
    if (row.qty === fill.qty && row.px === fill.px && row.fee === fill.fee && row.fee_currency === fill.feeCurrency) return 'duplicate';
    return { journaled: { clientOrderId: row.client_order_id, qty: row.qty, px: row.px, fee: row.fee, feeCurrency: row.fee_currency } };
  }

  recordFunding(funding: FundingRow): boolean {
    this.openGroup();
    return this.statements.insertFunding.run(funding).changes === 1;
  }

  saveMultiLeg(key: string, state: unknown, finished: boolean, nowMs: number): void {
    this.openGroup();
    this.statements.saveMultiLeg.run(key, pack(state), finished ? 1 : 0, nowMs);
  }

  setMeta(key: string, value: string): void {
    this.openGroup();
    this.statements.setMeta.run(key, value);
  }

  load(recentSinceMs: number): JournalContents {
    const orderRows = this.db
      .prepare("SELECT * FROM orders WHERE status NOT IN ('filled', 'canceled', 'rejected') OR updated_ms >= ? ORDER BY created_ms, rowid")
      .all(recentSinceMs) as OrderDbRow[];
    const tradeIds = new Map<string, string[]>();
    for (const row of this.db.prepare('SELECT client_order_id, trade_id FROM fills ORDER BY rowid').all() as { client_order_id: string; trade_id: string }[]) {
      const ids = tradeIds.get(row.client_order_id);
      if (ids) ids.push(row.trade_id);
      else tradeIds.set(row.client_order_id, [row.trade_id]);
    }
    const multiLegs = new Map<string, unknown>();
    for (const row of this.db.prepare('SELECT key, state FROM multi_legs WHERE finished = 0').all() as { key: string; state: Buffer }[]) {
      multiLegs.set(row.key, unpack(row.state));
    }
    const meta = new Map((this.db.prepare('SELECT key, value FROM meta').all() as { key: string; value: string }[]).map((row) => [row.key, row.value]));
    return {
      orders: orderRows.map((row) => orderFromRow(row, tradeIds.get(row.client_order_id) ?? [])),
      fills: (this.db.prepare('SELECT * FROM fills ORDER BY rowid').all() as FillDbRow[]).map(fillFromRow),
      funding: (this.db.prepare('SELECT * FROM funding ORDER BY rowid').all() as FundingDbRow[]).map(fundingFromRow),
      multiLegs,
      meta,
    };
  }

  countsByStatus(): Record<string, number> {
    const rows = this.db.prepare('SELECT status, count(*) AS n FROM orders GROUP BY status').all() as { status: string; n: number }[];
    return Object.fromEntries(rows.map((row) => [row.status, row.n]));
  }

  close(): void {
    if (!this.db.open) return;
    // A group still open at close (a stop between a batch and its end) is committed, not lost.
    this.commitGroup();
    this.db.close();
  }
}

/** Opens (creating if needed) the journal. Throws JOURNAL naming the path when it cannot. */
export function openJournal(options: JournalOptions): SqliteJournal {
  return new SqliteJournal(options);
}
