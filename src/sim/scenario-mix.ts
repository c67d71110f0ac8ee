/**
 * The `mix` scenario, the default demo: three kinds of opportunity at once, each for its own
 * strategy, on a funding clock where an 8 h interval settles every 30 s (time scale 960 unless
 * the run sets another).
 *
 * 1. Cross-venue funding divergence: for 3 minutes of every 5, one perp venue's BTC and ETH
 *    funding is pulled 12 bps per 8 h above its normal mean (1 bp), and starts there at once;
 *    the venue rotates across the perp venues from one episode to the next.
 * 2. Spot dislocations: every 20 s, one venue's USD-quoted spot pair (venue, pair and
 *    direction drawn from the seed) jumps 35 bps away for 4 s (`magnitude`, `periodMs`,
 *    `durationMs` override these three numbers).
 * 3. Extreme funding: one venue's SOL perp is held near 0.25 % per 8 h (about 270 % a year,
 *    scaled to its own interval), for a spot-perp funding hedge: the `target` venue, else the
 *    first perp venue listing SOL (binanceusdm, next to binance spot, in the default set).
 *
 * Rates are stated per 8 h and scaled to each perp's interval, so a venue settling hourly is
 * not eight times as extreme. Everything starts `startDelayMs` (default 10 s) in.
 */
import { isStable } from './market/fair-price.js';
import { Prng } from './prng.js';
import type { Scenario, ScenarioDeps, ScenarioName } from './scenario-types.js';
import type { VenueSpec } from './types.js';

/** Funding compression for the demo: 8 h of funding every 30 s. */
export const MIX_TIME_SCALE = 960;

const DIVERGENCE = { periodMs: 300_000, durationMs: 180_000, biasPer8h: 0.0012, symbols: ['BTC/USDT:USDT', 'ETH/USDT:USDT'] };
const DISLOCATION = { periodMs: 20_000, durationMs: 4_000, bps: 35 };
const EXTREME = { symbol: 'SOL/USDT:USDT', ratePer8h: 0.0025 };

/** The scheduler the other scenarios use: an effect on for `durationMs` of every `periodMs`. */
export type Episodic = (deps: ScenarioDeps, name: ScenarioName, apply: (on: boolean, episode: number) => void) => Scenario;

const perpVenues = (deps: ScenarioDeps): VenueSpec[] => deps.venues.filter((venue) => venue.funding && venue.instruments.some((i) => i.kind === 'perp'));

/** Sets a funding bias stated per 8 h on one perp (scaled to its interval); `kick` moves the rate there at once. */
function biasFunding(deps: ScenarioDeps, venueId: string, symbol: string, biasPer8h: number, kick: boolean): void {
  const funding = deps.model.venue(venueId)?.get(symbol)?.funding;
  if (!funding) return;
  const bias = (biasPer8h * funding.intervalHours) / 8;
  if (kick) funding.rate += bias - funding.meanBias;
  deps.model.setFundingBias(venueId, symbol, bias);
}

function fundingDivergence(deps: ScenarioDeps, episodic: Episodic): Scenario {
  const venues = perpVenues(deps);
  const schedule = { ...deps, options: { ...deps.options, periodMs: DIVERGENCE.periodMs, durationMs: DIVERGENCE.durationMs } };
  return episodic(schedule, 'mix', (on, episode) => {
    for (const venue of venues) for (const symbol of DIVERGENCE.symbols) biasFunding(deps, venue.id, symbol, 0, false);
    const target = venues[episode % Math.max(1, venues.length)];
    if (on && target) for (const symbol of DIVERGENCE.symbols) biasFunding(deps, target.id, symbol, DIVERGENCE.biasPer8h, true);
  });
}

function spotDislocations(deps: ScenarioDeps, episodic: Episodic): Scenario {
  const prng = Prng.derive(deps.seed, 'mix-dislocations');
  const candidates = deps.venues.flatMap((venue) => venue.instruments.filter((i) => i.kind === 'spot' && isStable(i.quote)).map((i) => ({ venue: venue.id, symbol: i.symbol })));
  const bps = deps.options.magnitude ?? DISLOCATION.bps;
  const schedule = { ...deps, options: { ...deps.options, periodMs: deps.options.periodMs ?? DISLOCATION.periodMs, durationMs: deps.options.durationMs ?? DISLOCATION.durationMs } };
  let current: { venue: string; symbol: string } | undefined;
  return episodic(schedule, 'mix', (on) => {
    if (current) deps.model.setPriceOffset(current.venue, current.symbol, 0);
    current = on && candidates.length > 0 ? prng.pick(candidates) : undefined;
    if (current) deps.model.setPriceOffset(current.venue, current.symbol, prng.chance(0.5) ? bps : -bps);
  });
}

function extremeFunding(deps: ScenarioDeps, episodic: Episodic): Scenario {
  const listing = perpVenues(deps).filter((candidate) => candidate.instruments.some((i) => i.symbol === EXTREME.symbol));
  const venue = listing.find((candidate) => candidate.id === deps.options.target) ?? listing[0];
  const schedule = { ...deps, options: { ...deps.options, periodMs: Number.MAX_SAFE_INTEGER, durationMs: Number.MAX_SAFE_INTEGER } };
  const mean = venue?.funding?.meanRate ?? 0;
  const interval = (venue && deps.model.venue(venue.id)?.get(EXTREME.symbol)?.funding?.intervalHours) ?? 8;
  // The bias is what lifts the mean to the target rate (stated per 8 h, scaled like every bias here).
  const biasPer8h = EXTREME.ratePer8h - (mean * 8) / interval;
  return episodic(schedule, 'mix', (on) => venue && biasFunding(deps, venue.id, EXTREME.symbol, on ? biasPer8h : 0, on));
}

export function mix(deps: ScenarioDeps, episodic: Episodic): Scenario {
  const parts = [fundingDivergence(deps, episodic), spotDislocations(deps, episodic), extremeFunding(deps, episodic)];
  return {
    name: 'mix',
    step: (nowMs, dtMs) => parts.forEach((part) => part.step(nowMs, dtMs)),
    stop: () => parts.forEach((part) => part.stop()),
  };
}
