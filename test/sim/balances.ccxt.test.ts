/**
 * The simulator's balances through the real ccxt `fetchBalance` of every venue (binance spot
 * `/api/v3/account`, USDⓈ-M `/fapi/v3/account`, bybit UNIFIED `/v5/account/wallet-balance`, okx
 * `/api/v5/account/balance`): a new account holds the configured starting balance, and after a
 * resting order, fills and a funding settlement ccxt's parsed figures equal the simulator's books.
 */
import type { Exchange } from 'ccxt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AccountView } from '../../src/sim/control/types.js';
import type { Simulator } from '../../src/sim/simulator.js';
import { startSimulator } from '../../src/sim/simulator.js';
import { ccxtClient, silentLogger, startTestSimulator } from './helpers.js';

const STARTING = {
  binance: { USDT: 12_000, BTC: 0.3 },
  binanceusdm: { USDT: 25_000 },
  bybit: { USDT: 15_000, BTC: 0.4 },
  okx: { USDT: 18_000, BTC: 0.5 },
};
const SPOT = 'BTC/USDT';
const PERP = 'BTC/USDT:USDT';

let sim: Simulator;
const clients = new Map<string, Exchange>();

beforeAll(async () => {
  sim = await startTestSimulator({ symbols: [SPOT], startingBalances: STARTING });
  for (const id of Object.keys(STARTING)) {
    const client = await ccxtClient(id, sim);
    await client.loadMarkets();
    clients.set(id, client);
  }
});
afterAll(async () => {
  for (const client of clients.values()) await client.close?.();
  await sim?.stop();
});

const client = (id: string): Exchange => clients.get(id)!;
const totals = (balance: Awaited<ReturnType<Exchange['fetchBalance']>>): Record<string, number> => balance.total as unknown as Record<string, number>;

async function account(venue: string): Promise<AccountView> {
  return (await sim.control.accounts(venue)).find((a) => a.accountId === 'arbiter-sim')!;
}

/**
 * Where ccxt's `total` includes unrealized PnL: binance USDⓈ-M reports `marginBalance` (wallet +
 * unrealized) and okx `eq`; bybit's unified account reports `walletBalance`.
 */
const TOTAL_HAS_UNREALIZED: Readonly<Record<string, boolean>> = { binance: false, binanceusdm: true, bybit: false, okx: true };

/** The settle asset's (USDT) wallet, plus unrealized PnL where the venue counts it in the total. */
function expectedTotal(venue: string, view: AccountView, asset: string): number {
  const wallet = (view.balances[asset]?.free ?? 0) + (view.balances[asset]?.locked ?? 0);
  return asset === 'USDT' && TOTAL_HAS_UNREALIZED[venue] ? wallet + view.positions.reduce((sum, p) => sum + p.unrealizedPnl, 0) : wallet;
}

describe('simulator balances through ccxt fetchBalance', () => {
  it('a new account starts with the configured balance on every venue', async () => {
    for (const [id, assets] of Object.entries(STARTING)) {
      const balance = await client(id).fetchBalance();
      for (const [asset, amount] of Object.entries(assets)) expect(balance[asset], `${id} ${asset}`).toMatchObject({ free: amount, used: 0, total: amount });
    }
  });

  it('after a resting order, fills and funding, ccxt parses what the simulator holds', async () => {
    const books = await sim.control.books();
    const bid = (venue: string): number => books.find((b) => b.venue === venue && b.symbol === SPOT)!.bidPrice!;
    // A resting spot buy locks quote; a market sell moves base and quote and charges a fee.
    for (const id of ['binance', 'bybit', 'okx']) {
      await client(id).createOrder(SPOT, 'limit', 'buy', 0.01, Math.floor(bid(id) * 0.9));
      await client(id).createOrder(SPOT, 'market', 'sell', 0.02);
    }
    // A perp long on each perp venue (okx sizes swaps in contracts of 0.01 BTC), then funding.
    await client('binanceusdm').createOrder(PERP, 'market', 'buy', 0.05);
    await client('bybit').createOrder(PERP, 'market', 'buy', 0.05);
    await client('okx').createOrder(PERP, 'market', 'buy', 5);
    for (const id of ['binanceusdm', 'bybit', 'okx']) await sim.control.settleFunding(id, PERP);
    await sim.control.setMarketPaused(true);
    try {
      for (const id of Object.keys(STARTING)) {
        const view = await account(id);
        const balance = await client(id).fetchBalance();
        for (const asset of Object.keys(view.balances)) expect(totals(balance)[asset], `${id} ${asset} total`).toBeCloseTo(expectedTotal(id, view, asset), 6);
        if (id !== 'binanceusdm') expect(view.balances.USDT!.locked, `${id} USDT locked`).toBeGreaterThan(0);
        if (id !== 'binance') expect(view.positions[0]!.fundingPnl, `${id} funding paid`).not.toBe(0);
      }
      // binance spot is a plain wallet: free and used are the simulator's free and locked.
      const binance = await account('binance');
      const spot = await client('binance').fetchBalance();
      // The wire carries decimal strings, so compare to the last printed digit, not bit for bit.
      expect(spot.USDT?.free).toBeCloseTo(binance.balances.USDT!.free, 8);
      expect(spot.USDT?.used).toBeCloseTo(binance.balances.USDT!.locked, 8);
      expect(spot.BTC?.free).toBeCloseTo(0.3 - 0.02, 12);
    } finally {
      await sim.control.setMarketPaused(false);
    }
  });

  it('refuses a bad startingBalances option at start, naming it', async () => {
    await expect(startSimulator({ logger: silentLogger, venues: ['okx'], startingBalances: { bybit: { USDT: 1 } } })).rejects.toThrow(/startingBalances\.bybit: expected one of the served venues okx, got "bybit"/);
    await expect(startSimulator({ logger: silentLogger, venues: ['okx'], startingBalances: { okx: { USDT: -1 } } })).rejects.toThrow(/startingBalances\.okx\.USDT: expected a finite number ≥ 0, got -1/);
  });
});
