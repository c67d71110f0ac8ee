/**
 * The system's status as ops presents it (GET /status, the terminal view, /metrics). The
 * application assembles it from the supervisor and from what each actor reports; ops only
 * renders and exports it, so this shape is the contract between the two.
 */
import type { DecisionPath, MarketRulesStatus, Message, OrderStage, PositionStatus, ReconciliationStatus, VenueBalanceStatus } from '../protocol/index.js';

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
  /** Per venue: the account's last balances (as execution fetched them), their age, what orders in flight reserve. */
  balances: Record<string, VenueBalanceStatus>;
  /** The same decomposed into stages, per deciding path. */
  stages: StageHistogram[];
  /** Order commands execution received, by the path that decided them. */
  commandsByPath: Record<DecisionPath, number>;
  opportunities: { total: number; best: Extract<Message, { type: 'Opportunity' }>[] };
  /**
   * Execution's reconciliation with the venues: position mismatches with both sides' figures,
   * positions adopted as external, strategies moved to REDUCING (null while execution reports nothing).
   */
  reconciliation: Pick<ReconciliationStatus, 'state' | 'passes' | 'lastPassMs' | 'intervalMs' | 'mismatchEvents' | 'mismatches' | 'external' | 'strategyStates'> | null;
  /** Each traded market's rules and fee rates as execution published them, with where the rates came from (`venue` or `table`). */
  marketRules: MarketRulesStatus[];
  /** The execution journal (null while execution does not report): durability, commits, fills refused as conflicting. */
  journal: JournalSummary | null;
}

export interface JournalSummary {
  path: string;
  /** What a commit survives: `full` (power loss too) or `normal` (process crash, kill -9). */
  durability: string;
  /** Commits made by group commit since execution started. */
  groupCommits: number;
  /** Fill keys the venue reported again with another qty, price or fee (never booked). */
  fillConflicts: number;
}

/** Healthy when every actor runs (or was deliberately stopped) and trading is not halted by a failure. */
export function isHealthy(status: SystemStatus): { healthy: boolean; problems: string[] } {
  const problems = status.actors.filter((a) => a.state === 'failed').map((a) => `actor ${a.id} failed`);
  return { healthy: problems.length === 0, problems };
}
