/**
 * The start-up pre-flight: what would otherwise fail inside a worker, or never fail at all (a
 * symbol the venue does not list: a run that never trades), is refused before anything trades,
 * each problem named by the config key that causes it.
 *
 * - Every actor's params are parsed on the main thread by its own module, as the worker will,
 *   before the simulator or any worker starts. Importing the modules does not load ccxt (the
 *   venue code imports it lazily, in the worker that connects).
 * - sim mode: every configured symbol must be one the simulator lists on that venue.
 */
import { describeError, arbiterError, isArbiterError } from '../base/errors.js';
import { importActor, parseActorParams } from '../runtime/graph/actor-loader.js';
import { actorModulePath, type GraphConfig } from '../runtime/graph/graph-config.js';
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

/** sim mode: every configured and subscribed symbol must be listed by the simulator on its venue. */
export function checkSimSymbols(config: AppConfig, listed: readonly { venue: string; symbol: string }[], simUrl: string): void {
  const byVenue = new Map<string, string[]>();
  for (const { venue, symbol } of listed) byVenue.set(venue, [...(byVenue.get(venue) ?? []), symbol]);
  const problems: string[] = [];
  for (const [venue, { symbols }] of Object.entries(config.venues)) {
    const known = byVenue.get(venue) ?? [];
    symbols.forEach((symbol, i) => {
      if (!known.includes(symbol)) problems.push(`venues.${venue}.symbols[${i}]: the simulator lists no ${symbol} on ${venue} (it lists ${known.join(', ') || 'nothing'}), got ${JSON.stringify(symbol)}`);
    });
  }
  if (problems.length > 0) throw arbiterError('CONFIG_INVALID', `the simulator at ${simUrl} does not list every configured symbol; a symbol no venue lists is never traded:\n  ${problems.join('\n  ')}`, { details: { issues: problems } });
}
