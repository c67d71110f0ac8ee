/**
 * The feed workers under a time scale, as the `mix` demo runs them (960: 8 h of funding every
 * 30 s of real time): every perp venue publishes FundingRate with its nominal interval and the
 * real (compressed) next settlement. okx states no interval and ccxt derives it from
 * `nextFundingTime − fundingTime`; the simulator keeps that difference nominal, so okx funding
 * is published like binance's and bybit's rather than dropped as `funding_interval_unknown`.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Supervisor } from '../../src/runtime/supervision/supervisor.js';
import type { Simulator } from '../../src/sim/simulator.js';
import { eventually, feedStatus, feedStatusWhen, latest, startFeeds, startFeedSimulator } from './helpers.js';

const TIME_SCALE = 960;
const HOUR_MS = 3_600_000;
/** One perp per stated interval: binanceusdm 8 h, bybit 1 h, okx 8 h and 2 h. */
const VENUES: Record<string, readonly string[]> = {
  binanceusdm: ['BTC/USDT:USDT'],
  bybit: ['SOL/USDT:USDT'],
  okx: ['BTC/USDT:USDT', 'SOL/USDT:USDT'],
};

let sim: Simulator;
let supervisor: Supervisor;

beforeAll(async () => {
  sim = await startFeedSimulator({ seed: 12, timeScale: TIME_SCALE, venues: Object.keys(VENUES) });
  supervisor = await startFeeds(sim, VENUES, { reconnectBaseMs: 100 });
  for (const venue of Object.keys(VENUES)) await feedStatusWhen(supervisor, venue, (status) => status.state === 'up', `${venue} feed up`);
});

afterAll(async () => {
  await supervisor?.stop();
  await sim?.stop();
});

describe(`feed workers under time scale ${TIME_SCALE}`, () => {
  it.each(Object.keys(VENUES))('%s publishes FundingRate with the nominal interval and the compressed next settlement', async (venue) => {
    for (const symbol of VENUES[venue]!) {
      const { published, served } = await eventually(async () => {
        const served = (await sim.control.funding(venue)).find((entry) => entry.symbol === symbol)!;
        const published = await latest<'FundingRate'>(supervisor, 'funding', venue, symbol);
        return published && published.nextFundingTimeMs === served.nextFundingTimeMs ? { published, served } : undefined;
      }, `${venue} ${symbol} funding settling at the served next settlement`);
      expect(served.intervalRealMs).toBe((served.intervalHours * HOUR_MS) / TIME_SCALE);
      expect(published.intervalHours).toBe(served.intervalHours);
    }
    expect((await feedStatus(supervisor, venue)).rejected.funding_interval_unknown ?? 0).toBe(0);
  });
});
