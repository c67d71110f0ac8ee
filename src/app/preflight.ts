/**
 * The start-up pre-flight: what would otherwise fail inside a worker, or never fail at all (a
 * symbol the venue does not list: a run that never trades), is refused before anything trades,
 * each problem named by the config key that causes it.
 *
 * - Every actor's params are parsed on the main thread by its own module, as the worker will,
 *   before the simulator or any worker starts. Importing the modules does not load ccxt (the
 *   venue code imports it lazily, in the worker that connects).
 * - sim mode: every configured symbol must be one the simulator lists on that venue, before any
 *   worker starts; in every mode, once execution has loaded the venues' markets, the start fails
 *   on a configured symbol a venue does not list (paper and live know the markets only then).
 */
import { describeError, arbiterError, isArbiterError } from '../base/errors.js';
import { importActor, parseActorParams } from '../runtime/graph/actor-loader.js';
import { actorModulePath, type GraphConfig } from '../runtime/graph/graph-config.js';
import type { Supervisor } from '../runtime/supervision/supervisor.js';
import { EXECUTION_ID, feedId } from './compile.js';
import type { AppConfig } from './config.js';

/** The config key an actor of the compiled graph comes from (its params are built from it). */
function configKeyOf(config: AppConfig, actorId: string): string {
  if (actorId === EXECUTION_ID) return 'execution.params';
  const venue = Object.keys(config.venues).find((v) => feedId(v) === actorId);
  if (venue !== undefined) return `venues.${venue}.feed`;
  const index = config.strategies.findIndex((s) => s.id === actorId);
  if (index >= 0) return `strategies[${index}].params`;
  return actorId === 'md-recorder' ? 'record' : `actor ${actorId}`;
}

function reason(error: unknown): string {
  // parseActorParams wraps the module's own error: that is the part worth reading.
  if (isArbiterError(error, 'CONFIG_INVALID') && error.cause !== undefined) return describeError(error.cause);
  return error instanceof Error ? error.message : String(error);
}

/** Imports every actor's module and parses its params; CONFIG_INVALID listing every actor whose do not. */
export async function checkActorParams(config: AppConfig, graph: GraphConfig, baseDir: string): Promise<void> {
  const problems: string[] = [];
  for (const actor of graph.actors) {
    try {
      const definition = await importActor(actor.id, actorModulePath(actor.module, baseDir), actor.credentials === true);
      parseActorParams(actor.id, definition, actor.params ?? {});
    } catch (error) {
      problems.push(`${configKeyOf(config, actor.id)} (actor ${actor.id}, ${actor.module}): ${reason(error)}`);
    }
  }
  if (problems.length > 0) throw arbiterError('CONFIG_INVALID', `pre-flight: ${problems.length} actor(s) would not start:\n  ${problems.join('\n  ')}`, { details: { issues: problems } });
}

/** Refuses the start when a venue does not list a configured symbol, naming each one's config key. */
export function refuseUnlisted(config: AppConfig, unlisted: readonly { venue: string; symbol: string }[], why: (venue: string, symbol: string) => string): void {
  const problems = unlisted.map(({ venue, symbol }) => `venues.${venue}.symbols[${config.venues[venue]?.symbols.indexOf(symbol) ?? -1}]: ${why(venue, symbol)}, got ${JSON.stringify(symbol)}`);
  if (problems.length > 0) throw arbiterError('CONFIG_INVALID', `a configured symbol is not listed by its venue, so it would never be traded:\n  ${problems.join('\n  ')}`, { details: { issues: problems } });
}

/** sim mode, before any worker starts: every configured symbol must be one the simulator lists on that venue. */
export function checkSimSymbols(config: AppConfig, listed: readonly { venue: string; symbol: string }[], simUrl: string): void {
  const byVenue = new Map<string, string[]>();
  for (const { venue, symbol } of listed) byVenue.set(venue, [...(byVenue.get(venue) ?? []), symbol]);
  const unlisted = Object.entries(config.venues).flatMap(([venue, { symbols }]) => symbols.filter((symbol) => !byVenue.get(venue)?.includes(symbol)).map((symbol) => ({ venue, symbol })));
  refuseUnlisted(config, unlisted, (venue, symbol) => `the simulator at ${simUrl} lists no ${symbol} on ${venue} (it lists ${byVenue.get(venue)?.join(', ') || 'nothing'})`);
}

/** How long the start waits for execution to load every venue's markets (it retries a venue that does not answer). */
export const MARKETS_TIMEOUT_MS = 120_000;

/** Any mode, once execution has loaded the venues' markets: the configured symbols they do not list fail the start. */
export async function checkVenueSymbols(config: AppConfig, supervisor: Supervisor): Promise<void> {
  const unlisted = (await supervisor.command(EXECUTION_ID, 'unlistedSymbols', undefined, MARKETS_TIMEOUT_MS)) as { venue: string; symbol: string }[];
  refuseUnlisted(config, unlisted, (venue, symbol) => `${venue} lists no ${symbol} (its markets as execution loaded them)`);
}
