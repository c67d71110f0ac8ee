/**
 * Bench execution actor: runs the real pre-trade checks (src/trading/risk: the shape, then the
 * risk engine) on every SubmitOrder and records the latency from the tick's ingress stamp to the decision. No
 * venue is called: the benchmark ends at the decision, which is where execution would
 * journal and send. The reference price is fixed (the bench feed stays within its collar)
 * and the rate budget is unlimited, so every order runs every check and is approved.
 */
import type { MessageOf } from '../../src/protocol/index.js';
import { defineActor } from '../../src/runtime/actor/actor.js';
import type { RiskContext } from '../../src/trading/risk/engine.js';
import { RiskEngine } from '../../src/trading/risk/engine.js';
import { riskConfig } from '../../src/trading/risk/config.js';
import { orderRequestOf, validateRequest } from '../../src/trading/risk/order-checks.js';
import { LatencyRecorder, type RecorderPhase } from './latency-recorder.js';

interface Params {
  control: SharedArrayBuffer;
  cell: number;
  /** The feed's phases as recorders see them (see latency-recorder.ts). */
  phases: RecorderPhase[];
  referencePx: number;
}

interface State {
  risk: RiskEngine;
  context: { -readonly [K in keyof RiskContext]: RiskContext[K] };
  recorder: LatencyRecorder;
  approved: number;
  denied: Record<string, number>;
}

function params(raw: unknown): Params {
  const p = (raw ?? {}) as Partial<Params>;
  if (!(p.control instanceof SharedArrayBuffer)) throw new Error('control must be a SharedArrayBuffer');
  return { control: p.control, cell: p.cell ?? 0, phases: p.phases ?? [{ end: 0, sampleEvery: 1 }], referencePx: p.referencePx ?? 60_000 };
}

function decide(state: State, order: MessageOf<'SubmitOrder'>, nowMs: number): void {
  state.context.nowMs = nowMs;
  const valid = validateRequest(orderRequestOf(order));
  const decision = 'approved' in valid ? valid : state.risk.check(valid, state.context);
  if (decision.approved) state.approved++;
  else state.denied[decision.reason] = (state.denied[decision.reason] ?? 0) + 1;
  state.recorder.record(order.ts, order.intentSeq);
}

export default defineActor<State, Params>({
  kind: 'execution',
  version: '1',
  inputs: ['intents'],
  params,
  init: (ctx) => {
    const unlimited = { capacity: 1e12, refillPerSecond: 1e12 };
    const referencePx = ctx.params.referencePx;
    return {
      risk: new RiskEngine(riskConfig({ rateBudget: unlimited })),
      context: { nowMs: 0, referencePx: () => referencePx, positions: [], openOrders: [] },
      recorder: new LatencyRecorder(ctx.params.control, ctx.params.cell, ctx.params.phases),
      approved: 0,
      denied: {},
    };
  },
  onMessage: {
    SubmitOrder(state, order, ctx) {
      decide(state, order, ctx.clock.wallMs());
    },
  },
  status: (state) => ({ approved: state.approved, denied: { ...state.denied }, phases: state.recorder.report() }),
});
