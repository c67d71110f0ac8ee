/**
 * OKX v5 wire objects shared by REST and WebSocket: instruments, book levels
 * `["px","sz","0","orders"]`, tickers, funding rates, mark prices, and the `books` checksum.
 * okx prints decimals without trailing zeros (`31685`, `0.0001`) and sizes swaps in contracts
 * (`ctVal` base units each); the checksum is computed over exactly the strings it sends.
 */
import { crc32 } from 'node:zlib';
import type { InstrumentMarket, VenueMarket } from '../market/venue-market.js';
import type { InstrumentSpec, Level } from '../types.js';
import { contractSize, instTypeOf, lotSize, okxId, toContracts } from './okx-http.js';
import { trimmedText } from './wire.js';

export const pxText = (spec: InstrumentSpec, price: number): string => trimmedText(price, spec.tickSize);
/** A base quantity as okx's `sz` (contracts for swaps). */
export const szText = (spec: InstrumentSpec, baseQuantity: number): string => trimmedText(toContracts(spec, baseQuantity), lotSize(spec));

/** A level with a plausible order count (okx's fourth field), derived from its size. */
export function levelsJson(spec: InstrumentSpec, levels: readonly Level[]): string[][] {
  return levels.map(([ticks, quantity]) => [pxText(spec, ticks * spec.tickSize), szText(spec, quantity), '0', String(Math.max(1, Math.ceil(quantity / (spec.levelQty * 0.3))))]);
}

/**
 * okx's `books` checksum: CRC32 (signed) of `bid1Px:bid1Sz:ask1Px:ask1Sz:bid2Px:…` over the
 * top 25 levels per side, a side that runs out simply contributing nothing further.
 */
export function bookChecksum(bids: readonly string[][], asks: readonly string[][]): number {
  const parts: string[] = [];
  for (let i = 0; i < 25; i++) {
    const bid = bids[i];
    const ask = asks[i];
    if (bid) parts.push(bid[0] as string, bid[1] as string);
    if (ask) parts.push(ask[0] as string, ask[1] as string);
  }
  return crc32(parts.join(':')) | 0;
}

export function instrumentJson(spec: InstrumentSpec): Record<string, unknown> {
  const common = {
    alias: '',
    category: '1',
    expTime: '',
    instId: okxId(spec),
    instType: instTypeOf(spec),
    listTime: '1548133413000',
    lotSz: trimmedText(lotSize(spec), lotSize(spec)),
    minSz: szText(spec, spec.minQty),
    maxLmtSz: szText(spec, spec.maxQty),
    maxMktSz: szText(spec, spec.maxQty / 10),
    optType: '',
    ruleType: 'normal',
    state: 'live',
    stk: '',
    tickSz: pxText(spec, spec.tickSize),
  };
  if (spec.kind === 'spot') {
    return { ...common, baseCcy: spec.base, quoteCcy: spec.quote, settleCcy: '', ctMult: '', ctType: '', ctVal: '', ctValCcy: '', instFamily: '', lever: '10', uly: '', maxMktAmt: '1000000' };
  }
  const family = `${spec.base}-${spec.quote}`;
  return { ...common, baseCcy: '', quoteCcy: '', settleCcy: spec.settle ?? spec.quote, ctMult: '1', ctType: 'linear', ctVal: String(contractSize(spec)), ctValCcy: spec.base, instFamily: family, lever: '100', uly: family };
}

export function tickerJson(market: InstrumentMarket, nowMs: number): Record<string, string> {
  const { spec, ticker, book } = market;
  const bid = book.bestBid();
  const ask = book.bestAsk();
  const spot = spec.kind === 'spot';
  return {
    instType: instTypeOf(spec),
    instId: okxId(spec),
    last: pxText(spec, ticker.last),
    lastSz: szText(spec, ticker.lastQuantity),
    askPx: pxText(spec, (ask?.[0] ?? 0) * spec.tickSize),
    askSz: szText(spec, ask?.[1] ?? 0),
    bidPx: pxText(spec, (bid?.[0] ?? 0) * spec.tickSize),
    bidSz: szText(spec, bid?.[1] ?? 0),
    open24h: pxText(spec, ticker.open),
    high24h: pxText(spec, ticker.high),
    low24h: pxText(spec, ticker.low),
    // Spot: volCcy24h in quote, vol24h in base. Swaps: volCcy24h in base, vol24h in contracts.
    volCcy24h: spot ? ticker.quoteVolume.toFixed(4) : trimmedText(ticker.baseVolume, spec.stepSize),
    vol24h: szText(spec, ticker.baseVolume),
    sodUtc0: pxText(spec, ticker.open),
    sodUtc8: pxText(spec, ticker.open),
    ts: String(nowMs),
  };
}

const HOUR_MS = 3_600_000;

/**
 * The funding-rate object (REST and `funding-rate` channel): `fundingRate` settles at
 * `fundingTime`, the real next settlement (compressed under a time scale). okx states no
 * interval; ccxt derives it from `nextFundingTime − fundingTime`, so `nextFundingTime` is
 * `fundingTime` plus the *nominal* interval. Without a time scale that is the real settlement
 * after; under one (8 h every 30 s at 960×) the real spacing would make ccxt report a 30 s
 * interval and a per-interval rate read 960× too large per hour, while binance and bybit state
 * their nominal interval. This keeps okx consistent with them.
 */
export function fundingRateJson(venue: VenueMarket, market: InstrumentMarket, nowMs: number): Record<string, string> {
  const funding = market.funding;
  const maxAbsRate = funding?.maxAbsRate ?? 0;
  const next = funding?.nextFundingTimeMs ?? 0;
  const settled = funding?.history.at(-1);
  const premium = (venue.markPrice(market.spec.symbol) / venue.indexPrice(market.spec.symbol) - 1).toFixed(8);
  return {
    formulaType: 'withRate',
    fundingRate: (funding?.rate ?? 0).toFixed(8),
    fundingTime: String(next),
    impactValue: '20000',
    instId: okxId(market.spec),
    instType: 'SWAP',
    interestRate: '0.0001',
    maxFundingRate: maxAbsRate.toFixed(5),
    method: 'current_period',
    minFundingRate: (-maxAbsRate).toFixed(5),
    nextFundingRate: '',
    nextFundingTime: String(next + (funding?.intervalHours ?? 0) * HOUR_MS),
    premium,
    settFundingRate: (settled?.rate ?? 0).toFixed(8),
    settState: 'settled',
    ts: String(nowMs),
  };
}

export function markPriceJson(venue: VenueMarket, market: InstrumentMarket, nowMs: number): Record<string, string> {
  return { instType: instTypeOf(market.spec), instId: okxId(market.spec), markPx: pxText(market.spec, venue.markPrice(market.spec.symbol)), ts: String(nowMs) };
}
