/**
 * Replay mode end to end on a handmade recording: the real spread strategy and execution actor,
 * under the lockstep driver, trade a dislocation in the recording; a second run of the same
 * recording gives exactly the same orders, fills and PnL; bad and foreign frames are reported.
 */
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAppConfig, type AppConfig } from '../../src/app/config.js';
import { runReplay, type ReplayResult } from '../../src/app/replay.js';
import { message, type MarketDataMessage, type MessageOf } from '../../src/protocol/index.js';
import { rootLogger } from '../../src/base/log.js';
import { RecordingWriter, type RecordedMessage } from '../../src/store/md-recording.js';

const START_MS = Date.UTC(2026, 5, 1);
const SYMBOL = 'BTC/USDT';

let dir: string;
beforeAll(() => (dir = mkdtempSync(join(tmpdir(), 'arbiter-replay-'))));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const book = (venue: string, bidPx: number, askPx: number, seq: number, atMs: number): MarketDataMessage =>
  message('BookTop', { ts: 0, venue, symbol: SYMBOL, bidPx, bidSz: 2, askPx, askSz: 2, venueSeq: seq, exchangeTimeMs: atMs });

/**
 * 3 s of quotes every 50 ms; from 1.0 s to 1.3 s bybit's bid is 60 bps above binance's ask. With
 * `rules`, the markets' MarketRules come first, as a recording run's execution published them.
 */
function writeRecording(path: string, rules: readonly MessageOf<'MarketRules'>[] = []): number {
  const writer = new RecordingWriter(path, { test: 'dislocation' });
  let frames = 0;
  const append = (m: RecordedMessage, atMs: number): void => {
    writer.append(m, atMs);
    frames++;
  };
  for (const r of rules) append(r, START_MS);
  for (const venue of ['binance', 'bybit']) append(message('VenueStatus', { ts: 0, venue, symbol: '', state: 'up', reason: '' }), START_MS);
  for (let step = 0, t = START_MS; t < START_MS + 3_000; step++, t += 50) {
    const dislocated = t >= START_MS + 1_000 && t < START_MS + 1_300;
    append(book('binance', 100_000, 100_001, step, t), t);
    append(dislocated ? book('bybit', 100_600, 100_601, step, t + 1) : book('bybit', 100_000.5, 100_001.5, step, t + 1), t + 1);
  }
  append(book('okx', 100_000, 100_001, 1, START_MS + 10), START_MS + 10);
  writer.append({ ...book('binance', 1, 2, 999, START_MS + 20), askPx: Number.NaN } as MarketDataMessage, START_MS + 20);
  writer.close();
  return frames;
}

function config(file: string, dataDir: string): AppConfig {
  return parseAppConfig({
    mode: 'replay',
    dataDir,
    replay: { file },
    venues: { binance: { symbols: [SYMBOL] }, bybit: { symbols: [SYMBOL] } },
    strategies: [
      {
        id: 'spread',
        module: 'actors/strategy/spot-spread.ts',
        params: {
          venues: ['binance', 'bybit'],
          symbols: [SYMBOL],
          minSpreadBps: 5,
          maxNotionalUsd: 5_000,
          evaluationIntervalMs: 100,
        },
      },
    ],
    execution: { params: { paper: { startingBalances: { binance: { USDT: 50_000, BTC: 0.5 }, bybit: { USDT: 50_000, BTC: 0.5 } } } } },
  });
}

const tradingOutcome = (r: ReplayResult): unknown => ({ orders: r.status.orders, positions: r.status.positions, pnl: r.status.pnl, opportunities: r.status.opportunities.total });

describe('replay', () => {
  let file: string;
  let written: number;
  let first: ReplayResult;

  beforeAll(async () => {
    file = join(dir, 'dislocation.rec');
    written = writeRecording(file);
    first = await runReplay(config(file, join(dir, 'data')), rootLogger());
  });

  it('plays every valid frame and reports the bad and the foreign ones', () => {
    expect(first.report.frames).toBe(written);
    expect(first.report.rejected).toBe(1);
    expect(first.report.rejections[0]).toMatch(/frame \d+: .*askPx/);
    expect(first.report.skippedByVenue).toEqual({ okx: 1 });
    expect(first.report.spanS).toBeCloseTo(2.951, 3);
    expect(first.status.venues.map((v) => [v.id, v.messages])).toEqual([['binance', 61], ['bybit', 61]]);
  });

  it('trades the recorded dislocation: buys on binance, sells on bybit, through the fill model', () => {
    expect(first.status.orders.sent).toBeGreaterThanOrEqual(2);
    expect(first.status.orders.fills).toBeGreaterThanOrEqual(2);
    const qty = (venue: string): number => first.status.positions.filter((p) => p.venue === venue).reduce((sum, p) => sum + p.qty, 0);
    expect(qty('binance')).toBeGreaterThan(0);
    expect(qty('bybit')).toBeLessThan(0);
    expect(qty('binance') + qty('bybit')).toBeCloseTo(0, 8);
    expect(first.status.pnl.fees).toBeGreaterThan(0);
    expect(first.status.latency).toBeNull();
  });

  it('gives the same orders, fills and PnL when the same recording is replayed again', async () => {
    const second = await runReplay(config(file, join(dir, 'data')), rootLogger());
    expect(second.report.journalDir).not.toBe(first.report.journalDir);
    expect(tradingOutcome(second)).toEqual(tradingOutcome(first));
  });

  it('refuses a recording without a single valid frame, saying why', async () => {
    const empty = join(dir, 'empty.rec');
    new RecordingWriter(empty, {}).close();
    await expect(runReplay(config(empty, join(dir, 'data')), rootLogger())).rejects.toThrow(/replay\.file: .*empty\.rec holds no valid market-data frame/);
  });
});

describe('replay by the recorded market rules', () => {
  // The recorded run's venues: a 0.001 BTC lot, a 10 USDT minimum, and the account's 3 bps taker rate.
  const rules = (venue: string) =>
    message('MarketRules', { ts: 0, venue, symbol: SYMBOL, amountStep: 0.001, priceTick: 0.01, minQty: 0.001, minNotional: 10, contractSize: 1, makerRateBps: 1, takerRateBps: 3, feeSource: 'venue' });

  it('sizes, fills and charges as the recorded run would have', async () => {
    const file = join(dir, 'with-rules.rec');
    writeRecording(file, [rules('binance'), rules('bybit')]);
    const replayed = await runReplay(config(file, join(dir, 'data')), rootLogger());
    const positions = replayed.status.positions.filter((p) => p.qty !== 0);
    expect(positions.length).toBe(2);
    for (const p of positions) expect(Math.abs(p.qty) / 0.001).toBeCloseTo(Math.round(Math.abs(p.qty) / 0.001), 9);
    // 5 000 USD / 100 001 = 0.049999…: 0.049 on the recorded lot (the fine grid would trade 0.04999).
    const db = new Database(join(replayed.report.journalDir, 'execution.sqlite'), { readonly: true });
    const fills = db.prepare('SELECT qty, px, fee_quote AS fee FROM fills').all() as { qty: number; px: number; fee: number }[];
    db.close();
    expect(fills.length).toBeGreaterThanOrEqual(2);
    for (const fill of fills) {
      expect(fill.qty).toBe(0.049);
      // The recorded 3 bps, not the table's 10.
      expect(fill.fee).toBeCloseTo(fill.qty * fill.px * 3e-4, 9);
    }
  });
});
