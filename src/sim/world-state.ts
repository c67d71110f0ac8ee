/**
 * The simulator's account world on disk, so a restart of the simulator is a restart and not a
 * new exchange: balances, positions, leverage, funding history, every order with its fills, and
 * the order and trade id counters of each venue, plus the world's id. The market itself (prices,
 * funding rates) restarts from the seed and scenario; accounts and ids continue.
 *
 * The file is rewritten after every change (an order, a cancel, a fill, a funding payment), to a
 * temporary name and renamed over the old one: rename is atomic, so a kill -9 at any moment
 * leaves either the previous world or the new one, never half of one. No fsync: the state must
 * survive the process, not the machine (like the journal's `normal` durability).
 *
 *   { version, worldId, seed, scenario, createdAt, venues: { <venueId>: ExchangeState } }
 */
import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { arbiterError } from '../base/errors.js';
import type { ExchangeState } from './exchange/venue-exchange.js';

const VERSION = 1;

export interface WorldFile {
  readonly version: number;
  readonly worldId: string;
  readonly seed: number;
  readonly scenario: string;
  readonly createdAt: string;
  readonly venues: Readonly<Record<string, ExchangeState>>;
}

/** What a world is made of besides its accounts: a world restored under another seed or scenario is another world. */
export interface WorldIdentity {
  readonly seed: number;
  readonly scenario: string;
}

/**
 * Reads the world in `file`, or null when there is none yet. A file that cannot be read, or that
 * was made with another seed or scenario, fails with CONFIG_INVALID saying how to continue.
 */
export function readWorld(file: string, identity: WorldIdentity): WorldFile | null {
  if (!existsSync(file)) return null;
  let world: WorldFile;
  try {
    world = JSON.parse(readFileSync(file, 'utf8')) as WorldFile;
  } catch (error) {
    throw arbiterError('CONFIG_INVALID', `simulator state ${file} is not readable JSON; run with --fresh to move the data dir aside and start a new world`, { cause: error });
  }
  if (world.version !== VERSION || typeof world.worldId !== 'string' || typeof world.venues !== 'object') {
    throw arbiterError('CONFIG_INVALID', `simulator state ${file} has an unknown layout (version ${JSON.stringify(world.version)}, expected ${VERSION}); run with --fresh to start a new world`);
  }
  if (world.seed !== identity.seed || world.scenario !== identity.scenario) {
    throw arbiterError(
      'CONFIG_INVALID',
      `simulator state ${file} is world ${world.worldId} (seed ${world.seed}, scenario ${world.scenario}), but this run asks for seed ${identity.seed}, scenario ${identity.scenario}: ` +
        'run with the same seed and scenario to resume it, or with --fresh to move the data dir aside and start a new world',
    );
  }
  return world;
}

/** A new world's header. */
export function newWorld(identity: WorldIdentity): Omit<WorldFile, 'venues'> {
  return { version: VERSION, worldId: randomUUID(), seed: identity.seed, scenario: identity.scenario, createdAt: new Date().toISOString() };
}

/** Writes the world atomically (temporary file, then rename). */
export function writeWorld(file: string, world: WorldFile): void {
  mkdirSync(dirname(file), { recursive: true });
  const temporary = `${file}.${process.pid}.tmp`;
  writeFileSync(temporary, JSON.stringify(world));
  renameSync(temporary, file);
}
