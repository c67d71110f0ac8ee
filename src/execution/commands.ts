/**
 * Strategy commands: the hot path (command → checks → journal → send) and cancels.
 *
 * Each command is journaled before it takes effect: a denial together with its reason, an approval
 * in the same transaction as its orders and their `sent` marks. A command whose bytes the journal
 * already holds is the ring handing a restarted reader the message it was handling when the worker
 * died: it already took effect (or never did, and then it is not in the journal), so it is skipped.
 * No logging and no JSON on this path; what is journaled are the command's bytes as the ring
 * delivered them (ctx.messageBytes()), so a redelivery is the very same bytes.
 */
import { message, type CommandMessage, type MessageOf } from '../protocol/index.js';
import { monoNowNs } from '../base/clock.js';
import { makeClientOrderId, parseClientOrderId } from '../trading/orders/client-order-id.js';
import type { CommandRow, ExecutionJournal } from './journal-port.js';
import type { Approval, RiskContext } from '../trading/risk/engine.js';
import { deny, orderRequestOf, validateRequest, type Denial, type OrderRequest } from '../trading/risk/order-checks.js';
import type { EventSink } from './events.js';
import type { OrderLatency } from './latency.js';
import type { MultiLegRunner } from './multi-leg-runner.js';
import type { OrderIo } from './order-io.js';
import type { CoreParts } from './parts.js';
import { prepareRequest, type ReferencePx } from './prepare.js';
import { CommandTiming, LegBarrier } from './send-timing.js';

export interface CommandDeps extends CoreParts {
  readonly journal: ExecutionJournal;
  readonly io: OrderIo;
  readonly multiLeg: MultiLegRunner;
  readonly sink: EventSink;
  readonly latency: OrderLatency;
  readonly riskContext: (duplicateIntent: boolean) => RiskContext;
  readonly reconciling: () => boolean;
  /** The book's reference price (market orders are checked against the minimum notional at it). */
  readonly referencePx: ReferencePx;
  /** Multi-leg legs wait for each other between signing and writing (see send-timing.ts). */
  readonly legsTogether: boolean;
  /** A strategy asked for its journaled positions (`SyncPositions`). */
  readonly syncPositions: (strategyId: string) => void;
}

type Submit = MessageOf<'SubmitOrder'> | MessageOf<'SubmitMultiLeg'>;

const RECONCILING = deny('reconciling', 'reconciling', 'execution is reconciling with the venues (orders, positions, balances); orders resume when it is done');

export class CommandHandler {
  readonly denials: Record<string, number> = Object.create(null);

  constructor(private readonly deps: CommandDeps) {}

  /** `body`: the command's bytes as received (journaled); `sender`: the actor that wrote it, when known. */
  handle(command: CommandMessage, body: Uint8Array, sender?: string): void {
    if (sender !== undefined && sender !== command.strategyId) return this.impersonation(command, body, sender);
    switch (command.type) {
      case 'SubmitOrder':
      case 'SubmitMultiLeg':
        return this.submit(command, body);
      case 'CancelOrder':
        return this.cancelOrder(command, body);
      case 'CancelAll':
        return this.cancelAll(command, body);
      case 'SyncPositions':
        // A read: nothing takes effect, so nothing is journaled.
        return this.deps.syncPositions(command.strategyId);
    }
  }

  private submit(command: Submit, body: Uint8Array): void {
    const { deps } = this;
    const inNs = monoNowNs();
    const nowMs = deps.nowMs();
    const seen = deps.journal.intentSeen(command.strategyId, command.intentSeq, body);
    if (seen === 'redelivered') return deps.counters.count('command_redelivered');
    const { latency } = deps;
    const { path } = command;
    latency.commandsByPath[path]++;
    const riskNs = monoNowNs();
    const decision = this.decide(orderRequestOf(command), seen === 'conflict');
    const journalNs = monoNowNs();
    recordDecisionStages(this.deps.latency.stages, command, inNs, journalNs - riskNs);
    if (!('legs' in decision)) return this.deny(command, body, decision, nowMs);
    const row = (): void => deps.journal.recordCommand(commandRow(command, body, nowMs, 'approved', ''));
    const legs = decision.legs.length;
    const barrier = deps.legsTogether && legs > 1 && decision.approval.waitMs === 0 ? new LegBarrier(legs) : null;
    const timing = new CommandTiming(path, command.ts, barrier);
    if (command.type === 'SubmitMultiLeg') deps.multiLeg.start({ ...command, legs: [...decision.legs] }, decision.approval.waitMs, row, timing);
    else this.startOrder(command, decision, row, nowMs, timing);
    latency.stages.record('journal', path, timing.journalDoneNs - journalNs);
  }

  /** The one gate, in order: shape, reconciling, the venues' grid, then the risk engine (duplicate intent onward). */
  private decide(raw: OrderRequest, duplicateIntent: boolean): (OrderRequest & { approval: Approval }) | Denial {
    const { deps } = this;
    const valid = validateRequest(raw);
    if ('approved' in valid) return valid;
    if (deps.reconciling()) return RECONCILING;
    const request = prepareRequest(valid, deps.venues, deps.referencePx);
    if ('approved' in request) return request;
    const decision = deps.risk.check(request, deps.riskContext(duplicateIntent));
    return decision.approved ? { ...request, approval: decision } : decision;
  }

  private startOrder(command: MessageOf<'SubmitOrder'>, request: OrderRequest & { approval: Approval }, journalCommand: () => void, nowMs: number, timing: CommandTiming): void {
    const { deps } = this;
    const leg = request.legs[0]!;
    const { strategyId, intentSeq } = command;
    const clientOrderId = makeClientOrderId({ strategyId, intentSeq, leg: 0, attempt: 0 }, leg.venue);
    const spec = { clientOrderId, strategyId, intentSeq, leg: 0, attempt: 0, purpose: 'order' as const, ...leg, createdMs: nowMs };
    const waitMs = request.approval.waitMs;
    const order = deps.journal.transaction(() => {
      journalCommand();
      const created = deps.ledger.create(spec, command.ts, nowMs);
      deps.io.markSentIfImmediate(created, waitMs, nowMs);
      return created;
    });
    timing.journalDoneNs = monoNowNs();
    deps.io.timeOrder(order, timing);
    deps.io.send(order, waitMs);
  }

  private deny(command: Submit, body: Uint8Array, denial: Denial, nowMs: number): void {
    const { deps } = this;
    deps.journal.recordCommand(commandRow(command, body, nowMs, denial.reason, denial.detail));
    this.denials[denial.reason] = (this.denials[denial.reason] ?? 0) + 1;
    deps.latency.tickToOrder.recordSince(command.ts);
    const { strategyId, intentSeq } = command;
    deps.sink.toStrategy(strategyId, message('OrderDenied', { ts: command.ts, strategyId, clientOrderId: '', intentSeq, leg: 0, reason: denial.reason, detail: denial.detail }));
  }

  /** A command naming another strategy than the one that sent it: journaled, counted, refused to the sender. */
  private impersonation(command: CommandMessage, body: Uint8Array, sender: string): void {
    const { deps } = this;
    const detail = `sent by ${sender} but names strategy ${JSON.stringify(command.strategyId.slice(0, 40))}`;
    deps.journal.recordCommand(commandRow(command, body, deps.nowMs(), 'invalid_order', detail));
    this.denials.invalid_order = (this.denials.invalid_order ?? 0) + 1;
    const intentSeq = command.type === 'SubmitOrder' || command.type === 'SubmitMultiLeg' ? command.intentSeq : 0;
    deps.sink.toStrategy(sender, message('OrderDenied', { ts: command.ts, strategyId: sender, clientOrderId: '', intentSeq, leg: 0, reason: 'invalid_order', detail }));
  }

  private cancelOrder(command: MessageOf<'CancelOrder'>, body: Uint8Array): void {
    const { deps } = this;
    const order = deps.ledger.get(command.clientOrderId);
    const known = order !== undefined && order.spec.strategyId === command.strategyId;
    deps.journal.recordCommand(commandRow(command, body, deps.nowMs(), known ? 'accepted' : 'unknown_order', ''));
    if (known) return deps.io.cancel(order, 'canceled by strategy');
    const decoded = parseClientOrderId(command.clientOrderId);
    const detail = `no order ${JSON.stringify(command.clientOrderId.slice(0, 40))} of strategy ${command.strategyId} is known`;
    deps.sink.toStrategy(command.strategyId, message('OrderDenied', { ts: command.ts, strategyId: command.strategyId, clientOrderId: command.clientOrderId, intentSeq: decoded?.intentSeq ?? 0, leg: decoded?.leg ?? 0, reason: 'invalid_order', detail }));
  }

  private cancelAll(command: MessageOf<'CancelAll'>, body: Uint8Array): void {
    const { deps } = this;
    deps.journal.recordCommand(commandRow(command, body, deps.nowMs(), 'accepted', ''));
    for (const order of deps.ledger.open()) {
      if (order.spec.strategyId === command.strategyId && (command.venue === null || order.spec.venue === command.venue)) deps.io.cancel(order, 'canceled by strategy (all)');
    }
  }
}

/** The stages before execution's own work, from the strategy's stamps (0: not stamped), and the gate's. */
function recordDecisionStages(stages: OrderLatency['stages'], command: Submit, inNs: number, riskNs: number): void {
  const { path, ts, strategyInNs, decidedNs } = command;
  if (ts > 0 && strategyInNs > 0) stages.record('ingress_to_strategy', path, strategyInNs - ts);
  if (strategyInNs > 0 && decidedNs > 0) stages.record('decision', path, decidedNs - strategyInNs);
  if (decidedNs > 0) stages.record('intent_to_execution', path, inNs - decidedNs);
  stages.record('risk', path, riskNs);
}

function commandRow(command: CommandMessage, body: Uint8Array, receivedMs: number, decision: string, detail: string): CommandRow {
  const intentSeq = command.type === 'SubmitOrder' || command.type === 'SubmitMultiLeg' ? command.intentSeq : null;
  return { type: command.type, strategyId: command.strategyId, intentSeq, body, receivedMs, decision, detail };
}
