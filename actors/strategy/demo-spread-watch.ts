/**
 * Demo strategy: watches the best bid/ask of one symbol on several venues and counts the
 * moments when one venue's bid is above another's ask by more than `minSpreadBps`. It sends
 * no orders; it shows the data plane and the actor contract (and hot reload: its state is
 * a snapshot-able value).
 */
import { defineActor } from '../../src/runtime/actor/actor.js';
import { monoNowNs } from '../../src/base/clock.js';

interface State {
  bids: Record<string, number>;
  asks: Record<string, number>;
  ticks: number;
  crossings: number;
  bestSpreadBps: number;
  latencyUsSum: number;
  minSpreadBps: number;
}

export default defineActor({
  kind: 'strategy',
  version: '1',
  inputs: ['md'],
  init: (ctx): State => ({ bids: {}, asks: {}, ticks: 0, crossings: 0, bestSpreadBps: -Infinity, latencyUsSum: 0, minSpreadBps: (ctx.params as { minSpreadBps?: number }).minSpreadBps ?? 5 }),
  onMessage: {
    BookTop(state, tick) {
      state.ticks++;
      state.latencyUsSum += (monoNowNs() - tick.ts) / 1e3;
      state.bids[tick.venue] = tick.bidPx;
      state.asks[tick.venue] = tick.askPx;
      for (const venue in state.asks) {
        if (venue === tick.venue) continue;
        const spreadBps = ((tick.bidPx - state.asks[venue]!) / state.asks[venue]!) * 1e4;
        if (spreadBps > state.bestSpreadBps) state.bestSpreadBps = spreadBps;
        if (spreadBps > state.minSpreadBps) state.crossings++;
      }
    },
  },
  snapshot: (state) => ({ ...state }),
  restore: (snapshot) => snapshot as State,
  status: (state) => ({
    ticks: state.ticks,
    crossings: state.crossings,
    bestSpreadBps: Math.round(state.bestSpreadBps * 100) / 100,
    meanFeedToStrategyUs: state.ticks ? Math.round((state.latencyUsSum / state.ticks) * 10) / 10 : null,
  }),
});
