/**
 * What a journal already holds, read before the system starts (the start-up banner, the run
 * summary, and the sim-mode session check): whether there is one, which simulator world it was
 * written against, how many orders and fills, and how many of them are still open positions or
 * open orders. Read on its own short-lived connection; the execution actor opens its own later.
 */
import Database from 'better-sqlite3';
import { existsSync } from 'node:fs';
import { arbiterError } from '../base/errors.js';
import { isOpen, ORDER_STATUSES, type OrderStatus } from '../trading/orders/order-state.js';
import { openJournal, type JournalOptions } from './sqlite-journal.js';

/** The meta key under which the journal records the simulator world it belongs to. */
const WORLD_KEY = 'sim.world';

export interface JournalSummary {
  readonly path: string;
  /** False when there was no journal file yet. */
  readonly exists: boolean;
  /** The simulator world the journal was written against (null: none recorded). */
  readonly worldId: string | null;
  readonly orders: number;
  /** Orders per status (the same counts execution reports as `ordersByStatus`). */
  readonly ordersByStatus: Readonly<Record<string, number>>;
  readonly fills: number;
  /** Orders not in a terminal state. */
  readonly openOrders: number;
  /** (strategy, venue, symbol) whose journaled fills do not net to zero. */
  readonly positions: number;
}

const POSITIONS_SQL = `SELECT count(*) AS n FROM (
  SELECT SUM(CASE side WHEN 'buy' THEN qty ELSE -qty END) AS q FROM fills GROUP BY strategy_id, venue, symbol
) WHERE abs(q) > 1e-9`;

export function readJournalSummary(path: string): JournalSummary {
  if (!existsSync(path)) return { path, exists: false, worldId: null, orders: 0, ordersByStatus: {}, fills: 0, openOrders: 0, positions: 0 };
  let db: Database.Database | undefined;
  try {
    db = new Database(path, { fileMustExist: true });
    const count = (sql: string): number => (db!.prepare(sql).get() as { n: number }).n;
    const byStatus = db.prepare('SELECT status, count(*) AS n FROM orders GROUP BY status').all() as { status: string; n: number }[];
    const openOrders = byStatus.filter((row) => (ORDER_STATUSES as readonly string[]).includes(row.status) && isOpen(row.status as OrderStatus)).reduce((n, row) => n + row.n, 0);
    const world = db.prepare('SELECT value FROM meta WHERE key = ?').get(WORLD_KEY) as { value: string } | undefined;
    return {
      path,
      exists: true,
      worldId: world?.value ?? null,
      orders: byStatus.reduce((n, row) => n + row.n, 0),
      ordersByStatus: Object.fromEntries(byStatus.map((row) => [row.status, row.n])),
      fills: count('SELECT count(*) AS n FROM fills'),
      openOrders,
      positions: count(POSITIONS_SQL),
    };
  } catch (error) {
    throw arbiterError('JOURNAL', `cannot read the execution journal at ${path}`, { cause: error });
  } finally {
    db?.close();
  }
}

/** Records in the journal (creating it if needed) the simulator world it belongs to. */
export function recordJournalWorld(options: JournalOptions, worldId: string): void {
  const journal = openJournal(options);
  try {
    journal.setMeta(WORLD_KEY, worldId);
  } finally {
    journal.close();
  }
}
