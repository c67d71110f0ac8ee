import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compileGraph, EXECUTION_ID, feedId } from '../../src/app/compile.js';
import { loadAppConfig, parseAppConfig } from '../../src/app/config.js';
import { PROJECT_ROOT } from '../../src/app/paths.js';
import { checkActorParams } from '../../src/app/preflight.js';
import { checkLiveStart } from '../../src/app/system.js';
import { parseGraphConfig, waitOptionsFor } from '../../src/runtime/graph/graph-config.js';

const base = {
  venues: {
    binance: { symbols: ['BTC/USDT', 'ETH/USDT'] },
    binanceusdm: { symbols: ['BTC/USDT:USDT'] },
  },
  strategies: [
    { id: 'carry', module: 'actors/strategy/funding-carry.ts', subscribe: { venues: ['binanceusdm'] } },
    { id: 'spread', module: 'actors/strategy/spot-spread.ts', subscribe: { symbols: ['BTC/USDT'] } },
    { id: 'off', module: 'actors/strategy/spot-spread.ts', enabled: false },
  ],
};

describe('app config', () => {
  it('defaults to sim mode with ops on 127.0.0.1:9464', () => {
    const config = parseAppConfig(base);
    expect(config.mode).toBe('sim');
    expect(config.ops).toEqual({ host: '127.0.0.1', port: 9464 });
    expect(config.execution.module).toBe('actors/execution/execution.ts');
  });

  it.each([
    [{ ...base, mode: 'yolo' }, /mode: .*got "yolo"/],
    [{ ...base, venues: { binance: { symbols: ['btcusdt'] } } }, /venues\.binance\.symbols\[0\]: expected a ccxt unified symbol.*got "btcusdt"/],
    [{ ...base, venues: {} }, /venues: expected at least one venue/],
    [{ ...base, strategies: [{ id: 'x', module: 'a.ts', subscribe: { venues: ['kraken'] } }] }, /strategies\[0\]\.subscribe\.venues\[0\]: not a configured venue .*got "kraken"/],
    [{ ...base, strategies: [{ id: 'x', module: 'a.ts' }, { id: 'x', module: 'b.ts' }] }, /strategies\[1\]\.id: duplicate strategy id, got "x"/],
    [{ ...base, venues: { ...base.venues, kraken: { symbols: ['BTC/USDT'] } } }, /venues\.kraken: not a venue Arbiter trades \(binance, binanceusdm, bybit, okx\), got "kraken"/],
    [{ ...base, strategies: [{ id: 'x', module: 'a.ts', subscribe: { symbols: ['DOGE/USDT'] } }] }, /strategies\[0\]\.subscribe\.symbols\[0\]: not a symbol of any configured venue .*got "DOGE\/USDT"/],
    [{ ...base, ops: { port: 70000 } }, /ops\.port: .*got 70000/],
    [{ ...base, ops: { token: 'short' } }, /ops\.token: expected at least 16 characters, got "short"/],
    [{ ...base, mode: 'replay' }, /replay: replay mode needs replay\.file/],
    [{ ...base, mode: 'replay', replay: { file: 'a.rec' }, record: { file: 'b.rec' } }, /record: a replay cannot record its own input, got "b\.rec"/],
    [{ ...base, surprise: true }, /surprise/],
    [{ ...base, runtime: { reloadDirs: [''] } }, /runtime\.reloadDirs\[0\]/],
    [{ ...base, execution: { journal: { durability: 'fsync' } } }, /execution\.journal\.durability: .*got "fsync"/],
    [{ ...base, execution: { params: { durability: 'full' } } }, /execution\.params\.durability: set it as execution\.journal\.durability, got "full"/],
    [{ ...base, mode: 'live', paper: { venues: 'simulator' } }, /paper: only a paper run has paper venues, got mode "live"/],
    [{ ...base, mode: 'paper', paper: { venues: 'moon' } }, /paper\.venues: .*got "moon"/],
    [{ ...base, mode: 'live', simulator: { url: 'http://127.0.0.1:8900' } }, /simulator\.url: only sim mode and paper mode with paper\.venues "simulator" use a simulator, got "http:\/\/127\.0\.0\.1:8900" in mode "live"/],
    [{ ...base, mode: 'paper', simulator: { url: 'http://127.0.0.1:8900' } }, /simulator\.url: .*in mode "paper"/],
    [{ ...base, mode: 'paper', paper: { venues: 'simulator' }, simulator: { startingBalances: { binance: { USDT: 1 } } } }, /simulator\.startingBalances: a paper run never trades the simulator's accounts; set .*execution\.params\.paper\.startingBalances/],
  ])('refuses %j naming the field and value', (input, pattern) => {
    expect(() => parseAppConfig(input, 'test.json')).toThrow(pattern);
  });
});

describe('compile to an actor graph', () => {
  const graph = parseGraphConfig(compileGraph(parseAppConfig(base), { simBaseUrl: 'http://127.0.0.1:1234', dataDir: '/tmp/d' }));

  it('starts one feed per venue, the enabled strategies, execution (with credentials) and the recorder', () => {
    expect(graph.actors.map((a) => a.id)).toEqual([feedId('binance'), feedId('binanceusdm'), 'carry', 'spread', EXECUTION_ID, 'recorder']);
    expect(graph.actors.filter((a) => a.credentials).map((a) => a.id)).toEqual([EXECUTION_ID]);
    expect(graph.actors[0]!.params).toEqual({ venue: 'binance', symbols: ['BTC/USDT', 'ETH/USDT'], mode: 'sim', simBaseUrl: 'http://127.0.0.1:1234' });
    expect(graph.actors.find((a) => a.id === EXECUTION_ID)!.params).toMatchObject({ mode: 'sim', dataDir: '/tmp/d', simUrl: 'http://127.0.0.1:1234', venues: [{ id: 'binance', symbols: ['BTC/USDT', 'ETH/USDT'] }, { id: 'binanceusdm', symbols: ['BTC/USDT:USDT'] }] });
  });

  it('routes market data by subscription, conflated, and always to execution', () => {
    const binance = graph.channels.find((c) => c.from === 'feed-binance.md')!;
    expect(binance.policy).toBe('conflate');
    // carry only follows binanceusdm; spread only BTC/USDT (plus venue-wide status).
    expect(binance.to).toEqual([{ endpoint: 'spread.md', topics: ['md.status.binance', 'md.*.binance.BTC/USDT'] }, 'execution.md']);
    const usdm = graph.channels.find((c) => c.from === 'feed-binanceusdm.md')!;
    expect(usdm.to).toEqual(['carry.md', { endpoint: 'spread.md', topics: ['md.status.binanceusdm', 'md.*.binanceusdm.BTC/USDT'] }, 'execution.md']);
  });

  it("with record, adds the market-data recorder as one more reader of every feed and of execution's broadcasts, and none without", () => {
    const recorded = compileGraph(parseAppConfig({ ...base, record: { file: 'rec/md.rec' } }), { dataDir: '/tmp/d', simBaseUrl: 'http://127.0.0.1:1234' });
    const recorder = recorded.actors.find((a) => a.id === 'md-recorder')!;
    expect(recorder.params).toMatchObject({ file: resolve('rec/md.rec'), source: { mode: 'sim', venues: { binance: ['BTC/USDT', 'ETH/USDT'] } } });
    for (const channel of (recorded.channels ?? []).filter((c) => c.from.endsWith('.md'))) expect(channel.to.at(-1), channel.from).toBe('md-recorder.md');
    // It also reads execution's broadcasts (the MarketRules it records), and no strategy's own events.
    const events = recorded.channels!.find((c) => c.from === 'execution.events')!;
    expect(events.to.at(-1)).toEqual({ endpoint: 'md-recorder.events', topics: ['exec.events.md-recorder'] });
    expect(graph.actors.some((a) => a.id === 'md-recorder')).toBe(false);
  });

  it('sends intents losslessly to execution and routes each strategy only its own events, and the balances of the venues it trades', () => {
    expect(graph.channels.filter((c) => c.to.includes('execution.commands')).map((c) => [c.from, c.policy])).toEqual([
      ['carry.intents', 'lossless'],
      ['spread.intents', 'lossless'],
    ]);
    const events = graph.channels.find((c) => c.from === 'execution.events')!;
    expect(events.to).toEqual([
      { endpoint: 'carry.events', topics: ['exec.events.carry', 'exec.balances.binanceusdm'] },
      { endpoint: 'spread.events', topics: ['exec.events.spread', 'exec.balances.binance', 'exec.balances.binanceusdm'] },
    ]);
  });

  it('sets how each actor is supervised: feeds stop first, execution last; strategies reload; execution failing is fatal', () => {
    const recorded = parseGraphConfig(compileGraph(parseAppConfig({ ...base, record: { file: 'rec/md.rec' } }), { dataDir: '/tmp/d', simBaseUrl: 'http://127.0.0.1:1234' }));
    const settings = Object.fromEntries(recorded.actors.map((a) => [a.id, { stopStage: a.stopStage, reloadable: a.reloadable, fatalOnEscalation: a.fatalOnEscalation }]));
    const feed = { stopStage: 0, reloadable: false, fatalOnEscalation: false };
    const strategy = { stopStage: 1, reloadable: true, fatalOnEscalation: false };
    const service = { stopStage: 1, reloadable: false, fatalOnEscalation: false };
    expect(settings).toEqual({
      [feedId('binance')]: feed,
      [feedId('binanceusdm')]: feed,
      carry: strategy,
      spread: strategy,
      [EXECUTION_ID]: { stopStage: 2, reloadable: false, fatalOnEscalation: true },
      recorder: service,
      'md-recorder': service,
    });
  });

  it('hands execution.journal.durability to the execution actor, and leaves the default to its mode otherwise', () => {
    const execution = (config: object) => parseGraphConfig(compileGraph(parseAppConfig({ ...base, ...config }), { simBaseUrl: 'http://127.0.0.1:1234', dataDir: '/tmp/d' })).actors.find((a) => a.id === EXECUTION_ID)!.params as Record<string, unknown>;
    expect(execution({ execution: { journal: { durability: 'full' } } }).durability).toBe('full');
    expect(execution({}).durability).toBeUndefined();
  });

  it('marks the actors that own venue sockets (feeds, execution) as owning I/O, so they never block on a ring wait', () => {
    const ownIo = graph.actors.filter((a) => waitOptionsFor(graph, a).ownsIo).map((a) => a.id);
    expect(ownIo).toEqual([feedId('binance'), feedId('binanceusdm'), EXECUTION_ID]);
  });

  it('gives no simulator URL outside sim mode', () => {
    const paper = compileGraph(parseAppConfig({ ...base, mode: 'paper' }), { dataDir: 'd' });
    expect(paper.actors[0]!.params).toEqual({ venue: 'binance', symbols: ['BTC/USDT', 'ETH/USDT'], mode: 'paper' });
  });

  it('points a paper run at the simulator with paper.venues "simulator": feeds read it, execution reads its rules', () => {
    const url = 'http://127.0.0.1:1234';
    const paper = parseGraphConfig(compileGraph(parseAppConfig({ ...base, mode: 'paper', paper: { venues: 'simulator' }, record: { file: 'md.rec' } }), { dataDir: 'd', simBaseUrl: url }));
    expect(paper.actors.find((a) => a.id === feedId('binance'))!.params).toEqual({ venue: 'binance', symbols: ['BTC/USDT', 'ETH/USDT'], mode: 'paper', simBaseUrl: url });
    expect(paper.actors.find((a) => a.id === EXECUTION_ID)!.params).toMatchObject({ mode: 'paper', simUrl: url });
    // A recording says its market data came from the simulator, with the scenario that made it.
    expect(paper.actors.find((a) => a.id === 'md-recorder')!.params).toMatchObject({ source: { mode: 'paper', simulator: { scenario: 'calm', seed: 7 } } });
    const publicPaper = compileGraph(parseAppConfig({ ...base, mode: 'paper', paper: { venues: 'public' } }), { dataDir: 'd', simBaseUrl: url });
    expect(publicPaper.actors.find((a) => a.id === EXECUTION_ID)!.params).not.toHaveProperty('simUrl');
  });
});

describe('shipped configs and the live guard', () => {
  it.each(['config/default.json', 'config/paper.example.json', 'config/paper-sim.example.json', 'config/live.example.json'])('%s is valid', async (file) => {
    const config = await loadAppConfig(file);
    expect(Object.keys(config.venues).sort()).toEqual(['binance', 'binanceusdm', 'bybit', 'okx']);
    expect(config.strategies.map((s) => s.id)).toEqual(['carry', 'hedge', 'spread']);
  });

  it.each(['config/default.json', 'config/paper.example.json', 'config/paper-sim.example.json', 'config/live.example.json'])("%s: every actor's params parse as its worker will parse them", async (file) => {
    const config = await loadAppConfig(file);
    const graph = parseGraphConfig(compileGraph(config, { dataDir: '/tmp/d', simBaseUrl: 'http://127.0.0.1:1234', liveConfirmed: true }));
    await expect(checkActorParams(config, graph, PROJECT_ROOT)).resolves.toBeUndefined();
  });

  it('live refuses to start without --i-understand-live-trading, then without every credential, naming the variables', async () => {
    const live = await loadAppConfig('config/live.example.json');
    expect(() => checkLiveStart(live, false, {})).toThrow(/LIVE_NOT_CONFIRMED: .*--i-understand-live-trading/);
    const keys = { ARBITER_BINANCE_API_KEY: 'k', ARBITER_BINANCE_SECRET: 's', ARBITER_BYBIT_API_KEY: 'k', ARBITER_BYBIT_SECRET: 's', ARBITER_OKX_API_KEY: 'k' };
    expect(() => checkLiveStart(live, true, keys)).toThrow(/SECRETS_MISSING: .*set ARBITER_OKX_SECRET \(/);
    expect(() => checkLiveStart(live, true, { ...keys, ARBITER_OKX_SECRET: 's' })).not.toThrow();
    // The message names variables, never values.
    expect(() => checkLiveStart(live, true, { ARBITER_BINANCE_API_KEY: 'visible-value' })).not.toThrow(/visible-value/);
  });

  it('sim and paper never need credentials', async () => {
    expect(() => checkLiveStart(parseAppConfig(base), false, {})).not.toThrow();
    expect(() => checkLiveStart(parseAppConfig({ ...base, mode: 'paper' }), false, {})).not.toThrow();
  });
});
