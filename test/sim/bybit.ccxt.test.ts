/**
 * The real, unmodified ccxt `bybit` client (one instance for spot and linear, as the loader
 * configures it) against the simulator: markets, streams, funding, orders, balances,
 * positions, faults and signing. The simulator's control API is the ground truth.
 */
import type { Exchange } from 'ccxt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Simulator } from '../../src/sim/simulator.js';
import { loadCcxtErrors, type CcxtErrorClasses } from '../../src/venues/ccxt-loader.js';
import { bookProblem, expectBookMatchesTruth, localBook, RawSocket, round8 } from './ccxt-checks.js';
import { ccxtClient, firstRejection, startTestSimulator } from './helpers.js';

const VENUE = 'bybit';
const PERP = 'BTC/USDT:USDT';
const SPOT = 'BTC/USDT';
let sim: Simulator;
let exchange: Exchange;
let errors: CcxtErrorClasses;

beforeAll(async () => {
  sim = await startTestSimulator({ seed: 31, venues: [VENUE] });
  errors = await loadCcxtErrors();
  exchange = await ccxtClient(VENUE, sim);
  await exchange.loadMarkets();
});

afterAll(async () => {
  await exchange?.close();
  await sim?.stop();
});

async function top(symbol: string): Promise<{ bid: number; ask: number }> {
  const ticker = await exchange.fetchTicker(symbol);
  return { bid: ticker.bid as number, ask: ticker.ask as number };
}

const wallet = async (asset: string): Promise<number> => (await exchange.fetchBalance())[asset]?.total as number;

describe('ccxt bybit against the simulator: market data', () => {
  it('loadMarkets reads spot and linear instruments, precision, limits and funding intervals', () => {
    expect(Object.keys(exchange.markets ?? {}).sort()).toEqual(['BTC/USDT', 'BTC/USDT:USDT', 'ETH/BTC', 'ETH/USDT', 'ETH/USDT:USDT', 'SOL/USDT', 'SOL/USDT:USDT']);
    const perp = exchange.market(PERP);
    expect(perp).toMatchObject({ id: 'BTCUSDT', type: 'swap', linear: true, settle: 'USDT', contractSize: 1, active: true });
    expect(perp.precision).toEqual({ amount: 0.001, price: 0.1, base: undefined, quote: undefined, cost: undefined });
    expect(perp.limits.cost?.min).toBe(5);
    const spot = exchange.market(SPOT);
    expect(spot).toMatchObject({ id: 'BTCUSDT', type: 'spot', spot: true });
    expect(spot.limits.amount?.min).toBe(0.000011);
    expect((exchange.market('SOL/USDT:USDT').info as { fundingInterval: number }).fundingInterval).toBe(60);
  });

  it('watchOrderBook applies 100+ snapshot/delta frames, never crossed, and ends equal to the truth', async () => {
    const problems: string[] = [];
    for (let i = 0; i < 120; i++) {
      const problem = bookProblem(await exchange.watchOrderBook(PERP));
      if (problem) problems.push(problem);
    }
    for (let i = 0; i < 20; i++) expect(bookProblem(await exchange.watchOrderBook(SPOT))).toBeUndefined();
    expect(problems).toEqual([]);
    await sim.control.setMarketPaused(true);
    try {
      await expectBookMatchesTruth(exchange, sim, VENUE, PERP);
      await expectBookMatchesTruth(exchange, sim, VENUE, SPOT);
    } finally {
      await sim.control.setMarketPaused(false);
    }
  });

  it('watchBidsAsks (orderbook.1), watchTicker, fetchTicker(s) deliver best bid/ask and 24 h statistics', async () => {
    const best = (await exchange.watchBidsAsks([SPOT]))[SPOT];
    expect(best?.ask).toBeGreaterThan(best?.bid as number);
    const spotTicker = await exchange.watchTicker(SPOT);
    expect(spotTicker).toMatchObject({ symbol: SPOT });
    expect(spotTicker.last).toBeGreaterThan(0);
    const perpTicker = await exchange.watchTicker(PERP);
    expect(perpTicker.markPrice).toBeGreaterThan(0);
    expect(perpTicker.indexPrice).toBeGreaterThan(0);
    const rest = await top(PERP);
    expect(rest.ask).toBeGreaterThan(rest.bid);
    expect(Object.keys(await exchange.fetchTickers(['BTC/USDT', 'ETH/USDT'])).sort()).toEqual(['BTC/USDT', 'ETH/USDT']);
  });
});

describe('ccxt bybit against the simulator: funding', () => {
  it('fetchFundingRate(s) report the rate that settles next, when, and each symbol’s interval', async () => {
    await sim.control.setMarketPaused(true);
    try {
      const [rates, truth] = await Promise.all([exchange.fetchFundingRates(['BTC/USDT:USDT', 'ETH/USDT:USDT', 'SOL/USDT:USDT']), sim.control.funding(VENUE)]);
      for (const entry of truth) {
        expect(rates[entry.symbol]).toMatchObject({ fundingRate: Number(entry.rate.toFixed(8)), fundingTimestamp: entry.nextFundingTimeMs });
      }
      expect(['BTC/USDT:USDT', 'ETH/USDT:USDT', 'SOL/USDT:USDT'].map((symbol) => rates[symbol]?.interval)).toEqual(['8h', '4h', '1h']);
      expect((await exchange.fetchFundingRate('ETH/USDT:USDT')).fundingRate).toBe(rates['ETH/USDT:USDT']?.fundingRate);
    } finally {
      await sim.control.setMarketPaused(false);
    }
  });

  it('fetchFundingRateHistory returns settled rates oldest first; watchTicker carries fundingRate and nextFundingTime', async () => {
    const history = await exchange.fetchFundingRateHistory(PERP, undefined, 5);
    const truth = (await sim.control.funding(VENUE, true)).find((entry) => entry.symbol === PERP)?.history ?? [];
    expect(history.map((entry) => [entry.timestamp, entry.fundingRate])).toEqual(truth.slice(-5).map((entry) => [entry.fundingTimeMs, entry.rate]));
    const info = (await exchange.watchTicker('SOL/USDT:USDT')).info as { fundingRate: string; nextFundingTime: string };
    const sol = (await sim.control.funding(VENUE)).find((entry) => entry.symbol === 'SOL/USDT:USDT');
    expect(Number(info.nextFundingTime)).toBe(sol?.nextFundingTimeMs);
    expect(Math.abs(Number(info.fundingRate))).toBeGreaterThan(0);
  });

  it('a settlement moves the wallet of an open position by −quantity × mark × rate, listed by fetchFundingHistory', async () => {
    const symbol = 'SOL/USDT:USDT';
    await exchange.createOrder(symbol, 'market', 'sell', 4, undefined, { clientOrderId: 'funding-short' });
    const before = await wallet('USDT');
    const [settlement] = await sim.control.settleFunding(VENUE, symbol);
    const expected = 4 * (settlement?.markPrice as number) * (settlement?.rate as number);
    expect(Math.abs(expected)).toBeGreaterThan(0);
    expect((await wallet('USDT')) - before).toBeCloseTo(expected, 6);
    expect((await exchange.fetchFundingHistory(symbol)).at(-1)?.amount).toBeCloseTo(-expected, 6); // bybit lists what the position paid
  });
});

describe('ccxt bybit funding on schedule under a time scale', () => {
  let fast: Simulator;
  let client: Exchange;
  beforeAll(async () => {
    // 3600×: SOL's 1 h interval settles every second of real time, BTC's 8 h every 8 s.
    fast = await startTestSimulator({ seed: 32, venues: [VENUE], timeScale: 3600 });
    client = await ccxtClient(VENUE, fast);
  });
  afterAll(async () => {
    await client?.close();
    await fast?.stop();
  });

  it('pays an open position at each of the symbol’s own settlement times, without being asked', async () => {
    const symbol = 'SOL/USDT:USDT';
    await client.createOrder(symbol, 'market', 'buy', 3, undefined, { clientOrderId: 'scheduled-long' });
    const payments = async () => (await fast.control.fundingPayments(VENUE)).filter((payment) => payment.symbol === symbol);
    await expect.poll(async () => (await payments()).length, { timeout: 5_000, interval: 50 }).toBeGreaterThan(0);
    const [first] = await payments();
    expect((first?.fundingTimeMs as number) % 1_000).toBe(0);
    expect(first?.amount).toBeCloseTo(-3 * (first?.markPrice as number) * (first?.rate as number), 9);
    const listed = (await client.fetchFundingHistory(symbol)).find((entry) => entry.timestamp === first?.fundingTimeMs);
    expect(listed?.amount).toBeCloseTo(-(first?.amount as number), 8);
  });
});

describe('ccxt bybit against the simulator: orders', () => {
  it('createOrder with a clientOrderId, fetchOrder, fetchOpenOrders, cancelOrder; unknown orders are OrderNotFound', async () => {
    const clientOrderId = 'resting-bybit';
    const price = Number(exchange.priceToPrecision(PERP, (await top(PERP)).bid * 0.95));
    const created = await exchange.createOrder(PERP, 'limit', 'buy', 0.01, price, { clientOrderId });
    expect(created.clientOrderId).toBe(clientOrderId);
    const id = created.id as string;
    expect(await exchange.fetchOrder(id, PERP, { acknowledged: true })).toMatchObject({ id, clientOrderId, status: 'open', amount: 0.01, filled: 0, price });
    expect((await exchange.fetchOpenOrder(undefined as unknown as string, PERP, { orderLinkId: clientOrderId })).id).toBe(id);
    expect((await exchange.fetchOpenOrders(PERP)).map((order) => order.clientOrderId)).toContain(clientOrderId);
    await exchange.cancelOrder(id, PERP);
    expect((await exchange.fetchOrder(id, PERP, { acknowledged: true })).status).toBe('canceled');
    expect((await exchange.fetchOpenOrders(PERP)).map((order) => order.id)).not.toContain(id);
    await expect(exchange.cancelOrder(id, PERP)).rejects.toBeInstanceOf(errors.OrderNotFound);
    await expect(exchange.cancelOrder('999999999', SPOT)).rejects.toBeInstanceOf(errors.OrderNotFound);
    await expect(exchange.fetchOrder('999999999', PERP, { acknowledged: true })).rejects.toBeInstanceOf(errors.OrderNotFound);
    expect(await sim.control.orders({ venue: VENUE, clientOrderId })).toMatchObject([{ outcome: 'accepted', orderId: Number(id), quantity: 0.01 }]);
  });

});

describe('ccxt bybit against the simulator: fills and rejections', () => {
  it('a marketable IOC on linear fills and moves the wallet by the fee and the position by the fill', async () => {
    const clientOrderId = 'ioc-linear';
    const before = await wallet('USDT');
    const price = Number(exchange.priceToPrecision(PERP, (await top(PERP)).ask * 1.003));
    const created = await exchange.createOrder(PERP, 'limit', 'buy', 0.02, price, { timeInForce: 'IOC', clientOrderId });
    const order = await exchange.fetchOrder(created.id as string, PERP, { acknowledged: true });
    const fills = await sim.control.fills({ venue: VENUE, clientOrderId });
    const filled = fills.reduce((sum, fill) => sum + fill.quantity, 0);
    const cost = fills.reduce((sum, fill) => sum + fill.price * fill.quantity, 0);
    expect(order).toMatchObject({ status: 'closed', filled: 0.02 });
    expect(order.fee?.cost).toBeCloseTo(fills.reduce((sum, fill) => sum + fill.fee, 0), 8);
    expect((await wallet('USDT')) - before).toBeCloseTo(-(order.fee?.cost as number), 6);
    const position = (await exchange.fetchPositions([PERP]))[0];
    expect(position).toMatchObject({ symbol: PERP, side: 'long', contracts: filled });
    expect(position?.entryPrice).toBeCloseTo(cost / filled, 6);
  });

  it('a marketable IOC on spot moves BTC by the fill less the fee and USDT by the cost', async () => {
    const clientOrderId = 'ioc-spot';
    const [btc, usdt] = [await wallet('BTC'), await wallet('USDT')];
    const price = Number(exchange.priceToPrecision(SPOT, (await top(SPOT)).ask * 1.003));
    await exchange.createOrder(SPOT, 'limit', 'buy', 0.01, price, { timeInForce: 'IOC', clientOrderId });
    const fills = await sim.control.fills({ venue: VENUE, clientOrderId });
    const filled = fills.reduce((sum, fill) => sum + fill.quantity, 0);
    expect(filled).toBeCloseTo(0.01, 10);
    expect((await wallet('BTC')) - btc).toBeCloseTo(filled - fills.reduce((sum, fill) => sum + fill.fee, 0), 8);
    expect((await wallet('USDT')) - usdt).toBeCloseTo(-fills.reduce((sum, fill) => sum + fill.price * fill.quantity, 0), 6);
  });

  it('rejections reach ccxt as its real error classes', async () => {
    const price = Number(exchange.priceToPrecision(PERP, (await top(PERP)).bid * 0.98));
    await expect(exchange.createOrder(PERP, 'limit', 'buy', 100, price)).rejects.toBeInstanceOf(errors.InsufficientFunds); // 110007
    await expect(exchange.createOrder(SPOT, 'limit', 'buy', 10, price)).rejects.toBeInstanceOf(errors.InsufficientFunds); // 170131
    await expect(exchange.createOrder(PERP, 'limit', 'buy', 0.001, 1_000)).rejects.toBeInstanceOf(errors.InvalidOrder); // 110094 below 5 USDT
    await expect(exchange.createOrder(SPOT, 'limit', 'buy', 0.00002, 1_000)).rejects.toBeInstanceOf(errors.InvalidOrder); // 170140
    // Bad precision, sent raw (ccxt rounds itself): spot 170134 is InvalidOrder, linear 10001 BadRequest.
    const raw = exchange as unknown as { privatePostV5OrderCreate(request: Record<string, string>): Promise<unknown> };
    const offTick = { symbol: 'BTCUSDT', side: 'Buy', orderType: 'Limit', qty: '0.001', price: `${Math.floor(price)}.005` };
    await expect(raw.privatePostV5OrderCreate({ ...offTick, category: 'spot' })).rejects.toBeInstanceOf(errors.InvalidOrder);
    await expect(raw.privatePostV5OrderCreate({ ...offTick, category: 'linear' })).rejects.toBeInstanceOf(errors.BadRequest);
    await sim.control.inject({ kind: 'reject-orders', venue: VENUE, clientOrderIdPrefix: 'doomed-' });
    await expect(exchange.createOrder(PERP, 'limit', 'buy', 0.01, price, { clientOrderId: 'doomed-1' })).rejects.toBeInstanceOf(errors.InvalidOrder);
    await sim.control.clearFaults();
  });
});

describe('ccxt bybit against the simulator: stream faults', () => {
  it('a dropped socket is survived: the pending watch fails with NetworkError and the next one resubscribes', async () => {
    await exchange.watchOrderBook(PERP);
    await sim.control.inject({ kind: 'drop-sockets', venue: VENUE });
    expect(await firstRejection(() => exchange.watchOrderBook(PERP))).toBeInstanceOf(errors.NetworkError);
    expect(bookProblem(await exchange.watchOrderBook(PERP))).toBeUndefined();
  });

  it('a malformed frame is dropped by ccxt’s bybit handler (it matches no topic), and the stream keeps going', async () => {
    await exchange.watchOrderBook(PERP);
    await sim.control.inject({ kind: 'malformed-frame', venue: VENUE });
    for (let i = 0; i < 5; i++) expect(bookProblem(await exchange.watchOrderBook(PERP))).toBeUndefined();
  });

  it('a skipped delta shows as a gap in `u`, which ccxt 4.5.84 does not check: its book silently diverges', async () => {
    const probe = await RawSocket.open(sim, '/stream.bybit.com/v5/public/linear');
    const deltas = (): { u: number; seq: number }[] =>
      probe.frames.flatMap((frame) => ((frame as { type?: string }).type === 'delta' ? [(frame as { data: { u: number; seq: number } }).data] : []));
    try {
      probe.send({ op: 'subscribe', req_id: 'probe', args: ['orderbook.50.BTCUSDT'] });
      await probe.next((frame) => (frame as { type?: string }).type === 'snapshot');
      await exchange.watchOrderBook(PERP);
      // Frozen market: from here on only our own fills change the book, one delta each.
      await sim.control.setMarketPaused(true);
      await expectBookMatchesTruth(exchange, sim, VENUE, PERP);
      await sim.control.inject({ kind: 'skip-sequence', venue: VENUE, symbol: PERP });
      await exchange.createOrder(PERP, 'market', 'buy', 0.05, undefined, { clientOrderId: 'eat-ask' });
      await expect.poll(async () => ((await sim.control.faults()).armed.sequenceSkips as unknown[]).length, { timeout: 3_000, interval: 5 }).toBe(0);
      await exchange.createOrder(PERP, 'market', 'sell', 0.05, undefined, { clientOrderId: 'eat-bid' });
      const truth = await sim.control.book(VENUE, PERP, 1000);
      await expect.poll(() => deltas().at(-1)?.seq, { timeout: 3_000, interval: 5 }).toBe(truth.updateId);
      const [previous, last] = deltas().slice(-2);
      expect((last?.u as number) - (previous?.u as number)).toBe(2);
      // ccxt applied the delta it got (the bid side) and never learns about the lost one (the ask side).
      await expect.poll(() => round8(localBook(exchange, PERP)?.bids ?? []), { timeout: 3_000, interval: 5 }).toEqual(round8(truth.bids));
      expect(round8(localBook(exchange, PERP)?.asks ?? [])).not.toEqual(round8(truth.asks));
    } finally {
      await sim.control.setMarketPaused(false);
      await sim.control.clearFaults();
      await probe.close();
    }
  });

});

describe('ccxt bybit against the simulator: rate limits, keep-alive and signing', () => {
  it('HTTP 429 raises RateLimitExceeded (retCode 10006), 5xx ExchangeNotAvailable', async () => {
    await sim.control.inject({ kind: 'http-error', venue: VENUE, status: 429, retryAfterSec: 2 });
    await expect(exchange.fetchTicker(PERP)).rejects.toBeInstanceOf(errors.RateLimitExceeded);
    await sim.control.inject({ kind: 'http-error', venue: VENUE, status: 503 });
    await expect(exchange.fetchTicker(PERP)).rejects.toBeInstanceOf(errors.ExchangeNotAvailable);
    expect((await exchange.fetchTicker(PERP)).last).toBeGreaterThan(0);
  });

  it('answers bybit’s keep-alive: linear {"ret_msg":"pong","op":"ping"}, spot {"op":"pong"}', async () => {
    for (const [category, expected] of [
      ['linear', { success: true, ret_msg: 'pong', op: 'ping', req_id: '7' }],
      ['spot', { op: 'pong', req_id: '7' }],
    ] as const) {
      const probe = await RawSocket.open(sim, `/stream.bybit.com/v5/public/${category}`);
      probe.send({ op: 'ping', req_id: '7' });
      expect(await probe.next((frame) => (frame as { req_id?: string }).req_id === '7')).toMatchObject(expected);
      await probe.close();
    }
  });

  it('a wrong signature or an unknown API key is refused with AuthenticationError', async () => {
    const wrongSecret = await ccxtClient(VENUE, sim, { secret: 'not-the-secret' });
    const wrongKey = await ccxtClient(VENUE, sim, { apiKey: 'nobody' });
    try {
      await expect(wrongSecret.fetchBalance()).rejects.toBeInstanceOf(errors.AuthenticationError); // 10004
      await expect(wrongKey.fetchBalance()).rejects.toBeInstanceOf(errors.AuthenticationError); // 10003
    } finally {
      await wrongSecret.close();
      await wrongKey.close();
    }
  });
});
