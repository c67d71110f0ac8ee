/**
 * Shared pieces of the execution tests: a simulator with the real ccxt client pointed at it, the
 * execution actor in-process (ActorHarness) with a real SQLite journal in a temp dir, market data
 * taken from the simulator's own books, and waits on conditions (never fixed sleeps).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { message, type Leg, type MarketDataMessage, type Message, type MessageOf } from '../../src/protocol/index.js';
import { ActorHarness } from '../../src/runtime/actor-harness.js';
import { monoNowNs } from '../../src/runtime/clock.js';
import { startSimulator, type Simulator, type SimulatorOptions } from '../../src/sim/simulator.js';
import { eventually } from '../helpers/workers.js';
import execution from '../../actors/execution/execution.js';

export const SIM_KEY = 'arbiter-sim';
export const SIM_SECRET = 'arbiter-sim-secret';

/** The environment the app gives the execution actor in sim mode. */
export function simCredentialsEnv(apiKey = SIM_KEY, secret = SIM_SECRET): Record<string, string> {
  return { ARBITER_BINANCE_API_KEY: apiKey, ARBITER_BINANCE_SECRET: secret };
}

export function tempDir(prefix = 'arbiter-exec-'): { dir: string; remove(): void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

export async function startTestSimulator(options: SimulatorOptions = {}): Promise<Simulator> {
  return startSimulator({ seed: 11, venues: ['binance', 'binanceusdm'], symbols: ['BTC/USDT', 'ETH/USDT'], ...options });
}

/** BookTop (and MarkPrice for perps) for every market the simulator quotes, as a feed would publish them. */
export async function marketDataFrom(sim: Simulator): Promise<MarketDataMessage[]> {
  const out: MarketDataMessage[] = [];
  const ts = monoNowNs();
  for (const top of await sim.control.books()) {
    if (top.bidPrice === null || top.askPrice === null) continue;
    const common = { ts, venue: top.venue, symbol: top.symbol, exchangeTs: Date.now() };
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
export class ExecutionUnderTest {
  readonly events: Message[] = [];
  private feed: NodeJS.Timeout | undefined;

  private constructor(
    readonly harness: ActorHarness,
    readonly sim: Simulator,
  ) {}

  static async start(sim: Simulator, params: Record<string, unknown>): Promise<ExecutionUnderTest> {
    Object.assign(process.env, simCredentialsEnv());
    const harness = await ActorHarness.start(execution, { params, inputs: ['commands', 'md'], outputs: ['events'] });
    const under = new ExecutionUnderTest(harness, sim);
    await under.refreshMarketData();
    under.feed = setInterval(() => void under.refreshMarketData().catch(() => undefined), 250);
    return under;
  }

  async refreshMarketData(): Promise<void> {
    for (const md of await marketDataFrom(this.sim)) this.harness.push('md', md);
  }

  status(): Record<string, unknown> {
    return this.harness.status().custom ?? {};
  }

  async reconciled(): Promise<void> {
    await eventually(() => ((this.status().reconciliation as { state: string }).state === 'done' ? true : undefined), 'reconciliation', 20_000);
  }

  submit(fields: Partial<MessageOf<'SubmitOrder'>> & Pick<MessageOf<'SubmitOrder'>, 'intentSeq'>): void {
    const leg: Leg = { venue: 'binanceusdm', symbol: 'BTC/USDT:USDT', side: 'buy', orderType: 'market', timeInForce: 'IOC', qty: 0.01, limitPx: null, reduceOnly: false };
    this.harness.push('commands', message('SubmitOrder', { ts: monoNowNs(), strategyId: 'alpha', ...leg, ...fields }));
  }

  send(command: Message): void {
    this.harness.push('commands', command);
  }

  /** Collects events until one matches. */
  async waitFor<T extends Message['type']>(type: T, predicate: (event: Extract<Message, { type: T }>) => boolean = () => true, timeoutMs = 15_000): Promise<Extract<Message, { type: T }>> {
    return eventually(() => {
      this.events.push(...this.harness.take('events'));
      return this.events.find((e): e is Extract<Message, { type: T }> => e.type === type && predicate(e as Extract<Message, { type: T }>));
    }, `a ${type} event`, timeoutMs);
  }

  eventsOf<T extends Message['type']>(type: T, predicate: (event: Extract<Message, { type: T }>) => boolean = () => true): Extract<Message, { type: T }>[] {
    this.events.push(...this.harness.take('events'));
    return this.events.filter((e): e is Extract<Message, { type: T }> => e.type === type && predicate(e as Extract<Message, { type: T }>));
  }

  async stop(): Promise<void> {
    clearInterval(this.feed);
    await this.harness.stop();
  }
}
