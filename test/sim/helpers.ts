/** Shared setup for simulator tests: a quiet simulator and real ccxt clients redirected to it. */
import pino from 'pino';
import type { Exchange } from 'ccxt';
import { startSimulator, type Simulator, type SimulatorOptions } from '../../src/sim/simulator.js';
import type { InstrumentSpec, VenueSpec } from '../../src/sim/types.js';
import { createExchange } from '../../src/venues/ccxt-loader.js';
import { redirectToSimulator } from '../../src/venues/sim-redirect.js';

export const silentLogger = pino({ enabled: false });
/** The simulator's default keys; `password` is okx's passphrase (other venues ignore it). */
export const CREDENTIALS = { apiKey: 'arbiter-sim', secret: 'arbiter-sim-secret', password: 'arbiter-sim-pass' } as const;

/** A simulator on port 0 with a fast tick (10 ms), so streams deliver hundreds of updates in seconds. */
export function startTestSimulator(options: SimulatorOptions = {}): Promise<Simulator> {
  return startSimulator({ tickMs: 10, logger: silentLogger, ...options });
}

/** A real ccxt client for `id`, redirected to `sim`, without ccxt's client-side rate limiter. */
export async function ccxtClient(id: string, sim: Simulator, overrides: Record<string, unknown> = {}): Promise<Exchange> {
  const exchange = await createExchange(id, { ...CREDENTIALS, enableRateLimit: false, ...overrides });
  redirectToSimulator(exchange, sim.url);
  // ccxt prints frames it cannot parse with console.log; the malformed-frame test sends some on purpose.
  (exchange as unknown as { log: (...args: unknown[]) => void }).log = () => undefined;
  return exchange;
}

/** Calls `attempt` until it rejects (bounded); returns the rejection. */
export async function firstRejection(attempt: () => Promise<unknown>, maxAttempts = 500): Promise<unknown> {
  for (let i = 0; i < maxAttempts; i++) {
    try {
      await attempt();
    } catch (error) {
      return error;
    }
  }
  throw new Error(`no rejection within ${maxAttempts} attempts`);
}

/** A small venue for unit tests: one spot pair and one perp, no protocol. */
export function testVenue(overrides: Partial<VenueSpec> = {}): VenueSpec {
  const spot: InstrumentSpec = { symbol: 'BTC/USDT', base: 'BTC', quote: 'USDT', kind: 'spot', tickSize: 0.1, stepSize: 0.001, minQty: 0.001, maxQty: 100, minNotional: 5, levelQty: 1 };
  const perp: InstrumentSpec = { ...spot, symbol: 'BTC/USDT:USDT', settle: 'USDT', kind: 'perp', minNotional: 5, fundingIntervalHours: 8 };
  return {
    id: 'testvenue',
    hosts: ['api.test.example'],
    instruments: [spot, perp],
    quoting: { offsetBps: 0, spreadBps: 2, noiseBps: 1, levels: 10, levelSpacingBps: 1, refreshProbability: 0.1 },
    fees: { makerRate: 0.0002, takerRate: 0.0005 },
    funding: { intervalHours: 8, meanRate: 0.0001, volatilityPerSqrtHour: 0.0001, reversionPerHour: 0.3, maxAbsRate: 0.003 },
    startingBalances: { USDT: 100_000, BTC: 2 },
    defaultLeverage: 10,
    wsPingIntervalMs: 20_000,
    ...overrides,
  };
}
