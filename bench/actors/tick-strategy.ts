/**
 * Bench strategy: decodes every BookTop (the runtime does, before this hook) and answers it
 * with a SubmitOrder on `intents` that carries the tick's ingress stamp, so the execution
 * actor can measure tick-to-decision latency. The "signal" is deliberately trivial — lean
 * into the side with more size — since the benchmark is about the path, not the alpha.
 *
 * Given a `control` buffer it also records the tick's latency on arrival (control cell
 * `cell`): the first hop of the pipeline. With `emit: false` (the fanout suite) it only
 * records and sends nothing.
 */
import { blankMessage, type MessageOf } from '../../src/protocol/index.js';
import { defineActor } from '../../src/runtime/actor/actor.js';
import { LatencyRecorder, type RecorderPhase } from './latency-recorder.js';

interface Params {
  strategyId: string;
  emit: boolean;
  control: SharedArrayBuffer | undefined;
  cell: number;
  /** The feed's phases as recorders see them (see latency-recorder.ts). */
  phases: RecorderPhase[];
}

interface State {
  order: MessageOf<'SubmitOrder'>;
  recorder: LatencyRecorder | undefined;
  ticks: number;
  emit: boolean;
}

function params(raw: unknown): Params {
  const p = (raw ?? {}) as Partial<Params>;
  const emit = p.emit ?? true;
  if (!emit && !(p.control instanceof SharedArrayBuffer)) throw new Error('control must be a SharedArrayBuffer when emit is false');
  return { strategyId: p.strategyId ?? 'bench', emit, control: p.control, cell: p.cell ?? 0, phases: p.phases ?? [{ end: 0, sampleEvery: 1 }] };
}

export default defineActor<State, Params>({
  kind: 'strategy',
  version: '1',
  inputs: ['md'],
  outputs: ['intents'],
  params,
  init: (ctx) => {
    const order = blankMessage('SubmitOrder');
    order.strategyId = ctx.params.strategyId;
    order.orderType = 'limit';
    order.timeInForce = 'IOC';
    order.qty = 0.01;
    const { emit, control, cell, phases } = ctx.params;
    return { order, recorder: control ? new LatencyRecorder(control, cell, phases) : undefined, ticks: 0, emit };
  },
  onMessage: {
    BookTop(state, tick, ctx) {
      state.ticks++;
      state.recorder?.record(tick.ts, tick.venueSeq);
      if (!state.emit) return;
      const order = state.order;
      const buy = tick.bidSz >= tick.askSz;
      order.ts = tick.ts;
      order.intentSeq = tick.venueSeq;
      order.venue = tick.venue;
      order.symbol = tick.symbol;
      order.side = buy ? 'buy' : 'sell';
      order.limitPx = buy ? tick.askPx : tick.bidPx;
      ctx.send('intents', order);
    },
  },
  status: (state) => ({ ticks: state.ticks, phases: state.recorder?.report() ?? [] }),
});
