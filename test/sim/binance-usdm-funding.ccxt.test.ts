/**
 * Funding on binance USDⓈ-M through the real ccxt client: current rate and next funding time,
 * per-symbol intervals, settled history, the mark-price stream's `r`, and a settlement that
 * pays or charges an open position rate × notional.
 */
import type { Exchange } from 'ccxt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Simulator } from '../../src/sim/simulator.js';
import { ccxtClient, startTestSimulator } from './helpers.js';

const VENUE = 'binanceusdm';
let sim: Simulator;
let exchange: Exchange;

beforeAll(async () => {
  // 8 h funding every 8 s of real time: scheduled settlements happen during the test run.
  sim = await startTestSimulator({ seed: 5, timeScale: 3600, venues: [VENUE], scenario: 'funding-divergence' });
  exchange = await ccxtClient(VENUE, sim);
  await exchange.loadMarkets();
});

afterAll(async () => {
  await exchange?.close();
  await sim?.stop();
});

describe('binanceusdm funding through ccxt', () => {
  it('fetchFundingRate reports the rate that settles next and when', async () => {
    // Frozen market: the rate cannot drift between the two reads.
    await sim.control.setMarketPaused(true);
    const [rate, truth] = await Promise.all([exchange.fetchFundingRate('BTC/USDT:USDT'), sim.control.funding(VENUE)]);
    await sim.control.setMarketPaused(false);
    const btc = truth.find((entry) => entry.symbol === 'BTC/USDT:USDT');
    expect(rate.symbol).toBe('BTC/USDT:USDT');
    expect(rate.fundingTimestamp).toBe(btc?.nextFundingTimeMs);
    expect(rate.fundingRate).toBe(Number((btc?.rate as number).toFixed(8)));
    // The funding-divergence scenario pushed this venue's rates far above the 0.01 % mean.
    expect(rate.fundingRate as number).toBeGreaterThan(0.0004);
    expect(rate.markPrice).toBeGreaterThan(0);
    expect(rate.indexPrice).toBeGreaterThan(0);
  });

  it('fetchFundingIntervals reports each symbol’s own interval', async () => {
    const intervals = await exchange.fetchFundingIntervals(['BTC/USDT:USDT', 'SOL/USDT:USDT']);
    expect(intervals['BTC/USDT:USDT']?.interval).toBe('8h');
    expect(intervals['SOL/USDT:USDT']?.interval).toBe('4h');
  });

  it('fetchFundingRateHistory returns the settled rates, oldest first', async () => {
    const history = await exchange.fetchFundingRateHistory('SOL/USDT:USDT', undefined, 5);
    const truth = (await sim.control.funding(VENUE, true)).find((entry) => entry.symbol === 'SOL/USDT:USDT')?.history ?? [];
    expect(history).toHaveLength(5);
    const timestamps = history.map((entry) => entry.timestamp as number);
    expect(timestamps).toEqual([...timestamps].sort((a, b) => a - b));
    const expected = truth.filter((entry) => timestamps.includes(entry.fundingTimeMs)).map((entry) => entry.rate);
    expect(history.map((entry) => entry.fundingRate)).toEqual(expected);
  });

  it('watchMarkPrice carries the funding rate as info.r and the next funding time as info.T', async () => {
    const mark = await exchange.watchMarkPrice('ETH/USDT:USDT');
    const info = mark.info as { r: string; T: number; p: string };
    expect(mark.symbol).toBe('ETH/USDT:USDT');
    expect(Number(info.r)).toBeGreaterThan(0);
    const truth = (await sim.control.funding(VENUE)).find((entry) => entry.symbol === 'ETH/USDT:USDT');
    expect(info.T).toBe(truth?.nextFundingTimeMs);
    expect(mark.markPrice).toBeCloseTo(Number(info.p), 8);
  });

  it('a settlement changes the wallet of an open position by −quantity × mark × rate', async () => {
    const symbol = 'SOL/USDT:USDT';
    await exchange.createOrder(symbol, 'market', 'sell', 3, undefined, { clientOrderId: 'funding-short' });
    const wallet = async (): Promise<number> => Number(((await exchange.fetchBalance()).info as { assets: { walletBalance: string }[] }).assets[0]?.walletBalance);
    const before = await wallet();
    const [settlement] = await sim.control.settleFunding(VENUE, symbol);
    const after = await wallet();
    const expected = -(-3) * (settlement?.markPrice as number) * (settlement?.rate as number);
    expect(Math.abs(expected)).toBeGreaterThan(0);
    expect(after - before).toBeCloseTo(expected, 6);
    const payments = await sim.control.fundingPayments(VENUE);
    expect(payments.at(-1)).toMatchObject({ symbol, positionQuantity: -3, rate: settlement?.rate });
    const income = (await exchange.fetchFundingHistory(symbol)).at(-1);
    expect(income?.amount).toBeCloseTo(expected, 6);
  });

  it('settles on schedule under the time scale, paying the open position without being asked', async () => {
    const symbol = 'SOL/USDT:USDT';
    const sol = (await sim.control.funding(VENUE)).find((entry) => entry.symbol === symbol);
    expect(sol?.intervalRealMs).toBe(4_000); // 4 h / 3600
    const solPayments = async () => (await sim.control.fundingPayments(VENUE)).filter((p) => p.symbol === symbol);
    const before = (await solPayments()).length;
    await expect.poll(async () => (await solPayments()).length, { timeout: 10_000, interval: 100 }).toBeGreaterThan(before);
    const scheduled = (await solPayments()).at(-1);
    // On the venue's grid (multiples of the scaled interval), recorded in history, paid by the formula.
    expect((scheduled?.fundingTimeMs as number) % 4_000).toBe(0);
    expect(scheduled?.amount).toBeCloseTo(-(scheduled?.positionQuantity as number) * (scheduled?.markPrice as number) * (scheduled?.rate as number), 9);
    const history = (await sim.control.funding(VENUE, true)).find((entry) => entry.symbol === symbol)?.history ?? [];
    expect(history.find((entry) => entry.fundingTimeMs === scheduled?.fundingTimeMs)?.rate).toBe(scheduled?.rate);
  });
});
