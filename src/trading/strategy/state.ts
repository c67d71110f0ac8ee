/**
 * The state every strategy has (ledger, market view, recent opportunities), how it is created,
 * snapshotted for hot reload and restored, and how an older snapshot is migrated.
 *
 * Snapshots are deep copies: during a hand-over the old actor is paused, not gone, and it resumes
 * with its own state if the new one fails (rollback), so the two must never share objects.
 *
 * Migration: `restore(snapshot, fromVersion)` walks `migrations` from `fromVersion` up to the
 * current version, one step per version, then rebuilds. Version 1 is the first, so there is no
 * step yet; when version 2 changes the shape, it adds
 *
 *     migrations: { '1': (s) => ({ version: '2', snapshot: { ...s, newField: defaultValue } }) }
 *
 * Going back (a reload from version 2 to the version-1 module) cannot be version 1's job, which
 * never saw shape 2: version 2 also declares how its snapshot takes shape 1,
 *
 *     downgrades: { '1': (s) => { const { newField, ...v1 } = s as V2; return v1; } }
 *
 * and the hand-over gives version 1 a version-1 snapshot (ActorDefinition.downgrades).
 *
 * A version with no path to the current one is refused with an error, and the runtime keeps the
 * old version running (hot reload rolls back).
 */
import { arbiterError } from '../../base/errors.js';
import { createIntentBook, type IntentBook } from './intent-book.js';
import { MarketRulesView, type MarketRulesEntry } from '../market/market-rules-view.js';
import { createMarketView, restoreMarketView, snapshotMarketView, type MarketView, type MarketViewSnapshot } from './market-view.js';
import { emptyRecent, type RecentOpportunities } from './outputs.js';
import type { CommonParams } from './params.js';

/** Two clocks: wall ms for holding times, deadlines and back-offs; monotonic ms for quote ages. */
export interface StrategyClock {
  wallMs(): number;
  bookMs(): number;
}

export interface BaseState {
  ledger: IntentBook;
  market: MarketView;
  /** Each market's rules and fee rates as execution published them. */
  rules: MarketRulesView;
  recent: RecentOpportunities;
}

export interface BaseSnapshot {
  readonly ledger: IntentBook;
  readonly market: MarketViewSnapshot;
  /** Absent in snapshots written before market rules were published (the successor waits for the next publication). */
  readonly rules?: MarketRulesEntry[];
  readonly recent: RecentOpportunities;
}

export type Migration = (snapshot: unknown) => { version: string; snapshot: unknown };

export function createBaseState(strategyId: string, params: CommonParams, clock: StrategyClock): BaseState {
  return { ledger: createIntentBook(strategyId, clock.wallMs()), market: createMarketView(() => clock.bookMs(), params.maxQuoteAgeMs), rules: new MarketRulesView(), recent: emptyRecent() };
}

export function snapshotBase(state: BaseState): BaseSnapshot {
  return { ledger: structuredClone(state.ledger), market: structuredClone(snapshotMarketView(state.market)), rules: state.rules.snapshot(), recent: structuredClone(state.recent) };
}

/**
 * Rebuilds the shared part of the state. The strategy id comes from the new actor (the same
 * config entry), everything else from the snapshot, so intentSeq carries on where it stopped.
 */
export function restoreBase(snapshot: BaseSnapshot, strategyId: string, params: CommonParams, clock: StrategyClock): BaseState {
  const ledger = structuredClone(snapshot.ledger);
  ledger.strategyId = strategyId;
  // Snapshots taken before the fill guard existed have no fill times: no guard until the next fill.
  ledger.lastFillNs ??= {};
  const market = restoreMarketView(structuredClone(snapshot.market), () => clock.bookMs(), params.maxQuoteAgeMs);
  return { ledger, market, rules: new MarketRulesView(structuredClone(snapshot.rules ?? [])), recent: structuredClone(snapshot.recent) };
}

/** Brings a snapshot from `fromVersion` to `currentVersion` through `migrations`, or throws naming both. */
export function migrateSnapshot(
  kind: string,
  snapshot: unknown,
  fromVersion: string,
  currentVersion: string,
  migrations: Readonly<Record<string, Migration>> = {},
): unknown {
  let version = fromVersion;
  let current = snapshot;
  for (let steps = 0; version !== currentVersion; steps++) {
    const step = migrations[version];
    if (!step || steps > 100) throw arbiterError('INVALID_ARGUMENT', `${kind}: cannot restore a version ${fromVersion} snapshot into version ${currentVersion} (no migration from ${version}; a newer version hands its state back to this one only if it declares downgrades['${currentVersion}'])`);
    ({ version, snapshot: current } = step(current));
  }
  if (typeof current !== 'object' || current === null || !('ledger' in current) || !('market' in current)) {
    throw arbiterError('INVALID_ARGUMENT', `${kind}: the version ${fromVersion} snapshot has no ledger or market`);
  }
  return current;
}
