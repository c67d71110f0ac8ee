/**
 * Bench feed: publishes BookTop ticks stamped with their ingress time (`ts`) on `md`, in
 * phases (the first is the warm-up), each one `count` ticks at its own rate. Between phases
 * it waits until every consumer has handled everything, so each phase starts from a quiet
 * graph. Consumers tell phases apart by sequence number (see latency-recorder.ts).
 *
 * - paced (`ratePerSecond` > 0): ticks follow a fixed schedule (no drift; a late tick is sent
 *   at once, never skipped). The feed sleeps between ticks (Atomics.wait) and leaves the
 *   cores to the readers; at 100k/s, where the gap is below the timer's resolution, it sends
 *   small bursts of the ticks that came due while it slept.
 * - saturated (`ratePerSecond` = 0): as fast as the consumers allow.
 *
 * Either way at most `window` ticks are in flight (sent − handled by the slowest consumer),
 * so neither a ring backlog nor a postMessage queue grows without bound and both transports
 * run the same loop. A paced rate the graph cannot sustain shows as msgs/s below the rate
 * (an unbounded postMessage queue at 100k/s otherwise collapsed to ~8k/s under GC).
 *
 * The loop runs as tracked async work (like a real feed's socket loop) in slices of a few ms,
 * yielding to the event loop between slices so control requests are served.
 */
import { blankMessage, marketDataTopic, type MessageOf } from '../../src/protocol/index.js';
import { defineActor, type ActorContext } from '../../src/runtime/actor/actor.js';
import { monoNowNs } from '../../src/base/clock.js';
import { CONTROL_CELLS, controlView, progressIndex } from './latency-recorder.js';

export interface FeedPhase {
  /** Ticks per second; 0 = saturated. */
  ratePerSecond: number;
  count: number;
}

interface Params {
  control: SharedArrayBuffer;
  consumers: number;
  phases: FeedPhase[];
  window: number;
}

interface State {
  tick: MessageOf<'BookTop'>;
  key: number;
  sent: number;
  running: boolean;
  cells: Int32Array;
  sleeper: Int32Array;
}

type Ctx = ActorContext<Params>;

const SLICE_NS = 2e6;
/**
 * A tick due within this long is sent now. The feed never spins: it sleeps until
 * `due − EARLY_NS`, and timer slack (~50 µs here) plus the wake-up (~28 µs) bring it back
 * close to `due`. A feed spinning between ticks would take a core from the readers on a
 * 2-core machine, and the ingress stamp is taken at the real send anyway.
 */
const EARLY_NS = 60e3;
const immediate = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** Int32 index of the counter of the consumer that has handled the fewest ticks (it bounds the window). */
function slowest(state: State, consumers: number): number {
  let index = progressIndex(0);
  for (let i = 1; i < consumers; i++) if (Atomics.load(state.cells, progressIndex(i)) < Atomics.load(state.cells, index)) index = progressIndex(i);
  return index;
}

/** Blocks up to `timeoutMs` for the slowest consumer to move; returns how many it has handled. */
function handledBySlowest(state: State, consumers: number, timeoutMs: number): number {
  const index = slowest(state, consumers);
  const done = Atomics.load(state.cells, index);
  if (timeoutMs > 0) Atomics.wait(state.cells, index, done, timeoutMs);
  return Atomics.load(state.cells, index);
}

function emit(state: State, ctx: Ctx): void {
  const tick = state.tick;
  const seq = ++state.sent;
  // A price that wanders ±0.05% around 60k: inside the execution actor's collar forever.
  const mid = 60_000 + 30 * Math.sin(seq / 500);
  tick.bidPx = mid - 0.05;
  tick.askPx = mid + 0.05;
  tick.bidSz = 1 + (seq % 7) * 0.1;
  tick.askSz = 1 + (seq % 5) * 0.1;
  tick.venueSeq = seq;
  tick.exchangeTimeMs = seq;
  tick.ts = monoNowNs();
  ctx.send('md', tick, state.key);
}

/**
 * Sleeps once until the next tick is (nearly) due, then sends it even if a little early: every
 * extra timed wait costs the feed a timer interrupt and a wake-up, CPU the readers need.
 * Returns false when the slice ends first.
 */
function awaitDue(state: State, dueNs: number, sliceEndNs: number): boolean {
  const now = monoNowNs();
  if (now >= sliceEndNs) return false;
  if (dueNs - now > EARLY_NS) Atomics.wait(state.sleeper, 0, 0, (dueNs - now - EARLY_NS) / 1e6);
  return true;
}

/** Waits until fewer than `window` ticks are in flight; returns false when the slice is over first. */
function awaitWindow(state: State, p: Params, sliceEndNs: number): boolean {
  for (let done = handledBySlowest(state, p.consumers, 0); state.sent - done >= p.window; done = handledBySlowest(state, p.consumers, 0.2)) {
    if (monoNowNs() >= sliceEndNs) return false;
  }
  return true;
}

async function publish(state: State, ctx: Ctx, upTo: number, ratePerSecond: number): Promise<void> {
  const p = ctx.params;
  const intervalNs = ratePerSecond > 0 ? 1e9 / ratePerSecond : 0;
  let dueNs = monoNowNs();
  while (state.running && state.sent < upTo) {
    const sliceEndNs = monoNowNs() + SLICE_NS;
    while (state.sent < upTo) {
      const ready = (intervalNs === 0 || awaitDue(state, dueNs, sliceEndNs)) && awaitWindow(state, p, sliceEndNs);
      if (!ready) break;
      emit(state, ctx);
      dueNs += intervalNs;
      if (monoNowNs() >= sliceEndNs) break;
    }
    await immediate();
  }
}

/** Lets a phase drain out of the graph, so the next one starts from a quiet graph. */
async function drained(state: State, p: Params): Promise<void> {
  while (state.running && handledBySlowest(state, p.consumers, 1) < state.sent) await immediate();
}

async function feedLoop(state: State, ctx: Ctx): Promise<void> {
  await immediate();
  let upTo = 0;
  for (const phase of ctx.params.phases) {
    upTo += phase.count;
    await publish(state, ctx, upTo, phase.ratePerSecond);
    await drained(state, ctx.params);
  }
}

function params(raw: unknown): Params {
  const p = (raw ?? {}) as Partial<Params>;
  if (!(p.control instanceof SharedArrayBuffer)) throw new Error('control must be a SharedArrayBuffer');
  const consumers = p.consumers ?? 1;
  if (!(consumers >= 1 && consumers <= CONTROL_CELLS)) throw new Error(`consumers must be in [1, ${CONTROL_CELLS}], got ${consumers}`);
  const phases = p.phases ?? [];
  if (!phases.every((phase) => phase.count >= 0 && phase.ratePerSecond >= 0)) throw new Error(`phases must have count ≥ 0 and ratePerSecond ≥ 0, got ${JSON.stringify(phases)}`);
  return { control: p.control, consumers, phases, window: p.window ?? 1024 };
}

export default defineActor<State, Params>({
  kind: 'feed',
  version: '1',
  outputs: ['md'],
  params,
  init: (ctx) => {
    const tick = blankMessage('BookTop');
    tick.venue = 'binance';
    tick.symbol = 'BTC/USDT';
    return { tick, key: 0, sent: 0, running: true, cells: controlView(ctx.params.control), sleeper: new Int32Array(new SharedArrayBuffer(4)) };
  },
  onStart(state, ctx) {
    state.key = ctx.topicKey('md', marketDataTopic('book', state.tick.venue, state.tick.symbol));
    ctx.track(feedLoop(state, ctx), 'feed loop');
  },
  onStop(state) {
    state.running = false;
  },
  status: (state) => ({ sent: state.sent }),
});
