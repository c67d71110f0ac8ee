import { describe, expect, it } from 'vitest';
import { canonicalClientOrderId, makeClientOrderId, packBackpack, parseClientOrderId, strategyTag } from '../../src/trading/orders/client-order-id.js';

const VENUES = ['binance', 'binanceusdm', 'bybit', 'okx', 'bitget', 'gate', 'mexc', 'backpack'];

// The published rules, restated here so a change to the implementation's table cannot make these pass.
const PUBLISHED: Record<string, (id: string) => boolean> = {
  binance: (id) => /^[.A-Z:/a-z0-9_-]{1,36}$/.test(id),
  binanceusdm: (id) => /^[.A-Z:/a-z0-9_-]{1,36}$/.test(id),
  bybit: (id) => id.length <= 36 && /^[A-Za-z0-9_-]+$/.test(id),
  okx: (id) => /^[A-Za-z0-9]{1,32}$/.test(id),
  bitget: (id) => /^[A-Za-z0-9_]{1,32}$/.test(id),
  gate: (id) => id.startsWith('t-') && Buffer.byteLength(id.slice(2)) <= 28 && /^[0-9A-Za-z_.-]+$/.test(id.slice(2)),
  mexc: (id) => /^[A-Za-z0-9]{1,32}$/.test(id),
  backpack: (id) => /^\d+$/.test(id) && Number(id) >= 0 && Number(id) <= 4294967295,
};

const EXTREME_STRATEGIES = ['s', 'x'.repeat(500), 'funding-carry/BTC:USDT v2', 'стратегия-α', '资金费率套利', '🚀🌕', '', 'a\u0000b'];
const EXTREME_SEQS = [0, 1, 35, 36, 2 ** 31 - 1, 2 ** 31, 2 ** 36];

describe('client order ids', () => {
  it('pass every venue rule for extreme inputs and round-trip', () => {
    for (const strategyId of EXTREME_STRATEGIES) {
      for (const intentSeq of EXTREME_SEQS) {
        for (const [leg, attempt] of [[0, 0], [1, 1], [7, 31], [35, 1295]] as const) {
          const parts = { strategyId, intentSeq, leg, attempt };
          for (const venue of VENUES) {
            const id = makeClientOrderId(parts, venue);
            expect(PUBLISHED[venue]!(id), `${venue} ${id}`).toBe(true);
            const decoded = parseClientOrderId(id)!;
            if (venue === 'backpack') {
              // Only the low 6 bits of the strategy tag survive the packing.
              expect(decoded).toEqual({ strategyTag: strategyTag(strategyId) % 64, intentSeq: intentSeq % 2 ** 18, leg: leg % 8, attempt: attempt % 32, exact: false });
            } else {
              expect(decoded).toEqual({ strategyTag: strategyTag(strategyId), intentSeq, leg, attempt, exact: true });
            }
          }
        }
      }
    }
  });

  it('is deterministic and differs when any part differs', () => {
    const parts = { strategyId: 'carry', intentSeq: 42, leg: 1, attempt: 0 };
    const id = canonicalClientOrderId(parts);
    expect(canonicalClientOrderId({ ...parts })).toBe(id);
    expect(id).toHaveLength(18);
    const variants = [
      { ...parts, strategyId: 'carry2' },
      { ...parts, intentSeq: 43 },
      { ...parts, leg: 0 },
      { ...parts, attempt: 1 },
    ].map(canonicalClientOrderId);
    expect(new Set([id, ...variants]).size).toBe(5);
  });

  it('gives gate the t- prefix and okx no dashes or underscores', () => {
    const parts = { strategyId: 'carry', intentSeq: 1, leg: 0, attempt: 0 };
    expect(makeClientOrderId(parts, 'gate')).toBe(`t-${canonicalClientOrderId(parts)}`);
    expect(makeClientOrderId(parts, 'okx')).not.toMatch(/[-_]/);
    // An unlisted venue gets the canonical form.
    expect(makeClientOrderId(parts, 'kraken')).toBe(canonicalClientOrderId(parts));
  });

  it('hashes strategy ids with FNV-1a over UTF-8', () => {
    // Reference values of 32-bit FNV-1a: '' → 0x811c9dc5, 'a' → 0xe40c292c, 'foobar' → 0xbf9cf968.
    expect(strategyTag('')).toBe(0x811c9dc5);
    expect(strategyTag('a')).toBe(0xe40c292c);
    expect(strategyTag('foobar')).toBe(0xbf9cf968);
  });

  it('packs backpack ids into an unsigned 32-bit integer', () => {
    const parts = { strategyId: 'a', intentSeq: 5, leg: 2, attempt: 3 };
    // tag('a') = 0xe40c292c, low 6 bits = 0x2c = 44: ((44·2^18 + 5)·8 + 2)·32 + 3.
    expect(packBackpack(parts)).toBe(((44 * 2 ** 18 + 5) * 8 + 2) * 32 + 3);
    const max = packBackpack({ strategyId: 'a', intentSeq: 2 ** 18 - 1, leg: 7, attempt: 31 });
    expect(max).toBeLessThan(2 ** 32);
    expect(max).toBeGreaterThan(2 ** 31); // top bit set, still positive
  });

  it('refuses parts outside the encodable range', () => {
    const ok = { strategyId: 's', intentSeq: 0, leg: 0, attempt: 0 };
    expect(() => canonicalClientOrderId({ ...ok, intentSeq: -1 })).toThrow(/intentSeq/);
    expect(() => canonicalClientOrderId({ ...ok, intentSeq: 36 ** 7 })).toThrow(/intentSeq/);
    expect(() => canonicalClientOrderId({ ...ok, intentSeq: 1.5 })).toThrow(/intentSeq/);
    expect(() => canonicalClientOrderId({ ...ok, leg: 36 })).toThrow(/leg/);
    expect(() => canonicalClientOrderId({ ...ok, attempt: 1296 })).toThrow(/attempt/);
  });

  it('returns null for ids it did not make', () => {
    for (const foreign of ['web_abc', 'x-TKT5PX2F22ecb58eb9074fb1be018c', 'a123', 't-my-order', '99999999999', '']) {
      expect(parseClientOrderId(foreign), foreign).toBeNull();
    }
  });
});
