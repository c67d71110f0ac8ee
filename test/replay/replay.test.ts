/**
 * Replay mode end to end on a handmade recording: the real spread strategy and execution actor,
 * under the lockstep driver, trade a dislocation in the recording; a second run of the same
 * recording gives exactly the same orders, fills and PnL; bad and foreign frames are reported.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAppConfig, type AppConfig } from '../../src/app/config.js';
import { runReplay, type ReplayResult } from '../../src/app/replay.js';
import { message, type MarketDataMessage } from '../../src/protocol/index.js';
import { rootLogger } from '../../src/base/log.js';
import { RecordingWriter } from '../../src/store/md-recording.js';

const START_MS = Date.UTC(2026, 5, 1);
const SYMBOL = 'BTC/USDT';

let dir: string;
beforeAll(() => (dir = mkdtempSync(join(tmpdir(), 'arbiter-replay-'))));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const book = (venue: string, bidPx: number, askPx: number, seq: number, atMs: number): MarketDataMessage =>
  message('BookTop', { ts: 0, venue, symbol: SYMBOL, bidPx, bidSz: 2, askPx, askSz: 2, venueSeq: seq, exchangeTimeMs: atMs });

/** 3 s of quotes every 50 ms; from 1.0 s to 1.3 s bybit's bid is 60 bps above binance's ask. */
function writeRecording(path: string): number {
  const writer = new RecordingWriter(path, { test: 'dislocation' });
  let frames = 0;
  const append = (m: MarketDataMessage, atMs: number): void => {
    writer.append(m, atMs);
    frames++;
  };
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
