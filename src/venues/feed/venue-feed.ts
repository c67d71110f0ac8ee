/**
 * The generic feed engine: one venue, many symbols, the same for every venue. It loads the
 * venue's markets (retrying until it can), starts one `StreamRunner` per (symbol, stream) the
 * adapter and params call for, keeps funding intervals fresh, runs the staleness watchdog when
 * the actor's timer fires, and reports the venue's status.
 *
 *   actor timer ──► tick() ──► runner.checkStale() … ──► VenueStatus on change
 *   ccxt watch* ──► StreamRunner ──► SymbolOutput (checks) ──► sink.send (ring)
 *
 * @example
 * const engine = await FeedEngine.create(binanceusdm, params, sink);
 * void engine.start();             // background: markets, then streams
 * setInterval(() => engine.tick(), params.watchdogMs);
 * await engine.stop();
 */
import type { Exchange, MarketInterface } from 'ccxt';
import type { FeedStatus, FeedSymbolStatus } from '../../protocol/index.js';
import { monoNowNs } from '../../base/clock.js';
import { describeError } from '../../base/errors.js';
import { loadCcxtErrors, type CcxtErrorClasses } from '../ccxt-loader.js';
import { Sleeper, withTimeout } from '../../base/async.js';
import { backoffDelayMs } from '../../base/backoff.js';
import { ConnectionWatch } from './connections.js';
import { createFeedExchange, heapMb, rssMb } from './exchange.js';
import { FeedHealth } from './health.js';
import { Rejections, SymbolOutput } from './output.js';
import type { FeedParams } from './params.js';
import { StreamRunner, type RunnerDeps } from './stream-runner.js';
import { fundingPollStream, orderBookStream } from './streams.js';
import type { FeedSink } from './sink.js';
import type { FeedAdapter, StreamSpec } from './types.js';

/** While a perp's funding interval is unknown, ask the venue again this often. */
const MISSING_INTERVAL_RETRY_MS = 10_000;
const CLOSE_TIMEOUT_MS = 1_000;

const ageMs = (nowNs: number, thenNs: number): number | null => (thenNs === 0 ? null : Math.round((nowNs - thenNs) / 1e6));
const finiteOrNull = (value: number): number | null => (Number.isFinite(value) ? value : null);

export class VenueFeed {
  private readonly health: FeedHealth;
  private readonly rejections: Rejections;
  private readonly connections: ConnectionWatch;
  private readonly outputs = new Map<string, SymbolOutput>();
  private readonly runners: StreamRunner[] = [];
  private readonly sleeper = new Sleeper();
  private perps: readonly string[] = [];
  private intervalsCheckedNs = 0;
  private intervalsPending = false;
  private stopped = false;

  private constructor(
    private readonly adapter: FeedAdapter,
    private readonly params: FeedParams,
    private readonly sink: FeedSink,
    private readonly exchange: Exchange,
    private readonly errors: CcxtErrorClasses,
  ) {
    this.health = new FeedHealth(params.venue, sink);
    this.rejections = new Rejections(sink, params.venue);
    this.connections = new ConnectionWatch(exchange, (detail) => this.rejections.reject('malformed_frame', '', detail));
    const checks = {
      levels: params.levels,
      topFromBook: !this.topFromBidsAsks,
      maxAbsFundingRate: params.maxAbsFundingRate,
      priceBand: { bandPct: params.priceBandPct, widenPctPerSec: params.priceBandWidenPctPerSec, maxPct: params.priceBandMaxPct },
      maxTimestampSkewMs: params.maxTimestampSkewMs,
    };
    const rejecting = (symbol: string, reason: string | undefined): void => this.health.setRejecting(symbol, reason);
    for (const symbol of params.symbols) {
      this.health.addSymbol(symbol);
      this.outputs.set(symbol, new SymbolOutput(params.venue, symbol, sink, checks, this.rejections, rejecting));
    }
    this.health.update();
  }

  /** Imports the venue's ccxt module and builds the (not yet connected) engine. */
  static async create(adapter: FeedAdapter, params: FeedParams, sink: FeedSink): Promise<VenueFeed> {
    const exchange = await createFeedExchange(adapter, params);
    const errors = await loadCcxtErrors();
    adapter.install?.(exchange, errors);
    return new VenueFeed(adapter, params, sink, exchange, errors);
  }

  private get topFromBidsAsks(): boolean {
    return this.params.topSource === 'bidsAsks' && this.adapter.bidsAsks !== undefined;
  }

  /** Loads markets (retrying), then runs every stream until `stop()`. Resolves once streams run; never rejects. */
  async start(): Promise<void> {
    if (!(await this.loadMarkets())) return;
    const perps: string[] = [];
    const { reconnectBaseMs, reconnectMaxMs } = this.params;
    const deps: RunnerDeps = { exchange: this.exchange, errors: this.errors, connections: this.connections, health: this.health, sink: this.sink, reconnectBaseMs, reconnectMaxMs };
    for (const [symbol, output] of this.outputs) {
      const market = this.exchange.markets?.[symbol];
      if (market === undefined) {
        this.health.markUnavailable(symbol, `${symbol} is not listed on ${this.params.venue}`);
        this.sink.reportError('unknown_symbol', new Error(`${this.params.venue} lists no ${symbol}`));
        continue;
      }
      if (market.contract) perps.push(symbol);
      // Sizes are published in base units, whatever the venue counts in (okx swaps: contracts).
      if (market.linear && market.contractSize) output.setContractSize(market.contractSize);
      for (const spec of this.streamsFor(market)) {
        const staleAfterMs = this.params.staleAfterMs[spec.name] ?? spec.staleAfterMs;
        const runner = new StreamRunner(spec, symbol, output, staleAfterMs, deps);
        this.runners.push(runner);
        this.health.addStream(symbol, runner);
      }
    }
    this.perps = perps;
    // Intervals first, so the first funding frames are not rejected for want of one.
    await this.refreshIntervals();
    if (this.stopped) return;
    this.health.started();
    for (const runner of this.runners) void runner.run();
  }

  /** Which streams run for `market`: see FeedAdapter. */
  private streamsFor(market: MarketInterface): StreamSpec[] {
    const { adapter, params } = this;
    const symbol = market.symbol;
    const specs: StreamSpec[] = [];
    if (!this.topFromBidsAsks || params.levels > 0) {
      const depth = params.bookDepth ?? adapter.bookDepth;
      specs.push(adapter.orderBook ? adapter.orderBook(symbol, depth) : orderBookStream(symbol, depth, adapter.bookStaleAfterMs));
    }
    if (this.topFromBidsAsks) specs.push(adapter.bidsAsks!(symbol));
    if (market.contract) {
      const fundingFromStream = adapter.fundingStream && params.fundingSource === 'stream';
      specs.push(...adapter.perp(symbol, fundingFromStream));
      // A poll that misses three rounds in a row is stale.
      if (!fundingFromStream) specs.push(fundingPollStream(symbol, params.fundingPollMs, params.fundingPollMs * 3));
    }
    return specs;
  }

  private async loadMarkets(): Promise<boolean> {
    for (let attempt = 0; !this.stopped; attempt++) {
      try {
        this.health.setPreStart('down', 'loading markets');
        await this.exchange.loadMarkets();
        return !this.stopped;
      } catch (error) {
        this.sink.reportError('load_markets', error);
        this.health.setPreStart('down', `cannot load markets: ${describeError(error)}`);
        await this.sleeper.sleep(backoffDelayMs(attempt, this.params.reconnectBaseMs, this.params.reconnectMaxMs));
      }
    }
    return false;
  }

  /** Reads every perp's funding interval from the venue (adapters whose frames do not carry it). */
  private async refreshIntervals(): Promise<void> {
    const read = this.adapter.fundingIntervals;
    if (read === undefined || this.perps.length === 0 || this.intervalsPending) return;
    this.intervalsPending = true;
    this.intervalsCheckedNs = monoNowNs();
    try {
      const intervals = await read(this.exchange, this.perps);
      for (const [symbol, hours] of intervals) {
        const output = this.outputs.get(symbol);
        if (output) output.intervalHours = hours;
      }
    } catch (error) {
      this.sink.reportError('funding_intervals', error);
    } finally {
      this.intervalsPending = false;
    }
  }

  /** The watchdog (the actor's timer): staleness per stream, and funding intervals when due. */
  tick(): void {
    const nowNs = monoNowNs();
    for (let i = 0; i < this.runners.length; i++) this.runners[i]!.checkStale(nowNs);
    if (this.intervalsCheckedNs === 0) return;
    const missing = this.perps.some((symbol) => !((this.outputs.get(symbol)?.intervalHours ?? 0) > 0));
    const dueMs = missing ? MISSING_INTERVAL_RETRY_MS : this.params.fundingIntervalRefreshMs;
    if ((nowNs - this.intervalsCheckedNs) / 1e6 >= dueMs) void this.refreshIntervals();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.sleeper.wake();
    for (const runner of this.runners) runner.stop();
    // Terminate first: a polite close waits for the peer, which a dead connection never answers.
    this.connections.closeAll();
    await withTimeout(this.exchange.close(), CLOSE_TIMEOUT_MS).catch(() => undefined);
  }

  /** The venue's status in the shape ops builds its venue table from. */
  status(): FeedStatus {
    const nowNs = monoNowNs();
    let messages = 0;
    let lastNs = 0;
    const symbols: Record<string, FeedSymbolStatus> = {};
    for (const [symbol, output] of this.outputs) {
      messages += output.published;
      lastNs = Math.max(lastNs, output.lastPublishNs);
      const { state, reason } = this.health.symbolState(symbol);
      symbols[symbol] = { state, reason, lastBid: finiteOrNull(output.lastBid), lastAsk: finiteOrNull(output.lastAsk), funding: output.lastFunding, dataAgeMs: ageMs(nowNs, output.lastPublishNs) };
    }
    const sum = (pick: (runner: StreamRunner) => number): number => this.runners.reduce((total, runner) => total + pick(runner), 0);
    return {
      venue: this.params.venue,
      state: this.health.state ?? 'down',
      reason: this.health.reason,
      dataAgeMs: ageMs(nowNs, lastNs),
      messages,
      staleEvents: sum((runner) => runner.staleEvents),
      reconnects: this.connections.reconnects,
      rejected: { ...this.rejections.byReason },
      symbols,
      resubscribes: sum((runner) => runner.resubscribes),
      resyncs: sum((runner) => runner.resyncs),
      rssMb: rssMb(),
      heapMb: heapMb(),
      streams: this.runners.map((runner) => runner.status(nowNs)),
    };
  }
}
