import { describe, expect, it } from 'vitest';
import type { Leg, LegFailurePolicy } from '../../src/protocol/index.js';
import { isFinished, startMultiLeg, stepMultiLeg, type MultiLegAction, type MultiLegEvent, type MultiLegState } from '../../src/trading/orders/multi-leg.js';
import { unwindOrders } from '../../src/trading/orders/multi-leg-net.js';
import { parseClientOrderId } from '../../src/trading/orders/client-order-id.js';

const BTC = 'BTC/USDT:USDT';
const ctxAt = (nowMs: number, px = 100) => ({ nowMs, referencePx: () => px });

const leg = (venue: string, side: 'buy' | 'sell', qty: number, extra: Partial<Leg> = {}): Leg => ({
  venue, symbol: BTC, side, orderType: 'limit', timeInForce: 'IOC', qty, limitPx: side === 'buy' ? 101 : 99, reduceOnly: false, ...extra,
});

function start(policy: LegFailurePolicy, options = {}) {
  const command = { strategyId: 'carry', intentSeq: 7, legs: [leg('bybit', 'sell', 10), leg('okx', 'buy', 10)], onLegFailure: policy, toleranceUsd: 50, timeoutMs: 1_000 };
  return startMultiLeg(command, ctxAt(0), options);
}

/** A driver that keeps the state and records every action. */
function driver(policy: LegFailurePolicy, options = {}) {
  const started = start(policy, options);
  let state: MultiLegState = started.state;
  const log: MultiLegAction[] = [...started.actions];
  const ids = started.actions.flatMap((a) => (a.type === 'send' ? [a.order.clientOrderId] : []));
  return {
    ids,
    get state() {
      return state;
    },
    log,
    step(event: MultiLegEvent, nowMs = 10, px = 100): MultiLegAction[] {
      const result = stepMultiLeg(state, event, ctxAt(nowMs, px));
      state = result.state;
      log.push(...result.actions);
      return result.actions;
    },
    reports: () => log.flatMap((a) => (a.type === 'report' ? [a.imbalance.action] : [])),
    sends: (actions: MultiLegAction[] = log) => actions.flatMap((a) => (a.type === 'send' ? [a] : [])),
  };
}

const fill = (clientOrderId: string, qty: number, px = 100): MultiLegEvent => ({ type: 'fill', clientOrderId, qty, px });
const rejected = (clientOrderId: string): MultiLegEvent => ({ type: 'rejected', clientOrderId, reason: 'venue said no' });

describe('multi-leg: sending', () => {
  it('sends every leg at once with deterministic, distinct client ids', () => {
    const { actions, state } = start('unwind');
    expect(actions).toHaveLength(2);
    expect(actions.every((a) => a.type === 'send' && a.purpose === 'leg')).toBe(true);
    const decoded = actions.map((a) => (a.type === 'send' ? parseClientOrderId(a.order.clientOrderId) : null));
    expect(decoded.map((d) => [d?.intentSeq, d?.leg, d?.attempt])).toEqual([[7, 0, 0], [7, 1, 0]]);
    expect(state.phase).toBe('working');
  });

  it('finishes quietly when every leg fills', () => {
    const d = driver('unwind');
    d.step(fill(d.ids[0]!, 4));
    d.step(fill(d.ids[0]!, 6));
    expect(isFinished(d.state)).toBe(false);
    d.step(fill(d.ids[1]!, 10));
    expect(d.state.phase).toBe('done');
    expect(d.reports()).toEqual([]);
  });

  it('ignores events for other intents and never mutates its input', () => {
    const { state } = start('retry');
    const frozen = JSON.stringify(state);
    expect(stepMultiLeg(state, fill('someone-else', 1), ctxAt(1)).actions).toEqual([]);
    stepMultiLeg(state, fill(state.orders[0]!.clientOrderId, 10), ctxAt(1));
    expect(JSON.stringify(state)).toBe(frozen);
  });

  it('sends no correction when every attempt fails and nothing filled', () => {
    const d = driver('retry', { maxRetries: 2 });
    // Reject whatever is working (confirm whatever is being canceled) until nothing is left:
    // each leg is retried while the other may still fill; when leg 0 runs out of retries the
    // intent is abandoned and leg 1's last retry is canceled.
    for (let guard = 0; guard < 20 && !isFinished(d.state); guard++) {
      const open = d.state.orders.find((o) => o.status !== 'ended')!;
      d.step(open.status === 'working' ? rejected(open.clientOrderId) : { type: 'canceled', clientOrderId: open.clientOrderId });
    }
    expect(d.state.phase).toBe('done');
    expect(d.sends().filter((s) => s.purpose === 'retry')).toHaveLength(4); // 2 per leg
    expect(d.log.filter((a) => a.type === 'cancel')).toHaveLength(1);
    expect(d.sends().filter((s) => s.purpose === 'unwind')).toEqual([]);
    expect(d.reports()).toEqual(['detected', 'retry', 'retry', 'retry', 'retry', 'resolved']);
  });

  it('accepts fully filled legs even when their notionals differ by more than the tolerance', () => {
    const { state } = start('unwind');
    const s1 = stepMultiLeg(state, fill(state.orders[0]!.clientOrderId, 10), { nowMs: 1, referencePx: (v) => (v === 'bybit' ? 100 : 110) });
    const s2 = stepMultiLeg(s1.state, fill(state.orders[1]!.clientOrderId, 10), { nowMs: 2, referencePx: (v) => (v === 'bybit' ? 100 : 110) });
    // Net +100 > tolerance 50, but the legs are exactly what the strategy specified.
    expect(s2.state.phase).toBe('done');
    expect(s2.actions).toEqual([]);
  });
});

describe('multi-leg: unwind policy', () => {
  it('unwinds the filled leg when the other is rejected', () => {
    const d = driver('unwind');
    d.step(fill(d.ids[0]!, 10)); // short 10 on bybit
    const actions = d.step(rejected(d.ids[1]!));
    const unwind = d.sends(actions);
    expect(unwind).toHaveLength(1);
    expect(unwind[0]).toMatchObject({ purpose: 'unwind', leg: 0, order: { venue: 'bybit', side: 'buy', qty: 10, orderType: 'market', timeInForce: 'IOC', reduceOnly: true } });
    expect(parseClientOrderId(unwind[0]!.order.clientOrderId)).toMatchObject({ leg: 0, attempt: 1 });
    const detected = d.log.find((a) => a.type === 'report' && a.imbalance.action === 'detected');
    expect(detected).toMatchObject({ imbalance: { strategyId: 'carry', intentSeq: 7, netNotionalUsd: -1_000 } });
    d.step(fill(unwind[0]!.order.clientOrderId, 10));
    expect(d.reports()).toEqual(['detected', 'unwind', 'resolved']);
    expect(d.state.phase).toBe('done');
  });

  it('cancels the working leg first, then unwinds only what filled', () => {
    const d = driver('unwind');
    const actions = d.step(rejected(d.ids[1]!));
    expect(actions.filter((a) => a.type === 'cancel').map((a) => a.type === 'cancel' && a.clientOrderId)).toEqual([d.ids[0]]);
    d.step(fill(d.ids[0]!, 4)); // filled before the cancel landed
    expect(d.sends().filter((s) => s.purpose === 'unwind')).toEqual([]); // waits for the cancel's answer
    const after = d.step({ type: 'canceled', clientOrderId: d.ids[0]! });
    expect(d.sends(after)).toMatchObject([{ purpose: 'unwind', order: { venue: 'bybit', side: 'buy', qty: 4 } }]);
  });

  it('keeps the matched part of a partial pair and unwinds only the excess', () => {
    const d = driver('unwind');
    d.step(fill(d.ids[0]!, 10));
    d.step(fill(d.ids[1]!, 6));
    const actions = d.step({ type: 'canceled', clientOrderId: d.ids[1]! });
    // Net −1 000 + 600 = −400: buy back 4 on bybit, keep the hedged 6.
    expect(d.sends(actions)).toMatchObject([{ purpose: 'unwind', leg: 0, order: { venue: 'bybit', side: 'buy', qty: 4 } }]);
  });

  it('calls it resolved without orders when the shortfall is within tolerance', () => {
    const d = driver('unwind');
    d.step(fill(d.ids[0]!, 10));
    d.step(fill(d.ids[1]!, 9.7)); // net −30, tolerance 50
    d.step({ type: 'canceled', clientOrderId: d.ids[1]! });
    expect(d.sends().filter((s) => s.purpose === 'unwind')).toEqual([]);
    expect(d.reports()).toEqual(['detected', 'resolved']);
    expect(d.state.phase).toBe('done');
  });

  it('gives up with failed after maxUnwindAttempts unwind orders end short', () => {
    const d = driver('unwind', { maxUnwindAttempts: 2 });
    d.step(fill(d.ids[0]!, 10));
    d.step(rejected(d.ids[1]!));
    let unwind = d.sends().filter((s) => s.purpose === 'unwind');
    d.step(rejected(unwind[0]!.order.clientOrderId));
    unwind = d.sends().filter((s) => s.purpose === 'unwind');
    expect(unwind).toHaveLength(2);
    d.step(fill(unwind[1]!.order.clientOrderId, 3)); // partial: still −700
    d.step({ type: 'canceled', clientOrderId: unwind[1]!.order.clientOrderId });
    expect(d.state.phase).toBe('failed');
    expect(d.reports()).toEqual(['detected', 'unwind', 'unwind', 'failed']);
    const failed = d.log.find((a) => a.type === 'report' && a.imbalance.action === 'failed');
    expect(failed).toMatchObject({ imbalance: { netNotionalUsd: -700 } });
  });
});

describe('multi-leg: retry policy', () => {
  it('retries the failed leg for its remainder and resolves', () => {
    const d = driver('retry');
    d.step(fill(d.ids[0]!, 10));
    d.step(fill(d.ids[1]!, 2));
    const actions = d.step({ type: 'canceled', clientOrderId: d.ids[1]! });
    const retry = d.sends(actions);
    expect(retry).toMatchObject([{ purpose: 'retry', leg: 1, order: { venue: 'okx', side: 'buy', qty: 8, orderType: 'limit', limitPx: 101 } }]);
    expect(parseClientOrderId(retry[0]!.order.clientOrderId)).toMatchObject({ leg: 1, attempt: 1 });
    d.step(fill(retry[0]!.order.clientOrderId, 8));
    expect(d.reports()).toEqual(['detected', 'retry', 'resolved']);
    expect(d.state.phase).toBe('done');
  });

  it('falls back to unwind when the retries run out', () => {
    const d = driver('retry', { maxRetries: 2 });
    d.step(fill(d.ids[0]!, 10));
    d.step(rejected(d.ids[1]!));
    const retries = () => d.sends().filter((s) => s.purpose === 'retry');
    d.step(rejected(retries()[0]!.order.clientOrderId));
    d.step(rejected(retries()[1]!.order.clientOrderId));
    expect(retries()).toHaveLength(2);
    const unwind = d.sends().filter((s) => s.purpose === 'unwind');
    expect(unwind).toMatchObject([{ leg: 0, order: { venue: 'bybit', side: 'buy', qty: 10 } }]);
    d.step(fill(unwind[0]!.order.clientOrderId, 10));
    expect(d.reports()).toEqual(['detected', 'retry', 'retry', 'unwind', 'resolved']);
    // Every order of the intent has its own client id.
    const ids = d.sends().map((s) => s.order.clientOrderId);
    expect(new Set(ids).size).toBe(ids.length);
  });
});

describe('multi-leg: hedge policy', () => {
  it('completes the short leg with a market order on its venue', () => {
    const d = driver('hedge');
    d.step(fill(d.ids[0]!, 10));
    d.step(fill(d.ids[1]!, 3));
    const actions = d.step({ type: 'canceled', clientOrderId: d.ids[1]! });
    expect(d.sends(actions)).toMatchObject([{ purpose: 'hedge', leg: 1, order: { venue: 'okx', side: 'buy', qty: 7, orderType: 'market', timeInForce: 'IOC', limitPx: null } }]);
    d.step(fill(d.sends(actions)[0]!.order.clientOrderId, 7));
    expect(d.reports()).toEqual(['detected', 'hedge', 'resolved']);
  });

  it('unwinds when the hedges fail too', () => {
    const d = driver('hedge', { maxRetries: 1 });
    d.step(fill(d.ids[0]!, 10));
    d.step(rejected(d.ids[1]!));
    const hedge = d.sends().find((s) => s.purpose === 'hedge')!;
    d.step(rejected(hedge.order.clientOrderId));
    expect(d.sends().filter((s) => s.purpose === 'unwind')).toMatchObject([{ order: { venue: 'bybit', side: 'buy', qty: 10 } }]);
    expect(d.reports()).toEqual(['detected', 'hedge', 'unwind']);
  });
});

describe('multi-leg: timeouts', () => {
  it('cancels a leg that times out and applies the policy when the cancel is confirmed', () => {
    const d = driver('unwind');
    d.step(fill(d.ids[0]!, 10), 100);
    expect(d.step({ type: 'tick' }, 999)).toEqual([]);
    const timeout = d.step({ type: 'tick' }, 1_000);
    expect(timeout).toEqual([{ type: 'cancel', clientOrderId: d.ids[1], venue: 'okx', symbol: BTC }]);
    const after = d.step({ type: 'canceled', clientOrderId: d.ids[1]! }, 1_050);
    expect(d.sends(after)).toMatchObject([{ purpose: 'unwind', order: { venue: 'bybit', side: 'buy', qty: 10 } }]);
  });

  it('stops waiting for an unanswered cancel after the grace period, and still books a late fill', () => {
    const d = driver('unwind', { cancelGraceMs: 500 });
    d.step(fill(d.ids[0]!, 10), 100);
    d.step({ type: 'tick' }, 1_000); // leg 1 canceling
    expect(d.step({ type: 'tick' }, 1_499)).toEqual([]);
    const ended = d.step({ type: 'tick' }, 1_500);
    const unwind0 = d.sends(ended);
    expect(unwind0).toMatchObject([{ purpose: 'unwind', leg: 0, order: { side: 'buy', qty: 10 } }]);
    d.step(fill(unwind0[0]!.order.clientOrderId, 10), 1_600);
    expect(d.state.phase).toBe('done');
    // The "lost" leg 1 order filled after all: net is now +1 000, so it is unwound too.
    const late = d.step(fill(d.ids[1]!, 10), 1_700);
    expect(d.sends(late)).toMatchObject([{ purpose: 'unwind', leg: 1, order: { venue: 'okx', side: 'sell', qty: 10 } }]);
    d.step(fill(d.sends(late)[0]!.order.clientOrderId, 10), 1_800);
    expect(d.state.phase).toBe('done');
  });

  it('times out corrective orders too', () => {
    const d = driver('retry');
    d.step(fill(d.ids[0]!, 10), 0);
    d.step(rejected(d.ids[1]!), 100);
    const retry = d.sends().find((s) => s.purpose === 'retry')!;
    expect(d.step({ type: 'tick' }, 1_099)).toEqual([]);
    expect(d.step({ type: 'tick' }, 1_100)).toEqual([{ type: 'cancel', clientOrderId: retry.order.clientOrderId, venue: 'okx', symbol: BTC }]);
  });
});

describe('multi-leg: net sizing', () => {
  it('values net exposure at reference prices per venue', () => {
    // bybit sold 10 at ref 100 (−1 000), okx bought 5 at ref 120 (+600): net −400 → buy 4 on bybit.
    const fills = [
      { leg: 0, venue: 'bybit', symbol: BTC, side: 'sell' as const, filledQty: 10, fillCostUsd: 1_000 },
      { leg: 1, venue: 'okx', symbol: BTC, side: 'buy' as const, filledQty: 5, fillCostUsd: 600 },
    ];
    const refs: Record<string, number> = { bybit: 100, okx: 120 };
    const orders = unwindOrders(fills, [leg('bybit', 'sell', 10), leg('okx', 'buy', 10)], (venue) => refs[venue] ?? null);
    expect(orders).toHaveLength(1);
    expect(orders[0]).toMatchObject({ leg: 0, venue: 'bybit', side: 'buy' });
    expect(orders[0]!.qty).toBeCloseTo(4, 12);
  });

  it('falls back to the fill price when a market has no reference', () => {
    const fills = [{ leg: 0, venue: 'bybit', symbol: BTC, side: 'buy' as const, filledQty: 2, fillCostUsd: 210 }];
    const orders = unwindOrders(fills, [leg('bybit', 'buy', 2), leg('okx', 'sell', 2)], () => null);
    expect(orders).toEqual([{ leg: 0, venue: 'bybit', symbol: BTC, side: 'sell', qty: 2 }]);
  });
});
