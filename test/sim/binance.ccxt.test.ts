/**
 * The real, unmodified ccxt client (binance / binanceusdm classes, loaded per module and
 * redirected) against the simulator on loopback: markets, streams, orders, balances,
 * positions and faults. The simulator's control API is the ground truth every answer is
 * checked against.
 */
import type { Exchange, OrderBook } from 'ccxt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Simulator } from '../../src/sim/simulator.js';
import { loadCcxtErrors, type CcxtErrorClasses } from '../../src/venues/ccxt-loader.js';
import { bookProblem as checkBook, round8 } from './ccxt-checks.js';
import { ccxtClient, firstRejection, startTestSimulator } from './helpers.js';

interface VenueCase {
  readonly id: 'binance' | 'binanceusdm';
  readonly symbol: string;
  readonly orderPath: string;
  readonly tick: number;
  readonly step: number;
  readonly minNotional: number;
}

const CASES: readonly VenueCase[] = [
  { id: 'binance', symbol: 'BTC/USDT', orderPath: '/api/v3/order', tick: 0.01, step: 0.00001, minNotional: 5 },
  { id: 'binanceusdm', symbol: 'BTC/USDT:USDT', orderPath: '/fapi/v1/order', tick: 0.1, step: 0.001, minNotional: 100 },
];

let sim: Simulator;
let errors: CcxtErrorClasses;

beforeAll(async () => {
  sim = await startTestSimulator({ seed: 21 });
  errors = await loadCcxtErrors();
});

afterAll(async () => {
  await sim?.stop();
});

/** Best bid and ask from the venue's bookTicker (futures 24 h tickers carry no bid/ask). */
async function top(exchange: Exchange, symbol: string): Promise<{ bid: number; ask: number }> {
  const ticker = (await exchange.fetchBidsAsks([symbol]))[symbol];
  return { bid: ticker?.bid as number, ask: ticker?.ask as number };
}

describe.each(CASES)('ccxt $id against the simulator', (venue) => {
  let exchange: Exchange;

  beforeAll(async () => {
    exchange = await ccxtClient(venue.id, sim);
    await exchange.loadMarkets();
  });

  afterAll(async () => {
    await exchange?.close();
  });

  it('loadMarkets reads markets, precision and limits from exchangeInfo', () => {
    const market = exchange.market(venue.symbol);
    expect(market.id).toBe('BTCUSDT');
    expect(market.precision.price).toBe(venue.tick);
    expect(market.precision.amount).toBe(venue.step);
    expect(market.limits.cost?.min).toBe(venue.minNotional);
    expect(market.active).toBe(true);
    if (venue.id === 'binance') {
      expect(Object.keys(exchange.markets ?? {}).sort()).toEqual(['BTC/USDT', 'ETH/BTC', 'ETH/USDT', 'SOL/USDT']);
    } else {
      expect(market.swap && market.linear).toBe(true);
      expect(Object.keys(exchange.markets ?? {}).sort()).toEqual(['BTC/USDT:USDT', 'ETH/USDT:USDT', 'SOL/USDT:USDT']);
    }
  });

  it('watchOrderBook delivers 100+ diff updates without a sequence error, never crossed, equal to the truth', async () => {
    const nonces = new Set<number>();
    const problems: string[] = [];
    while (nonces.size < 120) {
      const book = await exchange.watchOrderBook(venue.symbol);
      nonces.add(book.nonce as number);
      const problem = checkBook(book);
      if (problem) problems.push(problem);
    }
    expect(problems).toEqual([]);
    // Freeze the market, let the client catch up with the last published id, compare everything.
    await sim.control.setMarketPaused(true);
    try {
      const truth = await sim.control.book(venue.id, venue.symbol, 1000);
      let book = (exchange as unknown as { orderbooks: Record<string, OrderBook> }).orderbooks[venue.symbol] as OrderBook;
      for (let i = 0; i < 200 && (book.nonce as number) < truth.updateId; i++) book = await exchange.watchOrderBook(venue.symbol);
      expect(book.nonce).toBe(truth.updateId);
      expect(round8(book.bids)).toEqual(round8(truth.bids));
      expect(round8(book.asks)).toEqual(round8(truth.asks));
    } finally {
      await sim.control.setMarketPaused(false);
    }
  });

  it('watchBidsAsks and watchTicker deliver the best bid/ask and the 24 h ticker', async () => {
    const bidsAsks = await exchange.watchBidsAsks([venue.symbol]);
    const best = bidsAsks[venue.symbol];
    expect(best?.bid).toBeGreaterThan(0);
    expect(best?.ask).toBeGreaterThan(best?.bid as number);
    const ticker = await exchange.watchTicker(venue.symbol);
    expect(ticker.symbol).toBe(venue.symbol);
    expect(ticker.last).toBeGreaterThan(0);
    const rest = await exchange.fetchTicker(venue.symbol);
    expect(rest.last).toBeGreaterThan(0);
    expect(rest.high as number).toBeGreaterThanOrEqual(rest.low as number);
    const book = await top(exchange, venue.symbol);
    expect(book.ask).toBeGreaterThan(book.bid);
    const tickers = await exchange.fetchTickers(venue.id === 'binance' ? ['BTC/USDT', 'ETH/USDT'] : undefined);
    expect(Object.keys(tickers).sort()).toEqual(venue.id === 'binance' ? ['BTC/USDT', 'ETH/USDT'] : ['BTC/USDT:USDT', 'ETH/USDT:USDT', 'SOL/USDT:USDT']);
  });

  it('createOrder with a clientOrderId, fetchOrder by id and clientOrderId, fetchOpenOrders, cancelOrder', async () => {
    const clientOrderId = `resting-${venue.id}`;
    const { bid } = await top(exchange, venue.symbol);
    const price = exchange.priceToPrecision(venue.symbol, (bid as number) * 0.95);
    const created = await exchange.createOrder(venue.symbol, 'limit', 'buy', 0.002, Number(price), { clientOrderId });
    expect(created.clientOrderId).toBe(clientOrderId);
    expect(created.status).toBe('open');
    const byId = await exchange.fetchOrder((created.id as string), venue.symbol);
    expect(byId).toMatchObject({ id: (created.id as string), clientOrderId, status: 'open', amount: 0.002, filled: 0, price: Number(price) });
    const byClientId = await exchange.fetchOrder(undefined as unknown as string, venue.symbol, { clientOrderId });
    expect(byClientId.id).toBe((created.id as string));
    const open = await exchange.fetchOpenOrders(venue.symbol);
    expect(open.map((order) => order.clientOrderId)).toContain(clientOrderId);
    const canceled = await exchange.cancelOrder((created.id as string), venue.symbol);
    expect(canceled.status).toBe('canceled');
    expect((await exchange.fetchOrder((created.id as string), venue.symbol)).status).toBe('canceled');
    expect((await exchange.fetchOpenOrders(venue.symbol)).map((order) => order.id)).not.toContain((created.id as string));
    await expect(exchange.cancelOrder((created.id as string), venue.symbol)).rejects.toBeInstanceOf(errors.OrderNotFound);
    await expect(exchange.fetchOrder('999999999', venue.symbol)).rejects.toBeInstanceOf(errors.OrderNotFound);
    const received = await sim.control.orders({ venue: venue.id, clientOrderId });
    expect(received).toHaveLength(1);
    expect(received[0]).toMatchObject({ outcome: 'accepted', orderId: Number((created.id as string)), quantity: 0.002 });
  });

  it('a marketable IOC fills and moves balances (or the position) by exactly its fills', async () => {
    const clientOrderId = `ioc-${venue.id}`;
    const before = await exchange.fetchBalance();
    const { ask } = await top(exchange, venue.symbol);
    const price = Number(exchange.priceToPrecision(venue.symbol, (ask as number) * 1.003));
    const order = await exchange.createOrder(venue.symbol, 'limit', 'buy', 0.01, price, { timeInForce: 'IOC', clientOrderId });
    expect(order.filled).toBeGreaterThan(0);
    expect(['closed', 'expired']).toContain(order.status);
    const fills = await sim.control.fills({ venue: venue.id, clientOrderId });
    const filled = fills.reduce((sum, fill) => sum + fill.quantity, 0);
    const cost = fills.reduce((sum, fill) => sum + fill.price * fill.quantity, 0);
    const fee = fills.reduce((sum, fill) => sum + fill.fee, 0);
    expect(order.filled).toBeCloseTo(filled, 10);
    const after = await exchange.fetchBalance();
    if (venue.id === 'binance') {
      expect((after.BTC?.total as number) - (before.BTC?.total as number)).toBeCloseTo(filled - fee, 8);
      expect((after.USDT?.total as number) - (before.USDT?.total as number)).toBeCloseTo(-cost, 6);
    } else {
      const wallet = (balance: typeof before): number => Number((balance.info as { assets: { walletBalance: string }[] }).assets[0]?.walletBalance);
      expect(wallet(after) - wallet(before)).toBeCloseTo(-fee, 6);
      const position = (await exchange.fetchPositions([venue.symbol]))[0];
      expect(position).toMatchObject({ symbol: venue.symbol, side: 'long', contracts: filled });
      expect(position?.entryPrice).toBeCloseTo(cost / filled, 6);
    }
  });

  it('a resting order fills as maker when the market moves through it', async () => {
    const clientOrderId = `maker-${venue.id}`;
    const { bid } = await top(exchange, venue.symbol);
    const price = Number(exchange.priceToPrecision(venue.symbol, (bid as number) * 0.999));
    const order = await exchange.createOrder(venue.symbol, 'limit', 'buy', 0.002, price, { clientOrderId });
    await sim.control.setPriceOffset(venue.id, venue.symbol, -30);
    try {
      // Wait for the market to trade through the order, as seen on the venue's own best ask.
      for (let i = 0; i < 500; i++) {
        const best = (await exchange.watchBidsAsks([venue.symbol]))[venue.symbol];
        if ((best?.ask as number) <= price) break;
      }
      const filled = await exchange.fetchOrder(order.id as string, venue.symbol);
      expect(filled.status).toBe('closed');
      expect(filled.average).toBeCloseTo(price, 8);
      const fills = await sim.control.fills({ venue: venue.id, clientOrderId });
      expect(fills.every((fill) => fill.liquidity === 'maker' && fill.price === price)).toBe(true);
    } finally {
      await sim.control.setPriceOffset(venue.id, venue.symbol, 0);
    }
  });

  it('venue rejections reach ccxt as its real error classes', async () => {
    const { bid } = await top(exchange, venue.symbol);
    const price = Number(exchange.priceToPrecision(venue.symbol, (bid as number) * 0.98));
    await expect(exchange.createOrder(venue.symbol, 'limit', 'buy', 100, price)).rejects.toBeInstanceOf(errors.InsufficientFunds);
    // Below the minimum notional: spot answers -1013 "Filter failure: NOTIONAL" (ccxt: BadRequest),
    // futures -4164 (ccxt: InvalidOrder, from its linear-market error map).
    const tiny = venue.id === 'binance' ? 0.00001 : 0.001;
    const belowMinimum = venue.id === 'binance' ? errors.BadRequest : errors.InvalidOrder;
    await expect(exchange.createOrder(venue.symbol, 'limit', 'buy', tiny, price)).rejects.toBeInstanceOf(belowMinimum);
    // Bad precision, sent raw (ccxt rounds prices itself): spot's -1013 PRICE_FILTER is InvalidOrder,
    // futures' -4014 "Price not increased by tick size." is BadRequest in ccxt's maps.
    const offTick = (price + venue.tick / 2).toFixed(String(venue.tick).length);
    const raw = (exchange as unknown as Record<string, (params: Record<string, string>) => Promise<unknown>>)[venue.id === 'binance' ? 'privatePostOrder' : 'fapiPrivatePostOrder'];
    const request = { symbol: 'BTCUSDT', side: 'BUY', type: 'LIMIT', timeInForce: 'GTC', quantity: '0.002', price: offTick };
    await expect(raw?.call(exchange, request)).rejects.toBeInstanceOf(venue.id === 'binance' ? errors.InvalidOrder : errors.BadRequest);
    await sim.control.inject({ kind: 'reject-orders', venue: venue.id, clientOrderIdPrefix: 'doomed-' });
    await expect(exchange.createOrder(venue.symbol, 'limit', 'buy', 0.002, price, { clientOrderId: 'doomed-1' })).rejects.toBeInstanceOf(
      errors.InvalidOrder,
    );
    await sim.control.clearFaults();
    expect((await sim.control.orders({ venue: venue.id, clientOrderId: 'doomed-1' }))[0]).toMatchObject({ outcome: 'rejected', reason: 'injected' });
  });

  it('a dropped socket is survived: the pending watch fails with NetworkError and the next one resolves on a new connection', async () => {
    await exchange.watchOrderBook(venue.symbol);
    await sim.control.inject({ kind: 'drop-sockets', venue: venue.id });
    const error = await firstRejection(() => exchange.watchOrderBook(venue.symbol));
    expect(error).toBeInstanceOf(errors.NetworkError);
    const book = await exchange.watchOrderBook(venue.symbol);
    expect(checkBook(book)).toBeUndefined();
    expect((await sim.control.health()).sockets).toBeGreaterThan(0);
  });

  it('a skipped sequence number makes ccxt raise ChecksumError, and a new watch resynchronises', async () => {
    await exchange.watchOrderBook(venue.symbol);
    await sim.control.inject({ kind: 'skip-sequence', venue: venue.id, symbol: venue.symbol });
    const error = await firstRejection(() => exchange.watchOrderBook(venue.symbol));
    expect(error).toBeInstanceOf(errors.ChecksumError);
    const book = await exchange.watchOrderBook(venue.symbol);
    expect(checkBook(book)).toBeUndefined();
  });

  it('a malformed frame rejects the pending watch, and the stream keeps going', async () => {
    await exchange.watchOrderBook(venue.symbol);
    await sim.control.inject({ kind: 'malformed-frame', venue: venue.id });
    await firstRejection(() => exchange.watchOrderBook(venue.symbol));
    const book = await exchange.watchOrderBook(venue.symbol);
    expect(checkBook(book)).toBeUndefined();
  });

  it('HTTP 429 (with Retry-After) raises DDoSProtection, 5xx raises ExchangeNotAvailable', async () => {
    await sim.control.inject({ kind: 'http-error', venue: venue.id, status: 429, retryAfterSec: 3 });
    await expect(exchange.fetchTicker(venue.symbol)).rejects.toBeInstanceOf(errors.DDoSProtection);
    await sim.control.inject({ kind: 'http-error', venue: venue.id, status: 429, retryAfterSec: 3 });
    const host = venue.id === 'binance' ? 'api.binance.com/api/v3' : 'fapi.binance.com/fapi/v1';
    const raw = await fetch(`${sim.url}/${host}/time`);
    expect(raw.status).toBe(429);
    expect(raw.headers.get('retry-after')).toBe('3');
    await sim.control.inject({ kind: 'http-error', venue: venue.id, status: 503 });
    await expect(exchange.fetchTicker(venue.symbol)).rejects.toBeInstanceOf(errors.ExchangeNotAvailable);
    expect((await exchange.fetchTicker(venue.symbol)).last).toBeGreaterThan(0);
  });

  it('a 5xx after execution loses the answer but not the order, which is found again by clientOrderId', async () => {
    const clientOrderId = `lost-answer-${venue.id}`;
    const { bid } = await top(exchange, venue.symbol);
    const price = Number(exchange.priceToPrecision(venue.symbol, (bid as number) * 0.95));
    await sim.control.inject({ kind: 'http-error', venue: venue.id, status: 502, pathPrefix: venue.orderPath, afterExecution: true });
    await expect(exchange.createOrder(venue.symbol, 'limit', 'buy', 0.002, price, { clientOrderId })).rejects.toBeInstanceOf(
      errors.ExchangeNotAvailable,
    );
    const found = await exchange.fetchOrder(undefined as unknown as string, venue.symbol, { clientOrderId });
    expect(found).toMatchObject({ clientOrderId, status: 'open' });
    await exchange.cancelOrder(found.id as string, venue.symbol);
  });

  it('a wrong signature or an unknown API key is refused with AuthenticationError', async () => {
    const wrongSecret = await ccxtClient(venue.id, sim, { secret: 'not-the-secret' });
    const wrongKey = await ccxtClient(venue.id, sim, { apiKey: 'nobody' });
    try {
      await expect(wrongSecret.fetchBalance()).rejects.toBeInstanceOf(errors.AuthenticationError);
      await expect(wrongKey.fetchBalance()).rejects.toBeInstanceOf(errors.AuthenticationError);
    } finally {
      await wrongSecret.close();
      await wrongKey.close();
    }
  });
});
