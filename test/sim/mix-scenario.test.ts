/**
 * The `mix` demo scenario, run on a manual clock through the whole core (every venue, the
 * matching engines, funding settlements): it must offer a funding divergence, short spot
 * dislocations and an extreme funding rate at once, with funding every ~30 s.
 */
import pino from 'pino';
import { beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from './manual-clock.js';
import { SimCore } from '../../src/sim/core.js';
import { resolveOptions } from '../../src/sim/options.js';

const TICK_MS = 200;
const PERP_VENUES = ['binanceusdm', 'bybit', 'okx'];

interface Sample {
  readonly atMs: number;
  /** Funding rate per 8 h, per venue, of BTC and SOL. */
  readonly btcPer8h: Record<string, number>;
  readonly solPer8h: Record<string, number>;
  /** Largest distance (bps) of any venue's USD spot mid from the other venues' mean. */
  readonly spotGapBps: number;
}

function per8h(core: SimCore, venue: string, symbol: string): number {
  const funding = core.model.venue(venue)?.get(symbol)?.funding;
  return funding ? (funding.rate * 8) / funding.intervalHours : Number.NaN;
}

function spotGapBps(core: SimCore): number {
  let widest = 0;
  for (const symbol of ['BTC/USDT', 'ETH/USDT', 'SOL/USDT']) {
    const mids = ['binance', 'bybit', 'okx'].map((venue) => core.model.venue(venue)?.markPrice(symbol) as number);
    mids.forEach((mid, i) => {
      const others = mids.filter((_, j) => j !== i);
      const reference = others.reduce((sum, value) => sum + value, 0) / others.length;
      widest = Math.max(widest, Math.abs(mid / reference - 1) * 1e4);
    });
  }
  return widest;
}

/** Runs `minutes` of the mix on every venue and samples it once per simulated second. */
function run(minutes: number): { samples: Sample[]; core: SimCore; timeScale: number } {
  const options = resolveOptions({ scenario: 'mix', seed: 5, clock: new ManualClock(Date.UTC(2026, 0, 1)) });
  const clock = new ManualClock(Date.UTC(2026, 0, 1), options.timeScale);
  const core = new SimCore({ ...options, clock, logger: pino({ enabled: false }) });
  const samples: Sample[] = [];
  const ticks = (minutes * 60_000) / TICK_MS;
  for (let i = 1; i <= ticks; i++) {
    clock.advance(TICK_MS);
    core.tick(TICK_MS);
    if ((i * TICK_MS) % 1000 !== 0) continue;
    const rates = (symbol: string) => Object.fromEntries(PERP_VENUES.map((venue) => [venue, per8h(core, venue, symbol)]));
    samples.push({ atMs: i * TICK_MS, btcPer8h: rates('BTC/USDT:USDT'), solPer8h: rates('SOL/USDT:USDT'), spotGapBps: spotGapBps(core) });
  }
  return { samples, core, timeScale: options.timeScale };
}

describe('the mix scenario', () => {
  let result: ReturnType<typeof run>;
  beforeAll(() => {
    result = run(6);
  });

  it('runs funding at 960× unless told otherwise: 8 h settles every 30 s', () => {
    expect(result.timeScale).toBe(960);
    expect(resolveOptions({ scenario: 'mix', timeScale: 3600 }).timeScale).toBe(3600);
    const btc = result.core.model.venue('binanceusdm')?.get('BTC/USDT:USDT')?.funding;
    expect(btc?.intervalRealMs()).toBe(30_000);
  });

  it('pulls one perp venue’s funding far from the others for minutes, then the next venue’s', () => {
    const spread = (sample: Sample, venue: string): number => {
      const others = PERP_VENUES.filter((other) => other !== venue).map((other) => sample.btcPer8h[other] as number);
      return (sample.btcPer8h[venue] as number) - Math.max(...others);
    };
    // Episode 0 (10 s … 190 s) lifts binanceusdm, episode 1 (310 s … 490 s) bybit.
    const first = result.samples.filter((s) => s.atMs >= 15_000 && s.atMs <= 185_000);
    expect(first.filter((s) => spread(s, 'binanceusdm') > 0.0005).length / first.length).toBeGreaterThan(0.9);
    const after = result.samples.filter((s) => s.atMs >= 260_000 && s.atMs <= 300_000);
    expect(after.every((s) => Math.abs(spread(s, 'binanceusdm')) < 0.0005)).toBe(true);
    const second = result.samples.filter((s) => s.atMs >= 315_000);
    expect(second.filter((s) => spread(s, 'bybit') > 0.0005).length / second.length).toBeGreaterThan(0.9);
  });

  it('dislocates one venue’s spot by tens of bps for a few seconds, every 20 s', () => {
    const dislocated = result.samples.filter((s) => s.spotGapBps > 20).length;
    const calm = result.samples.filter((s) => s.spotGapBps < 12).length;
    // 4 s of every 20 s after the 10 s start: about a fifth of the samples.
    expect(dislocated / result.samples.length).toBeGreaterThan(0.12);
    expect(dislocated / result.samples.length).toBeLessThan(0.3);
    expect(calm / result.samples.length).toBeGreaterThan(0.6);
    expect(Math.max(...result.samples.map((s) => s.spotGapBps))).toBeLessThan(60);
  });

  it('holds binanceusdm’s SOL perp at an extreme rate (~0.25 % per 8 h) for a spot-perp hedge, settled every 15 s', () => {
    const held = result.samples.filter((s) => s.atMs >= 15_000);
    expect(held.every((s) => (s.solPer8h.binanceusdm as number) > 0.002)).toBe(true);
    expect(held.every((s) => Math.abs(s.solPer8h.bybit as number) < 0.001 && Math.abs(s.solPer8h.okx as number) < 0.001)).toBe(true);
    const sol = result.core.model.venue('binanceusdm')?.get('SOL/USDT:USDT')?.funding;
    expect(sol?.intervalRealMs()).toBe(15_000);
    expect(sol?.history.filter((entry) => entry.rate > 0.001).length).toBeGreaterThan(15);
  });
});
