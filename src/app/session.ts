/**
 * Sessions: what a start finds in the data dir, and in sim mode whether it may continue it.
 *
 * In sim mode the simulator and the journal are one world. The simulator keeps its accounts,
 * orders and ids in `<dataDir>/sim-state.json` (src/sim/world-state.ts) and the journal records
 * that world's id, so a second `npm start` resumes both. A journal written against another world
 * (the state file deleted, another seed or scenario) would trade on positions the simulator does
 * not hold, so the start is refused and the message says how to continue: `--fresh` moves the
 * data dir aside and starts a new world.
 */
import { existsSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import { arbiterError } from '../base/errors.js';
import { DEFAULT_JOURNAL_FILE, journalDurability } from '../execution/params.js';
import { readJournalSummary, recordJournalWorld, type JournalSummary } from '../store/index.js';
import type { AppConfig } from './config.js';

/** The simulator's world file in the data dir. */
export const SIM_STATE_FILE = 'sim-state.json';

export interface SessionInfo {
  /** True when the journal already held orders or fills: this run continues it. */
  readonly resumed: boolean;
  /** The journal as it was before this run. */
  readonly journal: JournalSummary;
  /** sim mode: the simulator world this run trades (restored or new). */
  readonly simWorld: { readonly id: string; readonly restored: boolean; /** Where the world is kept (the state file, or an attached simulator). */ readonly keptBy: string } | null;
  /** Where `--fresh` moved the previous data dir (null: nothing moved). */
  readonly movedAside: string | null;
}

export function journalFileOf(config: AppConfig): string {
  const name = config.execution.params['journalFile'];
  return typeof name === 'string' ? name : DEFAULT_JOURNAL_FILE;
}

/** `--fresh`: renames the data dir to `<dir>.<timestamp>` (nothing is deleted). Returns the new name, or null when there was none. */
export function moveDataDirAside(dataDir: string, now = new Date()): string | null {
  if (!existsSync(dataDir)) return null;
  const aside = `${dataDir}.${now.toISOString().replace(/[:.]/g, '-')}`;
  renameSync(dataDir, aside);
  return aside;
}

/** Reads the journal before the system starts and, in sim mode, binds it to the simulator's world or refuses. */
export function openSession(config: AppConfig, dataDir: string, simWorld: SessionInfo['simWorld'], movedAside: string | null): SessionInfo {
  const fileName = journalFileOf(config);
  const journal = readJournalSummary(join(dataDir, fileName));
  const resumed = journal.orders > 0 || journal.fills > 0;
  if (simWorld) {
    if (journal.worldId !== null && journal.worldId !== simWorld.id) refuse(journal, dataDir, `was written against simulator world ${journal.worldId}, but the simulator runs world ${simWorld.id}${simWorld.restored ? '' : ` (a new one: ${simWorld.keptBy} had no saved world)`}`);
    if (journal.worldId === null && resumed) refuse(journal, dataDir, 'records no simulator world (it was written by an older Arbiter or against another simulator)');
    if (journal.worldId === null) recordJournalWorld({ dataDir, fileName, durability: journalDurability(config.mode, config.execution.journal.durability) }, simWorld.id);
  }
  return { resumed, journal, simWorld, movedAside };
}

function refuse(journal: JournalSummary, dataDir: string, why: string): never {
  throw arbiterError(
    'SESSION_MISMATCH',
    `the journal ${journal.path} (${journal.orders} orders, ${journal.fills} fills, ${journal.positions} open positions) ${why}. ` +
      `Resuming would trade on positions this simulator does not hold. To continue: run with --fresh (moves ${dataDir} aside and starts a new world), ` +
      `or put back the ${SIM_STATE_FILE} that belongs to this journal, or pass another --data-dir.`,
  );
}

/** One line for the start-up banner. */
export function describeSession(session: SessionInfo): string {
  const { journal } = session;
  const moved = session.movedAside ? `; previous data dir moved to ${session.movedAside}` : '';
  const world = session.simWorld ? `; simulator world ${session.simWorld.id} (${session.simWorld.restored ? 'restored' : 'new'})` : '';
  if (!session.resumed) return `journal: new at ${journal.path}${world}${moved}`;
  return `journal: resumed ${journal.path} with ${journal.openOrders} open orders and ${journal.positions} positions (${journal.orders} orders, ${journal.fills} fills so far)${world}${moved}`;
}
