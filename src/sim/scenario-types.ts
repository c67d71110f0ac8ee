/** The scenario names and the contract every scenario implements (scenarios.ts builds them). */
import type { FaultInjector } from './faults.js';
import type { MarketModel } from './market/model.js';
import type { VenueSpec } from './types.js';

export const SCENARIO_NAMES = ['calm', 'funding-divergence', 'price-dislocation', 'triangular-mispricing', 'chaos', 'mix'] as const;
export type ScenarioName = (typeof SCENARIO_NAMES)[number];

export function isScenarioName(name: string): name is ScenarioName {
  return (SCENARIO_NAMES as readonly string[]).includes(name);
}

export interface ScenarioOptions {
  /** The venue a scenario acts on (default: the first venue it applies to). */
  readonly target?: string;
  /** Dislocation / mispricing size in bps (defaults 60 / 40), or funding bias per interval (default 0.0008). */
  readonly magnitude?: number;
  /** A dislocation cycle: one episode every `periodMs`, lasting `durationMs` (defaults 60 s / 15 s). */
  readonly periodMs?: number;
  readonly durationMs?: number;
  /** Delay before the first episode (default 10 s, so clients can connect to a calm market first). */
  readonly startDelayMs?: number;
  /** Chaos: mean time between faults (default 10 s). */
  readonly faultIntervalMs?: number;
}

export interface Scenario {
  readonly name: ScenarioName;
  /** Called every tick. */
  step(nowMs: number, dtMs: number): void;
  /** Undoes the scenario's effects (switching scenarios). */
  stop(): void;
}

export interface ScenarioDeps {
  readonly model: MarketModel;
  readonly faults: FaultInjector;
  readonly venues: readonly VenueSpec[];
  readonly seed: number;
  readonly startMs: number;
  readonly options: ScenarioOptions;
}
