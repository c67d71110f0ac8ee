import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { openJournal, type SqliteJournal } from '../../src/store/index.js';
import { SCHEMA_VERSION } from '../../src/store/schema.js';
import { OrderStore } from '../../src/execution/order-store.js';
import { QuoteBook } from '../../src/trading/market/book.js';
import { feeInQuote, type VenueOrderView } from '../../src/trading/orders/venue-view.js';
import type { Message } from '../../src/protocol/index.js';
import { newOrder, transition, type OrderRecord } from '../../src/trading/orders/order-state.js';
import type { FillRow, JournaledOrder } from '../../src/execution/journal-port.js';

const dirs: string[] = [];
const journals: SqliteJournal[] = [];

function tempJournal(dir = mkdtempSync(join(tmpdir(), 'arbiter-journal-'))): SqliteJournal {
  dirs.push(dir);
  const journal = openJournal({ dataDir: dir, durability: 'normal' });
  journals.push(journal);
  return journal;
}

afterEach(() => {
  for (const journal of journals.splice(0)) journal.close();
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function order(clientOrderId: string): JournaledOrder {
  const record = newOrder({ clientOrderId, venue: 'binance', symbol: 'BTC/USDT', side: 'buy', qty: 1 });
  return {
    spec: { clientOrderId, strategyId: 's1', intentSeq: 1, leg: 0, attempt: 0, purpose: 'order', venue: 'binance', symbol: 'BTC/USDT', side: 'buy', orderType: 'limit', timeInForce: 'GTC', qty: 1, limitPx: 100, reduceOnly: false, createdMs: 1 },
    record,
    sentMs: null,
  };
}

function fill(overrides: Partial<FillRow> = {}): FillRow {
  return { venue: 'binance', symbol: 'BTC/USDT', venueOrderId: 'v1', tradeId: 't1', clientOrderId: 'a1', strategyId: 's1', side: 'buy', qty: 0.4, px: 100, feeQuote: 0.1, fee: 0.1, feeCurrency: 'USDT', atMs: 3, ...overrides };
}

const step = (record: OrderRecord, event: Parameters<typeof transition>[1]): OrderRecord => {
  const result = transition(record, event);
  if ('error' in result) throw new Error(result.error.message);
  return result.order;
};

describe('SQLite execution journal', () => {
  it('opens in WAL mode and reloads orders, fills and multi-leg states after reopening', () => {
    const journal = tempJournal();
    const body = new Uint8Array([1, 2, 3]);
    journal.transaction(() => {
      journal.recordCommand({ type: 'SubmitOrder', strategyId: 's1', intentSeq: 1, body, receivedMs: 1, decision: 'approved', detail: '' });
      journal.insertOrder(order('a1'), 1);
    });
    let record = step(order('a1').record, { type: 'sent' });
    journal.recordTransition(record, 'sent', 2, 2);
    record = step(record, { type: 'fill', tradeId: 't1', qty: 0.4, px: 100, fee: 0.1 });
    journal.transaction(() => {
      expect(journal.recordFill(fill())).toBe('recorded');
      journal.recordTransition(record, 'fill', 3);
    });
    expect(journal.recordFill(fill())).toBe('duplicate');
    journal.saveMultiLeg('s1#2', { legs: [1, 2], phase: 'working' }, false, 4);
    journal.setMeta('tradingState', 'HALTED');
    const path = journal.path;
    journal.close();

    const raw = new Database(path, { readonly: true });
    expect(raw.pragma('journal_mode', { simple: true })).toBe('wal');
    raw.close();

    const reopened = tempJournal(join(path, '..'));
    const contents = reopened.load(0);
    expect(contents.orders).toHaveLength(1);
    expect(contents.orders[0]!.record).toMatchObject({ status: 'partially_filled', cumQty: 0.4, tradeIds: ['t1'] });
    expect(contents.orders[0]!.sentMs).toBe(2);
    expect(contents.fills.map((f) => f.tradeId)).toEqual(['t1']);
    expect(contents.multiLegs.get('s1#2')).toEqual({ legs: [1, 2], phase: 'working' });
    expect(contents.meta.get('tradingState')).toBe('HALTED');
    expect(reopened.countsByStatus()).toEqual({ partially_filled: 1 });
  });

  it('tells a redelivered command from a reused intent sequence', () => {
    const journal = tempJournal();
    const body = new Uint8Array([9, 9]);
    expect(journal.intentSeen('s1', 5, body)).toBe('unseen');
    journal.recordCommand({ type: 'SubmitOrder', strategyId: 's1', intentSeq: 5, body, receivedMs: 1, decision: 'approved', detail: '' });
    expect(journal.intentSeen('s1', 5, new Uint8Array([9, 9]))).toBe('redelivered');
    expect(journal.intentSeen('s1', 5, new Uint8Array([9, 8]))).toBe('conflict');
    expect(journal.intentSeen('s2', 5, body)).toBe('unseen');
  });

  it('rolls a failed transaction back completely', () => {
    const journal = tempJournal();
    expect(() =>
      journal.transaction(() => {
        journal.insertOrder(order('b1'), 1);
        journal.recordTransition({ ...order('nope').record, status: 'sent' }, 'sent', 2);
      }),
    ).toThrow(/JOURNAL: order nope is not in the journal/);
    expect(journal.load(0).orders).toEqual([]);
  });

  it('keys fills by venue, symbol, venue order id and trade id, and reports a different fill under a booked key', () => {
    const journal = tempJournal();
    expect(journal.recordFill(fill())).toBe('recorded');
    // binance trade ids are unique per symbol only: the same id on another market is another fill.
    expect(journal.recordFill(fill({ symbol: 'ETH/USDT' }))).toBe('recorded');
    expect(journal.recordFill(fill({ venueOrderId: 'v2' }))).toBe('recorded');
    expect(journal.recordFill(fill({ atMs: 99, feeQuote: 0.2 }))).toBe('duplicate');
    for (const changed of [{ qty: 0.5 }, { px: 101 }, { fee: 0.2 }, { feeCurrency: 'BNB' }]) {
      expect(journal.recordFill(fill({ ...changed, clientOrderId: 'a9' }))).toEqual({ journaled: { clientOrderId: 'a1', qty: 0.4, px: 100, fee: 0.1, feeCurrency: 'USDT' } });
    }
    expect(journal.load(0).fills.map((f) => [f.symbol, f.venueOrderId, f.qty])).toEqual([
      ['BTC/USDT', 'v1', 0.4],
      ['ETH/USDT', 'v1', 0.4],
      ['BTC/USDT', 'v2', 0.4],
    ]);
  });

  it('commits a group of writes as one transaction, invisible to other connections until committed', () => {
    const journal = tempJournal();
    const reader = new Database(journal.path, { readonly: true });
    const count = (): number => (reader.prepare('SELECT count(*) AS n FROM commands').get() as { n: number }).n;
    journal.beginGroup();
    journal.recordCommand({ type: 'SubmitOrder', strategyId: 's1', intentSeq: 1, body: new Uint8Array([1]), receivedMs: 1, decision: 'approved', detail: '' });
    journal.transaction(() => journal.insertOrder(order('g1'), 1));
    // A failed piece inside the group is undone alone (a savepoint); the rest stays in the group.
    expect(() => journal.transaction(() => {
      journal.insertOrder(order('g2'), 1);
      journal.recordTransition({ ...order('nope').record, status: 'sent' }, 'sent', 2);
    })).toThrow(/not in the journal/);
    journal.recordCommand({ type: 'SubmitOrder', strategyId: 's1', intentSeq: 2, body: new Uint8Array([2]), receivedMs: 1, decision: 'approved', detail: '' });
    expect(count()).toBe(0);
    expect(journal.commitGroup()).toBe(true);
    expect(count()).toBe(2);
    // A group that wrote nothing has nothing to commit.
    journal.beginGroup();
    expect(journal.commitGroup()).toBe(false);
    expect(journal.load(0).orders.map((o) => o.spec.clientOrderId)).toEqual(['g1']);
    // No group: each write commits on its own.
    journal.recordCommand({ type: 'SubmitOrder', strategyId: 's1', intentSeq: 3, body: new Uint8Array([3]), receivedMs: 1, decision: 'approved', detail: '' });
    expect(count()).toBe(3);
    reader.close();
  });

  it('applies the configured durability and migrates a version-1 file, taking each fill\'s venue order id from its order', () => {
    const dir = mkdtempSync(join(tmpdir(), 'arbiter-journal-'));
    const full = openJournal({ dataDir: dir, durability: 'full' });
    journals.push(full);
    const path = full.path;
    full.transaction(() => full.insertOrder(order('m1'), 1));
    full.recordTransition(step(step(order('m1').record, { type: 'sent' }), { type: 'accepted', venueOrderId: 'V77' }), 'accepted', 2, 2);
    expect(full.durability).toBe('full');
    full.close();
    // Rewrite the file as release 1 left it: fills keyed by (venue, trade_id), user_version 1.
    const raw = new Database(path);
    raw.exec(`DROP TABLE fills;
      CREATE TABLE fills (venue TEXT NOT NULL, trade_id TEXT NOT NULL, client_order_id TEXT NOT NULL, strategy_id TEXT NOT NULL, symbol TEXT NOT NULL, side TEXT NOT NULL,
        qty REAL NOT NULL, px REAL NOT NULL, fee_quote REAL NOT NULL, fee REAL NOT NULL, fee_currency TEXT NOT NULL, at_ms INTEGER NOT NULL, PRIMARY KEY (venue, trade_id));
      INSERT INTO fills VALUES ('binance', 't5', 'm1', 's1', 'BTC/USDT', 'buy', 0.25, 100, 0.01, 0.01, 'USDT', 3);
      PRAGMA user_version = 1;`);
    raw.close();
    const migrated = tempJournal(dir);
    expect(migrated.load(0).fills).toEqual([{ venue: 'binance', symbol: 'BTC/USDT', venueOrderId: 'V77', tradeId: 't5', clientOrderId: 'm1', strategyId: 's1', side: 'buy', qty: 0.25, px: 100, feeQuote: 0.01, fee: 0.01, feeCurrency: 'USDT', atMs: 3 }]);
    expect(migrated.recordFill(fill({ venueOrderId: 'V77', tradeId: 't5', qty: 0.25, fee: 0.01, clientOrderId: 'm1' }))).toBe('duplicate');
    migrated.close();
    const check = new Database(path, { readonly: true });
    expect(check.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
    check.close();
  });

  it('refuses a journal from a newer release, naming both versions', () => {
    const dir = mkdtempSync(join(tmpdir(), 'arbiter-journal-'));
    dirs.push(dir);
    const raw = new Database(join(dir, 'execution.sqlite'));
    raw.pragma(`user_version = ${SCHEMA_VERSION + 1}`);
    raw.close();
    expect(() => openJournal({ dataDir: dir, durability: 'normal' })).toThrow(/cannot open the execution journal/);
    try {
      openJournal({ dataDir: dir, durability: 'normal' });
    } catch (error) {
      expect(String((error as Error).cause)).toContain(`journal schema version ${SCHEMA_VERSION + 1} is newer than this release understands (${SCHEMA_VERSION})`);
    }
  });
});

describe('fills in the order store', () => {
  function store(journal: SqliteJournal) {
    const counted: Record<string, number> = {};
    const reported: string[] = [];
    const events: Message[] = [];
    const ledger = new OrderStore(
      journal,
      { toStrategy: (_id, event) => void events.push(event), broadcast: () => {}, toVenue: () => {} },
      new QuoteBook({ now: () => 0, maxAgeMs: 5_000 }),
      (fee, currency, symbol, px) => feeInQuote(fee, currency, symbol, px, () => null),
      { count: (name, by = 1) => void (counted[name] = (counted[name] ?? 0) + by), reportError: (reason, error) => void reported.push(`${reason}: ${(error as Error).message}`) },
    );
    return { ledger, counted, reported, events };
  }

  const view = (trades: VenueOrderView['trades'], filledQty: number): VenueOrderView => ({ venueOrderId: 'V1', state: 'open', filledQty, trades, tradesComplete: true, reason: null });
  const trade = (tradeId: string, qty: number, px = 100, fee = 0.1) => ({ tradeId, qty, px, fee, feeCurrency: 'USDT', timestampMs: 5 });

  it('books a redelivered trade once, and counts and reports (once per key) a different fill under a booked key without booking it', () => {
    const journal = tempJournal();
    const { ledger, counted, reported, events } = store(journal);
    const live = journal.transaction(() => ledger.create(order('f1').spec, 0, 1));
    ledger.markSent(live, 2);
    ledger.applyView(live, view([trade('t1', 0.4)], 0.4), 3);
    ledger.applyView(live, view([trade('t1', 0.4)], 0.4), 4);
    expect(live.record).toMatchObject({ cumQty: 0.4, tradeIds: ['t1'] });
    expect(counted.fill_conflict).toBeUndefined();
    expect(events.filter((e) => e.type === 'PartiallyFilled')).toHaveLength(1);

    // The venue now says trade t1 of order V1 was 0.5 at 101: a conflict, not a new fill.
    ledger.applyView(live, view([trade('t1', 0.5, 101)], 0.5), 5);
    ledger.applyView(live, view([trade('t1', 0.5, 101)], 0.5), 6);
    expect(counted.fill_conflict).toBe(1);
    expect(reported).toHaveLength(1);
    expect(reported[0]).toMatch(/^fill_conflict: fill binance\|BTC\/USDT\|V1\|t1 .*journaled as qty 0.4 @ 100 fee 0.1 USDT.*now reports qty 0.5 @ 101 fee 0.1 USDT: not booked/);
    expect(live.record.cumQty).toBe(0.4);
    expect(journal.load(0).fills.map((f) => [f.tradeId, f.qty, f.px])).toEqual([['t1', 0.4, 100]]);

    // A new trade of the same order still books normally.
    ledger.applyView(live, view([trade('t1', 0.4), trade('t2', 0.6)], 1), 7);
    expect(live.record).toMatchObject({ cumQty: 1, status: 'filled', tradeIds: ['t1', 't2'] });
  });
});
