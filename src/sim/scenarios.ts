/**
 * Named scenarios: scripted market conditions that create (or break) arbitrage opportunities.
 * A scenario only steers the market model (price offsets, funding biases) and the fault
 * injector; it runs on the simulator tick and is deterministic under the seed.
 *
 * - `calm`: venues agree up to their offsets and noise.
 * - `funding-divergence`: one venue's funding rates move far above the others (carry trade).
 * - `price-dislocation`: one venue's prices jump away for a while, then come back, repeatedly.
 * - `triangular-mispricing`: a cross pair (ETH/BTC) drifts off its implied price for a while.
 * - `chaos`: random faults (drops, stalls, sequence gaps, 429/5xx, rejections, latency, garbage).
 * - `mix`: the demo: funding divergence, short spot dislocations and one extreme funding rate
 *   at once, funding every ~30 s (scenario-mix.ts).
 */
import type { FaultSpec } from './faults.js';
import { Prng } from './prng.js';
import { mix, MIX_TIME_SCALE } from './scenario-mix.js';
import type { Scenario, ScenarioDeps, ScenarioName } from './scenario-types.js';
import type { VenueSpec } from './types.js';

/** Time scale a scenario runs at when the run sets none (`mix`: 8 h of funding every 30 s). */
export const SCENARIO_TIME_SCALES: Partial<Record<ScenarioName, number>> = { mix: MIX_TIME_SCALE };

function targetVenue(deps: ScenarioDeps, applies: (venue: VenueSpec) => boolean): VenueSpec | undefined {
  if (deps.options.target !== undefined) return deps.venues.find((venue) => venue.id === deps.options.target);
  return deps.venues.find(applies);
}

/** An effect switched on for `durationMs` out of every `periodMs`, starting `startDelayMs` in. */
function episodic(deps: ScenarioDeps, name: ScenarioName, apply: (on: boolean, episode: number) => void): Scenario {
  const period = deps.options.periodMs ?? 60_000;
  const duration = Math.min(deps.options.durationMs ?? 15_000, period);
  const delay = deps.options.startDelayMs ?? 10_000;
  let last: string | undefined;
  return {
    name,
    step: (nowMs) => {
      const elapsed = nowMs - deps.startMs - delay;
      const episode = Math.floor(elapsed / period);
      const on = elapsed >= 0 && elapsed - episode * period < duration;
      const state = `${on}:${episode}`;
      if (state !== last) apply(on, episode);
      last = state;
    },
    stop: () => apply(false, 0),
  };
}

function fundingDivergence(deps: ScenarioDeps): Scenario {
  const venue = targetVenue(deps, (candidate) => candidate.funding !== undefined);
  const bias = deps.options.magnitude ?? 0.0008;
  if (venue) {
    deps.model.setFundingBias(venue.id, '*', bias);
    // Start diverged rather than wait hours of venue time for the mean reversion to get there.
    for (const market of deps.model.venue(venue.id)?.instruments.values() ?? []) if (market.funding) market.funding.rate += bias;
  }
  return { name: 'funding-divergence', step: () => undefined, stop: () => venue && deps.model.setFundingBias(venue.id, '*', 0) };
}

function priceDislocation(deps: ScenarioDeps): Scenario {
  const venue = targetVenue(deps, () => true);
  const bps = deps.options.magnitude ?? 60;
  return episodic(deps, 'price-dislocation', (on, episode) => {
    // Alternate the direction so both legs of a cross-venue trade get exercised.
    if (venue) deps.model.setPriceOffset(venue.id, '*', on ? (episode % 2 === 0 ? bps : -bps) : 0);
  });
}

function triangularMispricing(deps: ScenarioDeps): Scenario {
  const isCross = (quote: string): boolean => !['USDT', 'USDC', 'USD'].includes(quote);
  const venue = targetVenue(deps, (candidate) => candidate.instruments.some((i) => i.kind === 'spot' && isCross(i.quote)));
  const cross = venue?.instruments.find((i) => i.kind === 'spot' && isCross(i.quote));
  const bps = deps.options.magnitude ?? 40;
  return episodic(deps, 'triangular-mispricing', (on) => {
    if (venue && cross) deps.model.setPriceOffset(venue.id, cross.symbol, on ? bps : 0);
  });
}

function chaos(deps: ScenarioDeps): Scenario {
  const prng = Prng.derive(deps.seed, 'chaos');
  const meanIntervalMs = deps.options.faultIntervalMs ?? 10_000;
  const ids = deps.venues.map((venue) => venue.id);
  const faults: ((venue: string) => FaultSpec)[] = [
    (venue) => ({ kind: 'drop-sockets', venue }),
    (venue) => ({ kind: 'stall-streams', venue, durationMs: 1500 }),
    (venue) => ({ kind: 'skip-sequence', venue }),
    (venue) => ({ kind: 'http-error', venue, status: 429, retryAfterSec: 1 }),
    (venue) => ({ kind: 'http-error', venue, status: 503 }),
    (venue) => ({ kind: 'reject-orders', venue }),
    (venue) => ({ kind: 'latency', venue, ms: 300, durationMs: 5000 }),
    (venue) => ({ kind: 'malformed-frame', venue }),
  ];
  return {
    name: 'chaos',
    step: (_nowMs, dtMs) => {
      if (ids.length > 0 && prng.chance(dtMs / meanIntervalMs)) deps.faults.inject(prng.pick(faults)(prng.pick(ids)));
    },
    stop: () => deps.faults.clear(),
  };
}

export function createScenario(name: ScenarioName, deps: ScenarioDeps): Scenario {
  switch (name) {
    case 'calm':
      return { name, step: () => undefined, stop: () => undefined };
    case 'funding-divergence':
      return fundingDivergence(deps);
    case 'price-dislocation':
      return priceDislocation(deps);
    case 'triangular-mispricing':
      return triangularMispricing(deps);
    case 'chaos':
      return chaos(deps);
    case 'mix':
      return mix(deps, episodic);
  }
}
