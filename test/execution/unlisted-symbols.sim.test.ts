/**
 * Issue 14, "Refuse the unsafe start": in paper (and live) mode the markets are known only once
 * execution has loaded them; it then answers which configured symbols the venue does not list,
 * and the system's start fails on any (src/app/preflight.ts, checkVenueSymbols). Here the
 * simulator stands in for the public venue, as in paper-mode.sim.test.ts.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { parseAppConfig } from '../../src/app/config.js';
import { refuseUnlisted } from '../../src/app/preflight.js';
import execution from '../../actors/execution/execution.js';
import type { Simulator } from '../../src/sim/simulator.js';
import { ActorHarness } from '../helpers/actor-harness.js';
import { startTestSimulator, tempDir } from './helpers.js';

const VENUE = 'binanceusdm';
let sim: Simulator;

beforeAll(async () => {
  sim = await startTestSimulator({ venues: [VENUE], symbols: ['BTC/USDT'] });
});

afterAll(async () => {
  await sim.stop();
});

it('paper: execution names the configured symbols the venue does not list once its markets are loaded, and the start refuses them by config key', async () => {
  const dir = tempDir('arbiter-unlisted-');
  const symbols = ['BTC/USDT:USDT', 'DOGE/USDT:USDT'];
  const harness = await ActorHarness.start(execution, {
    params: { mode: 'paper', venues: [{ id: VENUE, symbols, simUrl: sim.url }], dataDir: dir.dir, durability: 'normal' },
    inputs: ['commands', 'md'],
    outputs: ['events'],
  });
  try {
    const unlisted = (await harness.command('unlistedSymbols')) as { venue: string; symbol: string }[];
    expect(unlisted).toEqual([{ venue: VENUE, symbol: 'DOGE/USDT:USDT' }]);
    const config = parseAppConfig({ mode: 'paper', venues: { [VENUE]: { symbols } } });
    expect(() => refuseUnlisted(config, unlisted, (venue, symbol) => `${venue} lists no ${symbol}`)).toThrow(/CONFIG_INVALID: .*venues\.binanceusdm\.symbols\[1\]: binanceusdm lists no DOGE\/USDT:USDT, got "DOGE\/USDT:USDT"/s);
    expect(() => refuseUnlisted(config, [], () => 'unused')).not.toThrow();
  } finally {
    await harness.stop();
    dir.remove();
  }
});
