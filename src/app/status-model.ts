/**
 * Assembles the ops `SystemStatus` from what the supervisor and each actor report: actor
 * counters, ring fill levels (read from shared memory, no actor involved), the feeds' venue
 * status, and execution's positions, risk state, orders and latency. Actor-specific status is
 * untyped data from another thread, so every field is read defensively.
 */
import type { MessageOf } from '../protocol/index.js';
import type { ActorSummary, ChannelSummary, PositionSummary, SystemStatus, VenueSummary } from '../ops/system-status.js';
import { RingProbe } from '../runtime/transport/ring.js';
import type { SupervisorActorStatus } from '../runtime/supervision/supervisor.js';
import type { RingEdge } from '../runtime/graph/wiring.js';
import { EXECUTION_ID, RECORDER_ID } from './compile.js';

type Loose = Record<string, unknown>;
const obj = (value: unknown): Loose => (value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Loose) : {});
const num = (value: unknown, fallback = 0): number => (typeof value === 'number' && Number.isFinite(value) ? value : fallback);
const numOrNull = (value: unknown): number | null => (typeof value === 'number' && Number.isFinite(value) ? value : null);
const str = (value: unknown, fallback = ''): string => (typeof value === 'string' ? value : fallback);

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
  const feed = obj(s.actor?.custom);
  const running = s.state === 'running';
  return {
    id: str(feed.venue, s.actorId.replace(/^feed-/, '')),
    state: running ? str(feed.state, 'down') : 'down',
    reason: running ? str(feed.reason) : `feed actor ${s.state}${s.lastError ? `: ${s.lastError}` : ''}`,
    dataAgeMs: numOrNull(feed.dataAgeMs),
    messages: num(feed.messages),
    staleEvents: num(feed.staleEvents),
    reconnects: num(feed.reconnects),
    symbols: Object.entries(obj(feed.symbols)).map(([symbol, raw]) => {
      const s = obj(raw);
      return { symbol, state: str(s.state, 'down'), bid: numOrNull(s.lastBid), ask: numOrNull(s.lastAsk), funding: numOrNull(s.funding), dataAgeMs: numOrNull(s.dataAgeMs) };
    }),
  };
}

function positions(execution: Loose): PositionSummary[] {
  const list = Array.isArray(execution.positions) ? execution.positions : [];
  return list.map((raw) => {
    const p = obj(raw);
    return {
      strategyId: str(p.strategyId),
      venue: str(p.venue),
      symbol: str(p.symbol),
      qty: num(p.qty),
      avgEntryPx: num(p.avgEntryPx),
      markPx: numOrNull(p.markPx),
      realizedPnl: num(p.realizedPnl),
      unrealizedPnl: num(p.unrealizedPnl),
      fees: num(p.fees),
      fundingPnl: num(p.fundingPnl),
    };
  });
}

function pnlOf(list: PositionSummary[]): SystemStatus['pnl'] {
  const sum = (pick: (p: PositionSummary) => number): number => list.reduce((total, p) => total + pick(p), 0);
  const realized = sum((p) => p.realizedPnl);
  const unrealized = sum((p) => p.unrealizedPnl);
  const funding = sum((p) => p.fundingPnl);
  const fees = sum((p) => p.fees);
  // Realized PnL in the position book is price PnL; fees are a cost and funding a cash flow.
  return { realized, unrealized, funding, fees, net: realized + unrealized + funding - fees };
}

function orders(execution: Loose): SystemStatus['orders'] {
  const byStatus = obj(execution.ordersByStatus);
  const byVenueStatus = Object.entries(byStatus).map(([status, count]) => ({ venue: 'all', status, count: num(count) }));
  const count = (status: string): number => num(byStatus[status]);
  const sent = byVenueStatus.reduce((total, row) => total + row.count, 0) - count('denied') - count('new');
  return { sent: Math.max(0, sent), fills: count('filled') + count('partially_filled'), byVenueStatus };
}

function latency(execution: Loose): SystemStatus['latency'] {
  const summary = obj(execution.tickToOrderLatencyUs);
  const buckets = obj(summary.buckets);
  const count = num(summary.count);
  if (count === 0) return null;
  const boundsUs = Array.isArray(buckets.boundsUs) ? buckets.boundsUs.map((b) => num(b)) : [];
  const cumulativeCounts = Array.isArray(buckets.cumulativeCounts) ? buckets.cumulativeCounts.map((c) => num(c)) : [];
  return { boundsUs, cumulativeCounts, count, sumUs: num(summary.sumUs), p50Us: numOrNull(summary.p50Us), p99Us: numOrNull(summary.p99Us) };
}

export async function buildSystemStatus(source: StatusSource, mode: string, startedAtMs: number): Promise<SystemStatus> {
  const statuses = await source.status();
  const byId = new Map(statuses.map((s) => [s.actorId, s]));
  const execution = obj(byId.get(EXECUTION_ID)?.actor?.custom);
  const recorder = obj(byId.get(RECORDER_ID)?.actor?.custom);
  const trading = obj(execution.tradingState);
  const positionList = positions(execution);
  return {
    mode,
    startedAt: new Date(startedAtMs).toISOString(),
    uptimeS: Math.round((Date.now() - startedAtMs) / 1000),
    actors: statuses.map(actorSummary),
    channels: channelSummaries(source),
    venues: statuses.filter((s) => s.kind === 'feed').map(venueSummary),
    positions: positionList,
    pnl: pnlOf(positionList),
    risk: {
      state: str(trading.state, byId.get(EXECUTION_ID)?.state === 'running' ? 'UNKNOWN' : 'DOWN'),
      reason: str(trading.reason),
      denialsByReason: Object.fromEntries(Object.entries(obj(execution.denialsByReason)).map(([k, v]) => [k, num(v)])),
    },
    orders: orders(execution),
    latency: latency(execution),
    opportunities: {
      total: num(recorder.total),
      best: (Array.isArray(recorder.best) ? recorder.best : []) as MessageOf<'Opportunity'>[],
    },
  };
}
