/**
 * The embedded exchange simulator's public surface: start it in process or in a child
 * process, drive and inspect it through the control API, and add venues through `VenueModule`.
 */
export { startSimulator, type Simulator, type SimulatorOptions } from './simulator.js';
export { spawnSimulator, type SimulatorProcess, type ProcessSimulatorOptions } from './process.js';
export { DEFAULT_CREDENTIALS, DEFAULT_PASSPHRASE } from './options.js';
export { SimControl } from './control/client.js';
export { CONTROL_PREFIX } from './control/routes.js';
export type * from './control/types.js';
export { SCENARIO_NAMES, type ScenarioName, type ScenarioOptions } from './scenario-types.js';
export type { FaultSpec } from './faults.js';
export type { VenueModule, VenueContext, VenueProtocol, VenueRoute, VenueWsEndpoint, VenueRequest, VenueTick, CoreError } from './venue.js';
export type { VenueSpec, InstrumentSpec, QuotingSpec, FundingSpec, FeeSpec, MarketKind } from './types.js';
export { VENUE_MODULES } from './venues/index.js';
