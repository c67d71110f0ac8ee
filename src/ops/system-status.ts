/**
 * The system's status as ops presents it (GET /status, the terminal view, /metrics). The
 * application assembles it from the supervisor and from what each actor reports; ops only
 * renders and exports it, so this shape is the contract between the two.
 */
import type { DecisionPath, Message, OrderStage, PositionStatus } from '../protocol/index.js';

export interface ActorSummary {
  id: string;
  kind: string;
  state: string;
  version: string | null;
  restarts: number;
  reloads: { succeeded: number; rolledBack: number; refused: number; lastPauseUs: number | null };
  messagesIn: number;
  messagesOut: number;
  errors: number;
  lastMessageAgeMs: number | null;
}

export interface ChannelSummary {
  from: string;
  to: string;
  policy: string;
  capacityBytes: number;
  usedBytes: number;
  messages: number;
  fullEvents: number;
}

export interface VenueSummary {
  id: string;
  state: string;
  reason: string;
  dataAgeMs: number | null;
  messages: number;
  staleEvents: number;
  reconnects: number;
  /** Per symbol, as the feed last published it. */
  symbols?: VenueSymbolSummary[];
}

export interface VenueSymbolSummary {
  symbol: string;
  state: string;
  bid: number | null;
  ask: number | null;
  /** Funding rate per interval (perps). */
  funding: number | null;
  dataAgeMs: number | null;
}

/** A position with its PnL, as execution reports it. */
export type PositionSummary = PositionStatus;

/** A latency distribution as cumulative bucket counts (Prometheus histogram shape). */
export interface LatencyHistogram {
  /** Upper bounds in µs, ascending (the +Inf bucket is implied). */
  boundsUs: number[];
  /** Observations ≤ each bound, cumulative. */
  cumulativeCounts: number[];
  count: number;
  sumUs: number;
  p50Us: number | null;
  p90Us: number | null;
  p99Us: number | null;
  p999Us: number | null;
  maxUs: number | null;
}

/** One order stage's distribution, for the orders one path decided (see ORDER_STAGES). */
export interface StageHistogram extends LatencyHistogram {
  stage: OrderStage;
  path: DecisionPath;
}

export interface SystemStatus {
  mode: string;
  startedAt: string;
  uptimeS: number;
  actors: ActorSummary[];
  channels: ChannelSummary[];
  venues: VenueSummary[];
  positions: PositionSummary[];
  pnl: { realized: number; unrealized: number; funding: number; fees: number; net: number };
  risk: { state: string; reason: string; denialsByReason: Record<string, number> };
  orders: { sent: number; fills: number; byVenueStatus: { venue: string; status: string; count: number }[] };
  /** Tick to wire (or denial), every order. */
  latency: LatencyHistogram | null;
  /** The same decomposed into stages, per deciding path. */
  stages: StageHistogram[];
  /** Order commands execution received, by the path that decided them. */
  commandsByPath: Record<DecisionPath, number>;
  opportunities: { total: number; best: Extract<Message, { type: 'Opportunity' }>[] };
}

/** Healthy when every actor runs (or was deliberately stopped) and trading is not halted by a failure. */
export function isHealthy(status: SystemStatus): { healthy: boolean; problems: string[] } {
  const problems = status.actors.filter((a) => a.state === 'failed').map((a) => `actor ${a.id} failed`);
  return { healthy: problems.length === 0, problems };
}
