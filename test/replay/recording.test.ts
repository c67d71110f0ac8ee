/** The market-data recording file: round trip, crash-truncated tails, bad frames, resume, refusal. */
import { appendFileSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { message, type MarketDataMessage } from '../../src/protocol/index.js';
import { RecordingReader, RecordingWriter, type RecordedMessage } from '../../src/store/md-recording.js';

let dir: string;
beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'arbiter-rec-'))));
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const top = (i: number): MarketDataMessage =>
  message('BookTop', { ts: i, venue: i % 2 ? 'binance' : 'bybit', symbol: 'BTC/USDT', bidPx: 100 + i, bidSz: 1, askPx: 101 + i, askSz: 2, venueSeq: i, exchangeTimeMs: 1_000 + i });

const seqOf = (m: RecordedMessage): number => (m.type === 'BookTop' ? m.venueSeq : -1);

function readAll(path: string): { frames: { recvWallMs: number; message: RecordedMessage }[]; reader: RecordingReader } {
  const reader = new RecordingReader(path);
  const frames = [...reader.frames()].map(({ recvWallMs, message }) => ({ recvWallMs, message }));
  reader.close();
  return { frames, reader };
}

describe('market-data recording', () => {
  it('reads back every frame in order with its receive time, across buffer flushes', () => {
    const path = join(dir, 'a.rec');
    const writer = new RecordingWriter(path, { mode: 'sim' }, { nowMs: 42 });
    const sent = Array.from({ length: 5_000 }, (_, i) => top(i));
    sent.forEach((m, i) => writer.append(m, 10_000 + i));
    writer.close();
    const { frames, reader } = readAll(path);
    expect(reader.header).toMatchObject({ format: 'arbiter.md-recording', version: 2, createdAtMs: 42, source: { mode: 'sim' } });
    expect(frames.map((f) => f.recvWallMs)).toEqual(sent.map((_, i) => 10_000 + i));
    expect(frames.map((f) => f.message)).toEqual(sent);
    expect(reader.report).toMatchObject({ frames: 5_000, rejected: 0, truncated: false, validBytes: statSync(path).size });
  });

  it("keeps each market's rules with the market data, in order", () => {
    const path = join(dir, 'rules.rec');
    const writer = new RecordingWriter(path, {});
    const rules = message('MarketRules', { ts: 0, venue: 'binance', symbol: 'BTC/USDT', amountStep: 0.00001, priceTick: 0.01, minQty: 0.00001, minNotional: 5, contractSize: 1, makerRateBps: 10, takerRateBps: 10, feeSource: 'venue' });
    writer.append(top(1), 1);
    writer.append(rules, 2);
    writer.append(top(2), 3);
    writer.close();
    expect(readAll(path).frames.map((f) => f.message)).toEqual([top(1), rules, top(2)]);
  });

  it('stops at a partial last frame (a killed writer) and reports it', () => {
    const path = join(dir, 'b.rec');
    const writer = new RecordingWriter(path, {});
    for (let i = 0; i < 3; i++) writer.append(top(i), i);
    writer.close();
    const whole = readFileSync(path);
    writeFileSync(path, whole.subarray(0, whole.length - 5));
    const { frames, reader } = readAll(path);
    expect(frames.map((f) => seqOf(f.message))).toEqual([0, 1]);
    expect(reader.report.truncated).toBe(true);
  });

  it('skips a frame that fails the schema, naming the frame and the field', () => {
    const path = join(dir, 'c.rec');
    const writer = new RecordingWriter(path, {});
    writer.append(top(0), 0);
    writer.append({ ...top(1), bidPx: 'cheap' } as unknown as MarketDataMessage, 1);
    writer.append(message('OrderDenied', { ts: 1, strategyId: 's', intentSeq: 1, clientOrderId: 'x', reason: 'notional_cap', detail: '', leg: 0 }) as unknown as MarketDataMessage, 2);
    writer.append(top(3), 3);
    writer.close();
    const { frames, reader } = readAll(path);
    expect(frames.map((f) => seqOf(f.message))).toEqual([0, 3]);
    expect(reader.report.rejected).toBe(2);
    expect(reader.report.rejections[0]).toMatch(/^frame 1: .*bidPx/);
    expect(reader.report.rejections[1]).toMatch(/^frame 2: not a market-data message \(type "OrderDenied"\)/);
  });

  it('a restarted recorder cuts a partial frame off and appends after the last whole one', () => {
    const path = join(dir, 'd.rec');
    const first = new RecordingWriter(path, {});
    first.append(top(0), 0);
    first.close();
    appendFileSync(path, Buffer.from([9, 0, 0]));
    const resumed = new RecordingWriter(path, {}, { resume: true });
    resumed.append(top(1), 1);
    resumed.close();
    const { frames, reader } = readAll(path);
    expect(frames.map((f) => seqOf(f.message))).toEqual([0, 1]);
    expect(reader.report.truncated).toBe(false);
  });

  it('never overwrites a file, and refuses a file that is not a recording', () => {
    const path = join(dir, 'e.rec');
    new RecordingWriter(path, {}).close();
    expect(() => new RecordingWriter(path, {})).toThrow(/record: cannot create .*e\.rec/);
    const other = join(dir, 'notes.txt');
    writeFileSync(other, 'hello, this is not a recording');
    expect(() => new RecordingReader(other)).toThrow(/replay\.file: .*notes\.txt is not an arbiter market-data recording: bad magic/);
    expect(() => new RecordingReader(join(dir, 'missing.rec'))).toThrow(/replay\.file: cannot open .*missing\.rec/);
  });
});
