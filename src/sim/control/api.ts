/**
 * The in-process implementation of the control API, reading the core directly. The HTTP
 * control endpoint serves exactly these results as JSON.
 */
import { arbiterError } from '../../base/errors.js';
import type { SimCore } from '../core.js';
import type { Account } from '../exchange/account.js';
import type { FundingSettlement } from '../market/funding.js';
import type { InstrumentMarket, VenueMarket } from '../market/venue-market.js';
import type { AccountView, BookDepth, BookTop, FundingView, OrderFilter, SettlementView, SimControlApi, SimHealth } from './types.js';

export interface ControlInfo {
  readonly backend: string;
  readonly timeScale: number;
  readonly tickMs: number;
}

function topOf(venueId: string, venue: VenueMarket, market: InstrumentMarket): BookTop {
  const { spec, book } = market;
  const bid = book.bestBid();
  const ask = book.bestAsk();
  return {
    venue: venueId,
    symbol: spec.symbol,
    bidPrice: bid ? bid[0] * spec.tickSize : null,
    bidQuantity: bid ? bid[1] : null,
    askPrice: ask ? ask[0] * spec.tickSize : null,
    askQuantity: ask ? ask[1] : null,
    updateId: book.updateId,
    markPrice: venue.markPrice(spec.symbol),
    indexPrice: venue.indexPrice(spec.symbol),
  };
}

function accountView(venueId: string, accountId: string, account: Account, venue: VenueMarket, openOrders: number): AccountView {
  const balances: Record<string, { free: number; locked: number }> = {};
  for (const [asset, balance] of account.balances) balances[asset] = { free: balance.free, locked: balance.locked };
  const positions = [...account.positions.values()]
    .filter((position) => position.quantity !== 0 || position.realizedPnl !== 0 || position.fundingPnl !== 0)
    .map((position) => {
      const markPrice = venue.markPrice(position.symbol);
      return {
        symbol: position.symbol,
        quantity: position.quantity,
        entryPrice: position.entryPrice,
        markPrice,
        unrealizedPnl: (markPrice - position.entryPrice) * position.quantity,
        realizedPnl: position.realizedPnl,
        fundingPnl: position.fundingPnl,
      };
    });
  return { venue: venueId, accountId, balances, positions, openOrders };
}

function fundingViews(core: SimCore, venue: string | undefined, withHistory: boolean): FundingView[] {
  return [...core.model.venues]
    .filter(([id]) => venue === undefined || id === venue)
    .flatMap(([id, market]) =>
      [...market.instruments.values()].flatMap((instrument): FundingView[] => {
        const funding = instrument.funding;
        if (!funding) return [];
        const symbol = instrument.spec.symbol;
        const view: FundingView = {
          venue: id,
          symbol,
          rate: funding.rate,
          nextFundingTimeMs: funding.nextFundingTimeMs,
          intervalHours: funding.intervalHours,
          intervalRealMs: funding.intervalRealMs(),
          markPrice: market.markPrice(symbol),
          indexPrice: market.indexPrice(symbol),
        };
        return [withHistory ? { ...view, history: funding.history.map((entry) => ({ ...entry })) } : view];
      }),
    );
}

function accountViews(core: SimCore, venue: string | undefined): AccountView[] {
  return [...core.venues]
    .filter(([id]) => venue === undefined || id === venue)
    .flatMap(([id, runtime]) => {
      const market = core.model.venue(id) as VenueMarket;
      return runtime.engine.accountIds().map((accountId) => accountView(id, accountId, runtime.engine.account(accountId), market, runtime.engine.openOrders(accountId).length));
    });
}

/** Settles funding now for one perp (or all of a venue's perps). */
function settleNow(core: SimCore, venue: string, symbol: string | undefined): SettlementView[] {
  const runtime = core.venues.get(venue);
  const market = core.model.venue(venue);
  if (!runtime || !market) throw arbiterError('OPS_REQUEST', `unknown venue ${venue}`);
  const now = core.config.clock.nowMs();
  const settled: SettlementView[] = [];
  for (const instrument of market.instruments.values()) {
    if (!instrument.funding || (symbol !== undefined && instrument.spec.symbol !== symbol)) continue;
    const settlement: FundingSettlement = instrument.funding.settleNow(now, market.markPrice(instrument.spec.symbol));
    runtime.engine.settleFunding(instrument.spec.symbol, settlement);
    settled.push({ venue, symbol: instrument.spec.symbol, ...settlement });
  }
  if (settled.length === 0) throw arbiterError('OPS_REQUEST', `no perp ${symbol ?? ''} on ${venue}`);
  return settled;
}

function bookDepth(core: SimCore, venue: string, symbol: string, depth: number): BookDepth {
  const instrument = core.model.venue(venue)?.get(symbol);
  if (!instrument) throw arbiterError('OPS_REQUEST', `unknown venue/symbol ${venue} ${symbol}`);
  const snapshot = instrument.book.snapshot(depth);
  const tick = instrument.spec.tickSize;
  const levels = (side: typeof snapshot.bids): [number, number][] => side.map(([ticks, quantity]) => [ticks * tick, quantity]);
  return { venue, symbol, updateId: snapshot.lastUpdateId, bids: levels(snapshot.bids), asks: levels(snapshot.asks) };
}

const matches = (filter: OrderFilter, entry: { venue: string; clientOrderId: string }): boolean =>
  (!filter.venue || entry.venue === filter.venue) && (!filter.clientOrderId || entry.clientOrderId === filter.clientOrderId);

export function createControlApi(core: SimCore, info: ControlInfo): SimControlApi {
  return {
    health: async (): Promise<SimHealth> => ({
      ok: true,
      seed: core.config.seed,
      scenario: core.scenarioName,
      timeScale: info.timeScale,
      tickMs: info.tickMs,
      venues: [...core.venues.keys()],
      backend: info.backend,
      uptimeMs: core.config.clock.nowMs() - core.startedMs,
      sockets: core.hub.count(),
      paused: core.paused,
      worldId: core.worldId,
      restored: core.restored,
    }),
    books: async (venue) =>
      [...core.model.venues]
        .filter(([id]) => venue === undefined || id === venue)
        .flatMap(([id, market]) => [...market.instruments.values()].map((instrument) => topOf(id, market, instrument))),
    book: async (venue, symbol, depth = 20) => bookDepth(core, venue, symbol, depth),
    funding: async (venue, withHistory = false) => fundingViews(core, venue, withHistory),
    orders: async (filter = {}) => core.truth.orders.filter((order) => matches(filter, order)),
    fills: async (filter = {}) => core.truth.fills.filter((fill) => matches(filter, fill)),
    fundingPayments: async (venue) => core.truth.funding.filter((payment) => venue === undefined || payment.venue === venue),
    accounts: async (venue) => accountViews(core, venue),
    inject: async (fault) => core.faults.inject(fault),
    clearFaults: async () => core.faults.clear(),
    faults: async () => ({ armed: core.faults.describe(), history: core.truth.faults.all() }),
    settleFunding: async (venue, symbol) => settleNow(core, venue, symbol),
    setScenario: async (name, options) => core.setScenario(name, options),
    setMarketPaused: async (paused) => {
      core.paused = paused;
    },
    setPriceOffset: async (venue, symbol, bps) => {
      if (!core.model.venue(venue)) throw arbiterError('OPS_REQUEST', `unknown venue ${venue}`);
      core.model.setPriceOffset(venue, symbol, bps);
    },
  };
}
