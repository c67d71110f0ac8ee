/** Message builders and a deterministic PRNG shared by the trading tests. */
import { message, type MessageOf } from '../../src/protocol/index.js';

export function bookTop(venue: string, symbol: string, bidPx: number, bidSz: number, askPx: number, askSz: number): MessageOf<'BookTop'> {
  return message('BookTop', { ts: 0, venue, symbol, bidPx, bidSz, askPx, askSz, venueSeq: 0, exchangeTimeMs: 0 });
}

export function bookLevels(venue: string, symbol: string, bids: number[], asks: number[]): MessageOf<'BookLevels'> {
  return message('BookLevels', { ts: 0, venue, symbol, bids, asks, venueSeq: 0, exchangeTimeMs: 0 });
}

export function markPrice(venue: string, symbol: string, markPx: number): MessageOf<'MarkPrice'> {
  return message('MarkPrice', { ts: 0, venue, symbol, markPx, indexPx: null, exchangeTimeMs: 0 });
}

export function venueStatus(venue: string, symbol: string, state: MessageOf<'VenueStatus'>['state']): MessageOf<'VenueStatus'> {
  return message('VenueStatus', { ts: 0, venue, symbol, state, reason: '' });
}

export function fundingRate(
  venue: string,
  symbol: string,
  rate: number,
  intervalHours: number,
  nextFundingTimeMs: number,
  settled: boolean,
  exchangeTimeMs = 0,
): MessageOf<'FundingRate'> {
  return message('FundingRate', { ts: 0, venue, symbol, rate, intervalHours, nextFundingTimeMs, settled, exchangeTimeMs });
}

/** A settable clock for code that takes `now: () => number`. */
export function manualClock(startMs = 0): { now: () => number; set: (ms: number) => void; advance: (ms: number) => void } {
  let t = startMs;
  return { now: () => t, set: (ms) => (t = ms), advance: (ms) => (t += ms) };
}

/** mulberry32: small, fast, and the same sequence on every platform for a given seed. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
