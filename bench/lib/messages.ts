/**
 * The messages benchmarks move: a realistic book tick and order intents, built with the
 * protocol's constructors so their keys are in schema order (the codec's record form).
 */
import { message, type MessageOf, UNSTAMPED_DECISION } from '../../src/protocol/index.js';
import { monoNowNs } from '../../src/base/clock.js';

export function sampleTick(): MessageOf<'BookTop'> {
  return message('BookTop', {
    ts: monoNowNs(),
    venue: 'binance',
    symbol: 'BTC/USDT',
    bidPx: 60_123.45,
    bidSz: 1.234,
    askPx: 60_123.55,
    askSz: 0.75,
    venueSeq: 48_213_377,
    exchangeTimeMs: Date.now(),
  });
}

export function sampleSubmitOrder(): MessageOf<'SubmitOrder'> {
  return message('SubmitOrder', {
    ...UNSTAMPED_DECISION,
    ts: monoNowNs(),
    strategyId: 'spot-spread',
    intentSeq: 1_024,
    venue: 'binance',
    symbol: 'BTC/USDT',
    side: 'buy',
    orderType: 'limit',
    timeInForce: 'IOC',
    qty: 0.01,
    limitPx: 60_123.55,
    reduceOnly: false,
  });
}

export function sampleMultiLeg(): MessageOf<'SubmitMultiLeg'> {
  const leg = (venue: string, side: 'buy' | 'sell', limitPx: number) => ({
    venue,
    symbol: 'BTC/USDT:USDT',
    side,
    orderType: 'limit' as const,
    timeInForce: 'IOC' as const,
    qty: 0.01,
    limitPx,
    reduceOnly: false,
  });
  return message('SubmitMultiLeg', {
    ...UNSTAMPED_DECISION,
    ts: monoNowNs(),
    strategyId: 'funding-carry',
    intentSeq: 77,
    legs: [leg('binance', 'buy', 60_120.5), leg('bybit', 'sell', 60_131.25)],
    onLegFailure: 'hedge',
    toleranceUsd: 25,
    timeoutMs: 2_000,
  });
}
