/**
 * The real, unmodified ccxt `okx` client (one instance for spot and swaps, signing with the
 * passphrase as its `password`) against the simulator: markets, streams with okx's sequence
 * ids and checksum, funding, orders (swaps in contracts), balances, positions, faults and
 * signing. The simulator's control API is the ground truth.
 */
import type { Exchange, Trade } from 'ccxt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bookChecksum } from '../../src/sim/venues/okx-format.js';
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
  RawSocket,
  scheduledFundingSuite,
  restTop,
  venueHarness,
} from './ccxt-checks.js';
import type { Simulator } from '../../src/sim/simulator.js';
import { ccxtClient, firstRejection, startTestSimulator } from './helpers.js';

const VENUE = 'okx';
const SWAP = 'BTC/USDT:USDT';
const SPOT = 'BTC/USDT';
const BTC_CONTRACT = 0.01;
const v = venueHarness(VENUE, 41, SWAP);

/** okx's cash balance of a currency (`total` is equity, which moves with unrealized PnL). */
async function cash(ccy: string): Promise<number> {
  const info = (await v.exchange.fetchBalance()).info as { data: { details: { ccy: string; cashBal: string }[] }[] };
  return Number(info.data[0]?.details.find((detail) => detail.ccy === ccy)?.cashBal);
}

interface BooksFrame {
  readonly action: 'snapshot' | 'update';
  readonly data: readonly { asks: string[][]; bids: string[][]; checksum: number; seqId: number; prevSeqId: number }[];
}

/** Replays `books` frames the way a careful client does, checking each one's sequence and checksum. */
function replayBooks(frames: readonly BooksFrame[]): void {
  const book = { bids: new Map<string, string>(), asks: new Map<string, string>() };
  const sorted = (side: Map<string, string>, descending: boolean): string[][] => [...side].sort((a, b) => (Number(a[0]) - Number(b[0])) * (descending ? -1 : 1));
  let seqId = -1;
  for (const frame of frames) {
    const data = frame.data[0] as BooksFrame['data'][0];
    expect(data.prevSeqId).toBe(frame.action === 'snapshot' ? -1 : seqId);
    seqId = data.seqId;
    for (const [side, levels] of [['bids', data.bids], ['asks', data.asks]] as const) {
      for (const [price, size] of levels) {
        if (size === '0') book[side].delete(price as string);
        else book[side].set(price as string, size as string);
      }
    }
    expect(bookChecksum(sorted(book.bids, true), sorted(book.asks, false))).toBe(data.checksum);
  }
}

describe('ccxt okx against the simulator: market data', () => {
  it('loadMarkets reads spot and swap instruments; swaps are sized in contracts', () => {
    expect(Object.keys(v.exchange.markets ?? {}).sort()).toEqual(['BTC/USDT', 'BTC/USDT:USDT', 'ETH/BTC', 'ETH/USDT', 'ETH/USDT:USDT', 'SOL/USDT', 'SOL/USDT:USDT']);
    const swap = v.exchange.market(SWAP);
    expect(swap).toMatchObject({ id: 'BTC-USDT-SWAP', type: 'swap', linear: true, settle: 'USDT', contractSize: BTC_CONTRACT, active: true });
    expect(swap.precision).toMatchObject({ amount: 0.01, price: 0.1 });
    expect(v.exchange.market(SPOT)).toMatchObject({ id: 'BTC-USDT', type: 'spot', limits: { amount: { min: 0.00001 } } });
  });

  it('watchOrderBook (books) applies 100+ updates with no InvalidNonce, never crossed, and ends equal to the truth', async () => {
    const problems: string[] = [];
    for (let i = 0; i < 120; i++) {
      const problem = bookProblem(await v.exchange.watchOrderBook(SWAP));
      if (problem) problems.push(problem);
    }
    for (let i = 0; i < 20; i++) expect(bookProblem(await v.exchange.watchOrderBook(SPOT))).toBeUndefined();
    const five = await v.exchange.watchOrderBook('ETH/USDT', 5); // books5
    expect(five.bids).toHaveLength(5);
    expect(problems).toEqual([]);
    await v.sim.control.setMarketPaused(true);
    try {
      await expectBookMatchesTruth(v.exchange, v.sim, VENUE, SWAP, BTC_CONTRACT);
      await expectBookMatchesTruth(v.exchange, v.sim, VENUE, SPOT);
    } finally {
      await v.sim.control.setMarketPaused(false);
    }
  });

  it('every `books` frame continues the previous seqId and carries the CRC32 of the book it leads to', async () => {
    const probe = await RawSocket.open(v.sim, '/ws.okx.com/ws/v5/public');
    try {
      probe.send({ op: 'subscribe', args: [{ channel: 'books', instId: 'BTC-USDT-SWAP' }] });
      const frames = (): BooksFrame[] => probe.frames.filter((frame): frame is BooksFrame => (frame as Partial<BooksFrame>).action !== undefined);
      await expect.poll(() => frames().length, { timeout: 5_000, interval: 10 }).toBeGreaterThan(60);
      replayBooks(frames());
    } finally {
      await probe.close();
    }
  });

});

describe('ccxt okx against the simulator: best bid/ask and tickers', () => {
  it('watchBidsAsks (bbo-tbt), watchTicker, fetchTicker(s) deliver best bid/ask and 24 h statistics', async () => {
    const best = (await v.exchange.watchBidsAsks([SPOT]))[SPOT];
    expect(best?.ask).toBeGreaterThan(best?.bid as number);
    const ticker = await v.exchange.watchTicker(SWAP);
    expect(ticker).toMatchObject({ symbol: SWAP });
    expect(ticker.ask).toBeGreaterThan(ticker.bid as number);
    const rest = await restTop(v.exchange, SPOT);
    expect(rest.ask).toBeGreaterThan(rest.bid);
    expect(Object.keys(await v.exchange.fetchTickers(['BTC/USDT', 'ETH/USDT'])).sort()).toEqual(['BTC/USDT', 'ETH/USDT']);
    expect((await v.exchange.watchMarkPrice(SWAP)).markPrice).toBeGreaterThan(0);
  });
});

describe('ccxt okx against the simulator: funding', () => {
  it('fetchFundingRate(s) report the rate that settles next, when, and the interval', () =>
    // Per-symbol intervals (okx states none: ccxt derives it from nextFundingTime − fundingTime).
    expectFundingRatesMatchTruth(v, ['8h', '8h', '2h']));

  it('fetchFundingRateHistory returns settled rates oldest first; watchFundingRate streams the current one', async () => {
    await expectFundingHistoryMatchesTruth(v, SWAP);
    const truth = (await v.sim.control.funding(VENUE)).find((entry) => entry.symbol === SWAP);
    const streamed = await v.exchange.watchFundingRate(SWAP);
    expect(streamed).toMatchObject({ symbol: SWAP, fundingTimestamp: truth?.nextFundingTimeMs, interval: '8h' });
    expect(Math.abs(streamed.fundingRate as number)).toBeGreaterThan(0);
  });

  it('a settlement moves the cash balance of an open position by −quantity × mark × rate, listed by fetchFundingHistory', async () => {
    const symbol = 'SOL/USDT:USDT';
    await v.exchange.createOrder(symbol, 'market', 'sell', 5, undefined, { clientOrderId: 'fundingshort' }); // 5 contracts of 1 SOL
    const before = await cash('USDT');
    const [settlement] = await v.sim.control.settleFunding(VENUE, symbol);
    const expected = 5 * (settlement?.markPrice as number) * (settlement?.rate as number);
    expect(Math.abs(expected)).toBeGreaterThan(0);
    expect((await cash('USDT')) - before).toBeCloseTo(expected, 6);
    expect((await v.exchange.fetchFundingHistory(symbol)).at(-1)?.amount).toBeCloseTo(expected, 6);
  });
});

// 7200×: SOL's 2 h interval settles every second of real time (3 contracts of 1 SOL).
scheduledFundingSuite({ venue: VENUE, seed: 42, timeScale: 7200, symbol: 'SOL/USDT:USDT', amount: 3, baseQuantity: 3, listedSign: 1 });

describe('ccxt okx funding under time scale 960 (8 h every 30 s of real time)', () => {
  let sim: Simulator;
  let client: Exchange;
  beforeAll(async () => {
    sim = await startTestSimulator({ seed: 43, venues: [VENUE], timeScale: 960 });
    client = await ccxtClient(VENUE, sim);
    await client.loadMarkets();
  });
  afterAll(async () => {
    await client?.close();
    await sim?.stop();
  });

  it('fetchFundingRate and watchFundingRate state the nominal interval; fundingTimestamp is the real next settlement, within 30 s', async () => {
    for (const [symbol, interval, hours] of [[SWAP, '8h', 8], ['SOL/USDT:USDT', '2h', 2]] as const) {
      const rest = await client.fetchFundingRate(symbol);
      const streamed = await client.watchFundingRate(symbol);
      for (const rate of [rest, streamed]) {
        const nowMs = Date.now();
        expect(rate.interval).toBe(interval);
        expect(rate.fundingTimestamp).toBeGreaterThan(nowMs - 1_000); // a settlement may fall between the read and now
        expect(rate.fundingTimestamp).toBeLessThanOrEqual(nowMs + 30_000);
        expect((rate.nextFundingTimestamp as number) - (rate.fundingTimestamp as number)).toBe(hours * 3_600_000);
      }
    }
    await sim.control.setMarketPaused(true);
    try {
      const truth = (await sim.control.funding(VENUE)).find((entry) => entry.symbol === SWAP);
      expect(truth?.intervalRealMs).toBe(30_000);
      expect((await client.fetchFundingRate(SWAP)).fundingTimestamp).toBe(truth?.nextFundingTimeMs);
    } finally {
      await sim.control.setMarketPaused(false);
    }
  });
});

describe('ccxt okx against the simulator: orders', () => {
  it('createOrder (batch-orders) with a clientOrderId, fetchOrder, fetchOpenOrders, cancelOrder; unknown orders are OrderNotFound', async () => {
    const clientOrderId = 'restingokx';
    const price = Number(v.exchange.priceToPrecision(SWAP, (await restTop(v.exchange, SWAP)).bid * 0.95));
    const created = await v.exchange.createOrder(SWAP, 'limit', 'buy', 2, price, { clientOrderId });
    expect(created.clientOrderId).toBe(clientOrderId);
    const id = created.id as string;
    expect(await v.exchange.fetchOrder(id, SWAP)).toMatchObject({ id, clientOrderId, status: 'open', amount: 2, filled: 0, price });
    expect((await v.exchange.fetchOrder(undefined as unknown as string, SWAP, { clientOrderId })).id).toBe(id);
    expect((await v.exchange.fetchOpenOrders(SWAP)).map((order) => order.clientOrderId)).toContain(clientOrderId);
    await v.exchange.cancelOrder(id, SWAP);
    expect((await v.exchange.fetchOrder(id, SWAP)).status).toBe('canceled');
    expect((await v.exchange.fetchOpenOrders(SWAP)).map((order) => order.id)).not.toContain(id);
    await expect(v.exchange.cancelOrder(id, SWAP)).rejects.toBeInstanceOf(v.errors.OrderNotFound); // 51400
    await expect(v.exchange.fetchOrder('999999999', SWAP)).rejects.toBeInstanceOf(v.errors.OrderNotFound); // 51603
    // The engine sees base units: 2 contracts of 0.01 BTC.
    expect(await v.sim.control.orders({ venue: VENUE, clientOrderId })).toMatchObject([{ outcome: 'accepted', orderId: Number(id), quantity: 0.02 }]);
  });
});

describe('ccxt okx against the simulator: fills and rejections', () => {
  it('a marketable IOC on a swap fills and moves cash by the fee and the position by the fill', async () => {
    const clientOrderId = 'iocswap';
    const before = await cash('USDT');
    const price = Number(v.exchange.priceToPrecision(SWAP, (await restTop(v.exchange, SWAP)).ask * 1.003));
    const created = await v.exchange.createOrder(SWAP, 'limit', 'buy', 3, price, { timeInForce: 'IOC', clientOrderId });
    const order = await v.exchange.fetchOrder(created.id as string, SWAP);
    const { filled, cost, fee } = await fillTotals(v.sim, VENUE, clientOrderId);
    expect(order).toMatchObject({ status: 'closed', filled: 3 });
    expect(filled).toBeCloseTo(3 * BTC_CONTRACT, 10);
    expect(order.fee?.cost).toBeCloseTo(fee, 8);
    expect((await cash('USDT')) - before).toBeCloseTo(-(order.fee?.cost as number), 6);
    const position = (await v.exchange.fetchPositions([SWAP]))[0];
    expect(position).toMatchObject({ symbol: SWAP, side: 'long', contracts: 3 });
    expect(position?.entryPrice).toBeCloseTo(cost / filled, 6);
  });

  it('a marketable IOC on spot moves BTC by the fill less the fee and USDT by the cost', () => expectSpotIocMovesBalances(v, SPOT, 'iocspot', cash));

  it('fetchMyTrades and fetchOrderTrades (fills-history) list an IOC’s fills with price, size (contracts on swaps), fee and clientOrderId', async () => {
    for (const [symbol, amount, contract] of [[SWAP, 2, BTC_CONTRACT], [SPOT, 0.01, 1]] as const) {
      const clientOrderId = `trades${contract === 1 ? 'spot' : 'swap'}`;
      const price = Number(v.exchange.priceToPrecision(symbol, (await restTop(v.exchange, symbol)).ask * 1.003));
      const id = (await v.exchange.createOrder(symbol, 'limit', 'buy', amount, price, { timeInForce: 'IOC', clientOrderId })).id as string;
      const truth = await v.sim.control.fills({ venue: VENUE, clientOrderId });
      expect(truth.reduce((sum, fill) => sum + fill.quantity, 0)).toBeCloseTo(amount * contract, 10);
      const expected = truth.map((fill) => [String(fill.tradeId), ...[fill.price, fill.quantity / contract, fill.fee].map((n) => Number(n.toFixed(8))), fill.feeAsset, fill.timeMs]);
      const seen = (trades: Trade[]) => trades.map((t) => [t.id, t.price, t.amount, t.fee?.cost, t.fee?.currency, t.timestamp]).sort();
      const mine = (await v.exchange.fetchMyTrades(symbol)).filter((trade) => trade.order === id);
      const byOrder = await v.exchange.fetchOrderTrades(id, symbol);
      for (const trades of [mine, byOrder]) {
        expect(seen(trades)).toEqual(expected.sort());
        expect(trades.map((trade) => [trade.symbol, trade.side, trade.takerOrMaker, (trade.info as { clOrdId: string }).clOrdId])).toEqual(truth.map(() => [symbol, 'buy', 'taker', clientOrderId]));
      }
    }
  });

  it('fills-history narrows by instType, instId, ordId, begin/end and the billId cursors, newest first, up to limit', async () => {
    type Fill = Record<'instType' | 'instId' | 'ordId' | 'billId' | 'ts', string>;
    const raw = v.exchange as unknown as { privateGetTradeFillsHistory(request: Record<string, string>): Promise<{ data: Fill[] }> };
    const list = async (request: Record<string, string>) => (await raw.privateGetTradeFillsHistory(request)).data;
    const swaps = await list({ instType: 'SWAP' });
    expect(swaps.length).toBeGreaterThan(1);
    expect(swaps.every((fill) => fill.instType === 'SWAP')).toBe(true);
    expect(swaps.map((fill) => Number(fill.billId))).toEqual(swaps.map((fill) => Number(fill.billId)).sort((a, b) => b - a));
    const [newest, second] = swaps as [Fill, Fill];
    expect(await list({ instType: 'SWAP', limit: '1' })).toEqual([newest]);
    expect((await list({ instType: 'SWAP', after: newest.billId }))[0]).toEqual(second);
    expect(await list({ instType: 'SWAP', before: second.billId, end: newest.ts })).toContainEqual(newest);
    expect(await list({ instType: 'SWAP', begin: String(Number(newest.ts) + 1) })).toEqual([]);
    expect((await list({ instType: 'SWAP', ordId: newest.ordId })).every((fill) => fill.ordId === newest.ordId)).toBe(true);
    expect((await list({ instType: 'SPOT', instId: 'BTC-USDT' })).every((fill) => fill.instId === 'BTC-USDT')).toBe(true);
    expect((await v.exchange.fetchMyTrades(SWAP, Number(newest.ts) + 1)).length).toBe(0); // since → begin
    await expect(list({})).rejects.toBeInstanceOf(v.errors.BadRequest); // 50014: instType is required
  });

  it('rejections reach ccxt as its real error classes', async () => {
    const price = Number(v.exchange.priceToPrecision(SWAP, (await restTop(v.exchange, SWAP)).bid * 0.98));
    await expect(v.exchange.createOrder(SWAP, 'limit', 'buy', 100_000, price)).rejects.toBeInstanceOf(v.errors.InsufficientFunds); // 51008
    await expect(v.exchange.createOrder(SPOT, 'limit', 'buy', 10, price)).rejects.toBeInstanceOf(v.errors.InsufficientFunds); // 51008
    await expect(v.exchange.createOrder(SPOT, 'limit', 'buy', 0.000001, price)).rejects.toBeInstanceOf(v.errors.InvalidOrder); // 51020 below minSz
    // Bad precision, sent raw (ccxt rounds itself): off the lot size is 51121 (InvalidOrder), off the tick 51000 (BadRequest).
    const raw = v.exchange as unknown as { privatePostTradeOrder(request: Record<string, string>): Promise<unknown> };
    const order = { instId: 'BTC-USDT-SWAP', tdMode: 'cross', side: 'buy', ordType: 'limit', sz: '1', px: String(Math.floor(price)) };
    await expect(raw.privatePostTradeOrder({ ...order, sz: '1.005' })).rejects.toBeInstanceOf(v.errors.InvalidOrder);
    await expect(raw.privatePostTradeOrder({ ...order, px: `${Math.floor(price)}.05` })).rejects.toBeInstanceOf(v.errors.BadRequest);
    await v.sim.control.inject({ kind: 'reject-orders', venue: VENUE, clientOrderIdPrefix: 'doomed' });
    await expect(v.exchange.createOrder(SWAP, 'limit', 'buy', 1, price, { clientOrderId: 'doomed1' })).rejects.toBeInstanceOf(v.errors.InvalidOrder);
    await v.sim.control.clearFaults();
  });
});

describe('ccxt okx against the simulator: stream faults', () => {
  it('a dropped socket is survived: the pending watch fails with NetworkError and the next one resubscribes', () => expectDropSurvived(v));

  it('a skipped update makes ccxt raise InvalidNonce (prevSeqId ≠ its seqId), and a new watch resynchronises', async () => {
    await v.exchange.watchOrderBook(SWAP);
    await v.sim.control.inject({ kind: 'skip-sequence', venue: VENUE, symbol: SWAP });
    expect(await firstRejection(() => v.exchange.watchOrderBook(SWAP))).toBeInstanceOf(v.errors.InvalidNonce);
    for (let i = 0; i < 10; i++) expect(bookProblem(await v.exchange.watchOrderBook(SWAP))).toBeUndefined();
    await v.sim.control.setMarketPaused(true);
    try {
      await expectBookMatchesTruth(v.exchange, v.sim, VENUE, SWAP, BTC_CONTRACT);
    } finally {
      await v.sim.control.setMarketPaused(false);
    }
  });

  it('a malformed frame is dropped by ccxt’s okx handler (no channel), and the stream keeps going', () => expectMalformedFrameIgnored(v));
});

describe('ccxt okx against the simulator: rate limits, keep-alive and signing', () => {
  it('HTTP 429 raises RateLimitExceeded (code 50011), 5xx ExchangeNotAvailable', () => expectRateLimitThenOutage(v));

  it('answers okx’s keep-alive: the text ping gets the text pong', async () => {
    await RawSocket.use(v.sim, '/ws.okx.com/ws/v5/public', async (probe) => {
      probe.send('ping');
      expect(await probe.next((frame) => frame === 'pong')).toBe('pong');
    });
  });

  it('a wrong signature, API key or passphrase is refused with AuthenticationError (50113, 50111, 50105)', () =>
    expectCredentialsRefused(v, [{ secret: 'not-the-secret' }, { apiKey: 'nobody' }, { password: 'wrong-pass' }]));
});
