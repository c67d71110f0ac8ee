/**
 * Collects every Opportunity the strategies evaluate (acted on or not): counts by strategy and
 * decision, and the latest evaluation of each distinct opportunity, so ops can show the best
 * current ones and the summary can report how many were considered.
 */
import type { MessageOf, OpportunityRecorderStatus } from '../../src/protocol/index.js';
import { defineActor } from '../../src/runtime/actor/actor.js';

type Opportunity = MessageOf<'Opportunity'>;

interface State {
  total: number;
  byDecision: Record<string, number>;
  byStrategy: Record<string, number>;
  latest: Record<string, Opportunity>;
  maxTracked: number;
}

const keyOf = (o: Opportunity): string => `${o.strategyId}|${o.kind}|${o.symbol}|${o.venues}`;

/** The `limit` best current opportunities: latest evaluation per key, by expected PnL. */
export function bestOpportunities(latest: Record<string, Opportunity>, limit: number): Opportunity[] {
  return Object.values(latest)
    .sort((a, b) => b.expectedPnlUsd - a.expectedPnlUsd || b.edgeBps - a.edgeBps)
    .slice(0, limit);
}

export default defineActor({
  kind: 'service',
  version: '1',
  inputs: ['opportunities'],
  init: (ctx): State => ({ total: 0, byDecision: {}, byStrategy: {}, latest: {}, maxTracked: (ctx.params as { maxTracked?: number }).maxTracked ?? 500 }),
  onMessage: {
    Opportunity(state, opportunity) {
      state.total++;
      state.byDecision[opportunity.decision] = (state.byDecision[opportunity.decision] ?? 0) + 1;
      state.byStrategy[opportunity.strategyId] = (state.byStrategy[opportunity.strategyId] ?? 0) + 1;
      const key = keyOf(opportunity);
      if (key in state.latest || Object.keys(state.latest).length < state.maxTracked) state.latest[key] = opportunity;
    },
  },
  snapshot: (state) => state,
  restore: (snapshot) => snapshot as State,
  status: (state): OpportunityRecorderStatus => ({ total: state.total, byDecision: state.byDecision, byStrategy: state.byStrategy, best: bestOpportunities(state.latest, 10) }),
});
