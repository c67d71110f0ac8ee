import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { openJournal, type SqliteJournal } from '../../src/store/index.js';
import { newOrder, transition, type OrderRecord } from '../../src/trading/orders/order-state.js';
import type { JournaledOrder } from '../../src/execution/journal-port.js';

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
      expect(journal.recordFill({ venue: 'binance', tradeId: 't1', clientOrderId: 'a1', strategyId: 's1', symbol: 'BTC/USDT', side: 'buy', qty: 0.4, px: 100, feeQuote: 0.1, fee: 0.1, feeCurrency: 'USDT', atMs: 3 })).toBe(true);
      journal.recordTransition(record, 'fill', 3);
    });
    expect(journal.recordFill({ venue: 'binance', tradeId: 't1', clientOrderId: 'a1', strategyId: 's1', symbol: 'BTC/USDT', side: 'buy', qty: 0.4, px: 100, feeQuote: 0.1, fee: 0.1, feeCurrency: 'USDT', atMs: 3 })).toBe(false);
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
});
