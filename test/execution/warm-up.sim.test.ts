/**
 * The warm-up of a ccxt trade venue against the simulator: it opens keep-alive connections and
 * builds and signs an order request, and nothing reaches the venue as an order.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Simulator } from '../../src/sim/simulator.js';
import { createExchange, loadCcxtErrors } from '../../src/venues/ccxt-loader.js';
import { redirectToSimulator } from '../../src/venues/sim-redirect.js';
import { CcxtTradeVenue } from '../../src/venues/trade/ccxt-venue.js';
import { SIM_KEY, SIM_SECRET, startTestSimulator } from './helpers.js';

let sim: Simulator;
let venue: CcxtTradeVenue;

beforeAll(async () => {
  sim = await startTestSimulator();
  const exchange = await createExchange('binance', { apiKey: SIM_KEY, secret: SIM_SECRET, enableRateLimit: false });
  redirectToSimulator(exchange as unknown as Parameters<typeof redirectToSimulator>[0], sim.url);
  venue = new CcxtTradeVenue('binance', exchange, await loadCcxtErrors());
  await venue.connect();
});

afterAll(async () => {
  await venue.close();
  await sim.stop();
});

describe('warming a ccxt venue up before trading', () => {
  it('opens the connections and signs an order request without sending it', async () => {
    expect(await venue.warmUp(2, 'BTC/USDT')).toEqual({ connections: 2, signed: true });
    expect(await sim.control.orders({ venue: 'binance' })).toEqual([]);
  });

  it('signs nothing for a symbol the venue does not list, and still sends nothing', async () => {
    expect(await venue.warmUp(0, 'NOPE/USDT')).toEqual({ connections: 0, signed: false });
    expect(await sim.control.orders({ venue: 'binance' })).toEqual([]);
  });

  it('leaves real orders untouched afterwards: the next one goes out and fills', async () => {
    const view = await venue.submit({ clientOrderId: 'after-warmup-1', venue: 'binance', symbol: 'BTC/USDT', side: 'buy', orderType: 'market', timeInForce: 'IOC', qty: 0.001, limitPx: null, reduceOnly: false });
    expect(view.state).toBe('filled');
    expect((await sim.control.orders({ venue: 'binance' })).map((o) => o.clientOrderId)).toEqual(['after-warmup-1']);
  });
});
