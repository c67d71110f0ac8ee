/**
 * The real, unmodified ccxt `bybit` client (one instance for spot and linear, as the loader
 * configures it) against the simulator: markets, streams, funding, orders, balances,
 * positions, faults and signing. The simulator's control API is the ground truth.
 */
import { describe, expect, it } from 'vitest';
import {
  bookProblem,
  expectBookMatchesTruth,
  expectCredentialsRefused,
  expectDropSurvived,
  expectFundingHistoryMatchesTruth,
  expectFundingRatesMatchTruth,
  expectMalformedFrameIgnored,
  expectRateLimitThenOutage,
  expectSpotIocMovesBalances,
  fillTotals,
  localBook,
  RawSocket,
  round8,
  scheduledFundingSuite,
  restTop,
  venueHarness,
} from './ccxt-checks.js';

const VENUE = 'bybit';
const PERP = 'BTC/USDT:USDT';
const SPOT = 'BTC/USDT';
const v = venueHarness(VENUE, 31, PERP);

const wallet = async (asset: string): Promise<number> => (await v.exchange.fetchBalance())[asset]?.total as number;

describe('ccxt bybit against the simulator: market data', () => {
  it('loadMarkets reads spot and linear instruments, precision, limits and funding intervals', () => {
    expect(Object.keys(v.exchange.markets ?? {}).sort()).toEqual(['BTC/USDT', 'BTC/USDT:USDT', 'ETH/BTC', 'ETH/USDT', 'ETH/USDT:USDT', 'SOL/USDT', 'SOL/USDT:USDT']);
    const perp = v.exchange.market(PERP);
    expect(perp).toMatchObject({ id: 'BTCUSDT', type: 'swap', linear: true, settle: 'USDT', contractSize: 1, active: true });
    expect(perp.precision).toEqual({ amount: 0.001, price: 0.1, base: undefined, quote: undefined, cost: undefined });
    expect(perp.limits.cost?.min).toBe(5);
    const spot = v.exchange.market(SPOT);
    expect(spot).toMatchObject({ id: 'BTCUSDT', type: 'spot', spot: true });
    expect(spot.limits.amount?.min).toBe(0.000011);
    expect((v.exchange.market('SOL/USDT:USDT').info as { fundingInterval: number }).fundingInterval).toBe(60);
  });

  it('watchOrderBook applies 100+ snapshot/delta frames, never crossed, and ends equal to the truth', async () => {
    const problems: string[] = [];
    for (let i = 0; i < 120; i++) {
      const problem = bookProblem(await v.exchange.watchOrderBook(PERP));
      if (problem) problems.push(problem);
    }
    for (let i = 0; i < 20; i++) expect(bookProblem(await v.exchange.watchOrderBook(SPOT))).toBeUndefined();
    expect(problems).toEqual([]);
    await v.sim.control.setMarketPaused(true);
    try {
      await expectBookMatchesTruth(v.exchange, v.sim, VENUE, PERP);
      await expectBookMatchesTruth(v.exchange, v.sim, VENUE, SPOT);
    } finally {
      await v.sim.control.setMarketPaused(false);
    }
  });

  it('watchBidsAsks (orderbook.1), watchTicker, fetchTicker(s) deliver best bid/ask and 24 h statistics', async () => {
    const best = (await v.exchange.watchBidsAsks([SPOT]))[SPOT];
    expect(best?.ask).toBeGreaterThan(best?.bid as number);
    const spotTicker = await v.exchange.watchTicker(SPOT);
    expect(spotTicker).toMatchObject({ symbol: SPOT });
    expect(spotTicker.last).toBeGreaterThan(0);
    const perpTicker = await v.exchange.watchTicker(PERP);
    expect(perpTicker.markPrice).toBeGreaterThan(0);
    expect(perpTicker.indexPrice).toBeGreaterThan(0);
    const rest = await restTop(v.exchange, PERP);
    expect(rest.ask).toBeGreaterThan(rest.bid);
    expect(Object.keys(await v.exchange.fetchTickers(['BTC/USDT', 'ETH/USDT'])).sort()).toEqual(['BTC/USDT', 'ETH/USDT']);
  });
});

describe('ccxt bybit against the simulator: funding', () => {
  it('fetchFundingRate(s) report the rate that settles next, when, and each symbol’s interval', () =>
    // Per-symbol intervals.
    expectFundingRatesMatchTruth(v, ['8h', '4h', '1h']));

  it('fetchFundingRateHistory returns settled rates oldest first; watchTicker carries fundingRate and nextFundingTime', async () => {
    await expectFundingHistoryMatchesTruth(v, PERP);
    const info = (await v.exchange.watchTicker('SOL/USDT:USDT')).info as { fundingRate: string; nextFundingTime: string };
    const sol = (await v.sim.control.funding(VENUE)).find((entry) => entry.symbol === 'SOL/USDT:USDT');
    expect(Number(info.nextFundingTime)).toBe(sol?.nextFundingTimeMs);
    expect(Math.abs(Number(info.fundingRate))).toBeGreaterThan(0);
  });

  it('a settlement moves the wallet of an open position by −quantity × mark × rate, listed by fetchFundingHistory', async () => {
    const symbol = 'SOL/USDT:USDT';
    await v.exchange.createOrder(symbol, 'market', 'sell', 4, undefined, { clientOrderId: 'funding-short' });
    const before = await wallet('USDT');
    const [settlement] = await v.sim.control.settleFunding(VENUE, symbol);
    const expected = 4 * (settlement?.markPrice as number) * (settlement?.rate as number);
    expect(Math.abs(expected)).toBeGreaterThan(0);
    expect((await wallet('USDT')) - before).toBeCloseTo(expected, 6);
    expect((await v.exchange.fetchFundingHistory(symbol)).at(-1)?.amount).toBeCloseTo(-expected, 6); // bybit lists what the position paid
  });
});

// 3600×: SOL's 1 h interval settles every second of real time.
scheduledFundingSuite({ venue: VENUE, seed: 32, timeScale: 3600, symbol: 'SOL/USDT:USDT', amount: 3, baseQuantity: 3, listedSign: -1 });

describe('ccxt bybit against the simulator: orders', () => {
  it('createOrder with a clientOrderId, fetchOrder, fetchOpenOrders, cancelOrder; unknown orders are OrderNotFound', async () => {
    const clientOrderId = 'resting-bybit';
    const price = Number(v.exchange.priceToPrecision(PERP, (await restTop(v.exchange, PERP)).bid * 0.95));
    const created = await v.exchange.createOrder(PERP, 'limit', 'buy', 0.01, price, { clientOrderId });
    expect(created.clientOrderId).toBe(clientOrderId);
    const id = created.id as string;
    expect(await v.exchange.fetchOrder(id, PERP, { acknowledged: true })).toMatchObject({ id, clientOrderId, status: 'open', amount: 0.01, filled: 0, price });
    expect((await v.exchange.fetchOpenOrder(undefined as unknown as string, PERP, { orderLinkId: clientOrderId })).id).toBe(id);
    expect((await v.exchange.fetchOpenOrders(PERP)).map((order) => order.clientOrderId)).toContain(clientOrderId);
    await v.exchange.cancelOrder(id, PERP);
    expect((await v.exchange.fetchOrder(id, PERP, { acknowledged: true })).status).toBe('canceled');
    expect((await v.exchange.fetchOpenOrders(PERP)).map((order) => order.id)).not.toContain(id);
    await expect(v.exchange.cancelOrder(id, PERP)).rejects.toBeInstanceOf(v.errors.OrderNotFound);
    await expect(v.exchange.cancelOrder('999999999', SPOT)).rejects.toBeInstanceOf(v.errors.OrderNotFound);
    await expect(v.exchange.fetchOrder('999999999', PERP, { acknowledged: true })).rejects.toBeInstanceOf(v.errors.OrderNotFound);
    expect(await v.sim.control.orders({ venue: VENUE, clientOrderId })).toMatchObject([{ outcome: 'accepted', orderId: Number(id), quantity: 0.01 }]);
  });

});

describe('ccxt bybit against the simulator: fills and rejections', () => {
  it('a marketable IOC on linear fills and moves the wallet by the fee and the position by the fill', async () => {
    const clientOrderId = 'ioc-linear';
    const before = await wallet('USDT');
    const price = Number(v.exchange.priceToPrecision(PERP, (await restTop(v.exchange, PERP)).ask * 1.003));
    const created = await v.exchange.createOrder(PERP, 'limit', 'buy', 0.02, price, { timeInForce: 'IOC', clientOrderId });
    const order = await v.exchange.fetchOrder(created.id as string, PERP, { acknowledged: true });
    const { filled, cost, fee } = await fillTotals(v.sim, VENUE, clientOrderId);
    expect(order).toMatchObject({ status: 'closed', filled: 0.02 });
    expect(order.fee?.cost).toBeCloseTo(fee, 8);
    expect((await wallet('USDT')) - before).toBeCloseTo(-(order.fee?.cost as number), 6);
    const position = (await v.exchange.fetchPositions([PERP]))[0];
    expect(position).toMatchObject({ symbol: PERP, side: 'long', contracts: filled });
    expect(position?.entryPrice).toBeCloseTo(cost / filled, 6);
  });

  it('a marketable IOC on spot moves BTC by the fill less the fee and USDT by the cost', () => expectSpotIocMovesBalances(v, SPOT, 'ioc-spot', wallet));

  it('rejections reach ccxt as its real error classes', async () => {
    const price = Number(v.exchange.priceToPrecision(PERP, (await restTop(v.exchange, PERP)).bid * 0.98));
    await expect(v.exchange.createOrder(PERP, 'limit', 'buy', 100, price)).rejects.toBeInstanceOf(v.errors.InsufficientFunds); // 110007
    await expect(v.exchange.createOrder(SPOT, 'limit', 'buy', 10, price)).rejects.toBeInstanceOf(v.errors.InsufficientFunds); // 170131
    await expect(v.exchange.createOrder(PERP, 'limit', 'buy', 0.001, 1_000)).rejects.toBeInstanceOf(v.errors.InvalidOrder); // 110094 below 5 USDT
    await expect(v.exchange.createOrder(SPOT, 'limit', 'buy', 0.00002, 1_000)).rejects.toBeInstanceOf(v.errors.InvalidOrder); // 170140
    // Bad precision, sent raw (ccxt rounds itself): spot 170134 is InvalidOrder, linear 10001 BadRequest.
    const raw = v.exchange as unknown as { privatePostV5OrderCreate(request: Record<string, string>): Promise<unknown> };
    const offTick = { symbol: 'BTCUSDT', side: 'Buy', orderType: 'Limit', qty: '0.001', price: `${Math.floor(price)}.005` };
    await expect(raw.privatePostV5OrderCreate({ ...offTick, category: 'spot' })).rejects.toBeInstanceOf(v.errors.InvalidOrder);
    await expect(raw.privatePostV5OrderCreate({ ...offTick, category: 'linear' })).rejects.toBeInstanceOf(v.errors.BadRequest);
    await v.sim.control.inject({ kind: 'reject-orders', venue: VENUE, clientOrderIdPrefix: 'doomed-' });
    await expect(v.exchange.createOrder(PERP, 'limit', 'buy', 0.01, price, { clientOrderId: 'doomed-1' })).rejects.toBeInstanceOf(v.errors.InvalidOrder);
    await v.sim.control.clearFaults();
  });
});

describe('ccxt bybit against the simulator: stream faults', () => {
  it('a dropped socket is survived: the pending watch fails with NetworkError and the next one resubscribes', () => expectDropSurvived(v));

  it('a malformed frame is dropped by ccxt’s bybit handler (it matches no topic), and the stream keeps going', () => expectMalformedFrameIgnored(v));

  it('a skipped delta shows as a gap in `u`, which ccxt 4.5.84 does not check: its book silently diverges', async () => {
    const probe = await RawSocket.open(v.sim, '/stream.bybit.com/v5/public/linear');
    const deltas = (): { u: number; seq: number }[] =>
      probe.frames.flatMap((frame) => ((frame as { type?: string }).type === 'delta' ? [(frame as { data: { u: number; seq: number } }).data] : []));
    try {
      probe.send({ op: 'subscribe', req_id: 'probe', args: ['orderbook.50.BTCUSDT'] });
      await probe.next((frame) => (frame as { type?: string }).type === 'snapshot');
      await v.exchange.watchOrderBook(PERP);
      // Frozen market: from here on only our own fills change the book, one delta each.
      await v.sim.control.setMarketPaused(true);
      await expectBookMatchesTruth(v.exchange, v.sim, VENUE, PERP);
      await v.sim.control.inject({ kind: 'skip-sequence', venue: VENUE, symbol: PERP });
      await v.exchange.createOrder(PERP, 'market', 'buy', 0.05, undefined, { clientOrderId: 'eat-ask' });
      await expect.poll(async () => ((await v.sim.control.faults()).armed.sequenceSkips as unknown[]).length, { timeout: 3_000, interval: 5 }).toBe(0);
      await v.exchange.createOrder(PERP, 'market', 'sell', 0.05, undefined, { clientOrderId: 'eat-bid' });
      const truth = await v.sim.control.book(VENUE, PERP, 1000);
      await expect.poll(() => deltas().at(-1)?.seq, { timeout: 3_000, interval: 5 }).toBe(truth.updateId);
      const [previous, last] = deltas().slice(-2);
      expect((last?.u as number) - (previous?.u as number)).toBe(2);
      // ccxt applied the delta it got (the bid side) and never learns about the lost one (the ask side).
      await expect.poll(() => round8(localBook(v.exchange, PERP)?.bids ?? []), { timeout: 3_000, interval: 5 }).toEqual(round8(truth.bids));
      expect(round8(localBook(v.exchange, PERP)?.asks ?? [])).not.toEqual(round8(truth.asks));
    } finally {
      await v.sim.control.setMarketPaused(false);
      await v.sim.control.clearFaults();
      await probe.close();
    }
  });

});

describe('ccxt bybit against the simulator: rate limits, keep-alive and signing', () => {
  it('HTTP 429 raises RateLimitExceeded (retCode 10006), 5xx ExchangeNotAvailable', () => expectRateLimitThenOutage(v));

  it('answers bybit’s keep-alive: linear {"ret_msg":"pong","op":"ping"}, spot {"op":"pong"}', async () => {
    for (const [category, expected] of [
      ['linear', { success: true, ret_msg: 'pong', op: 'ping', req_id: '7' }],
      ['spot', { op: 'pong', req_id: '7' }],
    ] as const) {
      await RawSocket.use(v.sim, `/stream.bybit.com/v5/public/${category}`, async (probe) => {
        probe.send({ op: 'ping', req_id: '7' });
        expect(await probe.next((frame) => (frame as { req_id?: string }).req_id === '7')).toMatchObject(expected);
      });
    }
  });

  it('a wrong signature or an unknown API key is refused with AuthenticationError (10004, 10003)', () =>
    expectCredentialsRefused(v, [{ secret: 'not-the-secret' }, { apiKey: 'nobody' }]));
});
