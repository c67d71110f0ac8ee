/**
 * Demo feed (no network): synthetic best bid/ask for one symbol on two made-up venues, a
 * shared random walk plus a per-venue offset that occasionally dislocates. Used by the demo
 * graph in config/demo.graph.json to show the runtime without the simulator.
 */
import { blankMessage, marketDataTopic } from '../../src/protocol/index.js';
import { defineActor } from '../../src/runtime/actor/actor.js';
import { monoNowNs } from '../../src/base/clock.js';

interface Params {
  venues: string[];
  symbol: string;
  ratePerSecond: number;
}

export default defineActor({
  kind: 'feed',
  version: '1',
  outputs: ['md'],
  params: (raw): Params => {
    const p = (raw ?? {}) as Partial<Params>;
    const params = { venues: p.venues ?? ['demo-a', 'demo-b'], symbol: p.symbol ?? 'BTC/USDT', ratePerSecond: p.ratePerSecond ?? 1000 };
    if (!(params.ratePerSecond > 0 && params.ratePerSecond <= 1e6)) throw new Error(`ratePerSecond must be in (0, 1e6], got ${params.ratePerSecond}`);
    return params;
  },
  init: (ctx) => ({
    fair: 60_000,
    offsets: ctx.params.venues.map(() => 0),
    keys: [] as number[],
    seq: 0,
    tick: blankMessage('BookTop'),
  }),
  onStart(state, ctx) {
    state.keys = ctx.params.venues.map((venue) => ctx.topicKey('md', marketDataTopic('book', venue, ctx.params.symbol)));
    ctx.setTimer('tick', 10);
  },
  onTimer(state, _name, ctx) {
    const { venues, symbol, ratePerSecond } = ctx.params;
    const perTick = Math.max(1, Math.round(ratePerSecond / 100));
    for (let i = 0; i < perTick; i++) {
      state.fair *= 1 + (Math.random() - 0.5) * 2e-4;
      const v = state.seq % venues.length;
      state.offsets[v] = state.offsets[v]! * 0.99 + (Math.random() < 0.001 ? (Math.random() - 0.5) * 0.004 : 0);
      const mid = state.fair * (1 + state.offsets[v]!);
      const tick = state.tick;
      tick.ts = monoNowNs();
      tick.venue = venues[v]!;
      tick.symbol = symbol;
      tick.bidPx = mid - 0.5;
      tick.askPx = mid + 0.5;
      tick.bidSz = tick.askSz = 1;
      tick.venueSeq = ++state.seq;
      tick.exchangeTimeMs = Date.now();
      ctx.send('md', tick, state.keys[v]);
    }
  },
  status: (state) => ({ published: state.seq, fair: Math.round(state.fair * 100) / 100 }),
});
