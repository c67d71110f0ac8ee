/**
 * The execution journal's tables. One schema version per shape change; `migrate` brings an older
 * file up to date at open, so a journal written by an earlier release is still reconciled.
 *
 * Money and quantities are REAL (the venues' decimals already arrived as binary floats); ids the
 * venues give us are TEXT. `order_events` is append-only: it is the history of every state change,
 * while `orders` holds each order's latest state for a fast reload.
 *
 * Versions: 1 keyed fills by (venue, trade_id), which is not unique on binance (trade ids are per
 * symbol); 2 keys them by (venue, symbol, venue_order_id, trade_id). A version-1 file is migrated
 * at open, taking each fill's venue order id from its order.
 */
import type { Database } from 'better-sqlite3';

export const SCHEMA_VERSION = 2;

const V1 = `
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS commands (
  id INTEGER PRIMARY KEY,
  received_ms INTEGER NOT NULL,
  type TEXT NOT NULL,
  strategy_id TEXT NOT NULL,
  intent_seq INTEGER,
  body BLOB NOT NULL,
  decision TEXT NOT NULL,
  detail TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS commands_intent ON commands (strategy_id, intent_seq) WHERE intent_seq IS NOT NULL;
CREATE TABLE IF NOT EXISTS orders (
  client_order_id TEXT PRIMARY KEY,
  strategy_id TEXT NOT NULL,
  intent_seq INTEGER NOT NULL,
  leg INTEGER NOT NULL,
  attempt INTEGER NOT NULL,
  purpose TEXT NOT NULL,
  venue TEXT NOT NULL,
  symbol TEXT NOT NULL,
  side TEXT NOT NULL,
  order_type TEXT NOT NULL,
  time_in_force TEXT NOT NULL,
  qty REAL NOT NULL,
  limit_px REAL,
  reduce_only INTEGER NOT NULL,
  status TEXT NOT NULL,
  cum_qty REAL NOT NULL,
  avg_fill_px REAL NOT NULL,
  fees REAL NOT NULL,
  venue_order_id TEXT,
  reason TEXT,
  created_ms INTEGER NOT NULL,
  sent_ms INTEGER,
  updated_ms INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS orders_status ON orders (status, updated_ms);
CREATE TABLE IF NOT EXISTS order_events (
  id INTEGER PRIMARY KEY,
  client_order_id TEXT NOT NULL,
  event TEXT NOT NULL,
  status TEXT NOT NULL,
  cum_qty REAL NOT NULL,
  at_ms INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS order_events_order ON order_events (client_order_id);
CREATE TABLE IF NOT EXISTS fills (
  venue TEXT NOT NULL,
  trade_id TEXT NOT NULL,
  client_order_id TEXT NOT NULL,
  strategy_id TEXT NOT NULL,
  symbol TEXT NOT NULL,
  side TEXT NOT NULL,
  qty REAL NOT NULL,
  px REAL NOT NULL,
  fee_quote REAL NOT NULL,
  fee REAL NOT NULL,
  fee_currency TEXT NOT NULL,
  at_ms INTEGER NOT NULL,
  PRIMARY KEY (venue, trade_id)
);
CREATE INDEX IF NOT EXISTS fills_order ON fills (client_order_id);
CREATE TABLE IF NOT EXISTS funding (
  venue TEXT NOT NULL,
  symbol TEXT NOT NULL,
  strategy_id TEXT NOT NULL,
  settlement_ms INTEGER NOT NULL,
  rate REAL NOT NULL,
  position_qty REAL NOT NULL,
  mark_px REAL NOT NULL,
  amount REAL NOT NULL,
  PRIMARY KEY (venue, symbol, strategy_id, settlement_ms)
);
CREATE TABLE IF NOT EXISTS multi_legs (
  key TEXT PRIMARY KEY,
  state BLOB NOT NULL,
  finished INTEGER NOT NULL,
  updated_ms INTEGER NOT NULL
);
`;

/** Fills keyed by (venue, symbol, venue order id, trade id); version 1's rows are copied over. */
const V2 = `
CREATE TABLE fills_v2 (
  venue TEXT NOT NULL,
  symbol TEXT NOT NULL,
  venue_order_id TEXT NOT NULL,
  trade_id TEXT NOT NULL,
  client_order_id TEXT NOT NULL,
  strategy_id TEXT NOT NULL,
  side TEXT NOT NULL,
  qty REAL NOT NULL,
  px REAL NOT NULL,
  fee_quote REAL NOT NULL,
  fee REAL NOT NULL,
  fee_currency TEXT NOT NULL,
  at_ms INTEGER NOT NULL,
  PRIMARY KEY (venue, symbol, venue_order_id, trade_id)
);
INSERT INTO fills_v2 (venue, symbol, venue_order_id, trade_id, client_order_id, strategy_id, side, qty, px, fee_quote, fee, fee_currency, at_ms)
  SELECT f.venue, f.symbol, COALESCE(o.venue_order_id, ''), f.trade_id, f.client_order_id, f.strategy_id, f.side, f.qty, f.px, f.fee_quote, f.fee, f.fee_currency, f.at_ms
  FROM fills f LEFT JOIN orders o ON o.client_order_id = f.client_order_id ORDER BY f.rowid;
DROP TABLE fills;
ALTER TABLE fills_v2 RENAME TO fills;
CREATE INDEX fills_order ON fills (client_order_id);
`;

const STEPS: readonly string[] = [V1, V2];

/** Creates or upgrades the tables, each step in its own transaction. Throws when the file is from a newer release. */
export function migrate(db: Database): void {
  const version = db.pragma('user_version', { simple: true }) as number;
  if (version > SCHEMA_VERSION) {
    throw new Error(`journal schema version ${version} is newer than this release understands (${SCHEMA_VERSION}): open it with the release that wrote it`);
  }
  for (let step = version; step < SCHEMA_VERSION; step++) {
    db.transaction(() => {
      db.exec(STEPS[step]!);
      db.pragma(`user_version = ${step + 1}`);
    })();
  }
}
