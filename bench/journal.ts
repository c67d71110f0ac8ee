/**
 * `journal`: what the execution journal costs per order, on the real SQLite journal in a temp
 * dir, for each durability level, with one commit per write (how execution journaled before
 * group commit) against group commit (how it journals now).
 *
 * One order's writes are those of its hot path: the command with its order and `sent` mark, the
 * venue's acceptance, and a fill with the order's filled state. Per write: three commits (the
 * command's transaction, the acceptance, the fill's transaction). Group commit: the command
 * commits with the rest of its ring batch (`orders per batch` commands, one commit), and the
 * venue's answer (acceptance and fill, as one response) is one commit. Each sample is one
 * order's share of journal time: its batch's commit divided by the batch, plus its response.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monoNowNs } from '../src/base/clock.js';
import type { JournalDurability, JournaledOrder } from '../src/execution/journal-port.js';
import { openJournal, type SqliteJournal } from '../src/store/index.js';
import { newOrder, transition, type OrderEvent, type OrderRecord } from '../src/trading/orders/order-state.js';
import { createLatencyHistogram, recordNs } from './lib/histogram.js';
import type { Measurement } from './lib/rows.js';
import { scaled, type BenchSuite, type SuiteOptions } from './lib/suite.js';

const BODY = new Uint8Array(96).fill(7);

interface Variant {
  readonly name: string;
  readonly durability: JournalDurability;
  /** 0: one commit per write (before group commit). */
  readonly ordersPerBatch: number;
}

const VARIANTS: readonly Variant[] = (['full', 'normal'] as const).flatMap((durability) => [
  { name: `per-write commits (before), ${durability}`, durability, ordersPerBatch: 0 },
  { name: `group commit, 1 order per batch, ${durability}`, durability, ordersPerBatch: 1 },
  { name: `group commit, 8 orders per batch, ${durability}`, durability, ordersPerBatch: 8 },
]);

const next = (record: OrderRecord, event: OrderEvent): OrderRecord => {
  const result = transition(record, event);
  if ('error' in result) throw new Error(result.error.message);
  return result.order;
};

/** Writes one order's command and its order row with the `sent` mark (as CommandHandler does); returns the sent record. */
function journalCommand(journal: SqliteJournal, seq: number): OrderRecord {
  const clientOrderId = `bench-${seq}`;
  const record = newOrder({ clientOrderId, venue: 'binanceusdm', symbol: 'BTC/USDT:USDT', side: 'buy', qty: 0.002 });
  const order: JournaledOrder = {
    spec: { clientOrderId, strategyId: 'bench', intentSeq: seq, leg: 0, attempt: 0, purpose: 'order', venue: 'binanceusdm', symbol: 'BTC/USDT:USDT', side: 'buy', orderType: 'market', timeInForce: 'IOC', qty: 0.002, limitPx: null, reduceOnly: false, createdMs: seq },
    record,
    sentMs: null,
  };
  return journal.transaction(() => {
    journal.recordCommand({ type: 'SubmitOrder', strategyId: 'bench', intentSeq: seq, body: BODY, receivedMs: seq, decision: 'approved', detail: '' });
    journal.insertOrder(order, seq);
    const sent = next(record, { type: 'sent' });
    journal.recordTransition(sent, 'sent', seq, seq);
    return sent;
  });
}

/** The venue's answer: accepted, then filled (as OrderStore.applyView journals it). */
function journalResponse(journal: SqliteJournal, sent: OrderRecord, seq: number, grouped: boolean): void {
  if (grouped) journal.beginGroup();
  const accepted = next(sent, { type: 'accepted', venueOrderId: `v${seq}` });
  journal.recordTransition(accepted, 'accepted', seq);
  const filled = next(accepted, { type: 'fill', tradeId: `t${seq}`, qty: 0.002, px: 60_000, fee: 0.05 });
  journal.transaction(() => {
    journal.recordFill({ venue: 'binanceusdm', symbol: 'BTC/USDT:USDT', venueOrderId: `v${seq}`, tradeId: `t${seq}`, clientOrderId: sent.clientOrderId, strategyId: 'bench', side: 'buy', qty: 0.002, px: 60_000, feeQuote: 0.05, fee: 0.05, feeCurrency: 'USDT', atMs: seq });
    journal.recordTransition(filled, 'fill', seq);
  });
  if (grouped) journal.commitGroup();
}

function measure(variant: Variant, durationMs: number): Measurement {
  const dir = mkdtempSync(join(tmpdir(), 'arbiter-bench-journal-'));
  const journal = openJournal({ dataDir: dir, durability: variant.durability });
  const histogram = createLatencyHistogram();
  const batch = Math.max(1, variant.ordersPerBatch);
  const grouped = variant.ordersPerBatch > 0;
  const sent: OrderRecord[] = [];
  let seq = 0;
  let orders = 0;
  const start = monoNowNs();
  const end = start + durationMs * 1e6;
  try {
    while (monoNowNs() < end) {
      const t0 = monoNowNs();
      if (grouped) journal.beginGroup();
      for (let i = 0; i < batch; i++) sent[i] = journalCommand(journal, ++seq);
      if (grouped) journal.commitGroup();
      const commandShare = (monoNowNs() - t0) / batch;
      for (let i = 0; i < batch; i++) {
        const t1 = monoNowNs();
        journalResponse(journal, sent[i]!, seq - batch + 1 + i, grouped);
        recordNs(histogram, commandShare + (monoNowNs() - t1));
      }
      orders += batch;
    }
    return { variant: variant.name, transport: 'sqlite', messages: orders, elapsedNs: monoNowNs() - start, histogram, threads: 1, note: `${grouped ? (1 / batch + 1).toFixed(3) : '3'} commits per order` };
  } finally {
    journal.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

async function run(options: SuiteOptions): Promise<Measurement[]> {
  const durationMs = scaled(options, 4_000, 300);
  const results: Measurement[] = [];
  for (const variant of VARIANTS) {
    options.log(`journal: ${variant.name}`);
    results.push(measure(variant, durationMs));
  }
  return results;
}

export const journalSuite: BenchSuite = {
  name: 'journal',
  summary: 'journal time per order (command, acceptance, fill) by durability, one commit per write vs group commit',
  run,
};
