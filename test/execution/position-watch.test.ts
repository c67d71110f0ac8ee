import pino from 'pino';
import { describe, expect, it } from 'vitest';
import type { EventSink } from '../../src/execution/events.js';
import type { OrderStore } from '../../src/execution/order-store.js';
import { EXTERNAL_STRATEGY_ID, PositionWatch } from '../../src/execution/position-watch.js';
import type { Message } from '../../src/protocol/index.js';
import { PositionBook } from '../../src/trading/market/positions.js';
import { RiskEngine } from '../../src/trading/risk/engine.js';

const PERP = 'BTC/USDT:USDT';

function setup() {
  const positions = new PositionBook();
  positions.applyFill('carry', 'okx', PERP, { side: 'buy', qty: 0.01, px: 60_000, fee: 0 });
  const risk = new RiskEngine();
  const sent: [string, Message][] = [];
  const sink: EventSink = { toStrategy: (id, m) => sent.push([id, m]), broadcast: () => undefined, toVenue: () => undefined };
  let price: number | null = null;
  const watch = new PositionWatch({ ledger: { positions } as unknown as OrderStore, risk, sink, priceOf: () => price, toleranceUsd: 100, log: pino({ enabled: false }), nowMs: () => 1 });
  return { watch, risk, sent, setPrice: (px: number | null) => (price = px) };
}

describe('PositionWatch', () => {
  it('holds the difference as external, checks the tolerance once a price is known, and once per change of figures', () => {
    const { watch, risk, sent, setPrice } = setup();
    expect([...watch.journalQty('okx')]).toEqual([[PERP, 0.01]]);
    watch.update('okx', [{ symbol: PERP, journalQty: 0.01, venueQty: 0 }], new Set());
    expect(watch.externalEntries()).toEqual([expect.objectContaining({ strategyId: EXTERNAL_STRATEGY_ID, venue: 'okx', symbol: PERP, position: expect.objectContaining({ qty: -0.01 }) })]);
    expect(watch.mismatches()[0]).toMatchObject({ strategies: ['carry'], differenceUsd: null });
    expect(risk.strategyStates.status).toEqual({});

    setPrice(60_000);
    watch.update('okx', [{ symbol: PERP, journalQty: 0.01, venueQty: 0 }], new Set());
    expect(risk.strategyStates.status['carry']).toMatchObject({ state: 'REDUCING' });
    expect(sent.map(([id, m]) => [id, m.type])).toEqual([['carry', 'TradingStateChanged']]);
    expect(watch.events).toEqual({ okx: 1 });

    risk.strategyStates.clear(); // an operator's resume
    watch.update('okx', [{ symbol: PERP, journalQty: 0.01, venueQty: 0 }], new Set());
    expect(risk.strategyStates.status).toEqual({});
    watch.update('okx', [{ symbol: PERP, journalQty: 0.01, venueQty: -0.01 }], new Set());
    expect(risk.strategyStates.status['carry']).toMatchObject({ state: 'REDUCING' });
    expect(watch.events).toEqual({ okx: 2 });
  });

  it('a skipped symbol keeps its mismatch; a compared one that agrees clears it', () => {
    const { watch } = setup();
    watch.update('okx', [{ symbol: PERP, journalQty: 0.01, venueQty: 0 }], new Set());
    watch.update('okx', [], new Set([PERP]));
    expect(watch.mismatches()).toHaveLength(1);
    watch.update('okx', [], new Set());
    expect(watch.mismatches()).toEqual([]);
    expect(watch.external()).toEqual([]);
  });
});
