/**
 * The simulator's moving parts wired together, without any networking: market model, one
 * matching engine and one protocol per venue, faults, truth, the stream hub, the scenario, and
 * the tick that advances them all. `simulator.ts` puts a server in front of it.
 *
 * One tick, in order: expire timed faults, let the scenario steer, move the market, fill resting
 * orders the book moved through, settle funding that is due, then flush each book's changes
 * into one diff event per symbol (or swallow it for a `skip-sequence` fault) and let each venue
 * protocol publish.
 */
import type { Logger } from '../base/log.js';
import type { SimClock } from './clock.js';
import { VenueExchange } from './exchange/venue-exchange.js';
import { FaultInjector } from './faults.js';
import type { DepthUpdate } from './market/book.js';
import { MarketModel } from './market/model.js';
import type { Scenario, ScenarioName, ScenarioOptions } from './scenario-types.js';
import { createScenario } from './scenarios.js';
import { StreamHub } from './streams.js';
import { Truth } from './truth.js';
import type { AccountFeeTier, VenueSpec } from './types.js';
import type { CredentialStore, VenueModule, VenueProtocol } from './venue.js';
import { newWorld, readWorld, writeWorld, type WorldFile } from './world-state.js';

export interface Credential {
  readonly apiKey: string;
  readonly secret: string;
  /** okx's third credential (`OK-ACCESS-PASSPHRASE`); venues without one ignore it. */
  readonly passphrase?: string;
  /**
   * The account's fee tier per venue id (`{ bybit: { perp: { makerRate: 0.0001, takerRate: 0.0003 } } }`):
   * what its fills are charged and what the venue's fee endpoints report. Default: the venue's regular rates.
   */
  readonly feeTiers?: Readonly<Record<string, AccountFeeTier>>;
}

export interface CoreConfig {
  readonly seed: number;
  readonly clock: SimClock;
  readonly modules: readonly { readonly module: VenueModule; readonly spec: VenueSpec }[];
  readonly credentials: readonly Credential[];
  readonly scenario: ScenarioName;
  readonly scenarioOptions: ScenarioOptions;
  readonly logger: Logger;
  /** Where the account world is kept across restarts (see world-state.ts); none: a new world each start. */
  readonly stateFile?: string | undefined;
}

export interface VenueRuntime {
  readonly spec: VenueSpec;
  readonly engine: VenueExchange;
  readonly protocol: VenueProtocol;
}

export class SimCore {
  readonly model: MarketModel;
  readonly truth = new Truth();
  readonly faults: FaultInjector;
  readonly hub: StreamHub;
  readonly venues = new Map<string, VenueRuntime>();
  readonly startedMs: number;
  /**
   * While paused the market does not move (no scenario, no price steps): books change only
   * through fills, so a test can let a client catch up and compare its book with the truth.
   */
  paused = false;
  /** This account world's id: the same across restarts from one state file, new otherwise. */
  readonly worldId: string;
  /** True when the accounts were restored from the state file. */
  readonly restored: boolean;
  private scenario: Scenario;
  private readonly world: Omit<WorldFile, 'venues'>;
  private ticking = false;
  private dirty = false;

  constructor(readonly config: CoreConfig) {
    const { clock, seed, logger } = config;
    this.startedMs = clock.nowMs();
    const specs = config.modules.map((entry) => entry.spec);
    this.model = new MarketModel({ seed, venues: specs, clock });
    this.faults = new FaultInjector(clock, this.truth);
    this.hub = new StreamHub((venue) => this.faults.isStalled(venue));
    this.faults.connect(
      (spec) => (spec.kind === 'drop-sockets' ? this.hub.drop(spec.venue, spec.match) : spec.kind === 'malformed-frame' && this.hub.sendMalformed(spec.venue)),
      (venue) => this.hub.resume(venue),
    );
    const byKey = new Map(config.credentials.map((credential) => [credential.apiKey, credential]));
    const credentials: CredentialStore = {
      secretFor: (apiKey) => byKey.get(apiKey)?.secret,
      passphraseFor: (apiKey) => byKey.get(apiKey)?.passphrase,
    };
    config.modules.forEach(({ module, spec }, index) => {
      const market = this.model.venue(spec.id);
      if (!market) throw new Error(`no market for venue ${spec.id}`);
      const feeTierOf = (apiKey: string): AccountFeeTier | undefined => byKey.get(apiKey)?.feeTiers?.[spec.id];
      const engine = new VenueExchange(spec, market, clock, this.truth, this.faults, module.rules, (seed % 1000) * 1000 + index * 100_000, feeTierOf);
      const protocol = module.createProtocol({ spec, clock, market, engine, credentials, streams: this.hub, faults: this.faults, logger: logger.child({ venue: spec.id }) });
      this.venues.set(spec.id, { spec, engine, protocol });
    });
    this.scenario = this.makeScenario(config.scenario, config.scenarioOptions);
    const identity = { seed, scenario: config.scenario };
    const saved = config.stateFile === undefined ? null : readWorld(config.stateFile, identity);
    for (const [venueId, state] of Object.entries(saved?.venues ?? {})) this.venues.get(venueId)?.engine.importState(state);
    this.world = saved ?? newWorld(identity);
    this.worldId = this.world.worldId;
    this.restored = saved !== null;
    if (config.stateFile === undefined) return;
    for (const venue of this.venues.values()) venue.engine.onChange = () => this.changed();
    this.save();
  }

  /** A change outside a tick (an order, a cancel) is saved before its answer goes out; changes in a tick once at its end. */
  private changed(): void {
    if (this.ticking) this.dirty = true;
    else this.save();
  }

  private save(): void {
    if (this.config.stateFile === undefined) return;
    this.dirty = false;
    const venues = Object.fromEntries([...this.venues].map(([id, venue]) => [id, venue.engine.exportState()]));
    writeWorld(this.config.stateFile, { ...this.world, venues });
  }

  private makeScenario(name: ScenarioName, options: ScenarioOptions): Scenario {
    return createScenario(name, {
      model: this.model,
      faults: this.faults,
      venues: [...this.venues.values()].map((venue) => venue.spec),
      seed: this.config.seed,
      startMs: this.config.clock.nowMs(),
      options,
    });
  }

  get scenarioName(): ScenarioName {
    return this.scenario.name;
  }

  setScenario(name: ScenarioName, options: ScenarioOptions = {}): void {
    this.scenario.stop();
    this.scenario = this.makeScenario(name, options);
  }

  /** Advances the whole simulation by `dtMs`. Never throws: a failing venue is logged and skipped. */
  tick(dtMs: number): void {
    const nowMs = this.config.clock.nowMs();
    this.faults.expire(nowMs);
    if (!this.paused) {
      this.scenario.step(nowMs, dtMs);
      this.model.step(dtMs);
    }
    this.ticking = true;
    for (const [venueId, venue] of this.venues) {
      try {
        this.advanceVenue(venueId, venue, nowMs);
      } catch (error) {
        this.config.logger.error({ err: error, venue: venueId }, 'simulator tick failed for venue');
      }
    }
    this.ticking = false;
    if (this.dirty) this.save();
  }

  private advanceVenue(venueId: string, venue: VenueRuntime, nowMs: number): void {
    const market = this.model.venue(venueId);
    if (!market) return;
    const depth = new Map<string, DepthUpdate>();
    for (const [symbol, instrument] of market.instruments) {
      venue.engine.matchResting(symbol);
      const settlement = instrument.funding?.settleIfDue(nowMs, market.markPrice(symbol));
      if (settlement) venue.engine.settleFunding(symbol, settlement);
      const update = instrument.book.flush(nowMs);
      if (update && !this.faults.takeSequenceSkip(venueId, symbol)) depth.set(symbol, update);
    }
    venue.protocol.onTick({ nowMs, depth });
  }
}
