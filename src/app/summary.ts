/**
 * The run summary: printed at the end of `arbiter run` and written by `--summary-json`.
 * Derived only from the system status, so it reports what ops reported.
 */
import type { DecisionPath, OrderStage } from '../protocol/index.js';
import type { SystemStatus } from '../ops/system-status.js';
import type { JournalSummary } from '../store/index.js';
import type { ReplayReport } from './replay.js';
import { orderCounts } from './status-model.js';

/** The journal this run continued: what it held at start and holds now (all runs together). */
export interface JournalTotals {
  resumed: boolean;
  path: string | null;
  atStart: { openOrders: number; positions: number; ordersSent: number; fills: number };
  total: { ordersSent: number; fills: number; openPositions: number };
}

export interface RunSummary {
  mode: string;
  durationS: number;
  opportunities: number;
  /** This run's orders sent and filled orders (the journal's totals are under `journal`). */
  ordersSent: number;
  fills: number;
  journal: JournalTotals;
  openPositions: number;
  realizedPnl: number;
  unrealizedPnl: number;
  fundingPnl: number;
  fees: number;
  netPnl: number;
  /** Tick (frame arrival) to wire (socket write), every order. */
  latencyUs: { p50: number | null; p99: number | null; count: number };
  /** Order commands by the path that decided them. */
  commandsByPath: Record<DecisionPath, number>;
  /** The same latency per stage, per deciding path (only stages that saw an order). */
  stagesUs: Record<DecisionPath, Partial<Record<OrderStage, { p50: number | null; p99: number | null; count: number }>>>;
  venues: Record<string, { state: string; messages: number; staleEvents: number; reconnects: number }>;
  actors: Record<string, { state: string; restarts: number; errors: number }>;
  riskState: string;
  denials: Record<string, number>;
  /** Reconciliation at the end: perp positions where venue and journal disagree, and those held as external. */
  positionMismatches: number;
  externalPositions: number;
  strategiesReducing: string[];
}

const round = (value: number, digits = 4): number => Math.round(value * 10 ** digits) / 10 ** digits;

/** `journalAtStart`: the journal as the run found it (none: a new journal, as in replay). */
export function summarize(status: SystemStatus, journalAtStart?: JournalSummary): RunSummary {
  const before = orderCounts(journalAtStart?.ordersByStatus ?? {});
  const openPositions = status.positions.filter((p) => Math.abs(p.qty) > 1e-12).length;
  return {
    mode: status.mode,
    durationS: status.uptimeS,
    opportunities: status.opportunities.total,
    ordersSent: Math.max(0, status.orders.sent - before.sent),
    fills: Math.max(0, status.orders.fills - before.fills),
    journal: {
      resumed: (journalAtStart?.orders ?? 0) > 0 || (journalAtStart?.fills ?? 0) > 0,
      path: journalAtStart?.path ?? null,
      atStart: { openOrders: journalAtStart?.openOrders ?? 0, positions: journalAtStart?.positions ?? 0, ordersSent: before.sent, fills: before.fills },
      total: { ordersSent: status.orders.sent, fills: status.orders.fills, openPositions },
    },
    openPositions,
    realizedPnl: round(status.pnl.realized),
    unrealizedPnl: round(status.pnl.unrealized),
    fundingPnl: round(status.pnl.funding),
    fees: round(status.pnl.fees),
    netPnl: round(status.pnl.net),
    latencyUs: { p50: status.latency?.p50Us ?? null, p99: status.latency?.p99Us ?? null, count: status.latency?.count ?? 0 },
    commandsByPath: { ...status.commandsByPath },
    stagesUs: stagesOf(status),
    venues: Object.fromEntries(status.venues.map((v) => [v.id, { state: v.state, messages: v.messages, staleEvents: v.staleEvents, reconnects: v.reconnects }])),
    actors: Object.fromEntries(status.actors.map((a) => [a.id, { state: a.state, restarts: a.restarts, errors: a.errors }])),
    riskState: status.risk.state,
    denials: status.risk.denialsByReason,
    positionMismatches: status.reconciliation?.mismatches.length ?? 0,
    externalPositions: status.reconciliation?.external.filter((e) => Math.abs(e.qty) > 1e-12).length ?? 0,
    strategiesReducing: Object.keys(status.reconciliation?.strategyStates ?? {}),
  };
}

function stagesOf(status: SystemStatus): RunSummary['stagesUs'] {
  const out: RunSummary['stagesUs'] = { tick: {}, timer: {} };
  for (const s of status.stages) out[s.path][s.stage] = { p50: s.p50Us, p99: s.p99Us, count: s.count };
  return out;
}

/** One line per path that decided orders: its count and each stage's p50/p99. */
function stageLines(summary: RunSummary): string[] {
  return (['tick', 'timer'] as const)
    .filter((path) => summary.commandsByPath[path] > 0 || Object.keys(summary.stagesUs[path]).length > 0)
    .map((path) => {
      const stages = Object.entries(summary.stagesUs[path]).map(([stage, s]) => `${stage} ${s.p50 ?? '-'}/${s.p99 ?? '-'}`);
      return `  ${path} path: ${summary.commandsByPath[path]} commands; stages p50/p99 µs: ${stages.join('  ')}`;
    });
}

export function renderSummary(summary: RunSummary): string {
  const venues = Object.entries(summary.venues).map(([id, v]) => `  ${id.padEnd(12)} ${v.state.padEnd(9)} messages ${v.messages}  stale ${v.staleEvents}  reconnects ${v.reconnects}`);
  return [
    `run summary (${summary.mode}, ${summary.durationS} s)`,
    `  this run: opportunities ${summary.opportunities}   orders sent ${summary.ordersSent}   fills ${summary.fills}`,
    renderJournal(summary.journal),
    `  PnL realized ${summary.realizedPnl}   unrealized ${summary.unrealizedPnl}   funding ${summary.fundingPnl}   fees ${summary.fees}   net ${summary.netPnl}`,
    `  tick-to-wire latency p50 ${summary.latencyUs.p50 ?? '-'} µs   p99 ${summary.latencyUs.p99 ?? '-'} µs   (${summary.latencyUs.count} orders)`,
    ...stageLines(summary),
    `  risk state ${summary.riskState}${Object.keys(summary.denials).length ? `   denials ${JSON.stringify(summary.denials)}` : ''}`,
    `  reconciliation: position mismatches ${summary.positionMismatches}   external positions ${summary.externalPositions}${summary.strategiesReducing.length ? `   REDUCING: ${summary.strategiesReducing.join(', ')}` : ''}`,
    'venues:',
    ...venues,
  ].join('\n');
}

function renderJournal(journal: JournalTotals): string {
  const { atStart, total } = journal;
  const start = journal.resumed ? `resumed with ${atStart.openOrders} open orders and ${atStart.positions} positions` : 'new';
  return `  journal (${start}): all runs: orders sent ${total.ordersSent}   fills ${total.fills}   open positions ${total.openPositions}`;
}

export function renderReplayReport(report: ReplayReport): string {
  const skipped = Object.entries(report.skippedByVenue).map(([venue, n]) => `${venue} ${n}`);
  return [
    `replay of ${report.file} (recorded ${report.recordedAt})`,
    `  frames ${report.frames}   rejected ${report.rejected}${report.truncated ? '   (truncated at the end)' : ''}${skipped.length ? `   skipped (venue not configured): ${skipped.join(', ')}` : ''}`,
    `  ${report.spanS} s of market data in ${report.wallS.toFixed(2)} s (${report.framesPerSecond} frames/s); journal in ${report.journalDir}`,
    ...report.rejections.map((reason) => `  rejected ${reason}`),
  ].join('\n');
}
