/**
 * Simulator options and their validation. Bad options fail at start with a message naming the
 * option and the value (CONFIG_INVALID), never halfway through a run.
 */
import { arbiterError } from '../base/errors.js';
import type { Logger } from '../base/log.js';
import type { NetBackendName } from '../base/net/index.js';
import { systemClock, type SimClock } from './clock.js';
import type { Credential } from './core.js';
import { isScenarioName, SCENARIO_NAMES, type ScenarioName, type ScenarioOptions } from './scenario-types.js';
import { SCENARIO_TIME_SCALES } from './scenarios.js';
import type { VenueSpec } from './types.js';
import type { VenueModule } from './venue.js';
import { VENUE_MODULES } from './venues/index.js';

/** okx's passphrase for a credential that sets none. */
export const DEFAULT_PASSPHRASE = 'arbiter-sim-pass';
export const DEFAULT_CREDENTIALS: Credential = { apiKey: 'arbiter-sim', secret: 'arbiter-sim-secret', passphrase: DEFAULT_PASSPHRASE };

export interface SimulatorOptions {
  /** Default 0 (any free port; read the real one from the result). */
  readonly port?: number;
  /** Default 127.0.0.1. */
  readonly host?: string;
  /** PRNG seed (unsigned 32-bit integer). Default 1. */
  readonly seed?: number;
  /** Default `calm`. */
  readonly scenario?: ScenarioName;
  readonly scenarioOptions?: ScenarioOptions;
  /** Funding-time compression (960 → 8 h funding every 30 s). Default 1, or the scenario's own (`mix`: 960). */
  readonly timeScale?: number;
  /** Market step and depth-stream cadence in ms. Default 100 (binance's `@100ms`). */
  readonly tickMs?: number;
  /** Accepted API keys. Default `arbiter-sim` / `arbiter-sim-secret` / passphrase `arbiter-sim-pass` (okx). */
  readonly credentials?: Credential | readonly Credential[];
  /** Venue ids to serve (ccxt ids). Default: every registered venue. */
  readonly venues?: readonly string[];
  /** Keep only these pairs (`BTC/USDT` keeps the spot pair and the `BTC/USDT:USDT` perp). Default: all. */
  readonly symbols?: readonly string[];
  /**
   * What a new account holds on each venue (venue id → asset → amount), replacing that venue's
   * default (binance spot, bybit, okx: 100 000 USDT, 1 BTC, 10 ETH, 100 SOL; binance USDⓈ-M:
   * 100 000 USDT). Venues not listed keep their default.
   */
  readonly startingBalances?: Readonly<Record<string, Readonly<Record<string, number>>>>;
  readonly backend?: NetBackendName | 'auto';
  readonly logger?: Logger;
  /** Injectable clock (tests). */
  readonly clock?: SimClock;
  /** Keep the account world (balances, positions, orders, ids) in this file across restarts (world-state.ts). */
  readonly stateFile?: string;
}

export interface ResolvedOptions {
  readonly port: number;
  readonly host: string;
  readonly seed: number;
  readonly scenario: ScenarioName;
  readonly scenarioOptions: ScenarioOptions;
  readonly timeScale: number;
  readonly tickMs: number;
  readonly credentials: readonly Credential[];
  readonly modules: readonly { readonly module: VenueModule; readonly spec: VenueSpec }[];
  readonly backend: NetBackendName | 'auto';
  readonly clock: SimClock;
  readonly stateFile: string | undefined;
}

function invalid(field: string, expected: string, value: unknown): never {
  throw arbiterError('CONFIG_INVALID', `${field}: expected ${expected}, got ${JSON.stringify(value)}`);
}

function numberOption(field: string, value: unknown, fallback: number, check: (n: number) => boolean, expected: string): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || !check(value)) invalid(field, expected, value);
  return value;
}

function resolveCredentials(value: SimulatorOptions['credentials']): Credential[] {
  if (value === undefined) return [DEFAULT_CREDENTIALS];
  const list = Array.isArray(value) ? value : [value as Credential];
  if (list.length === 0) invalid('credentials', 'at least one { apiKey, secret }', []);
  list.forEach((credential, index) => {
    if (typeof credential?.apiKey !== 'string' || credential.apiKey === '') invalid(`credentials[${index}].apiKey`, 'a non-empty string', credential?.apiKey);
    // Never echo a secret back, even in an error.
    if (typeof credential.secret !== 'string' || credential.secret === '') invalid(`credentials[${index}].secret`, 'a non-empty string', '[redacted]');
    const passphrase = credential.passphrase;
    if (passphrase !== undefined && (typeof passphrase !== 'string' || passphrase === '')) invalid(`credentials[${index}].passphrase`, 'a non-empty string', '[redacted]');
    checkFeeTiers(`credentials[${index}].feeTiers`, credential.feeTiers);
  });
  return list.map((credential) => ({ ...credential, passphrase: credential.passphrase ?? DEFAULT_PASSPHRASE }));
}

/** An account's fee tiers: `{ <venue id>: { spot?|perp?: { makerRate, takerRate } } }`, fractions within ±1 %. */
function checkFeeTiers(field: string, tiers: unknown): void {
  if (tiers === undefined) return;
  if (typeof tiers !== 'object' || tiers === null || Array.isArray(tiers)) invalid(field, '{ <venue id>: { spot?, perp? } }', tiers);
  for (const [venue, tier] of Object.entries(tiers)) {
    if (typeof tier !== 'object' || tier === null) invalid(`${field}.${venue}`, '{ spot?, perp? }', tier);
    for (const [kind, rates] of Object.entries(tier)) {
      if (kind !== 'spot' && kind !== 'perp') invalid(`${field}.${venue}`, 'only spot and perp tiers', kind);
      for (const name of ['makerRate', 'takerRate'] as const) {
        const rate = (rates as Record<string, unknown> | null)?.[name];
        if (typeof rate !== 'number' || !Number.isFinite(rate) || Math.abs(rate) > 0.01) invalid(`${field}.${venue}.${kind}.${name}`, 'a fraction within ±0.01 (0.0005 = 5 bps)', rate);
      }
    }
  }
}

function pairOf(symbol: string): string {
  return symbol.split(':')[0] as string;
}

function resolveBalances(value: SimulatorOptions['startingBalances'], served: readonly string[]): Readonly<Record<string, Readonly<Record<string, number>>>> {
  if (value === undefined) return {};
  if (value === null || typeof value !== 'object' || Array.isArray(value)) invalid('startingBalances', 'an object venue → asset → amount', value);
  for (const [venue, assets] of Object.entries(value)) {
    if (!served.includes(venue)) invalid(`startingBalances.${venue}`, `one of the served venues ${served.join(', ')}`, venue);
    if (assets === null || typeof assets !== 'object' || Array.isArray(assets)) invalid(`startingBalances.${venue}`, 'an object asset → amount', assets);
    for (const [asset, amount] of Object.entries(assets)) {
      if (typeof amount !== 'number' || !Number.isFinite(amount) || amount < 0) invalid(`startingBalances.${venue}.${asset}`, 'a finite number ≥ 0', amount);
    }
  }
  return value;
}

function resolveModules(venues: readonly string[] | undefined, symbols: readonly string[] | undefined, balances: SimulatorOptions['startingBalances']): ResolvedOptions['modules'] {
  const known = VENUE_MODULES.map((module) => module.spec.id);
  const ids = venues ?? known;
  if (!Array.isArray(ids) || ids.length === 0) invalid('venues', `a non-empty list of ${known.join(', ')}`, venues);
  const wanted = symbols === undefined ? undefined : new Set(symbols.map(pairOf));
  const startingBalances = resolveBalances(balances, ids);
  return ids.map((id) => {
    const module = VENUE_MODULES.find((candidate) => candidate.spec.id === id);
    if (!module) invalid('venues', `one of ${known.join(', ')}`, id);
    const instruments = module.spec.instruments.filter((instrument) => !wanted || wanted.has(pairOf(instrument.symbol)));
    if (instruments.length === 0) invalid('symbols', `at least one symbol listed on ${id}`, symbols);
    return { module, spec: { ...module.spec, instruments, startingBalances: startingBalances[id] ?? module.spec.startingBalances } };
  });
}

export function resolveOptions(options: SimulatorOptions): ResolvedOptions {
  const scenario = options.scenario ?? 'calm';
  if (!isScenarioName(scenario)) invalid('scenario', `one of ${SCENARIO_NAMES.join(', ')}`, scenario);
  const timeScale = numberOption('timeScale', options.timeScale, SCENARIO_TIME_SCALES[scenario] ?? 1, (n) => n > 0 && n <= 1e6, 'a number > 0 and ≤ 1e6');
  return {
    port: numberOption('port', options.port, 0, (n) => Number.isInteger(n) && n >= 0 && n <= 65535, 'an integer port 0…65535'),
    host: options.host ?? '127.0.0.1',
    seed: numberOption('seed', options.seed, 1, (n) => Number.isInteger(n) && n >= 0 && n <= 0xffffffff, 'an unsigned 32-bit integer'),
    scenario,
    scenarioOptions: options.scenarioOptions ?? {},
    timeScale,
    tickMs: numberOption('tickMs', options.tickMs, 100, (n) => Number.isInteger(n) && n >= 5 && n <= 10_000, 'an integer 5…10000'),
    credentials: resolveCredentials(options.credentials),
    modules: resolveModules(options.venues, options.symbols, options.startingBalances),
    backend: options.backend ?? 'auto',
    clock: options.clock ?? systemClock(timeScale),
    stateFile: stateFileOption(options.stateFile),
  };
}

function stateFileOption(value: unknown): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || value === '') invalid('stateFile', 'a file path', value);
  return value;
}
