/**
 * Prometheus exposition (prom-client) of the system status, every metric prefixed `arbiter_`.
 *
 * The numbers live in the actors (each counts in its own thread), so metrics are read from a
 * status snapshot taken at scrape time rather than incremented here: counters are re-set from
 * the snapshot in `collect()` (the documented prom-client way for externally kept counters),
 * and the latency histograms (tick to wire, and per order stage and deciding path) are exposed
 * from the execution actor's cumulative bucket counts (µs buckets from 10 µs to 5 s) through a
 * small custom metric: prom-client's Histogram can only observe() in this thread.
 */
import { Counter, Gauge, Registry, type Metric } from 'prom-client';
import type { LatencyHistogram, SystemStatus } from './system-status.js';

type LabeledHistogram = { labels: Record<string, string>; histogram: LatencyHistogram };

type Row = [labels: Record<string, string>, value: number];
type Rows = (status: SystemStatus) => Row[];

export class OpsMetrics {
  readonly registry = new Registry();
  private status: SystemStatus | undefined;
  private readonly requests: Counter<'route' | 'status'>;

  constructor() {
    // collect() runs with the metric as `this`; the snapshot is reached through this arrow.
    const current = (): SystemStatus | undefined => this.status;
    const counter = (name: string, help: string, labelNames: string[], rows: Rows): void => {
      new Counter({
        name,
        help,
        labelNames,
        registers: [this.registry],
        collect() {
          this.reset();
          const status = current();
          if (status) for (const [labels, value] of rows(status)) this.inc(labels, Math.max(0, value));
        },
      });
    };
    const gauge = (name: string, help: string, labelNames: string[], rows: Rows): void => {
      new Gauge({
        name,
        help,
        labelNames,
        registers: [this.registry],
        collect() {
          this.reset();
          const status = current();
          if (status) for (const [labels, value] of rows(status)) this.set(labels, value);
        },
      });
    };

    gauge('arbiter_uptime_seconds', 'Seconds since the system started.', [], (s) => [[{}, s.uptimeS]]);
    gauge('arbiter_actor_up', 'Actor state (1 for the current state).', ['actor', 'kind', 'state'], (s) => s.actors.map((a) => [{ actor: a.id, kind: a.kind, state: a.state }, 1]));
    counter('arbiter_actor_messages_in_total', 'Messages handled per actor.', ['actor', 'kind'], (s) => s.actors.map((a) => [{ actor: a.id, kind: a.kind }, a.messagesIn]));
    counter('arbiter_actor_messages_out_total', 'Messages sent per actor.', ['actor', 'kind'], (s) => s.actors.map((a) => [{ actor: a.id, kind: a.kind }, a.messagesOut]));
    counter('arbiter_actor_errors_total', 'Errors counted by each actor (hooks, decoding, rejected input).', ['actor'], (s) => s.actors.map((a) => [{ actor: a.id }, a.errors]));
    counter('arbiter_actor_restarts_total', 'Actor restarts after a crash.', ['actor'], (s) => s.actors.map((a) => [{ actor: a.id }, a.restarts]));
    counter('arbiter_actor_reloads_total', 'Hot reloads by outcome.', ['actor', 'outcome'], (s) =>
      s.actors.flatMap((a): Row[] => [
        [{ actor: a.id, outcome: 'succeeded' }, a.reloads.succeeded],
        [{ actor: a.id, outcome: 'rolled_back' }, a.reloads.rolledBack],
        [{ actor: a.id, outcome: 'refused' }, a.reloads.refused],
      ]),
    );
    counter('arbiter_channel_messages_total', 'Messages written per channel.', ['from', 'to', 'policy'], (s) => s.channels.map((c) => [{ from: c.from, to: c.to, policy: c.policy }, c.messages]));
    gauge('arbiter_ring_fill_ratio', 'Used fraction of each channel ring.', ['from', 'to'], (s) => s.channels.map((c) => [{ from: c.from, to: c.to }, c.usedBytes / c.capacityBytes]));
    counter('arbiter_ring_full_events_total', 'Times a writer found its ring full.', ['from', 'to'], (s) => s.channels.map((c) => [{ from: c.from, to: c.to }, c.fullEvents]));
    gauge('arbiter_venue_up', 'Feed state per venue (1 when up).', ['venue'], (s) => s.venues.map((v) => [{ venue: v.id }, v.state === 'up' ? 1 : 0]));
    counter('arbiter_venue_messages_total', 'Market-data messages published per venue.', ['venue'], (s) => s.venues.map((v) => [{ venue: v.id }, v.messages]));
    counter('arbiter_stale_events_total', 'Streams declared stale per venue.', ['venue'], (s) => s.venues.map((v) => [{ venue: v.id }, v.staleEvents]));
    counter('arbiter_venue_reconnects_total', 'Feed reconnects per venue.', ['venue'], (s) => s.venues.map((v) => [{ venue: v.id }, v.reconnects]));
    counter('arbiter_orders_total', 'Orders by venue and final or current status.', ['venue', 'status'], (s) => s.orders.byVenueStatus.map((o) => [{ venue: o.venue, status: o.status }, o.count]));
    counter('arbiter_risk_denials_total', 'Orders denied by pre-trade risk, by reason.', ['reason'], (s) => Object.entries(s.risk.denialsByReason).map(([reason, n]) => [{ reason }, n]));
    gauge('arbiter_risk_state', 'Trading state (1 for the current state).', ['state'], (s) => [[{ state: s.risk.state }, 1]]);
    gauge('arbiter_pnl_usd', 'PnL components in quote currency.', ['component'], (s) => Object.entries(s.pnl).map(([component, v]) => [{ component }, v]));
    gauge('arbiter_funding_pnl_usd', 'Funding received minus paid.', [], (s) => [[{}, s.pnl.funding]]);
    gauge('arbiter_position_mismatches', 'Perp positions where the venue and the journal disagree now, per venue.', ['venue'], (s) =>
      Object.keys(s.reconciliation?.mismatchEvents ?? {}).map((venue) => [{ venue }, (s.reconciliation?.mismatches ?? []).filter((m) => m.venue === venue).length]),
    );
    counter('arbiter_position_mismatch_events_total', 'Position mismatches found (new, or with changed figures) per venue.', ['venue'], (s) =>
      Object.entries(s.reconciliation?.mismatchEvents ?? {}).map(([venue, n]) => [{ venue }, n]),
    );
    gauge('arbiter_external_position_usd', 'Positions held at the venue that no strategy journaled (adopted as external), at the reference price.', ['venue', 'symbol'], (s) =>
      (s.reconciliation?.external ?? []).map((e) => [{ venue: e.venue, symbol: e.symbol }, e.notionalUsd ?? Number.NaN]),
    );
    counter('arbiter_reconciliation_passes_total', 'Completed reconciliation passes (start-up and periodic).', [], (s) => [[{}, s.reconciliation?.passes ?? 0]]);
    gauge('arbiter_strategy_reducing', 'Strategies moved to REDUCING on their own (1 each), e.g. by a position mismatch.', ['strategy'], (s) =>
      Object.keys(s.reconciliation?.strategyStates ?? {}).map((strategy) => [{ strategy }, 1]),
    );
    counter('arbiter_opportunities_total', 'Opportunities evaluated by strategies.', [], (s) => [[{}, s.opportunities.total]]);
    gauge('arbiter_journal_durability', 'Execution journal durability (1 for the configured level).', ['durability'], (s) => (s.journal ? [[{ durability: s.journal.durability }, 1]] : []));
    counter('arbiter_journal_commits_total', 'Execution journal commits (one per ring batch, venue response or tick that wrote).', [], (s) => (s.journal ? [[{}, s.journal.groupCommits]] : []));
    counter('arbiter_fill_conflicts_total', 'Fills a venue reported under a journaled key with another qty, price or fee (never booked).', [], (s) => (s.journal ? [[{}, s.journal.fillConflicts]] : []));
    counter('arbiter_order_commands_total', 'Order commands execution received, by the path that decided them (tick or timer).', ['path'], (s) => Object.entries(s.commandsByPath).map(([path, n]) => [{ path }, n]));
    const tickToOrder = (): LabeledHistogram[] => (this.status?.latency ? [{ labels: {}, histogram: this.status.latency }] : []);
    const stages = (): LabeledHistogram[] => (this.status?.stages ?? []).map((h) => ({ labels: { stage: h.stage, path: h.path }, histogram: h }));
    this.registry.registerMetric(histogramMetric('arbiter_tick_to_order_latency_us', 'From the arrival of the websocket frame that triggered an intent to the socket write of its order (or its denial), in microseconds.', tickToOrder) as unknown as Metric);
    this.registry.registerMetric(histogramMetric('arbiter_order_stage_latency_us', 'Each stage of the way from the tick to the wire (ORDER_STAGES), per deciding path, in microseconds.', stages) as unknown as Metric);
    this.requests = new Counter({ name: 'arbiter_ops_requests_total', help: 'Ops API requests by route and HTTP status.', labelNames: ['route', 'status'], registers: [this.registry] });
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  /** Prometheus text for `status`. */
  async render(status: SystemStatus): Promise<string> {
    this.status = status;
    return this.registry.metrics();
  }

  countRequest(route: string, status: number): void {
    this.requests.inc({ route, status: String(status) });
  }
}

/** Histograms whose buckets come from a snapshot (prom-client's Histogram only supports observe()). */
function histogramMetric(name: string, help: string, read: () => LabeledHistogram[]): { name: string; get(): Promise<unknown>; reset(): void } {
  return {
    name,
    reset() {},
    async get() {
      const values = read().flatMap(({ labels, histogram: h }) => [
        ...h.boundsUs.map((bound, i) => ({ metricName: `${name}_bucket`, labels: { ...labels, le: String(bound) }, value: h.cumulativeCounts[i] ?? 0 })),
        { metricName: `${name}_bucket`, labels: { ...labels, le: '+Inf' }, value: h.count },
        { metricName: `${name}_sum`, labels, value: h.sumUs },
        { metricName: `${name}_count`, labels, value: h.count },
      ]);
      return { name, help, type: 'histogram', values, aggregator: 'sum' };
    },
  };
}
