/**
 * Execution's side of the market rules: what each traded market's steps, minimums and contract
 * size are (from the venue's loaded markets) and what the account pays on it (the venue's
 * maker/taker rates, or the fee table when the venue gives none or fails), published to every
 * strategy as `MarketRules` messages.
 *
 *   venue.connect() ─► venue.rules(symbol) ─┐
 *   venue.tradingFees(symbols) ─(or table)──┴─► MarketRules ─► sink.broadcast ─► every strategy
 *
 * Each venue is loaded once at start (`loadAll`, before reconciliation: no order is accepted
 * before it), then its fees are read again every `feeRefreshMs` (hourly by default; sooner after a
 * failed fee request) and a market is republished when a value changed. Every `republishMs` the
 * whole set goes out again, so a strategy that restarted after a crash (it resumes at its ring
 * cursor and missed the first publication) gets the rules back.
 */
import { message, type MarketRulesStatus, type MessageOf } from '../protocol/index.js';
import { monoNowNs } from '../base/clock.js';
import type { Logger } from '../base/log.js';
import { feeRates, type FeeRates, type FeeSchedule } from '../trading/market/fees.js';
import { marketKey } from '../trading/market/symbols.js';
import type { EventSink } from './events.js';
import type { OrderStoreCounters } from './order-store.js';
import type { TradeVenue } from './venue-port.js';

export interface MarketRulesDeps {
  readonly venues: ReadonlyMap<string, TradeVenue>;
  /** The symbols traded on a venue (the config's venue symbols). */
  readonly symbolsOf: (venue: string) => readonly string[];
  /** The fallback when a venue reports no rate. */
  readonly feeTable: FeeSchedule;
  readonly sink: EventSink;
  readonly log: Logger;
  readonly counters: OrderStoreCounters;
  readonly track: (work: Promise<unknown>, what: string) => void;
  readonly nowMs: () => number;
  /** Resolves after `delayMs` on the actor's timers. */
  readonly delay: (delayMs: number) => Promise<void>;
  readonly feeRefreshMs: number;
  readonly republishMs: number;
}

/** After a failed load, try that venue again this soon. */
const RETRY_MS = 5_000;

interface VenueSchedule {
  loaded: boolean;
  busy: boolean;
  dueMs: number;
}

type Entry = MarketRulesStatus;

export class MarketRulesPublisher {
  private readonly entries = new Map<string, Entry>();
  private readonly schedule = new Map<string, VenueSchedule>();
  /** Configured symbols a venue's loaded markets do not list, by venue (as of its last load). */
  private readonly unlistedByVenue = new Map<string, readonly string[]>();
  private lastRepublishMs = 0;
  private stopped = false;

  constructor(private readonly deps: MarketRulesDeps) {
    for (const id of deps.venues.keys()) this.schedule.set(id, { loaded: false, busy: false, dueMs: 0 });
  }

  /** True once every venue's rules have been published once. */
  get ready(): boolean {
    for (const venue of this.schedule.values()) if (!venue.loaded) return false;
    return true;
  }

  /**
   * Connects every venue and publishes its markets' rules, retrying a venue that fails until it
   * answers (or `stop`). The core runs this before reconciliation, so no order passes before the
   * rules it must obey are known and published.
   */
  async loadAll(): Promise<void> {
    await Promise.all(
      [...this.schedule].map(async ([id, venue]) => {
        venue.busy = true;
        while (!this.stopped && !(await this.load(id, venue))) await this.deps.delay(RETRY_MS);
        venue.busy = false;
      }),
    );
  }

  /** Re-reads the fees of venues whose refresh is due, and republishes the full set when it is time. */
  tick(nowMs: number): void {
    if (!this.ready) return;
    for (const [id, venue] of this.schedule) {
      if (venue.busy || nowMs < venue.dueMs) continue;
      venue.busy = true;
      this.deps.track(
        this.load(id, venue).finally(() => (venue.busy = false)),
        'market-rules',
      );
    }
    if (nowMs - this.lastRepublishMs >= this.deps.republishMs) {
      this.lastRepublishMs = nowMs;
      for (const entry of this.entries.values()) this.publish(entry);
    }
  }

  /** Reads a venue's rules and rates again at the next tick (replay: the recording brought new ones). */
  reload(venue: string): void {
    const schedule = this.schedule.get(venue);
    if (schedule) schedule.dueMs = 0;
  }

  stop(): void {
    this.stopped = true;
  }

  /** The configured symbols the venues do not list (every venue loaded so far); nothing trades them. */
  unlisted(): { venue: string; symbol: string }[] {
    return [...this.unlistedByVenue].flatMap(([venue, symbols]) => symbols.map((symbol) => ({ venue, symbol })));
  }

  /**
   * Sends every market's rules to one strategy: a strategy that (re)starts asks for its position
   * sync, and gets the rules first, so it need not wait for the next periodic republish to trade.
   */
  sendTo(strategyId: string): void {
    for (const entry of this.entries.values()) this.deps.sink.toStrategy(strategyId, rulesMessage(entry));
  }

  status(): MarketRulesStatus[] {
    return [...this.entries.values()].map((entry) => ({ ...entry }));
  }

  /** One venue's rules and rates, published where they changed; false when the venue could not be reached. */
  private async load(id: string, schedule: VenueSchedule): Promise<boolean> {
    const venue = this.deps.venues.get(id)!;
    try {
      await venue.connect();
    } catch (error) {
      // Nothing is known about this venue's markets yet (or, on a refresh, nothing new).
      schedule.dueMs = this.deps.nowMs() + RETRY_MS;
      this.deps.counters.reportError('market_rules', error);
      return false;
    }
    const symbols = this.deps.symbolsOf(id);
    this.unlistedByVenue.set(id, symbols.filter((symbol) => venue.rules(symbol) === null));
    const { rates, feeError } = await this.venueRates(venue, symbols);
    for (const symbol of symbols) this.update(venue, symbol, rates.get(symbol), feeError);
    schedule.loaded = true;
    schedule.dueMs = this.deps.nowMs() + (feeError === null ? this.deps.feeRefreshMs : RETRY_MS);
    this.lastRepublishMs = this.deps.nowMs();
    return true;
  }

  /** The venue's rates, or an empty map and why (the table then applies to every symbol). */
  private async venueRates(venue: TradeVenue, symbols: readonly string[]): Promise<{ rates: ReadonlyMap<string, FeeRates>; feeError: string | null }> {
    try {
      return { rates: await venue.tradingFees(symbols), feeError: null };
    } catch (error) {
      this.deps.counters.reportError('trading_fees', error);
      return { rates: new Map(), feeError: (error as Error).message?.slice(0, 200) ?? String(error) };
    }
  }

  private update(venue: TradeVenue, symbol: string, venueRates: FeeRates | undefined, feeError: string | null): void {
    const rules = venue.rules(symbol);
    if (!rules) {
      this.deps.log.warn({ venue: venue.id, symbol }, 'the venue does not list a configured symbol: no rules published, strategies will not trade it');
      return;
    }
    const rates = venueRates ?? feeRates(this.deps.feeTable, venue.id, symbol);
    const entry: Entry = {
      venue: venue.id,
      symbol,
      ...rules,
      makerRateBps: rates.makerRateBps,
      takerRateBps: rates.takerRateBps,
      feeSource: venueRates ? 'venue' : 'table',
      feeError: venueRates ? null : (feeError ?? 'the venue reports no rate for this market'),
    };
    const key = marketKey(venue.id, symbol);
    const previous = this.entries.get(key);
    this.entries.set(key, entry);
    if (previous && sameRules(previous, entry)) return;
    if (previous) this.deps.log.info({ venue: venue.id, symbol, before: published(previous), after: published(entry) }, 'market rules changed');
    this.publish(entry);
  }

  private publish(entry: Entry): void {
    this.deps.sink.broadcast(rulesMessage(entry));
  }
}

const rulesMessage = (entry: Entry): MessageOf<'MarketRules'> => message('MarketRules', { ts: monoNowNs(), ...published(entry) });

function published(entry: Entry): Omit<MessageOf<'MarketRules'>, 'type' | 'ts'> {
  const { feeError: _feeError, ...fields } = entry;
  return fields;
}

function sameRules(a: Entry, b: Entry): boolean {
  const x = published(a) as Record<string, unknown>;
  const y = published(b) as Record<string, unknown>;
  return Object.keys(x).every((key) => x[key] === y[key]);
}
