/**
 * MarketRulesPublisher: what execution tells the strategies about each market, and where the fee
 * rates came from. The venues here are in-memory TradeVenue stand-ins (only connect, rules and
 * tradingFees are read); the ccxt path against the simulator is market-rules.ccxt.test.ts.
 */
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import type { Message, MessageOf } from '../../src/protocol/index.js';
import { DEFAULT_FEE_SCHEDULE, type FeeRates } from '../../src/trading/market/fees.js';
import type { MarketRules } from '../../src/trading/market/lot-size.js';
import { MarketRulesPublisher } from '../../src/execution/market-rules.js';
import type { TradeVenue } from '../../src/execution/venue-port.js';

const RULES: MarketRules = { amountStep: 0.001, priceTick: 0.1, minQty: 0.001, minNotional: 5, contractSize: 1 };

class VenueStub {
  connects = 0;
  failConnect = false;
  fees: Map<string, FeeRates> | Error = new Map();
  rules = new Map<string, MarketRules>([['BTC/USDT:USDT', RULES]]);
  constructor(readonly id: string) {}
  async connect(): Promise<void> {
    this.connects++;
    if (this.failConnect) throw new Error(`${this.id} unreachable`);
  }
  async tradingFees(): Promise<ReadonlyMap<string, FeeRates>> {
    if (this.fees instanceof Error) throw this.fees;
    return this.fees;
  }
}

function publisherFor(...stubs: VenueStub[]) {
  const sent: Message[] = [];
  const errors: string[] = [];
  let nowMs = 0;
  const venues = new Map(stubs.map((stub) => [stub.id, { id: stub.id, connect: () => stub.connect(), rules: (symbol: string) => stub.rules.get(symbol) ?? null, tradingFees: () => stub.tradingFees() } as unknown as TradeVenue]));
  const work: Promise<unknown>[] = [];
  const publisher = new MarketRulesPublisher({
    venues,
    symbolsOf: () => ['BTC/USDT:USDT', 'DOGE/USDT:USDT'],
    feeTable: DEFAULT_FEE_SCHEDULE,
    sink: { toStrategy: () => undefined,
      toVenue: () => undefined, broadcast: (m) => sent.push(m) },
    log: pino({ enabled: false }),
    counters: { count: () => undefined, reportError: (reason) => errors.push(reason) },
    track: (p) => work.push(p),
    nowMs: () => nowMs,
    // Virtual time, but a real turn of the event loop per wait, as the actor's timers give.
    delay: (ms) =>
      new Promise<void>((resolve) =>
        setImmediate(() => {
          nowMs += ms;
          resolve();
        }),
      ),
    feeRefreshMs: 3_600_000,
    republishMs: 60_000,
  });
  const rulesSent = () => sent.filter((m): m is MessageOf<'MarketRules'> => m.type === 'MarketRules');
  return { publisher, rulesSent, errors, settle: () => Promise.all(work.splice(0)), at: (ms: number) => (nowMs = ms) };
}

describe('market rules published by execution', () => {
  it("publishes the venue's rates as feeSource venue, the table's where the venue gives none, and skips unlisted symbols", async () => {
    const bybit = new VenueStub('bybit');
    bybit.fees = new Map([['BTC/USDT:USDT', { makerRateBps: 1, takerRateBps: 2 }]]);
    const okx = new VenueStub('okx');
    okx.fees = new Error('okx fetchTradingFee: 50113 Invalid Sign');
    const { publisher, rulesSent, errors } = publisherFor(bybit, okx);
    expect(publisher.ready).toBe(false);
    await publisher.loadAll();
    expect(publisher.ready).toBe(true);
    expect(rulesSent()).toEqual([
      expect.objectContaining({ venue: 'bybit', symbol: 'BTC/USDT:USDT', ...RULES, makerRateBps: 1, takerRateBps: 2, feeSource: 'venue' }),
      expect.objectContaining({ venue: 'okx', symbol: 'BTC/USDT:USDT', ...DEFAULT_FEE_SCHEDULE.okx!.perp, feeSource: 'table' }),
    ]);
    expect(publisher.status().find((s) => s.venue === 'okx')?.feeError).toBe('okx fetchTradingFee: 50113 Invalid Sign');
    expect(errors).toEqual(['trading_fees']);
  });

  it('retries a venue that cannot connect until it answers: not ready until then', async () => {
    const okx = new VenueStub('okx');
    okx.failConnect = true;
    const { publisher, rulesSent } = publisherFor(okx);
    const loading = publisher.loadAll();
    await new Promise((resolve) => setImmediate(resolve));
    expect(publisher.ready).toBe(false);
    okx.failConnect = false;
    await loading;
    expect(okx.connects).toBeGreaterThan(1);
    expect(rulesSent()).toHaveLength(1);
  });

  it('re-reads fees when the refresh is due and republishes only what changed; resends everything periodically', async () => {
    const bybit = new VenueStub('bybit');
    bybit.fees = new Map([['BTC/USDT:USDT', { makerRateBps: 2, takerRateBps: 5.5 }]]);
    const { publisher, rulesSent, settle, at } = publisherFor(bybit);
    await publisher.loadAll();
    expect(rulesSent()).toHaveLength(1);
    at(30_000);
    publisher.tick(30_000); // nothing due
    await settle();
    expect(rulesSent()).toHaveLength(1);
    at(3_600_000);
    bybit.fees = new Map([['BTC/USDT:USDT', { makerRateBps: 1, takerRateBps: 3 }]]); // a new tier
    publisher.tick(3_600_000);
    await settle();
    expect(rulesSent().at(-1)).toMatchObject({ takerRateBps: 3, feeSource: 'venue' });
    const count = rulesSent().length;
    publisher.tick(3_600_000 + 60_000); // the periodic resend, for strategies restarted since
    expect(rulesSent()).toHaveLength(count + 1);
  });
});
