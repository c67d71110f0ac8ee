/**
 * Assembles the ops `SystemStatus` from what the supervisor and each actor report: actor
 * counters, ring fill levels (read from shared memory, no actor involved), the feeds' venue
 * status, and execution's positions, risk state, orders and latency. Each actor's own status has
 * its protocol type (src/protocol/status.ts), by the role the app compiled it into.
 */
import { LATENCY_BUCKETS_US, type ExecutionStatus, type FeedStatus, type LatencySummary, type OpportunityRecorderStatus } from '../protocol/index.js';
import type { ActorSummary, ChannelSummary, LatencyHistogram, PositionSummary, StageHistogram, SystemStatus, VenueSummary } from '../ops/system-status.js';
import { RingProbe } from '../runtime/transport/ring.js';
import type { SupervisorActorStatus } from '../runtime/supervision/supervisor.js';
import type { RingEdge } from '../runtime/graph/wiring.js';
import { EXECUTION_ID, RECORDER_ID } from './compile.js';

/**
 * An actor's own status (`ActorStatus.custom`) as the type its role reports: the app compiled the
 * graph, so it knows which module runs under which id. What stays unknown is whether there is one:
 * none while the worker is down or did not answer, `{ statusError }` when its status hook threw.
 */
function reported<T extends Record<string, unknown>>(s: SupervisorActorStatus | undefined): T | undefined {
  const custom = s?.actor?.custom;
  return custom === undefined || 'statusError' in custom ? undefined : (custom as T);
}

function actorSummary(s: SupervisorActorStatus): ActorSummary {
  return {
    id: s.actorId,
    kind: s.kind ?? 'unknown',
    state: s.state,
    version: s.actor?.version ?? null,
    restarts: s.restarts,
    reloads: s.reloads,
    messagesIn: s.actor?.messagesIn ?? 0,
    messagesOut: s.actor?.messagesOut ?? 0,
    errors: s.actor?.errors ?? 0,
    lastMessageAgeMs: s.actor?.lastMessageAgeMs ?? null,
  };
}

/** What a status is built from: the supervisor, or replay's lockstep graph. */
export interface StatusSource {
  status(): Promise<SupervisorActorStatus[]>;
  readonly wiring: { readonly rings: readonly RingEdge[] };
}

function channelSummaries(source: StatusSource): ChannelSummary[] {
  return source.wiring.rings.map((edge) => {
    const probe = new RingProbe(edge.ring);
    return { from: edge.from, to: edge.to, policy: edge.policy, capacityBytes: probe.capacity, usedBytes: probe.usedBytes(), messages: probe.recordsWritten(), fullEvents: probe.fullEvents() };
  });
}

function venueSummary(s: SupervisorActorStatus): VenueSummary {
  const feed = reported<FeedStatus>(s);
  const running = s.state === 'running';
  return {
    id: feed?.venue ?? s.actorId.replace(/^feed-/, ''),
    state: running ? (feed?.state ?? 'down') : 'down',
    reason: running ? (feed?.reason ?? '') : `feed actor ${s.state}${s.lastError ? `: ${s.lastError}` : ''}`,
    dataAgeMs: feed?.dataAgeMs ?? null,
    messages: feed?.messages ?? 0,
    staleEvents: feed?.staleEvents ?? 0,
    reconnects: feed?.reconnects ?? 0,
    symbols: Object.entries(feed?.symbols ?? {}).map(([symbol, q]) => ({ symbol, state: q.state, bid: q.lastBid, ask: q.lastAsk, funding: q.funding, dataAgeMs: q.dataAgeMs })),
  };
}

function pnlOf(list: readonly PositionSummary[]): SystemStatus['pnl'] {
  const sum = (pick: (p: PositionSummary) => number): number => list.reduce((total, p) => total + pick(p), 0);
  const realized = sum((p) => p.realizedPnl);
  const unrealized = sum((p) => p.unrealizedPnl);
  const funding = sum((p) => p.fundingPnl);
  const fees = sum((p) => p.fees);
  // Realized PnL in the position book is price PnL; fees are a cost and funding a cash flow.
  return { realized, unrealized, funding, fees, net: realized + unrealized + funding - fees };
}

/** Orders sent and orders with fills, from orders per status (execution's, or a journal's at start). */
export function orderCounts(byStatus: Readonly<Record<string, number>>): SystemStatus['orders'] {
  const byVenueStatus = Object.entries(byStatus).map(([status, count]) => ({ venue: 'all', status, count }));
  const count = (status: string): number => byStatus[status] ?? 0;
  const sent = byVenueStatus.reduce((total, row) => total + row.count, 0) - count('denied') - count('new');
  return { sent: Math.max(0, sent), fills: count('filled') + count('partially_filled'), byVenueStatus };
}

function journal(execution: ExecutionStatus | undefined, counters: Readonly<Record<string, number>> | undefined): SystemStatus['journal'] {
  if (!execution) return null;
  return { path: execution.journal, durability: execution.journalDurability, groupCommits: execution.journalGroupCommits, fillConflicts: counters?.fill_conflict ?? 0 };
}

/** Execution's LatencySummary as a Prometheus-shaped histogram on LATENCY_BUCKETS_US. */
function histogram(summary: LatencySummary): LatencyHistogram {
  return { boundsUs: [...LATENCY_BUCKETS_US], cumulativeCounts: [...summary.cumulativeCounts], count: summary.count, sumUs: summary.sumUs, p50Us: summary.p50Us, p90Us: summary.p90Us, p99Us: summary.p99Us, p999Us: summary.p999Us, maxUs: summary.maxUs };
}

function latency(execution: ExecutionStatus | undefined): SystemStatus['latency'] {
  const summary = execution?.tickToOrderLatencyUs;
  return !summary || summary.count === 0 ? null : histogram(summary);
}

function stages(execution: ExecutionStatus | undefined): StageHistogram[] {
  return (execution?.stageLatencyUs ?? []).map((s) => ({ stage: s.stage, path: s.path, ...histogram(s) }));
}

function reconciliation(execution: ExecutionStatus | undefined): SystemStatus['reconciliation'] {
  if (!execution) return null;
  const { state, passes, lastPassMs, intervalMs, mismatchEvents, mismatches, external, strategyStates } = execution.reconciliation;
  return { state, passes, lastPassMs, intervalMs, mismatchEvents, mismatches: [...mismatches], external: [...external], strategyStates };
}

export async function buildSystemStatus(source: StatusSource, mode: string, startedAtMs: number): Promise<SystemStatus> {
  const statuses = await source.status();
  const byId = new Map(statuses.map((s) => [s.actorId, s]));
  const execution = reported<ExecutionStatus>(byId.get(EXECUTION_ID));
  const recorder = reported<OpportunityRecorderStatus>(byId.get(RECORDER_ID));
  const positions = [...(execution?.positions ?? [])];
  return {
    mode,
    startedAt: new Date(startedAtMs).toISOString(),
    uptimeS: Math.round((Date.now() - startedAtMs) / 1000),
    actors: statuses.map(actorSummary),
    channels: channelSummaries(source),
    venues: statuses.filter((s) => s.kind === 'feed').map(venueSummary),
    positions,
    pnl: pnlOf(positions),
    risk: {
      state: execution?.tradingState.state ?? (byId.get(EXECUTION_ID)?.state === 'running' ? 'UNKNOWN' : 'DOWN'),
      reason: execution?.tradingState.reason ?? '',
      denialsByReason: { ...execution?.denialsByReason },
    },
    orders: orderCounts(execution?.ordersByStatus ?? {}),
    latency: latency(execution),
    balances: { ...execution?.balances },
    stages: stages(execution),
    commandsByPath: { tick: execution?.commandsByPath.tick ?? 0, timer: execution?.commandsByPath.timer ?? 0 },
    opportunities: {
      total: recorder?.total ?? 0,
      best: [...(recorder?.best ?? [])],
    },
    journal: journal(execution, byId.get(EXECUTION_ID)?.actor?.counters),
    reconciliation: reconciliation(execution),
    marketRules: [...(execution?.marketRules ?? [])],
  };
}
