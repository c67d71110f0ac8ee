/**
 * Bad venue data through the real ccxt client: the simulator corrupts binance USDⓈ-M's frames
 * (fault `bad-data`) and the feed worker must drop what is absurd, rebuild a book it cannot trust,
 * and say so in its venue status while it rejects. Before: 1e308 and 0.0001 marks were published,
 * seconds were read as milliseconds, a negative size stuck in the local book for every update after
 * it, and the venue stayed `up` throughout.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Supervisor } from '../../src/runtime/supervision/supervisor.js';
import type { Simulator } from '../../src/sim/simulator.js';
import { eventually, feedStatus, feedStatusWhen, latest, startFeeds, startFeedSimulator, statusSince } from './helpers.js';

const VENUE = 'binanceusdm';
const SYMBOL = 'BTC/USDT:USDT';

let sim: Simulator;
let supervisor: Supervisor;

beforeAll(async () => {
  sim = await startFeedSimulator({ seed: 5 });
  supervisor = await startFeeds(sim, { [VENUE]: [SYMBOL] }, { watchdogMs: 100, reconnectBaseMs: 100 });
  await feedStatusWhen(supervisor, VENUE, (status) => status.state === 'up', `${VENUE} feed up`);
});

afterAll(async () => {
  await supervisor?.stop();
  await sim?.stop();
});

const rejected = async (reason: string): Promise<number> => (await feedStatus(supervisor, VENUE)).rejected[reason] ?? 0;

describe('bad data from a venue', () => {
  it('1e308 and 0.0001 marks are rejected, the venue is degraded meanwhile and up once good marks flow', async () => {
    const good = (await latest<'MarkPrice'>(supervisor, 'mark', VENUE, SYMBOL))!.markPx;
    const injectedAt = Date.now();
    await sim.control.inject({ kind: 'bad-data', venue: VENUE, symbol: SYMBOL, field: 'mark', markPx: 1e308, count: 2 });
    await sim.control.inject({ kind: 'bad-data', venue: VENUE, symbol: SYMBOL, field: 'mark', markPx: 0.0001, count: 2 });
    const degraded = await statusSince(supervisor, injectedAt, { venue: VENUE, symbol: SYMBOL, state: 'degraded' }, 'the symbol degraded');
    expect(degraded.reason).toMatch(/price_out_of_band: mark price (1e\+308|0\.0001)/);
    await statusSince(supervisor, injectedAt, { venue: VENUE, symbol: '', state: 'degraded' }, 'the venue degraded');
    await eventually(async () => ((await rejected('price_out_of_band')) >= 4 ? true : undefined), 'all four bad marks rejected');
    await statusSince(supervisor, degraded.atMs, { venue: VENUE, symbol: '', state: 'up' }, 'the venue up again');
    const mark = (await latest<'MarkPrice'>(supervisor, 'mark', VENUE, SYMBOL))!.markPx;
    expect(Math.abs(mark / good - 1)).toBeLessThan(0.05);
    expect(await rejected('price_out_of_band')).toBe(4);
  });

  it('timestamps in seconds are rejected, not read as milliseconds', async () => {
    await sim.control.inject({ kind: 'bad-data', venue: VENUE, symbol: SYMBOL, field: 'timestamp-seconds', count: 3 });
    await eventually(async () => ((await rejected('implausible_timestamp')) >= 3 ? true : undefined), 'three events in seconds rejected');
    const mark = (await latest<'MarkPrice'>(supervisor, 'mark', VENUE, SYMBOL))!;
    expect(Math.abs(mark.exchangeTimeMs - Date.now())).toBeLessThan(60_000);
  });

  it('a negative size in the book asks for a fresh snapshot instead of rejecting every update after it', async () => {
    const before = await feedStatus(supervisor, VENUE);
    const seq = (await latest<'BookTop'>(supervisor, 'book', VENUE, SYMBOL))!.venueSeq;
    await sim.control.inject({ kind: 'bad-data', venue: VENUE, symbol: SYMBOL, field: 'book-size', count: 1 });
    const after = await feedStatusWhen(supervisor, VENUE, (status) => status.resubscribes > before.resubscribes, 'a resubscribe for a fresh snapshot');
    expect(after.rejected['non_positive_size']).toBeGreaterThanOrEqual(1);
    // Tops flow again from the rebuilt book; the bad level did not outlive the snapshot.
    await eventually(async () => ((await latest<'BookTop'>(supervisor, 'book', VENUE, SYMBOL))!.venueSeq > seq + 20 ? true : undefined), 'twenty more book updates');
    expect(await rejected('non_positive_size')).toBeLessThanOrEqual(2);
    await feedStatusWhen(supervisor, VENUE, (status) => status.state === 'up', 'the venue up again');
  });
});
