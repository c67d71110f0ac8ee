/**
 * The coordinator of a `SubmitMultiLeg`, as a pure state machine: `startMultiLeg` sends every
 * leg at once, `stepMultiLeg(state, event, ctx)` folds in one order event (or a clock tick) and
 * returns the next state plus the actions for execution to carry out. It never does I/O.
 *
 * When a leg ends short (rejected, canceled, timed out) the command's `onLegFailure` applies:
 * - `retry`: resend the leg's remainder as it was specified, up to `maxRetries` times;
 * - `hedge`: send the leg's remainder as a market order on its venue, up to `maxRetries` times;
 * - `unwind`: cancel what is still working and flatten the excess of the filled legs.
 * `retry` and `hedge` fall back to `unwind` when their attempts run out. Unwinding sizes market
 * orders from the net exposure per underlying (at reference prices) and stops once it is within
 * `toleranceUsd`; if `maxUnwindAttempts` unwind orders fail, it gives up with `failed`.
 *
 * A leg that fails while nothing has filled anywhere and nothing else is working is not an
 * imbalance: the order simply failed, and no correction is sent.
 *
 * Every step is reported as a `LegImbalanceUpdated` action: detected, retry, hedge, unwind, resolved,
 * failed. Timed-out orders are canceled and count as ended when the venue confirms (or after
 * `cancelGraceMs` without an answer); fills that arrive later are still booked and re-evaluated.
 */
import type { Leg, LegFailurePolicy, MessageOf, Side } from '../../protocol/index.js';
import { makeClientOrderId } from './client-order-id.js';
import { netByUnderlying, unwindOrders, worstNet, type TrackedFill } from './multi-leg-net.js';
import type { PriceOf } from '../risk/exposure.js';

export type OrderPurpose = 'leg' | 'retry' | 'hedge' | 'unwind';

/** An order for execution to send; hedge and unwind orders are market IOC (execution collars them). */
export interface OrderSpec extends Leg {
  readonly clientOrderId: string;
}

export type LegImbalanceFields = Omit<MessageOf<'LegImbalanceUpdated'>, 'type' | 'ts'>;

export type MultiLegAction =
  | { readonly type: 'send'; readonly purpose: OrderPurpose; readonly leg: number; readonly order: OrderSpec }
  | { readonly type: 'cancel'; readonly clientOrderId: string; readonly venue: string; readonly symbol: string }
  | { readonly type: 'report'; readonly imbalance: LegImbalanceFields };

export type MultiLegEvent =
  | { readonly type: 'accepted'; readonly clientOrderId: string }
  | { readonly type: 'fill'; readonly clientOrderId: string; readonly qty: number; readonly px: number }
  | { readonly type: 'rejected'; readonly clientOrderId: string; readonly reason: string }
  | { readonly type: 'canceled'; readonly clientOrderId: string }
  | { readonly type: 'tick' };

export interface MultiLegContext {
  readonly nowMs: number;
  /** Reference prices for sizing corrections; a leg's own fill price is the fallback. */
  readonly referencePx: PriceOf;
}

export interface MultiLegOptions {
  /** Retries (or hedges) per leg before falling back to unwind. */
  readonly maxRetries: number;
  /** Unwind orders that may end short before the coordinator gives up. */
  readonly maxUnwindAttempts: number;
  /** How long to wait for a cancel's answer before treating the order as ended. */
  readonly cancelGraceMs: number;
}

const DEFAULT_MULTI_LEG_OPTIONS: MultiLegOptions = Object.freeze({ maxRetries: 2, maxUnwindAttempts: 3, cancelGraceMs: 5_000 });

export interface TrackedOrder extends TrackedFill {
  readonly clientOrderId: string;
  readonly attempt: number;
  readonly purpose: OrderPurpose;
  readonly qty: number;
  status: 'working' | 'canceling' | 'ended';
  /** Timeout while working; the cancel's grace deadline while canceling. */
  deadlineMs: number;
}

/** Plain data (journal- and snapshot-friendly). Step functions copy it; they never mutate their input. */
export interface MultiLegState {
  readonly strategyId: string;
  readonly intentSeq: number;
  readonly policy: LegFailurePolicy;
  readonly toleranceUsd: number;
  readonly timeoutMs: number;
  readonly options: MultiLegOptions;
  readonly legs: readonly Leg[];
  orders: TrackedOrder[];
  nextAttempt: number[];
  correctionsUsed: number[];
  unwindFailures: number;
  mode: 'complete_legs' | 'unwind';
  phase: 'working' | 'done' | 'failed';
  imbalanceReported: boolean;
}

type Command = Pick<MessageOf<'SubmitMultiLeg'>, 'strategyId' | 'intentSeq' | 'legs' | 'onLegFailure' | 'toleranceUsd' | 'timeoutMs'>;

const COMPLETE = 1 - 1e-9;

/**
 * Starts a multi-leg order: every leg is sent at once.
 *
 * @example
 * const { state, actions } = startMultiLeg(command, { nowMs, referencePx });
 * // actions: one { type: 'send', purpose: 'leg', … } per leg
 */
export function startMultiLeg(command: Command, ctx: MultiLegContext, options: Partial<MultiLegOptions> = {}): { state: MultiLegState; actions: MultiLegAction[] } {
  const state: MultiLegState = {
    strategyId: command.strategyId,
    intentSeq: command.intentSeq,
    policy: command.onLegFailure,
    toleranceUsd: command.toleranceUsd,
    timeoutMs: command.timeoutMs,
    options: { ...DEFAULT_MULTI_LEG_OPTIONS, ...options },
    legs: command.legs,
    orders: [],
    nextAttempt: command.legs.map(() => 0),
    correctionsUsed: command.legs.map(() => 0),
    unwindFailures: 0,
    mode: 'complete_legs',
    phase: 'working',
    imbalanceReported: false,
  };
  const actions = command.legs.map((leg, i) => send(state, ctx, i, 'leg', leg));
  return { state, actions };
}

/**
 * Folds one event into the state. Unknown client order ids are ignored (they belong to another
 * intent). A `tick` only checks deadlines; every other event checks them too.
 */
export function stepMultiLeg(previous: MultiLegState, event: MultiLegEvent, ctx: MultiLegContext): { state: MultiLegState; actions: MultiLegAction[] } {
  const state = copy(previous);
  const actions: MultiLegAction[] = [];
  if (event.type !== 'tick') {
    const order = state.orders.find((o) => o.clientOrderId === event.clientOrderId);
    if (!order) return { state: previous, actions };
    applyEvent(state, order, event, ctx, actions);
  }
  expire(state, ctx, actions);
  settle(state, ctx, actions);
  return { state, actions };
}

/** True once the coordinator has nothing more to do (done or failed). */
export function isFinished(state: MultiLegState): boolean {
  return state.phase !== 'working';
}

function copy(state: MultiLegState): MultiLegState {
  return { ...state, orders: state.orders.map((o) => ({ ...o })), nextAttempt: [...state.nextAttempt], correctionsUsed: [...state.correctionsUsed] };
}

function send(state: MultiLegState, ctx: MultiLegContext, leg: number, purpose: OrderPurpose, spec: Leg): MultiLegAction {
  const attempt = state.nextAttempt[leg] as number;
  state.nextAttempt[leg] = attempt + 1;
  const clientOrderId = makeClientOrderId({ strategyId: state.strategyId, intentSeq: state.intentSeq, leg, attempt }, spec.venue);
  state.orders.push({ clientOrderId, leg, attempt, purpose, venue: spec.venue, symbol: spec.symbol, side: spec.side, qty: spec.qty, filledQty: 0, fillCostUsd: 0, status: 'working', deadlineMs: ctx.nowMs + state.timeoutMs });
  return { type: 'send', purpose, leg, order: { ...spec, clientOrderId } };
}

function marketOrder(venue: string, symbol: string, side: Side, qty: number, reduceOnly: boolean): Leg {
  return { venue, symbol, side, orderType: 'market', timeInForce: 'IOC', qty, limitPx: null, reduceOnly };
}

function applyEvent(state: MultiLegState, order: TrackedOrder, event: Exclude<MultiLegEvent, { type: 'tick' }>, ctx: MultiLegContext, actions: MultiLegAction[]): void {
  if (event.type === 'accepted') return;
  if (event.type === 'fill') {
    order.filledQty += event.qty;
    order.fillCostUsd += event.qty * event.px;
    if (order.status !== 'ended' && order.filledQty >= order.qty * COMPLETE) end(state, order, ctx, actions);
    return;
  }
  if (order.status !== 'ended') end(state, order, ctx, actions);
}

function expire(state: MultiLegState, ctx: MultiLegContext, actions: MultiLegAction[]): void {
  for (const order of state.orders) {
    if (order.status === 'working' && ctx.nowMs >= order.deadlineMs) {
      order.status = 'canceling';
      order.deadlineMs = ctx.nowMs + state.options.cancelGraceMs;
      actions.push({ type: 'cancel', clientOrderId: order.clientOrderId, venue: order.venue, symbol: order.symbol });
    } else if (order.status === 'canceling' && ctx.nowMs >= order.deadlineMs) {
      // The venue never answered the cancel: stop waiting; a late fill is still booked if it comes.
      end(state, order, ctx, actions);
    }
  }
}

const legFilledQty = (state: MultiLegState, leg: number): number =>
  state.orders.filter((o) => o.leg === leg && o.purpose !== 'unwind').reduce((sum, o) => sum + o.filledQty, 0);

const legComplete = (state: MultiLegState, leg: number): boolean => legFilledQty(state, leg) >= (state.legs[leg] as Leg).qty * COMPLETE;

/** An order is over: if it left its leg short, the policy decides what happens next. */
function end(state: MultiLegState, order: TrackedOrder, ctx: MultiLegContext, actions: MultiLegAction[]): void {
  order.status = 'ended';
  if (order.purpose === 'unwind') {
    if (order.filledQty < order.qty * COMPLETE) state.unwindFailures += 1;
    return;
  }
  if (state.mode === 'unwind' || legComplete(state, order.leg)) return;
  const anyFill = state.orders.some((o) => o.filledQty > 0);
  const anyInFlight = state.orders.some((o) => o.status !== 'ended');
  if (!anyFill && !anyInFlight) return;
  detect(state, ctx, actions, `leg ${order.leg} (${order.clientOrderId}) ended with ${order.filledQty} of ${order.qty}`);
  correctLeg(state, order.leg, ctx, actions);
}

function correctLeg(state: MultiLegState, leg: number, ctx: MultiLegContext, actions: MultiLegAction[]): void {
  const spec = state.legs[leg] as Leg;
  const remaining = spec.qty - legFilledQty(state, leg);
  if (state.policy !== 'unwind' && (state.correctionsUsed[leg] as number) < state.options.maxRetries) {
    state.correctionsUsed[leg] = (state.correctionsUsed[leg] as number) + 1;
    const retry = state.policy === 'retry';
    const next = retry ? { ...spec, qty: remaining } : marketOrder(spec.venue, spec.symbol, spec.side, remaining, false);
    const sent = send(state, ctx, leg, retry ? 'retry' : 'hedge', next);
    const verb = retry ? `retry ${state.correctionsUsed[leg]}/${state.options.maxRetries}` : `hedge ${state.correctionsUsed[leg]}/${state.options.maxRetries} (market)`;
    actions.push(sent, report(state, ctx, retry ? 'retry' : 'hedge', `leg ${leg} ${verb}: ${spec.side} ${remaining} ${spec.symbol}@${spec.venue}`));
    return;
  }
  enterUnwind(state, actions);
}

/** Stop completing legs: cancel whatever is still working, then flatten the excess (in `settle`). */
function enterUnwind(state: MultiLegState, actions: MultiLegAction[]): void {
  state.mode = 'unwind';
  for (const o of state.orders) {
    if (o.status === 'working' && o.purpose !== 'unwind') {
      o.status = 'canceling';
      actions.push({ type: 'cancel', clientOrderId: o.clientOrderId, venue: o.venue, symbol: o.symbol });
    }
  }
}

/** With nothing in flight, decide whether the intent is done, needs unwinding, or has failed. */
function settle(state: MultiLegState, ctx: MultiLegContext, actions: MultiLegAction[]): void {
  if (state.phase === 'failed' || state.orders.some((o) => o.status !== 'ended')) return;
  // Legs that all filled as specified are what the strategy asked for, even if their notionals
  // differ by more than the tolerance; once anything was unwound, only the net counts.
  const asSpecified = state.legs.every((_, i) => legComplete(state, i)) && !state.orders.some((o) => o.purpose === 'unwind');
  const net = worstNet(netByUnderlying(state.orders, ctx.referencePx));
  if (asSpecified || Math.abs(net) <= state.toleranceUsd) {
    if (state.phase === 'working' && state.imbalanceReported) actions.push(report(state, ctx, 'resolved', `net ${net.toFixed(2)} within toleranceUsd ${state.toleranceUsd}`));
    state.phase = 'done';
    return;
  }
  // Beyond tolerance with nothing working: a late fill after completion lands here too.
  state.phase = 'working';
  detect(state, ctx, actions, `net ${net.toFixed(2)} beyond toleranceUsd ${state.toleranceUsd}`);
  state.mode = 'unwind';
  const orders = state.unwindFailures < state.options.maxUnwindAttempts ? unwindOrders(state.orders, state.legs, ctx.referencePx) : [];
  if (orders.length === 0) {
    state.phase = 'failed';
    actions.push(report(state, ctx, 'failed', `gave up after ${state.unwindFailures} failed unwind order(s); net ${net.toFixed(2)} remains`));
    return;
  }
  const sends = orders.map((o) => send(state, ctx, o.leg, 'unwind', marketOrder(o.venue, o.symbol, o.side, o.qty, true)));
  const what = orders.map((o) => `${o.side} ${o.qty} ${o.symbol}@${o.venue}`).join(', ');
  actions.push(...sends, report(state, ctx, 'unwind', `unwinding ${what}`));
}

function detect(state: MultiLegState, ctx: MultiLegContext, actions: MultiLegAction[], detail: string): void {
  if (state.imbalanceReported) return;
  state.imbalanceReported = true;
  actions.push(report(state, ctx, 'detected', detail));
}

function report(state: MultiLegState, ctx: MultiLegContext, action: LegImbalanceFields['action'], detail: string): MultiLegAction {
  const netNotionalUsd = worstNet(netByUnderlying(state.orders, ctx.referencePx));
  return { type: 'report', imbalance: { strategyId: state.strategyId, intentSeq: state.intentSeq, netNotionalUsd, action, detail } };
}
