/**
 * Shared pieces of the execution tests: a simulator with the real ccxt client pointed at it, the
 * execution actor in-process (ActorHarness) with a real SQLite journal in a temp dir, market data
 * taken from the simulator's own books, and waits on conditions (never fixed sleeps).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { message, type ExecutionStatus, type Leg, type MarketDataMessage, type Message, type MessageOf, UNSTAMPED_DECISION } from '../../src/protocol/index.js';
import { ActorHarness } from '../helpers/actor-harness.js';
import { monoNowNs } from '../../src/base/clock.js';
import { DEFAULT_PASSPHRASE } from '../../src/sim/options.js';
import { startSimulator, type Simulator, type SimulatorOptions } from '../../src/sim/simulator.js';
import { afterAll, afterEach, beforeAll } from 'vitest';
import { eventually } from '../helpers/workers.js';
import execution from '../../actors/execution/execution.js';

export const SIM_KEY = 'arbiter-sim';
export const SIM_SECRET = 'arbiter-sim-secret';

/** The environment the app gives the execution actor in sim mode. */
export function simCredentialsEnv(apiKey = SIM_KEY, secret = SIM_SECRET): Record<string, string> {
  return {
    ARBITER_BINANCE_API_KEY: apiKey,
    ARBITER_BINANCE_SECRET: secret,
    ARBITER_BYBIT_API_KEY: apiKey,
    ARBITER_BYBIT_SECRET: secret,
    ARBITER_OKX_API_KEY: apiKey,
    ARBITER_OKX_SECRET: secret,
    ARBITER_OKX_PASSWORD: DEFAULT_PASSPHRASE,
  };
}

export function tempDir(prefix = 'arbiter-exec-'): { dir: string; remove(): void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

export async function startTestSimulator(options: SimulatorOptions = {}): Promise<Simulator> {
  return startSimulator({ seed: 11, venues: ['binance', 'binanceusdm'], symbols: ['BTC/USDT', 'ETH/USDT'], ...options });
}

/** BookTop (and MarkPrice for perps) for every market the simulator quotes, as a feed would publish them. */
export async function marketDataFrom(sim: Simulator, symbols?: readonly string[]): Promise<MarketDataMessage[]> {
  const out: MarketDataMessage[] = [];
  const ts = monoNowNs();
  for (const top of await sim.control.books()) {
    if (top.bidPrice === null || top.askPrice === null || (symbols && !symbols.includes(top.symbol))) continue;
    const common = { ts, venue: top.venue, symbol: top.symbol, exchangeTimeMs: Date.now() };
    out.push(message('BookTop', { ...common, bidPx: top.bidPrice, bidSz: top.bidQuantity ?? 0, askPx: top.askPrice, askSz: top.askQuantity ?? 0, venueSeq: top.updateId }));
    if (top.symbol.includes(':')) out.push(message('MarkPrice', { ...common, markPx: top.markPrice, indexPx: top.indexPrice }));
  }
  return out;
}

export function executionParams(simUrl: string, dataDir: string, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    mode: 'sim',
    simUrl,
    venues: [{ id: 'binance' }, { id: 'binanceusdm' }],
    dataDir,
    durability: 'normal',
    pollIntervalMs: 100,
    unknownGraceMs: 1_000,
    risk: { rateBudget: { capacity: 200, refillPerSecond: 200 } },
    ...overrides,
  };
}

/** The execution actor in this thread, with a feed loop refreshing its market data from the simulator. */
/** Everything an actor wrote on its `events` output, read as it arrives. */
export class EventCollector {
  readonly events: Message[] = [];

  constructor(private readonly harness: ActorHarness) {}

  /** Collects events until one matches. */
  waitFor<T extends Message['type']>(type: T, predicate: (event: Extract<Message, { type: T }>) => boolean = () => true, timeoutMs = 15_000): Promise<Extract<Message, { type: T }>> {
    return eventually(() => this.eventsOf(type, predicate)[0], `a ${type} event`, timeoutMs);
  }

  /** Reads what arrived since the last call into `events`. */
  collect(): Message[] {
    this.events.push(...this.harness.take('events'));
    return this.events;
  }

  eventsOf<T extends Message['type']>(type: T, predicate: (event: Extract<Message, { type: T }>) => boolean = () => true): Extract<Message, { type: T }>[] {
    return this.collect().filter((e): e is Extract<Message, { type: T }> => e.type === type && predicate(e as Extract<Message, { type: T }>));
  }
}

let strategyCounter = 0;

/** A strategy id no other test in this process uses. */
export function uniqueStrategyId(): string {
  return `s${process.pid}x${++strategyCounter}`;
}

export class ExecutionUnderTest {
  private readonly collector: EventCollector;

  private feed: NodeJS.Timeout | undefined;

  private constructor(
    readonly harness: ActorHarness,
    readonly sim: Simulator,
    /** Markets the feed loop publishes (all when undefined). */
    public feedSymbols: readonly string[] | undefined,
    /** A strategy id of its own: client order ids must not repeat at the shared simulator. */
    readonly strategyId: string,
  ) {
    this.collector = new EventCollector(harness);
  }

  get events(): Message[] {
    return this.collector.events;
  }

  static async start(sim: Simulator, params: Record<string, unknown>, options: { feedSymbols?: readonly string[]; strategyId?: string } = {}): Promise<ExecutionUnderTest> {
    Object.assign(process.env, simCredentialsEnv());
    const harness = await ActorHarness.start(execution, { params, inputs: ['commands', 'md'], outputs: ['events'] });
    const under = new ExecutionUnderTest(harness, sim, options.feedSymbols, options.strategyId ?? uniqueStrategyId());
    await under.refreshMarketData();
    under.feed = setInterval(() => void under.refreshMarketData().catch(() => undefined), 250);
    return under;
  }

  async refreshMarketData(): Promise<void> {
    for (const md of await marketDataFrom(this.sim, this.feedSymbols)) this.harness.push('md', md);
  }

  /** The first answer to an intent: denied, rejected, accepted or filled. */
  async outcome(intentSeq: number, strategyId = this.strategyId): Promise<Message> {
    const answers = new Set(['OrderDenied', 'OrderRejected', 'OrderAccepted', 'Filled', 'PartiallyFilled']);
    return eventually(() => {
      return this.collector.collect().find((e) => answers.has(e.type) && (e as { intentSeq?: number }).intentSeq === intentSeq && (e as { strategyId?: string }).strategyId === strategyId);
    }, `an answer to intent ${strategyId}#${intentSeq}`);
  }

  /** The denial reason of an intent, or 'allowed'. */
  async verdict(intentSeq: number, strategyId = this.strategyId): Promise<string> {
    const answer = await this.outcome(intentSeq, strategyId);
    return answer.type === 'OrderDenied' ? answer.reason : answer.type === 'OrderRejected' ? `rejected:${answer.code}` : 'allowed';
  }

  status(): ExecutionStatus {
    const custom = this.harness.status().custom;
    if (!custom) throw new Error('the execution actor reports no status (not started, or stopped)');
    return custom as ExecutionStatus;
  }

  async reconciled(): Promise<void> {
    const done = (status: ExecutionStatus): boolean => status.reconciliation.state === 'done' && Object.values(status.balances).every((b) => b.fetches + b.failures > 0);
    await eventually(() => (done(this.status()) ? true : undefined), 'reconciliation and the first balances', 20_000);
  }

  submit(fields: Partial<MessageOf<'SubmitOrder'>> & Pick<MessageOf<'SubmitOrder'>, 'intentSeq'>): void {
    const leg: Leg = { venue: 'binanceusdm', symbol: 'BTC/USDT:USDT', side: 'buy', orderType: 'market', timeInForce: 'IOC', qty: 0.01, limitPx: null, reduceOnly: false };
    this.harness.push('commands', message('SubmitOrder', { ...UNSTAMPED_DECISION, ts: monoNowNs(), strategyId: this.strategyId, ...leg, ...fields }));
  }

  send(command: Message): void {
    this.harness.push('commands', command);
  }

  waitFor<T extends Message['type']>(type: T, predicate?: (event: Extract<Message, { type: T }>) => boolean, timeoutMs?: number): Promise<Extract<Message, { type: T }>> {
    return this.collector.waitFor(type, predicate, timeoutMs);
  }

  eventsOf<T extends Message['type']>(type: T, predicate?: (event: Extract<Message, { type: T }>) => boolean): Extract<Message, { type: T }>[] {
    return this.collector.eventsOf(type, predicate);
  }

  async stop(): Promise<void> {
    clearInterval(this.feed);
    await this.harness.stop();
  }
}

/** The simulator's mid price of a market right now. */
export async function midOf(sim: Simulator, venue: string, symbol: string): Promise<number> {
  const top = (await sim.control.books(venue)).find((b) => b.symbol === symbol);
  if (!top || top.bidPrice === null || top.askPrice === null) throw new Error(`no book for ${symbol} on ${venue}`);
  return (top.bidPrice + top.askPrice) / 2;
}

/** Starts an execution actor per test on its own journal; `cleanup` stops every one started. */
type Overrides = Record<string, unknown> | ((strategyId: string) => Record<string, unknown>);

export function executionFactory(getSim: () => Simulator): { start(overrides?: Overrides, options?: { feedSymbols?: readonly string[] }): Promise<ExecutionUnderTest>; cleanup(): Promise<void> } {
  const started: { exec: ExecutionUnderTest; remove: () => void }[] = [];
  return {
    async start(overrides = {}, options = {}) {
      const { dir, remove } = tempDir();
      const strategyId = uniqueStrategyId();
      const params = executionParams(getSim().url, dir, typeof overrides === 'function' ? overrides(strategyId) : overrides);
      const exec = await ExecutionUnderTest.start(getSim(), params, { ...options, strategyId });
      started.push({ exec, remove });
      return exec;
    },
    async cleanup() {
      for (const { exec, remove } of started.splice(0)) {
        // Leave nothing resting at the shared simulator for the next test to trip over.
        if (exec.harness.host.lifecycleState === 'running') {
          await exec.harness.command('cancelAll', {});
          await eventually(() => (exec.status().openOrderCount === 0 ? true : undefined), 'every order canceled', 10_000).catch(() => undefined);
        }
        await exec.stop();
        remove();
      }
    },
  };
}

/**
 * One simulator for a test file and one execution actor per test (each on its own journal, stopped
 * after the test). Call at the top level of a test file.
 */
export function simulatorSuite(options: SimulatorOptions = {}): { sim: () => Simulator; executions: ReturnType<typeof executionFactory> } {
  let simulator: Simulator | undefined;
  const sim = (): Simulator => simulator!;
  const executions = executionFactory(sim);
  beforeAll(async () => {
    simulator = await startTestSimulator(options);
  });
  afterEach(() => executions.cleanup());
  afterAll(() => simulator?.stop());
  return { sim, executions };
}
