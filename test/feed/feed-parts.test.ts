/**
 * The feed's pure parts, without a venue: params, sanity checks before publishing, state
 * roll-up into VenueStatus, backoff, interval inference, and that paper/live instances keep the
 * real hosts (nothing here opens a connection).
 */
import type { FundingRate, OrderBook } from 'ccxt';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import type { MarketDataMessage } from '../../src/protocol/index.js';
import { intervalFromSettlements } from '../../src/venues/feed/adapters/binance.js';
import { backoffDelayMs } from '../../src/base/backoff.js';
import { FeedHealth, type StreamHealth } from '../../src/venues/feed/health.js';
import { createFeedExchange, FEED_ADAPTERS, feedAdapter, parseFeedParams } from '../../src/venues/feed/index.js';
import { Rejections, SymbolOutput, type OutputChecks } from '../../src/venues/feed/output.js';
import { intervalHours, publishFundingRate } from '../../src/venues/feed/streams.js';
import type { FeedSink } from '../../src/venues/feed/sink.js';

const SIM = 'http://127.0.0.1:8900';

class RecordingSink implements FeedSink {
  readonly sent: MarketDataMessage[] = [];
  readonly errors: string[] = [];
  readonly topics: string[] = [];
  readonly counters: Record<string, number> = {};
  readonly log = pino({ enabled: false });
  topicKey(topic: string): number {
    this.topics.push(topic);
    return this.topics.length;
  }
  send(message: MarketDataMessage): void {
    this.sent.push({ ...message } as MarketDataMessage);
  }
  count(name: string): void {
    this.counters[name] = (this.counters[name] ?? 0) + 1;
  }
  reportError(reason: string): void {
    this.errors.push(reason);
  }
}

/** A venue timestamp near the wall clock, as a live venue sends. */
const NOW_MS = Date.now();
const book = (bids: [number, number][], asks: [number, number][], nonce = 7, timestamp = NOW_MS): OrderBook => ({ bids, asks, nonce, timestamp, datetime: undefined, symbol: 'BTC/USDT', copy: () => book(bids, asks) });
const SEC = 1e9;

function output(checks: Partial<OutputChecks> = {}) {
  const sink = new RecordingSink();
  const rejections = new Rejections(sink, 'binance');
  const rejecting: (string | undefined)[] = [];
  const defaults: OutputChecks = { levels: 2, topFromBook: true, maxAbsFundingRate: 0.01, priceBand: { bandPct: 5, widenPctPerSec: 1, maxPct: 50 }, maxTimestampSkewMs: 60_000 };
  const out = new SymbolOutput('binance', 'BTC/USDT', sink, { ...defaults, ...checks }, rejections, (_symbol, reason) => rejecting.push(reason));
  return { sink, rejections, out, rejecting };
}

describe('feed params', () => {
  const base = { venue: 'binanceusdm', symbols: ['BTC/USDT:USDT'], mode: 'sim', simBaseUrl: SIM };

  it('fills sane defaults', () => {
    expect(parseFeedParams(base, FEED_ADAPTERS)).toMatchObject({
      levels: 5,
      topSource: 'book',
      staleAfterMs: {},
      watchdogMs: 250,
      reconnectBaseMs: 250,
      reconnectMaxMs: 30_000,
      maxAbsFundingRate: 0.05,
      fundingSource: 'stream',
      fundingPollMs: 30_000,
      requestTimeoutMs: 10_000,
      priceBandPct: 5,
      priceBandWidenPctPerSec: 1,
      priceBandMaxPct: 50,
      maxTimestampSkewMs: 60_000,
    });
  });

  it('refuses credentials, unknown venues, sim without a URL, replay, and bad values, naming the field', () => {
    expect(() => parseFeedParams({ ...base, apiKey: 'k', secret: 's' }, FEED_ADAPTERS)).toThrow(/Unrecognized keys: "apiKey", "secret"/);
    expect(() => parseFeedParams({ ...base, venue: 'kraken' }, FEED_ADAPTERS)).toThrow(/venue: expected one of binance\|binanceusdm.*got "kraken"/);
    expect(() => parseFeedParams({ ...base, simBaseUrl: undefined }, FEED_ADAPTERS)).toThrow(/simBaseUrl: sim mode needs the simulator URL/);
    expect(() => parseFeedParams({ ...base, simBaseUrl: 'http://example.com:80' }, FEED_ADAPTERS)).toThrow(/simBaseUrl: expected http:\/\/127\.0\.0\.1/);
    expect(() => parseFeedParams({ ...base, mode: 'replay' }, FEED_ADAPTERS)).toThrow(/mode: replay plays a recording in place of the feeds/);
    expect(() => parseFeedParams({ ...base, mode: 'live' }, FEED_ADAPTERS)).toThrow(/simBaseUrl: live mode reads the real venues, never a simulator, got "http:\/\/127/);
    expect(() => parseFeedParams({ ...base, symbols: ['btcusdt'] }, FEED_ADAPTERS)).toThrow(/symbols\[0\]: expected a ccxt unified symbol/);
    expect(() => parseFeedParams({ ...base, staleAfterMs: { book: 10, trades: 100 } }, FEED_ADAPTERS)).toThrow(/staleAfterMs/);
    expect(() => parseFeedParams({ ...base, priceBandPct: 10, priceBandMaxPct: 5 }, FEED_ADAPTERS)).toThrow(/priceBandMaxPct: expected ≥ priceBandPct \(10\), got 5/);
    expect(() => parseFeedParams({ ...base, maxTimestampSkewMs: 10 }, FEED_ADAPTERS)).toThrow(/maxTimestampSkewMs/);
    expect(() => parseFeedParams({ ...base, reconnectBaseMs: 5000, reconnectMaxMs: 1000 }, FEED_ADAPTERS)).toThrow(/reconnectMaxMs: expected ≥ reconnectBaseMs/);
  });

  it('paper and live instances keep the real hosts and carry no credentials; sim, and paper given a simulator, point at it', async () => {
    for (const mode of ['paper', 'live'] as const) {
      const exchange = await createFeedExchange(feedAdapter('binanceusdm')!, parseFeedParams({ ...base, mode, simBaseUrl: undefined }, FEED_ADAPTERS));
      expect(JSON.stringify(exchange.urls.api)).not.toContain('127.0.0.1');
      expect((exchange.urls.api as Record<string, string>).fapiPublic).toMatch(/^https:\/\/fapi\.binance\.com\//);
      expect(exchange.apiKey).toBeFalsy();
      expect(exchange.secret).toBeFalsy();
    }
    const sim = await createFeedExchange(feedAdapter('binanceusdm')!, parseFeedParams(base, FEED_ADAPTERS));
    expect((sim.urls.api as Record<string, string>).fapiPublic).toBe(`${SIM}/fapi.binance.com/fapi/v1`);
    // The feed paces reconnects itself; ccxt's per-URL dial backoff would stack up to a minute on top.
    expect(sim.options.ws.backoff).toEqual({ base: 0 });
    // paper with the simulator standing in for the public venues (paper.venues "simulator").
    const paper = await createFeedExchange(feedAdapter('binanceusdm')!, parseFeedParams({ ...base, mode: 'paper' }, FEED_ADAPTERS));
    expect((paper.urls.api as Record<string, string>).fapiPublic).toBe(`${SIM}/fapi.binance.com/fapi/v1`);
  });
});

describe('sanity checks before publishing', () => {
  it('publishes a good book as BookLevels then BookTop, reusing one object per message kind', () => {
    const { sink, out } = output();
    expect(out.book(book([[100, 1], [99, 2], [98, 3]], [[101, 1], [102, 2]]), 5)).toBe('published');
    expect(sink.sent.map((m) => m.type)).toEqual(['BookLevels', 'BookTop']);
    expect(sink.sent[0]).toMatchObject({ bids: [100, 1, 99, 2], asks: [101, 1, 102, 2], venueSeq: 7, exchangeTimeMs: NOW_MS, ts: 5 });
    expect(sink.sent[1]).toMatchObject({ venue: 'binance', symbol: 'BTC/USDT', bidPx: 100, bidSz: 1, askPx: 101, askSz: 1, venueSeq: 7, ts: 5 });
    expect(sink.topics).toEqual(['md.book.binance.BTC/USDT', 'md.levels.binance.BTC/USDT', 'md.funding.binance.BTC/USDT', 'md.mark.binance.BTC/USDT']);
  });

  it('drops crossed and non-positive-size books asking for a resync, and empty and non-positive-price books, with a counted reason', () => {
    const { sink, rejections, out } = output();
    expect(out.book(book([[101, 1]], [[100, 1]]), 1)).toBe('corrupt');
    expect(out.book(book([[100, 1]], [[100, 1]]), 1)).toBe('corrupt');
    expect(out.book(book([], [[100, 1]]), 1)).toBe('rejected');
    expect(out.book(book([[0, 1]], [[100, 1]]), 1)).toBe('rejected');
    expect(out.book(book([[99, 0]], [[100, 1]]), 1)).toBe('corrupt');
    expect(out.bidAsk(-1, 1, 2, 1, 0, 0, 1)).toBe('rejected');
    expect(sink.sent).toEqual([]);
    expect(rejections.byReason).toEqual({ crossed_book: 2, empty_book: 1, non_positive_price: 2, non_positive_size: 1 });
    // Every rejection is counted; a recurring reason is logged once per 30 s, not per update.
    expect(sink.counters).toEqual({ 'rejected.crossed_book': 2, 'rejected.empty_book': 1, 'rejected.non_positive_price': 2, 'rejected.non_positive_size': 1 });
    expect(sink.errors.filter((reason) => reason === 'rejected.crossed_book')).toHaveLength(1);
  });

  it('drops funding beyond the cap, non-numeric funding, funding without a known interval, and non-positive marks', () => {
    const { sink, rejections, out } = output({ maxAbsFundingRate: 0.003 });
    expect(out.funding(0.004, 0, 8, 0, 1)).toBe('rejected');
    expect(out.funding(-0.004, 0, 8, 0, 1)).toBe('rejected');
    expect(out.funding(Number.NaN, 0, 8, 0, 1)).toBe('rejected');
    expect(out.funding(0.0001, 0, Number.NaN, 0, 1)).toBe('rejected');
    expect(out.mark(0, 1, 0, 1)).toBe('rejected');
    expect(rejections.byReason).toEqual({ funding_above_cap: 2, bad_funding: 1, funding_interval_unknown: 1, non_positive_price: 1 });
    out.intervalHours = 4;
    expect(out.funding(0.003, 123, Number.NaN, NOW_MS, 2)).toBe('published');
    expect(sink.sent.at(-1)).toMatchObject({ type: 'FundingRate', rate: 0.003, intervalHours: 4, nextFundingTimeMs: 123, settled: false, exchangeTimeMs: NOW_MS, ts: 2 });
    expect(out.mark(50, undefined, NOW_MS, 3)).toBe('published');
    expect(sink.sent.at(-1)).toMatchObject({ type: 'MarkPrice', markPx: 50, indexPx: null });
  });

  it('asks for a fresh snapshot when any checked level has a negative size, not only the top', () => {
    const { sink, rejections, out } = output({ levels: 3 });
    expect(out.book(book([[100, 1], [99, -2]], [[101, 1]]), 1)).toBe('corrupt');
    expect(out.book(book([[100, 1]], [[101, 1], [102, 0.5], [103, -0.1]]), 1)).toBe('corrupt');
    expect(out.book(book([[100, -1]], [[101, 1]]), 1)).toBe('corrupt');
    expect(rejections.byReason).toEqual({ non_positive_size: 3 });
    expect(sink.sent).toEqual([]);
    expect(out.book(book([[100, 1], [99, 2]], [[101, 1]]), 1)).toBe('published');
  });

  it('drops marks and tops outside the band around recent prices (1e308, 0.0001), and takes a genuine fast move once plausible for the time it took', () => {
    const { sink, rejections, out } = output();
    expect(out.mark(50_000, undefined, 0, 0)).toBe('published');
    expect(out.mark(1e308, undefined, 0, 0.1 * SEC)).toBe('rejected');
    expect(out.mark(0.0001, undefined, 0, 0.2 * SEC)).toBe('rejected');
    expect(out.mark(Number.POSITIVE_INFINITY, undefined, 0, 0.3 * SEC)).toBe('rejected');
    // Even an hour later 1e308 and 0.0001 are not plausible moves from 50,000.
    expect(out.mark(1e308, undefined, 0, 3_600 * SEC)).toBe('rejected');
    expect(out.mark(0.0001, undefined, 0, 3_600 * SEC)).toBe('rejected');
    expect(sink.sent.filter((m) => m.type === 'MarkPrice').map((m) => (m as { markPx: number }).markPx)).toEqual([50_000]);
    expect(rejections.byReason).toEqual({ price_out_of_band: 5 });

    // A top-of-book fast move: +6 % half a second later is beyond 5 % + 0.5 × 1 %; +6 % two seconds after the last good mid is not.
    const fast = output();
    expect(fast.out.bidAsk(99, 1, 101, 1, 0, 0, 0)).toBe('published');
    expect(fast.out.bidAsk(105, 1, 107, 1, 0, 0, 0.5 * SEC)).toBe('rejected');
    expect(fast.out.bidAsk(105, 1, 107, 1, 0, 0, 2 * SEC)).toBe('published');
    expect(fast.out.bidAsk(1e308, 1, Number.MAX_VALUE, 1, 0, 0, 2.1 * SEC)).toBe('rejected');
    expect(fast.rejections.byReason).toEqual({ price_out_of_band: 2 });
    expect(fast.sink.sent.map((m) => (m as { bidPx: number }).bidPx)).toEqual([99, 105]);
  });

  it('drops timestamps in seconds, far in the future or far in the past; 0 means the venue sent none', () => {
    const { rejections, out } = output();
    const seconds = Math.floor(NOW_MS / 1000);
    expect(out.mark(50_000, undefined, seconds, 1)).toBe('rejected');
    expect(out.bidAsk(99, 1, 101, 1, 0, seconds, 1)).toBe('rejected');
    expect(out.book(book([[99, 1]], [[101, 1]], 7, seconds), 1)).toBe('rejected');
    out.intervalHours = 8;
    expect(out.funding(0.0001, 0, Number.NaN, seconds, 1)).toBe('rejected');
    expect(out.mark(50_000, undefined, NOW_MS + 3_600_000, 1)).toBe('rejected');
    expect(out.mark(50_000, undefined, NOW_MS - 3_600_000, 1)).toBe('rejected');
    expect(rejections.byReason).toEqual({ implausible_timestamp: 6 });
    expect(out.mark(50_000, undefined, NOW_MS, 1)).toBe('published');
    expect(out.mark(50_000, undefined, 0, 1)).toBe('published');
    expect(out.funding(0.0001, 0, Number.NaN, NOW_MS + 1_000, 1)).toBe('published');
  });

  it('tells when a symbol starts being rejected, and when good data has flowed for a second since the last rejection', () => {
    const { out, rejecting } = output();
    expect(out.mark(50_000, undefined, 0, 0)).toBe('published');
    expect(rejecting).toEqual([]);
    out.mark(1e308, undefined, 0, 1 * SEC);
    out.bidAsk(-1, 1, 101, 1, 0, 0, 1.1 * SEC);
    expect(rejecting).toEqual(['price_out_of_band: mark price 1e+308 outside the band around 50000']);
    out.mark(50_000, undefined, 0, 1.5 * SEC);
    out.bidAsk(99, 1, 101, 1, 0, 0, 1.6 * SEC);
    expect(rejecting).toHaveLength(1);
    out.mark(50_000, undefined, 0, 2.2 * SEC);
    // The mark is good again, the top not yet (its last update was rejected): still rejecting.
    expect(rejecting).toHaveLength(1);
    out.bidAsk(99, 1, 101, 1, 0, 0, 2.3 * SEC);
    expect(rejecting).toEqual(['price_out_of_band: mark price 1e+308 outside the band around 50000', undefined]);
  });

  it('takes a funding interval from ccxt, else from the settlement spacing, never shorter than an hour', () => {
    const { sink, rejections, out } = output();
    const h = 3_600_000;
    const rate = (interval: string | undefined, spacingMs: number) =>
      ({ symbol: 'BTC/USDT:USDT', info: {}, fundingRate: 0.0001, fundingTimestamp: 10 * h, nextFundingTimestamp: 10 * h + spacingMs, interval }) as FundingRate;
    expect(publishFundingRate(rate('4h', 8 * h), out, 1)).toBe('published');
    expect(sink.sent.at(-1)).toMatchObject({ intervalHours: 4, nextFundingTimeMs: 10 * h });
    expect(publishFundingRate(rate(String(12 * h), 12 * h), out, 2)).toBe('published');
    expect(sink.sent.at(-1)).toMatchObject({ intervalHours: 12 });
    // The simulator's compressed time (8 h every 30 s) is no venue interval: rejected, not misread per hour.
    expect(publishFundingRate(rate('30000', 30_000), out, 3)).toBe('rejected');
    expect(rejections.byReason).toEqual({ funding_interval_unknown: 1 });
  });

  it('publishes sizes in base units when the venue counts in contracts', () => {
    const { sink, out } = output({ levels: 1 });
    out.setContractSize(0.01);
    out.book(book([[100, 250]], [[101, 95.15]]), 1);
    expect(sink.sent.map((m) => (m.type === 'BookTop' ? [m.bidSz, m.askSz] : m.type === 'BookLevels' ? [...m.bids, ...m.asks] : []))).toEqual([
      [100, 2.5, 101, 0.9515],
      [2.5, 0.9515],
    ]);
  });

  it('publishes the top from the book only when no best bid/ask stream provides it', () => {
    const { sink, out } = output({ topFromBook: false, levels: 1 });
    out.book(book([[100, 1]], [[101, 1]]), 1);
    expect(sink.sent.map((m) => m.type)).toEqual(['BookLevels']);
  });
});

describe('health roll-up', () => {
  const stream = (name: string, state: StreamHealth['state'], reason = ''): StreamHealth => ({ name, state, reason });

  it('publishes VenueStatus only on changes: per symbol the worst stream, per venue up / degraded / stale / down', () => {
    const sink = new RecordingSink();
    const health = new FeedHealth('okx', sink);
    health.addSymbol('BTC/USDT');
    health.addSymbol('ETH/USDT');
    const btc = { ...stream('book', 'up') };
    const eth = { ...stream('book', 'up') };
    health.addStream('BTC/USDT', btc);
    health.addStream('ETH/USDT', eth);
    health.update();
    expect(sink.sent.map((m) => [m.symbol, (m as { state: string }).state])).toEqual([['BTC/USDT', 'down'], ['ETH/USDT', 'down'], ['', 'down']]);
    health.started();
    health.update();
    expect(health.state).toBe('up');
    Object.assign(btc, { state: 'stale', reason: 'quiet' });
    health.update();
    expect(health.state).toBe('degraded');
    expect(health.reason).toBe('1 of 2 symbols not up: BTC/USDT stale (book: quiet)');
    Object.assign(eth, { state: 'stale', reason: 'quiet' });
    health.update();
    expect(health.state).toBe('stale');
    Object.assign(eth, { state: 'down', reason: 'connection lost' });
    health.update();
    expect(health.state).toBe('down');
    const states = sink.sent.slice(3).map((m) => `${m.symbol || '*'}:${(m as { state: string }).state}`);
    expect(states).toEqual(['BTC/USDT:up', 'ETH/USDT:up', '*:up', 'BTC/USDT:stale', '*:degraded', 'ETH/USDT:stale', '*:stale', 'ETH/USDT:down', '*:down']);
  });

  it('marks a symbol and its venue degraded while the symbol\'s data is being rejected, and up again after', () => {
    const sink = new RecordingSink();
    const health = new FeedHealth('binanceusdm', sink);
    health.addSymbol('BTC/USDT:USDT');
    health.addStream('BTC/USDT:USDT', stream('mark', 'up'));
    health.started();
    expect(health.state).toBe('up');
    health.setRejecting('BTC/USDT:USDT', 'price_out_of_band: mark price 1e+308');
    expect(health.state).toBe('degraded');
    expect(health.symbolState('BTC/USDT:USDT')).toEqual({ state: 'degraded', reason: 'rejecting data: price_out_of_band: mark price 1e+308' });
    health.setRejecting('BTC/USDT:USDT', undefined);
    expect(health.state).toBe('up');
    const states = sink.sent.map((m) => `${m.symbol || '*'}:${(m as { state: string }).state}`);
    expect(states).toEqual(['BTC/USDT:USDT:up', '*:up', 'BTC/USDT:USDT:degraded', '*:degraded', 'BTC/USDT:USDT:up', '*:up']);
  });
});

describe('small helpers', () => {
  it('backoff doubles up to the cap, with jitter in the upper half', () => {
    expect(backoffDelayMs(0, 250, 30_000, () => 0)).toBe(125);
    expect(backoffDelayMs(0, 250, 30_000, () => 0.999)).toBeCloseTo(250, 0);
    expect(backoffDelayMs(3, 250, 30_000, () => 0)).toBe(1_000);
    expect(backoffDelayMs(20, 250, 30_000, () => 0)).toBe(15_000);
    expect(backoffDelayMs(20, 250, 30_000, () => 0.999)).toBeLessThan(30_000);
  });

  it('reads funding intervals from ccxt text and from settlement spacing, never by assumption', () => {
    expect([intervalHours('8h'), intervalHours('4h'), intervalHours('30m'), intervalHours(undefined), intervalHours('daily')]).toEqual([8, 4, 0.5, Number.NaN, Number.NaN]);
    const h = 3_600_000;
    expect(intervalFromSettlements([0, 4 * h, 8 * h])).toBe(4);
    expect(intervalFromSettlements([8 * h])).toBeNaN();
  });
});
