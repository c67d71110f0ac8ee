/**
 * Drives the pure multi-leg coordinator (trading/multi-leg.ts) with real orders: creates and sends
 * the legs, feeds it what happens to them, and carries out its actions (corrective orders,
 * cancels, `LegImbalanceUpdated` reports).
 *
 * The coordinator learns about its orders by *diffing against the ledger* (`multiLegSyncEvents`),
 * not from a replay of events. The same code therefore repairs a coordinator after a restart, when
 * its last saved state may predate fills journaled just before the crash.
 *
 * Corrective orders are what the coordinator originates (retry, hedge, unwind): they go through
 * `risk.checkCorrection` (caps do not block a correction), are rounded to the venue's lot step
 * (unwinds are sized from notionals), and market ones are sent as limit IOC at the collar price so
 * a thin book cannot fill them arbitrarily far away. The coordinator state and the new order rows
 * are journaled in one transaction before anything is sent.
 */
import { message, type MessageOf } from '../protocol/index.js';
import { monoNowNs } from '../base/clock.js';
import type { QuoteBook } from '../trading/market/book.js';
import type { ExecutionJournal, TrackedPurpose } from './journal-port.js';
import { collarOnTick, roundToStep } from '../trading/market/lot-size.js';
import { isFinished, startMultiLeg, stepMultiLeg, type MultiLegAction, type MultiLegContext, type MultiLegOptions, type MultiLegState, type OrderSpec } from '../trading/orders/multi-leg.js';
import { multiLegSyncEvents } from '../trading/orders/reconcile.js';
import type { RiskContext, RiskEngine } from '../trading/risk/engine.js';
import { collarLimitPx, deny, type Denial } from '../trading/risk/order-checks.js';
import type { EventSink } from './events.js';
import type { LiveOrder } from './order-store.js';
import type { OrderIo } from './order-io.js';
import { minimumsDenial } from './prepare.js';
import type { CoreParts } from './parts.js';
import type { CommandTiming } from './send-timing.js';

export interface MultiLegDeps extends CoreParts {
  readonly journal: ExecutionJournal;
  readonly io: OrderIo;
  readonly book: QuoteBook;
  readonly sink: EventSink;
  readonly riskContext: () => RiskContext;
  readonly options: Partial<MultiLegOptions>;
}

type SendAction = Extract<MultiLegAction, { type: 'send' }>;
type Command = MessageOf<'SubmitMultiLeg'>;

const multiLegKey = (strategyId: string, intentSeq: number): string => `${strategyId}#${intentSeq}`;

export class MultiLegRunner {
  private readonly states = new Map<string, MultiLegState>();
  private readonly keyOfOrder = new Map<string, string>();
  private readonly dirty = new Set<string>();
  private draining = false;
  /** Until reconciliation is done the coordinators wait: they would act on a stale picture. */
  private paused = true;
  finished = 0;
  failed = 0;

  constructor(private readonly deps: MultiLegDeps) {}

  load(saved: ReadonlyMap<string, unknown>): void {
    for (const [key, state] of saved) this.track(key, state as MultiLegState);
  }

  /**
   * Starts a multi-leg order: journals `journalCommand`, the legs and the coordinator together,
   * then sends every leg, all in this same call, so no leg waits for another's answer (and with
   * `timing`'s barrier, not for another's request building either).
   */
  start(command: Command, waitMs: number, journalCommand: () => void, timing: CommandTiming): void {
    const { deps } = this;
    const nowMs = deps.nowMs();
    const { state, actions } = startMultiLeg(command, this.context(nowMs), deps.options);
    const key = multiLegKey(command.strategyId, command.intentSeq);
    const orders: LiveOrder[] = [];
    deps.journal.transaction(() => {
      journalCommand();
      for (const action of actions) if (action.type === 'send') orders.push(this.create(state, action, action.order, command.ts, nowMs));
      deps.journal.saveMultiLeg(key, state, false, nowMs);
      for (const order of orders) deps.io.markSentIfImmediate(order, waitMs, nowMs);
    });
    timing.journalDoneNs = monoNowNs();
    this.track(key, state);
    for (const order of orders) deps.io.timeOrder(order, timing);
    for (const order of orders) deps.io.send(order, waitMs);
  }

  onOrderChanged(order: LiveOrder): void {
    const key = this.keyOfOrder.get(order.spec.clientOrderId);
    if (key === undefined) return;
    this.dirty.add(key);
    this.drain();
  }

  /** Deadlines: timeouts cancel working legs, cancel grace periods end. */
  tick(): void {
    if (this.paused) return;
    for (const key of [...this.states.keys()]) this.dirty.add(key);
    this.drain();
  }

  resume(): void {
    this.paused = false;
    this.tick();
  }

  status(): { active: number; finished: number; failed: number } {
    return { active: this.states.size, finished: this.finished, failed: this.failed };
  }

  private track(key: string, state: MultiLegState): void {
    this.states.set(key, state);
    for (const order of state.orders) this.keyOfOrder.set(order.clientOrderId, key);
  }

  private context(nowMs: number): MultiLegContext {
    return { nowMs, referencePx: (venue, symbol) => this.deps.book.referencePx(venue, symbol) };
  }

  /** Processes dirty coordinators one at a time; changes they cause mark them dirty again. */
  private drain(): void {
    if (this.draining || this.paused) return;
    this.draining = true;
    try {
      for (let key = first(this.dirty); key !== undefined; key = first(this.dirty)) {
        this.dirty.delete(key);
        this.sync(key);
      }
    } finally {
      this.draining = false;
    }
  }

  private sync(key: string): void {
    const before = this.states.get(key);
    if (!before) return;
    const ctx = this.context(this.deps.nowMs());
    let state = before;
    const actions: MultiLegAction[] = [];
    const events = multiLegSyncEvents(state, (id) => this.deps.ledger.get(id)?.record);
    for (const event of [...events, { type: 'tick' } as const]) {
      const step = stepMultiLeg(state, event, ctx);
      state = step.state;
      actions.push(...step.actions);
    }
    if (actions.length === 0 && events.length === 0 && sameStatuses(before, state)) return;
    this.commit(key, state, actions, ctx.nowMs);
  }

  private commit(key: string, state: MultiLegState, actions: readonly MultiLegAction[], nowMs: number): void {
    const { deps } = this;
    const toSend: { order: LiveOrder; waitMs: number }[] = [];
    const refused: { order: LiveOrder; denial: Denial }[] = [];
    deps.journal.transaction(() => {
      for (const action of actions) {
        if (action.type !== 'send') continue;
        const { spec, decision } = this.correction(state, action);
        const order = this.create(state, action, spec, 0, nowMs);
        if (!decision.approved) refused.push({ order, denial: decision });
        else {
          deps.io.markSentIfImmediate(order, decision.waitMs, nowMs);
          toSend.push({ order, waitMs: decision.waitMs });
        }
      }
      deps.journal.saveMultiLeg(key, state, isFinished(state), nowMs);
    });
    this.track(key, state);
    if (isFinished(state)) this.finish(key, state);
    for (const { order, denial } of refused) deps.ledger.apply(order, { type: 'rejected', reason: denial.detail }, nowMs, denial.reason);
    for (const { order, waitMs } of toSend) deps.io.send(order, waitMs);
    for (const action of actions) this.carryOut(state, action);
  }

  private carryOut(state: MultiLegState, action: MultiLegAction): void {
    if (action.type === 'cancel') {
      const order = this.deps.ledger.get(action.clientOrderId);
      if (order) this.deps.io.cancel(order, 'multi-leg timeout or unwind');
    } else if (action.type === 'report') {
      this.deps.sink.toStrategy(state.strategyId, message('LegImbalanceUpdated', { ts: monoNowNs(), ...action.imbalance }));
    }
  }

  private finish(key: string, state: MultiLegState): void {
    this.states.delete(key);
    for (const order of state.orders) this.keyOfOrder.delete(order.clientOrderId);
    if (state.phase === 'failed') this.failed++;
    else this.finished++;
  }

  /** A corrective order on the venue's grid, collared, and the risk engine's verdict on it. */
  private correction(state: MultiLegState, action: SendAction): { spec: OrderSpec; decision: ReturnType<RiskEngine['checkCorrection']> } {
    const { deps } = this;
    const leg = action.order;
    const rules = deps.venues.get(leg.venue)?.rules(leg.symbol) ?? null;
    if (!rules) return { spec: leg, decision: deny('invalid_order', 'symbol', `${leg.symbol} is not listed on ${leg.venue}`) };
    const qty = roundToStep(leg.qty, rules.amountStep, 'nearest');
    // The coordinator must expect what is really sent, or a rounded unwind would look short forever.
    const tracked = state.orders.find((o) => o.clientOrderId === leg.clientOrderId) as { qty: number } | undefined;
    if (tracked) tracked.qty = qty;
    let spec: OrderSpec = { ...leg, qty };
    if (leg.orderType === 'market') {
      const ref = deps.book.referencePx(leg.venue, leg.symbol);
      if (ref !== null) spec = { ...spec, orderType: 'limit', timeInForce: 'IOC', limitPx: collarOnTick(leg.side, collarLimitPx(leg.side, ref, deps.risk.config.priceCollarBps), rules.priceTick) };
    }
    const below = minimumsDenial(spec, spec.limitPx ?? deps.book.referencePx(leg.venue, leg.symbol), rules, `${action.purpose} of ${leg.qty} ${leg.symbol}`);
    if (below) return { spec, decision: below };
    const decision = deps.risk.checkCorrection({ strategyId: state.strategyId, intentSeq: state.intentSeq, legs: [spec], multiLeg: null }, deps.riskContext());
    return { spec, decision };
  }

  private create(state: MultiLegState, action: SendAction, spec: OrderSpec, intentTs: number, nowMs: number): LiveOrder {
    const attempt = state.orders.find((o) => o.clientOrderId === spec.clientOrderId)?.attempt ?? 0;
    const purpose: TrackedPurpose = action.purpose;
    const { clientOrderId, venue, symbol, side, orderType, timeInForce, qty, limitPx, reduceOnly } = spec;
    const row = { clientOrderId, strategyId: state.strategyId, intentSeq: state.intentSeq, leg: action.leg, attempt, purpose, venue, symbol, side, orderType, timeInForce, qty, limitPx, reduceOnly, createdMs: nowMs };
    this.keyOfOrder.set(clientOrderId, multiLegKey(state.strategyId, state.intentSeq));
    return this.deps.ledger.create(row, intentTs, nowMs);
  }
}

function first<T>(set: ReadonlySet<T>): T | undefined {
  for (const value of set) return value;
  return undefined;
}

function sameStatuses(a: MultiLegState, b: MultiLegState): boolean {
  return a.phase === b.phase && a.orders.length === b.orders.length && a.orders.every((o, i) => o.status === b.orders[i]!.status);
}
