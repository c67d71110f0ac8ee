/**
 * The execution core: everything the execution actor does, wired together and independent of the
 * runtime (the actor module only forwards messages, timers and control-plane commands to it).
 *
 *   command ─► CommandHandler ─► risk ─► journal ─► OrderIo ─► TradeVenue (ccxt | paper)
 *                                   │                  │
 *   md ─► QuoteBook ◄───────────────┘   answers ─► OrderLedger ─► journal ─► events to the strategy
 *                                                      └─► MultiLegRunner (corrections)
 *
 * Group commit (commit-group.ts): the actor opens a group at a ring batch's first command and ends
 * it after the batch (onBatchEnd); timer ticks, venue answers and control commands are groups of
 * their own. Venue requests and strategy events wait for their group's commit.
 *
 * Balances: fetched at start, after each fill and funding payment and every `balances.refreshMs` (BalanceTracker),
 * checked by pre-trade risk through the BalanceBook and published to the strategies.
 *
 * Start: the journal is loaded, orders that may be live go to `unknown`, every venue's market rules
 * and fee rates are published to the strategies (MarketRulesPublisher), then the Reconciler asks
 * every venue; until it is done, orders are denied with `reconciling` and multi-leg coordinators wait.
 * Then every strategy that asked (`SyncPositions`) or holds a position gets its journaled book
 * (`PositionsSynced`, position-sync.ts); strategies trade only after that.
 * Meanwhile each network venue warms up (keep-alive connections opened, an order request built
 * and signed but not sent), and before trading opens the command gate runs once on a throwaway
 * risk engine, so the first real order meets neither a TCP connect nor cold code. Nothing of the
 * warm-up is journaled or sent.
 */
import { message, UNSTAMPED_DECISION, type CommandMessage, type ExecutionStatus, type MarketDataMessage, type MessageOf, type TradingStatus } from '../protocol/index.js';
import { monoNowNs } from '../base/clock.js';
import { arbiterError } from '../base/errors.js';
import type { Logger } from '../base/log.js';
import { QuoteBook } from '../trading/market/book.js';
import { PriceGuard } from '../trading/market/price-guard.js';
import type { ExecutionJournal } from './journal-port.js';
import { RiskEngine, type RiskContext } from '../trading/risk/engine.js';
import { BalanceBook } from '../trading/risk/balance-book.js';
import { orderRequestOf, validateRequest } from '../trading/risk/order-checks.js';
import { prepareRequest } from './prepare.js';
import { feeInQuote, type FeeConverter } from '../trading/orders/venue-view.js';
import type { ExecutionParams } from './params.js';
import type { TradeVenue } from './venue-port.js';
import { CommandHandler } from './commands.js';
import { BalanceTracker } from './balances.js';
import { CommitGroup } from './commit-group.js';
import { BASELINE_KEY, EquityWatch } from './equity.js';
import type { EventSink } from './events.js';
import { fundingSince, pollFunding, settlementRows } from './funding.js';
import { OrderLatency } from './latency.js';
import { OrderStore, type OrderStoreCounters, type LiveOrder } from './order-store.js';
import { MarketRulesPublisher } from './market-rules.js';
import { MultiLegRunner } from './multi-leg-runner.js';
import { OrderIo } from './order-io.js';
import { PositionSync } from './position-sync.js';
import { PositionWatch } from './position-watch.js';
import { Reconciler } from './reconciler.js';
import { executionStatus } from './status.js';

export interface CoreOptions {
  readonly params: ExecutionParams;
  readonly journal: ExecutionJournal;
  /** Builds the venues (paper venues fill against the core's book, on `nowMs`). */
  readonly createVenues: (book: QuoteBook, nowMs: () => number) => Promise<TradeVenue[]>;
  readonly sink: EventSink;
  readonly log: Logger;
  readonly counters: OrderStoreCounters;
  readonly track: (work: Promise<unknown>, what: string) => void;
  /**
   * Epoch ms on the actor's clock (ctx.clock.wallMs()): wall time live, the lockstep driver's
   * virtual time in replay. The only clock execution reads, and the one its timers run on.
   */
  readonly nowMs: () => number;
  /** Resolves after `delayMs` on the actor's timers (ctx.after), so replay can drive the waits. */
  readonly delay: (delayMs: number) => Promise<void>;
}

const EQUITY_CHECK_MS = 1_000;
const PRUNE_EVERY_MS = 60_000;
const KEEP_DONE_MS = 600_000;
const TRADING_STATE_KEY = 'tradingState';

export class ExecutionCore {
  private readonly book: QuoteBook;
  private readonly risk: RiskEngine;
  private readonly ledger: OrderStore;
  private readonly io: OrderIo;
  private readonly multiLeg: MultiLegRunner;
  private readonly reconciler: Reconciler;
  private readonly positionWatch: PositionWatch;
  private readonly positionSync: PositionSync;
  private readonly marketRules: MarketRulesPublisher;
  /** Settles once every venue's markets are loaded (start()). */
  private marketsLoaded: Promise<void> | undefined;
  private readonly commands: CommandHandler;
  private readonly group: CommitGroup;
  private readonly latency = new OrderLatency();
  private readonly equity: EquityWatch;
  private readonly balanceBook: BalanceBook;
  private readonly balances: BalanceTracker;
  private readonly venues: ReadonlyMap<string, TradeVenue>;
  private lastEquityMs = 0;
  private lastPruneMs = 0;
  private readonly fundingNext = new Map<string, { sinceMs: number; dueMs: number; busy: boolean }>();
  private readonly nowMs: () => number;

  /** Builds the core: the book first, then the venues on it, then the journal's contents. */
  static async create(options: CoreOptions): Promise<ExecutionCore> {
    const { params, counters } = options;
    const guard = new PriceGuard(params.priceBand, params.quoteMaxAgeMs, (venue, symbol, kind, px) =>
      counters.reportError('price_out_of_band', arbiterError('VENUE_DATA', `${venue} ${symbol}: ${kind} price ${px} outside the band around its recent and other venues' prices; not used`)),
    );
    const book = new QuoteBook({ now: options.nowMs, maxAgeMs: params.quoteMaxAgeMs, guard });
    return new ExecutionCore(options, await options.createVenues(book, options.nowMs), book);
  }

  private constructor(
    private readonly options: CoreOptions,
    venueList: readonly TradeVenue[],
    book: QuoteBook,
  ) {
    const { params, journal, counters, track } = options;
    const sink = (this.group = new CommitGroup(journal, options.sink, (error) => this.journalFailed(error)));
    this.nowMs = options.nowMs;
    this.venues = new Map(venueList.map((venue) => [venue.id, venue]));
    this.book = book;
    this.risk = new RiskEngine(params.risk);
    this.equity = new EquityWatch(this.risk.tradingState, journal);
    const convertFee = this.feeConverter();
    this.ledger = new OrderStore(journal, sink, this.book, convertFee, counters);
    this.balanceBook = new BalanceBook({ assumedLeverage: params.balances.assumedLeverage });
    const accounts = new Map(params.venues.map((v) => [v.id, v.account]));
    this.balances = new BalanceTracker({
      venues: this.venues,
      book: this.balanceBook,
      sink,
      nowMs: this.nowMs,
      track,
      counters,
      log: options.log,
      refreshMs: params.balances.refreshMs,
      simulated: params.mode === 'paper' || params.mode === 'replay',
      accountOf: (venue) => accounts.get(venue) ?? venue,
    });
    const base = { ledger: this.ledger, venues: this.venues, risk: this.risk, nowMs: this.nowMs, counters, delay: options.delay };
    this.io = new OrderIo({ ...base, latency: this.latency, group: this.group, convertFee, track, pollIntervalMs: params.pollIntervalMs, unknownGraceMs: params.unknownGraceMs, onAmbiguous: (venue) => this.reconciler.requestSoon(venue) });
    const riskContext = (duplicateIntent = false): RiskContext => this.riskContext(duplicateIntent);
    this.multiLeg = new MultiLegRunner({ ...base, journal, io: this.io, book: this.book, sink, riskContext, options: params.multiLeg });
    const configuredSymbols = (id: string): string[] => params.venues.find((v) => v.id === id)?.symbols ?? [];
    this.positionWatch = new PositionWatch({ ledger: this.ledger, risk: this.risk, sink, priceOf: this.priceOf, toleranceUsd: params.mismatchToleranceUsd, log: options.log, nowMs: this.nowMs });
    this.reconciler = new Reconciler({
      ...base,
      io: this.io,
      lookbackMs: params.reconcileLookbackMs,
      configuredSymbols,
      convertFee,
      log: options.log,
      watch: this.positionWatch,
      intervalMs: params.reconcileIntervalMs,
      track,
    });
    this.marketRules = new MarketRulesPublisher({ venues: this.venues, symbolsOf: configuredSymbols, feeTable: params.fees, sink, log: options.log, counters, track, nowMs: this.nowMs, delay: options.delay, feeRefreshMs: params.feeRefreshMs, republishMs: params.marketRulesRepublishMs });
    this.positionSync = new PositionSync(this.ledger, sink);
    // The rules first (loaded before reconciliation, so present whenever positions are answered), then the positions.
    const syncPositions = (strategyId: string): void => {
      this.marketRules.sendTo(strategyId);
      this.positionSync.request(strategyId);
    };
    this.commands = new CommandHandler({ ...base, journal, io: this.io, multiLeg: this.multiLeg, sink, latency: this.latency, riskContext, reconciling: () => this.reconciler.reconciling || !this.balances.ready(), referencePx: this.priceOf, legsTogether: params.legsTogether, syncPositions });
    this.ledger.onChange((order) => {
      this.multiLeg.onOrderChanged(order);
      this.balances.onOrderChanged(order);
    });
    for (const venue of venueList) venue.setListener({ onOrder: (id, view) => this.onVenueOrder(id, view), onFunding: (...args) => this.onPaperFunding(...args) });
    this.load();
  }

  /** Publishes the market rules, then reconciles (orders are denied with `reconciling` until both are done). */
  start(): void {
    this.group.run(() => {
      this.reconciler.prepare();
      // The loss limits' baseline is the journal's equity now, before anything trades.
      this.checkEquity(this.nowMs());
      this.broadcastState(this.risk.tradingState.status);
    });
    this.balances.tick(this.nowMs());
    // Market rules first (connecting every venue): reconciliation (and with it trading) starts once
    // every venue's are published, while the venues' connections are warmed alongside it.
    this.marketsLoaded = this.marketRules.loadAll();
    this.options.track(
      this.marketsLoaded
        .then(() => Promise.all([this.reconciler.run(), this.warmVenues()]))
        .then(([, venues]) => {
          this.warmGate();
          this.options.log.info({ venues: this.reconciler.venues, warmUp: venues }, 'reconciliation done');
          // The strategies learn their journaled book now that reconciliation has settled it.
          this.group.run(() => this.positionSync.reconciled());
          this.multiLeg.resume();
        }),
      'reconcile',
    );
  }

  /** Opens each network venue's connections and signs one unsent request there. */
  private async warmVenues(): Promise<Record<string, { connections: number; signed: boolean }>> {
    const { params } = this.options;
    const warmed: Record<string, { connections: number; signed: boolean }> = {};
    await Promise.all(
      [...this.venues.values()].map(async (venue) => {
        if (!venue.warmUp) return;
        const symbol = params.venues.find((v) => v.id === venue.id)?.symbols[0];
        warmed[venue.id] = await venue.warmUp(params.warmConnections, symbol).catch(() => ({ connections: 0, signed: false }));
      }),
    );
    return warmed;
  }

  /**
   * Runs the command gate (shape, the venue's grid, every risk rule) once for an order on each
   * configured symbol, on a risk engine of its own: the real one's rate budgets, exposure and
   * breakers are untouched, no balance is reserved (an empty balance book of its own), and no
   * row is written.
   */
  private warmGate(): void {
    const { params } = this.options;
    const engine = new RiskEngine(params.risk);
    const context = { ...this.riskContext(false), balances: new BalanceBook({ assumedLeverage: params.balances.assumedLeverage }) };
    for (const venue of params.venues) {
      const symbol = venue.symbols[0];
      if (symbol === undefined) continue;
      const px = this.book.referencePx(venue.id, symbol) ?? 1;
      const command = message('SubmitOrder', { ts: 0, strategyId: 'warmup', intentSeq: 1, venue: venue.id, symbol, side: 'buy', orderType: 'limit', timeInForce: 'IOC', qty: this.venues.get(venue.id)?.rules(symbol)?.minQty || 1, limitPx: px, reduceOnly: false, ...UNSTAMPED_DECISION });
      const valid = validateRequest(orderRequestOf(command));
      if ('approved' in valid) continue;
      const request = prepareRequest(valid, this.venues, this.priceOf);
      if (!('approved' in request)) engine.check(request, context);
    }
  }

  /** `body` is the command as the ring delivered it; `sender` the actor that wrote it (from the wiring), when known. */
  onCommand(command: CommandMessage, body: Uint8Array, sender?: string): void {
    this.group.begin();
    this.commands.handle(command, body, sender);
  }

  onMarketData(md: MarketDataMessage): void {
    this.book.apply(md);
    const venue = this.venues.get(md.venue);
    if (venue && !venue.remembersOrders) {
      // Paper fills happen here: they join the batch's group.
      this.group.begin();
      venue.onMarketData(md);
      venue.advance(this.nowMs());
    }
  }

  /** After a ring batch (the actor's onBatchEnd): commits the batch's group, then sends what it decided. */
  endBatch(): void {
    this.group.end();
  }

  /** Replay: a market's rules from the recording; the paper venue takes them and they are republished. */
  onRecordedRules(rules: MessageOf<'MarketRules'>): void {
    const venue = this.venues.get(rules.venue);
    if (!venue || venue.remembersOrders) return;
    venue.onRecordedRules(rules);
    this.marketRules.reload(rules.venue);
  }

  /** Called on a short timer: paper time, polls, multi-leg deadlines, loss limits, funding, pruning. One commit group. */
  onTick(): void {
    this.group.run(() => this.tick());
  }

  private tick(): void {
    const nowMs = this.nowMs();
    for (const venue of this.venues.values()) venue.advance(nowMs);
    this.marketRules.tick(nowMs);
    if (!this.reconciler.reconciling) this.poll(nowMs);
    this.reconciler.tick(nowMs);
    this.multiLeg.tick();
    if (nowMs - this.lastEquityMs >= EQUITY_CHECK_MS) this.checkEquity(nowMs);
    if (!this.reconciler.reconciling) this.pollFunding(nowMs);
    this.balances.tick(nowMs);
    if (nowMs - this.lastPruneMs >= PRUNE_EVERY_MS) {
      this.lastPruneMs = nowMs;
      this.ledger.prune((order) => nowMs - order.spec.createdMs > KEEP_DONE_MS);
    }
  }

  /** The kill switch: HALTED at once, then every open order canceled. */
  /**
   * Once every venue's markets are loaded: the configured symbols a venue does not list. The
   * system refuses to start with any (a run that never trades them is not a run).
   */
  async unlistedSymbols(): Promise<{ venue: string; symbol: string }[]> {
    if (!this.marketsLoaded) throw arbiterError('ACTOR_STATE', 'execution has not started: no markets are being loaded');
    await this.marketsLoaded;
    return this.marketRules.unlisted();
  }

  halt(reason: string): { state: string; canceling: number } {
    return this.group.run(() => this.haltNow(reason));
  }

  private haltNow(reason: string): { state: string; canceling: number } {
    const changed = this.risk.tradingState.kill(reason);
    if (changed) this.stateChanged(changed);
    return { state: this.risk.tradingState.status.state, canceling: this.cancelOpen(() => true, `kill switch: ${reason}`) };
  }

  /** An operator's state change: ACTIVE (resume) or REDUCING (only risk-reducing orders pass). */
  setState(state: 'ACTIVE' | 'REDUCING', reason: string): { state: string } {
    return this.group.run(() => {
      const changed = this.risk.tradingState.set(state, `operator: ${reason}`);
      if (changed) this.stateChanged(changed);
      if (changed && state === 'ACTIVE') this.equity.rebase();
      // Resuming also lifts per-strategy REDUCING (a mismatch that persists is reported again when its figures change).
      if (state === 'ACTIVE' && Object.keys(this.risk.strategyStates.status).length > 0) {
        this.risk.strategyStates.clear();
        if (!changed) this.broadcastState(this.risk.tradingState.status);
      }
      return { state: this.risk.tradingState.status.state };
    });
  }

  /** Cancels open orders, optionally of one strategy and/or venue, without changing the trading state. */
  cancelAll(filter: { strategyId?: string; venue?: string } = {}): { canceling: number } {
    return { canceling: this.group.run(() => this.cancelOpen((o) => (filter.strategyId === undefined || o.spec.strategyId === filter.strategyId) && (filter.venue === undefined || o.spec.venue === filter.venue), 'canceled by operator')) };
  }

  /** The status ops shows (built on demand, off the hot path). */
  status(): ExecutionStatus {
    const { ledger, book, reconciler, latency, multiLeg } = this;
    return executionStatus({
      mode: this.options.params.mode,
      group: this.group,
      tradingState: this.risk.tradingState,
      strategyStates: this.risk.strategyStates,
      reconciler,
      positionWatch: this.positionWatch,
      reconcileIntervalMs: this.options.params.reconcileIntervalMs,
      ledger,
      book,
      journal: this.options.journal,
      denials: this.commands.denials,
      latency,
      multiLeg,
      balances: this.balances.status(),
      marketRules: this.marketRules.status(),
    });
  }

  async close(): Promise<void> {
    this.reconciler.stop();
    this.marketRules.stop();
    await Promise.all([...this.venues.values()].map((venue) => venue.close().catch(() => undefined)));
    this.options.journal.close();
  }

  private riskContext(duplicateIntent: boolean): RiskContext {
    // External positions (held at the venue, in no strategy's journal) count toward every cap.
    const positions = [...this.ledger.positions.entries(), ...this.positionWatch.externalEntries()];
    return { nowMs: this.nowMs(), referencePx: this.priceOf, positions, openOrders: this.ledger.openOrderViews(), duplicateIntent, balances: this.balanceBook };
  }

  private readonly priceOf = (venue: string, symbol: string): number | null => this.book.referencePx(venue, symbol);

  private load(): void {
    const contents = this.options.journal.load(this.nowMs() - KEEP_DONE_MS);
    this.ledger.load(contents);
    this.multiLeg.load(contents.multiLegs);
    for (const venue of this.options.params.venues) {
      if (venue.marketTypes.includes('perp')) this.fundingNext.set(venue.id, { sinceMs: fundingSince(contents.meta, venue.id, this.nowMs()), dueMs: 0, busy: false });
    }
    const saved = contents.meta.get(TRADING_STATE_KEY);
    if (saved) {
      const { state, reason } = JSON.parse(saved) as { state: TradingStatus['state']; reason: string };
      if (state === 'HALTED') this.risk.tradingState.kill(`restored after restart: ${reason}`);
      else if (state === 'REDUCING') this.risk.tradingState.set(state, `restored after restart: ${reason}`);
    }
    this.equity.restore(contents.meta.get(BASELINE_KEY));
  }

  private feeConverter(): FeeConverter {
    return (fee, currency, symbol, px) =>
      feeInQuote(fee, currency, symbol, px, (pair) => {
        for (const venue of this.venues.keys()) {
          const ref = this.book.referencePx(venue, pair);
          if (ref !== null) return ref;
        }
        return null;
      });
  }

  private poll(nowMs: number): void {
    for (const order of this.ledger.open()) {
      const status = order.record.status;
      if (order.busy || status === 'new' || status === 'sent' || nowMs < order.nextLookupMs) continue;
      if (!this.venues.get(order.spec.venue)?.remembersOrders && status !== 'unknown') continue;
      if (order.cancelRequested && status !== 'unknown' && !order.needsLookup) this.io.cancel(order, 'canceled');
      else void this.io.lookup(order);
    }
  }

  private onVenueOrder(clientOrderId: string, view: Parameters<OrderStore['applyView']>[1]): void {
    const order = this.ledger.get(clientOrderId);
    if (order) this.group.run(() => this.ledger.applyView(order, view, this.nowMs()));
  }

  private onPaperFunding(venue: string, symbol: string, rate: number, markPx: number, settlementMs: number): void {
    this.group.run(() => {
      for (const row of settlementRows(this.ledger, venue, symbol, rate, markPx, settlementMs)) this.ledger.applyFunding(row);
    });
    this.balances.refresh(venue);
  }

  private pollFunding(nowMs: number): void {
    for (const [venueId, next] of this.fundingNext) {
      const venue = this.venues.get(venueId);
      if (!venue || next.busy || nowMs < next.dueMs) continue;
      next.busy = true;
      next.dueMs = nowMs + this.options.params.fundingPollMs;
      const work = pollFunding(venue, this.ledger, this.options.journal, next.sinceMs, (symbol) => this.book.referencePx(venueId, symbol), this.options.counters)
        .then((sinceMs) => {
          // A payment moved the account's wallet: fetch its balances now rather than at the next refresh.
          if (sinceMs > next.sinceMs) this.balances.refresh(venueId);
          next.sinceMs = sinceMs;
        })
        .finally(() => (next.busy = false));
      this.options.track(work, 'funding');
    }
  }

  private checkEquity(nowMs: number): void {
    this.lastEquityMs = nowMs;
    const changed = this.equity.observe(this.ledger.positions, this.priceOf, nowMs);
    if (changed) {
      this.stateChanged(changed);
      if (changed.state === 'HALTED') this.cancelOpen(() => true, changed.reason);
    }
  }

  private cancelOpen(matches: (order: LiveOrder) => boolean, reason: string): number {
    let n = 0;
    for (const order of this.ledger.open()) {
      if (!matches(order)) continue;
      this.io.cancel(order, reason);
      n++;
    }
    return n;
  }

  /** Journals, logs and broadcasts a trading-state change. */
  /**
   * A group commit failed (disk full, I/O error): what the group decided was rolled back and never
   * sent, but the ledger in memory is ahead of the journal, so nothing new may trade: HALTED at
   * once, told to every strategy. Open orders are left to the operator (cancelling them would
   * need journal writes too); a restart rebuilds memory from the journal.
   */
  private journalFailed(error: unknown): void {
    const changed = this.risk.tradingState.kill(`journal commit failed: ${error instanceof Error ? error.message : String(error)}`);
    this.options.log.error({ err: error }, 'journal commit failed: trading halted');
    if (!changed) return;
    this.broadcastState(changed);
    try {
      this.options.journal.setMeta(TRADING_STATE_KEY, JSON.stringify({ state: changed.state, reason: changed.reason }));
    } catch {
      // The journal is failing: the halt holds in memory, and a restart starts from the journal.
    }
  }

  private stateChanged(status: TradingStatus): void {
    this.options.journal.setMeta(TRADING_STATE_KEY, JSON.stringify({ state: status.state, reason: status.reason }));
    this.options.log.warn({ state: status.state, cause: status.cause, reason: status.reason }, 'trading state changed');
    this.broadcastState(status);
  }

  private broadcastState(status: TradingStatus): void {
    this.group.broadcast(message('TradingStateChanged', { ts: monoNowNs(), state: status.state, reason: status.reason }));
  }
}
