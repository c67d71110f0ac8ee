/** Checks shared by the ccxt venue tests: book sanity, book vs truth, a raw WebSocket probe, fills, scheduled funding. */
import { once } from 'node:events';
import type { Exchange, OrderBook } from 'ccxt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { Simulator } from '../../src/sim/simulator.js';
import { loadCcxtErrors, type CcxtErrorClasses } from '../../src/venues/ccxt-loader.js';
import { ccxtClient, firstRejection, startTestSimulator } from './helpers.js';

/** Why a book is wrong (one-sided, crossed, unsorted), or undefined when it is fine. */
export function bookProblem(book: OrderBook): string | undefined {
  const bids = book.bids.map((level) => level[0] as number);
  const asks = book.asks.map((level) => level[0] as number);
  if (bids.length === 0 || asks.length === 0) return 'one-sided';
  if ((bids[0] as number) >= (asks[0] as number)) return `crossed ${bids[0]} >= ${asks[0]}`;
  if (bids.some((price, i) => i > 0 && price >= (bids[i - 1] as number))) return 'bids unsorted';
  if (asks.some((price, i) => i > 0 && price <= (asks[i - 1] as number))) return 'asks unsorted';
  return undefined;
}

export const round8 = (levels: readonly (readonly (number | undefined)[])[]): number[][] =>
  levels.map(([price, quantity]) => [Number((price as number).toFixed(8)), Number((quantity as number).toFixed(8))]);

/** The book ccxt keeps for `symbol` (updated as frames arrive, without awaiting a watch). */
export function localBook(exchange: Exchange, symbol: string): OrderBook | undefined {
  return (exchange as unknown as { orderbooks: Record<string, OrderBook | undefined> }).orderbooks[symbol];
}

/** Waits (bounded) until ccxt's local book equals the simulator's, level for level. */
export async function expectBookMatchesTruth(exchange: Exchange, sim: Simulator, venue: string, symbol: string, scale = 1): Promise<void> {
  const truth = await sim.control.book(venue, symbol, 1000);
  const scaled = (levels: readonly (readonly [number, number])[]): number[][] => round8(levels.map(([price, quantity]) => [price, quantity / scale]));
  const local = (): { bids: number[][]; asks: number[][] } => {
    const book = localBook(exchange, symbol);
    return { bids: round8(book?.bids ?? []), asks: round8(book?.asks ?? []) };
  };
  await expect.poll(local, { timeout: 3_000, interval: 10 }).toEqual({ bids: scaled(truth.bids), asks: scaled(truth.asks) });
}

/** A raw WebSocket to the simulator that records every JSON (or text) frame it receives. */
export class RawSocket {
  readonly frames: unknown[] = [];
  private constructor(readonly socket: WebSocket) {
    socket.on('message', (data: Buffer) => {
      const text = String(data);
      try {
        this.frames.push(JSON.parse(text));
      } catch {
        this.frames.push(text);
      }
    });
  }

  static async open(sim: Simulator, path: string): Promise<RawSocket> {
    const raw = new RawSocket(new WebSocket(`${sim.url.replace('http', 'ws')}${path}`));
    await once(raw.socket, 'open');
    return raw;
  }

  /** Runs `use` with a fresh socket and closes it whatever happens. */
  static async use<T>(sim: Simulator, path: string, use: (probe: RawSocket) => Promise<T>): Promise<T> {
    const probe = await RawSocket.open(sim, path);
    try {
      return await use(probe);
    } finally {
      await probe.close();
    }
  }

  send(message: unknown): void {
    this.socket.send(typeof message === 'string' ? message : JSON.stringify(message));
  }

  /** The first recorded frame matching `predicate`, waiting for it (bounded). */
  async next<T>(predicate: (frame: unknown) => frame is T): Promise<T>;
  async next(predicate: (frame: unknown) => boolean): Promise<unknown>;
  async next(predicate: (frame: unknown) => boolean): Promise<unknown> {
    await expect.poll(() => this.frames.some(predicate), { timeout: 3_000, interval: 5 }).toBe(true);
    return this.frames.find(predicate);
  }

  close(): Promise<void> {
    if (this.socket.readyState === WebSocket.CLOSED) return Promise.resolve();
    const closed = once(this.socket, 'close').then(() => undefined);
    this.socket.close();
    return closed;
  }
}

/** What the simulator filled for one clientOrderId: base quantity, quote cost and fees. */
export async function fillTotals(sim: Simulator, venue: string, clientOrderId: string): Promise<{ filled: number; cost: number; fee: number }> {
  const fills = await sim.control.fills({ venue, clientOrderId });
  return {
    filled: fills.reduce((sum, fill) => sum + fill.quantity, 0),
    cost: fills.reduce((sum, fill) => sum + fill.price * fill.quantity, 0),
    fee: fills.reduce((sum, fill) => sum + fill.fee, 0),
  };
}

export interface ScheduledFundingCase {
  readonly venue: string;
  readonly seed: number;
  /** Chosen so that `symbol` settles every second of real time. */
  readonly timeScale: number;
  readonly symbol: string;
  /** Order size in ccxt's unit (contracts on okx) and the base quantity it means. */
  readonly amount: number;
  readonly baseQuantity: number;
  /** 1 where the venue lists funding as received (okx), −1 as paid (bybit's execFee). */
  readonly listedSign: 1 | -1;
}

/** A long position is paid at each of the symbol's own settlement times, without being asked, and ccxt lists it. */
export function scheduledFundingSuite(c: ScheduledFundingCase): void {
  describe(`ccxt ${c.venue} funding on schedule under a time scale`, () => {
    let sim: Simulator;
    let client: Exchange;
    beforeAll(async () => {
      sim = await startTestSimulator({ seed: c.seed, venues: [c.venue], timeScale: c.timeScale });
      client = await ccxtClient(c.venue, sim);
    });
    afterAll(async () => {
      await client?.close();
      await sim?.stop();
    });

    it('pays an open position at each of the symbol’s own settlement times, on the grid and by the formula', async () => {
      await client.createOrder(c.symbol, 'market', 'buy', c.amount, undefined, { clientOrderId: 'scheduledlong' });
      const payments = async () => (await sim.control.fundingPayments(c.venue)).filter((payment) => payment.symbol === c.symbol);
      await expect.poll(async () => (await payments()).length, { timeout: 5_000, interval: 50 }).toBeGreaterThan(0);
      const [first] = await payments();
      expect((first?.fundingTimeMs as number) % 1_000).toBe(0);
      expect(first?.amount).toBeCloseTo(-c.baseQuantity * (first?.markPrice as number) * (first?.rate as number), 9);
      const listed = (await client.fetchFundingHistory(c.symbol)).find((entry) => entry.timestamp === first?.fundingTimeMs);
      expect(listed?.amount).toBeCloseTo(c.listedSign * (first?.amount as number), 8);
    });
  });
}

/** A ccxt client, its simulator and the symbol a shared check exercises. */
export interface VenueUnderTest {
  readonly sim: Simulator;
  readonly exchange: Exchange;
  readonly errors: CcxtErrorClasses;
  readonly venue: string;
  readonly symbol: string;
}

/** A dropped socket fails the pending watch with NetworkError; the next watch reconnects and resubscribes. */
export async function expectDropSurvived({ sim, exchange, errors, venue, symbol }: VenueUnderTest): Promise<void> {
  await exchange.watchOrderBook(symbol);
  await sim.control.inject({ kind: 'drop-sockets', venue });
  expect(await firstRejection(() => exchange.watchOrderBook(symbol))).toBeInstanceOf(errors.NetworkError);
  expect(bookProblem(await exchange.watchOrderBook(symbol))).toBeUndefined();
}

/** ccxt's bybit and okx handlers drop a frame that is not JSON (it matches no topic or channel): the stream goes on. */
export async function expectMalformedFrameIgnored({ sim, exchange, venue, symbol }: VenueUnderTest): Promise<void> {
  await exchange.watchOrderBook(symbol);
  await sim.control.inject({ kind: 'malformed-frame', venue });
  for (let i = 0; i < 5; i++) expect(bookProblem(await exchange.watchOrderBook(symbol))).toBeUndefined();
}

/** HTTP 429 raises RateLimitExceeded (from the venue's own code in the body), a 503 ExchangeNotAvailable; then all is well. */
export async function expectRateLimitThenOutage({ sim, exchange, errors, venue, symbol }: VenueUnderTest): Promise<void> {
  await sim.control.inject({ kind: 'http-error', venue, status: 429, retryAfterSec: 2 });
  await expect(exchange.fetchTicker(symbol)).rejects.toBeInstanceOf(errors.RateLimitExceeded);
  await sim.control.inject({ kind: 'http-error', venue, status: 503 });
  await expect(exchange.fetchTicker(symbol)).rejects.toBeInstanceOf(errors.ExchangeNotAvailable);
  expect((await exchange.fetchTicker(symbol)).last).toBeGreaterThan(0);
}

/** Clients with each wrong credential are refused with AuthenticationError. */
export async function expectCredentialsRefused({ sim, errors, venue }: VenueUnderTest, wrong: readonly Record<string, string>[]): Promise<void> {
  const clients = await Promise.all(wrong.map((override) => ccxtClient(venue, sim, override)));
  try {
    for (const client of clients) await expect(client.fetchBalance()).rejects.toBeInstanceOf(errors.AuthenticationError);
  } finally {
    await Promise.all(clients.map((client) => client.close()));
  }
}

/**
 * One venue under test for a whole file: a simulator serving only that venue and a real ccxt
 * client with its markets loaded, started before the file's tests and stopped after them.
 */
export function venueHarness(venue: string, seed: number, symbol: string): VenueUnderTest {
  const harness = { venue, symbol } as { -readonly [K in keyof VenueUnderTest]: VenueUnderTest[K] };
  beforeAll(async () => {
    harness.sim = await startTestSimulator({ seed, venues: [venue] });
    harness.errors = await loadCcxtErrors();
    harness.exchange = await ccxtClient(venue, harness.sim);
    await harness.exchange.loadMarkets();
  });
  afterAll(async () => {
    await harness.exchange?.close();
    await harness.sim?.stop();
  });
  return harness;
}

/** Best bid and ask from the venue's REST ticker. */
export async function restTop(exchange: Exchange, symbol: string): Promise<{ bid: number; ask: number }> {
  const ticker = await exchange.fetchTicker(symbol);
  return { bid: ticker.bid as number, ask: ticker.ask as number };
}

/** A marketable spot IOC buy of 0.01 moves base by the fill less the fee (paid in base) and quote by the cost. */
export async function expectSpotIocMovesBalances(v: VenueUnderTest, symbol: string, clientOrderId: string, balanceOf: (asset: string) => Promise<number>): Promise<void> {
  const [base, quote] = symbol.split('/') as [string, string];
  const [baseBefore, quoteBefore] = [await balanceOf(base), await balanceOf(quote)];
  const price = Number(v.exchange.priceToPrecision(symbol, (await restTop(v.exchange, symbol)).ask * 1.003));
  await v.exchange.createOrder(symbol, 'limit', 'buy', 0.01, price, { timeInForce: 'IOC', clientOrderId });
  const { filled, cost, fee } = await fillTotals(v.sim, v.venue, clientOrderId);
  expect(filled).toBeCloseTo(0.01, 10);
  expect((await balanceOf(base)) - baseBefore).toBeCloseTo(filled - fee, 8);
  expect((await balanceOf(quote)) - quoteBefore).toBeCloseTo(-cost, 6);
}

const PERPS = ['BTC/USDT:USDT', 'ETH/USDT:USDT', 'SOL/USDT:USDT'];

/**
 * fetchFundingRates (and fetchFundingRate, which ccxt may emulate through it) report the rate
 * that settles next and when, on a frozen market so nothing drifts between the two reads, and
 * the interval of BTC, ETH and SOL.
 */
export async function expectFundingRatesMatchTruth(v: VenueUnderTest, intervals: readonly string[]): Promise<void> {
  await v.sim.control.setMarketPaused(true);
  try {
    const [rates, truth] = await Promise.all([v.exchange.fetchFundingRates(PERPS), v.sim.control.funding(v.venue)]);
    for (const entry of truth) expect(rates[entry.symbol]).toMatchObject({ fundingRate: Number(entry.rate.toFixed(8)), fundingTimestamp: entry.nextFundingTimeMs });
    expect(PERPS.map((symbol) => rates[symbol]?.interval)).toEqual(intervals);
    expect((await v.exchange.fetchFundingRate('SOL/USDT:USDT')).fundingRate).toBe(rates['SOL/USDT:USDT']?.fundingRate);
  } finally {
    await v.sim.control.setMarketPaused(false);
  }
}

/** fetchFundingRateHistory returns the last five settled rates, oldest first. */
export async function expectFundingHistoryMatchesTruth(v: VenueUnderTest, symbol: string): Promise<void> {
  const history = await v.exchange.fetchFundingRateHistory(symbol, undefined, 5);
  const truth = (await v.sim.control.funding(v.venue, true)).find((entry) => entry.symbol === symbol)?.history ?? [];
  expect(history.map((entry) => [entry.timestamp, entry.fundingRate])).toEqual(truth.slice(-5).map((entry) => [entry.fundingTimeMs, entry.rate]));
}
