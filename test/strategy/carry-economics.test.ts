import { describe, expect, it } from 'vitest';
import { QuoteBook } from '../../src/trading/market/book.js';
import { carryExitReason, carryHoldEdge, estimateCarryEntry, type CarryLegInput } from '../../src/trading/strategy/carry-economics.js';
import { levels, rulesEntry } from './helpers.js';

const BTC = 'BTC/USDT:USDT';
const SOL = 'SOL/USDT:USDT';

function bookWith(...messages: ReturnType<typeof levels>[]): QuoteBook {
  const book = new QuoteBook({ now: () => 0, maxAgeMs: 5_000 });
  for (const m of messages) book.apply(m);
  return book;
}

const leg = (venue: string, symbol: string, rate: number, intervalHours: number, lot?: { amountStep: number; minQty: number }): CarryLegInput => ({ venue, symbol, funding: { rate, intervalHours }, rules: rulesEntry(venue, symbol, lot) });
const sizing = { notionalUsd: 10_000, holdingHours: 72, maxQty: Infinity };

describe('carry entry economics', () => {
  it('normalises each rate by its own interval: 0.02 % per 1 h beats 0.10 % per 8 h', () => {
    const book = bookWith(levels('bybit', BTC, 59_997, 60_003), levels('okx', BTC, 59_997, 60_003));
    // Raw rates would short okx (0.001 > 0.0002); per hour bybit pays 2e-4 and okx 1.25e-4.
    const { entry } = estimateCarryEntry(book, leg('okx', BTC, 0.001, 8), leg('bybit', BTC, 0.0002, 1), sizing);
    expect(entry?.short).toEqual({ venue: 'bybit', symbol: BTC });
    expect(entry?.long).toEqual({ venue: 'okx', symbol: BTC });

    // 10 000 USD / 60 000 = 0.16667 BTC, 0.1666 on the rules' 0.0001 step.
    const qty = 0.1666;
    const notional = qty * 60_000;
    expect(entry?.qty).toBe(qty);
    expect(entry?.notionalUsd).toBeCloseTo(notional, 9);
    // Per crossing: bybit 5.5 bps fee + 0.5 half-spread, okx 5 + 0.5; twice each (entry and exit).
    const costBps = 2 * (5.5 + 0.5) + 2 * (5 + 0.5);
    expect(entry?.costBps).toBeCloseTo(costBps, 9);
    const grossUsd = notional * (0.0002 / 1 - 0.001 / 8) * 72;
    const netUsd = grossUsd - notional * costBps * 1e-4;
    expect(entry?.edge.grossUsd).toBeCloseTo(grossUsd, 9);
    expect(entry?.edge.netUsd).toBeCloseTo(netUsd, 9);
    expect(entry?.edge.netEdgeBps).toBeCloseTo((netUsd / notional) * 1e4, 9);
    // Per the longer (8 h) interval: the 72 h net spread over nine intervals.
    expect(entry?.intervalHours).toBe(8);
    expect(entry?.pnlPerIntervalUsd).toBeCloseTo(netUsd / 9, 9);
    expect(entry?.edge.annualizedPct).toBeCloseTo(7.5e-5 * 24 * 365 * 100, 9);
  });

  it('charges the slippage the size walks into beyond the touch', () => {
    const thin = bookWith(levels('bybit', BTC, 59_997, 60_003, 0.05), levels('okx', BTC, 59_997, 60_003, 10));
    const deep = bookWith(levels('bybit', BTC, 59_997, 60_003, 10), levels('okx', BTC, 59_997, 60_003, 10));
    const args = [leg('bybit', BTC, 0.0002, 1), leg('okx', BTC, 0.0001, 8), sizing] as const;
    const thinEntry = estimateCarryEntry(thin, ...args).entry;
    const deepEntry = estimateCarryEntry(deep, ...args).entry;
    // Selling 9 996 USD (0.1666 BTC at the 60 000 mid) into bids of 0.05 BTC, 6 USD apart, takes
    // three whole levels and the rest of the notional at the fourth.
    const notional = 0.1666 * 60_000;
    const firstThree = 0.05 * (59_997 + 59_991 + 59_985);
    const avg = notional / (0.15 + (notional - firstThree) / 59_979);
    const slippageBps = (1 - avg / 59_997) * 1e4;
    expect(thinEntry!.costBps - deepEntry!.costBps).toBeCloseTo(2 * slippageBps, 6);
  });

  it('matches both legs on one quantity rounded to the coarser lot', () => {
    const book = bookWith(levels('binanceusdm', SOL, 149.99, 150.01), levels('bybit', SOL, 149.99, 150.01));
    const { entry } = estimateCarryEntry(
      book,
      leg('binanceusdm', SOL, 0.0004, 4, { amountStep: 1, minQty: 1 }),
      leg('bybit', SOL, 0.0001, 8, { amountStep: 0.1, minQty: 0.1 }),
      { ...sizing, notionalUsd: 1_000 },
    );
    // 1 000 / 150 = 6.67 SOL; binanceusdm lists SOL perps in whole coins, so both legs trade 6.
    expect(entry?.qty).toBe(6);
    expect(entry?.notionalUsd).toBeCloseTo(900, 9);
  });

  it('says why when it cannot price: no quote, or a size below the lot', () => {
    const book = bookWith(levels('bybit', BTC, 59_997, 60_003));
    expect(estimateCarryEntry(book, leg('bybit', BTC, 0.0002, 1), leg('okx', BTC, 0.0001, 8), sizing).problem).toBe(`no fresh quote on ${BTC}@okx`);
    const both = bookWith(levels('bybit', BTC, 59_997, 60_003), levels('okx', BTC, 59_997, 60_003));
    const tiny = estimateCarryEntry(both, leg('bybit', BTC, 0.0002, 1, { amountStep: 0.01, minQty: 0.01 }), leg('okx', BTC, 0.0001, 8), { ...sizing, notionalUsd: 500 });
    expect(tiny.problem).toBe(`size 0.00833333 rounds to 0 on the lot step 0.01 of ${BTC}@bybit (500 USD at 60000)`);
    expect(estimateCarryEntry(both, { ...leg('bybit', BTC, 0.0002, 1), rules: undefined }, leg('okx', BTC, 0.0001, 8), sizing).problem).toMatch(/^no market rules yet for BTC\/USDT:USDT@bybit/);
  });
});

describe('holding and exiting a carry', () => {
  it('values the funding still to come in the carry direction', () => {
    const hold = carryHoldEdge({ rate: 0.0001, intervalHours: 1 }, { rate: 0.0002, intervalHours: 8 }, 10_000, 72);
    expect(hold.spreadPerHour).toBeCloseTo(1e-4 - 2.5e-5, 15);
    expect(hold.aprPct).toBeCloseTo(7.5e-5 * 8760 * 100, 9);
    expect(hold.edgeBps).toBeCloseTo(7.5e-5 * 72 * 1e4, 9);
    expect(hold.pnlPerIntervalUsd).toBeCloseTo(10_000 * 7.5e-5 * 8, 9);
    // Flipped funding: the carry now pays.
    expect(carryHoldEdge({ rate: 0, intervalHours: 8 }, { rate: 0.0001, intervalHours: 8 }, 10_000, 72).aprPct).toBeLessThan(0);
  });

  const base = {
    hold: carryHoldEdge({ rate: 0.0001, intervalHours: 1 }, { rate: 0.0001, intervalHours: 8 }, 10_000, 72),
    exitAprPct: 5,
    heldMs: 3_600_000,
    maxHoldingHours: 168,
    unusable: [
      { label: 'a', forMs: null },
      { label: 'b', forMs: null },
    ],
    staleExitAfterMs: 10_000,
    oneSided: false,
  };

  it('holds while the edge is above exitAprPct and nothing else is wrong', () => {
    expect(carryExitReason(base)).toBeNull();
    expect(carryExitReason({ ...base, hold: null })).toBeNull();
    expect(carryExitReason({ ...base, unusable: [{ label: 'a', forMs: 9_999 }] })).toBeNull();
  });

  it('exits on a low edge, at max holding time, on a stale leg, and on a one-sided position', () => {
    const low = carryHoldEdge({ rate: 0.0001, intervalHours: 8 }, { rate: 0.0001, intervalHours: 8 }, 10_000, 72);
    expect(carryExitReason({ ...base, hold: low })).toBe('funding edge 0 %/yr < exitAprPct 5');
    expect(carryExitReason({ ...base, heldMs: 168 * 3_600_000 })).toBe('held 168 h ≥ maxHoldingHours 168');
    expect(carryExitReason({ ...base, unusable: [{ label: 'BTC@okx', forMs: 10_000 }] })).toBe('BTC@okx stale or down for 10 s (staleExitAfterMs 10000)');
    expect(carryExitReason({ ...base, staleExitAfterMs: 0, unusable: [{ label: 'x', forMs: 0 }] })).toMatch(/^x stale/);
    expect(carryExitReason({ ...base, oneSided: true, hold: low })).toBe('only one leg is open: closing the residue');
  });
});
