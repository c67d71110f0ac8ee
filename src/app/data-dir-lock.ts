/**
 * One Arbiter per data dir: a second process on the same journal would trade every position
 * again. The lock is `<dataDir>/arbiter.lock`,
 * created with its content in one step (a hard link) and holding the owner's PID;
 * a lock whose PID no longer runs (the owner was killed) is stale and taken over. It is released
 * by `release()` and, whatever else ends the process, on its `exit` event.
 */
import { linkSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { arbiterError } from '../base/errors.js';

export const LOCK_FILE = 'arbiter.lock';

export interface DataDirLock {
  readonly file: string;
  /** Removes the lock file (idempotent). */
  release(): void;
}

function running(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function ownerOf(file: string): number | null {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return null; // removed meanwhile: free again
  }
  const pid = Number.parseInt(text, 10);
  return Number.isInteger(pid) && pid > 0 ? pid : null;
}

/** Creates the lock with its content in one step (a hard link fails if the name exists), so no one reads it half written. */
function tryCreate(file: string): boolean {
  const draft = `${file}.${process.pid}`;
  try {
    writeFileSync(draft, `${process.pid}\n`);
    linkSync(draft, file);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw arbiterError('CONFIG_INVALID', `dataDir: cannot create the lock file ${file}: ${(error as Error).message}`, { cause: error });
  } finally {
    rmSync(draft, { force: true });
  }
}

/** Takes the data dir's lock (creating the dir), or refuses naming the PID that holds it. */
export function lockDataDir(dataDir: string): DataDirLock {
  mkdirSync(dataDir, { recursive: true });
  const file = join(dataDir, LOCK_FILE);
  while (!tryCreate(file)) {
    const pid = ownerOf(file);
    if (pid !== null && running(pid)) {
      const who = pid === process.pid ? `this process (PID ${pid}: an earlier start is still running)` : `another Arbiter process, PID ${pid}`;
      throw arbiterError('DATA_DIR_LOCKED', `dataDir: ${dataDir} is in use by ${who} (lock ${file}); two runs on one journal would trade every position twice: stop it first, or pass another --data-dir`, { details: { pid } });
    }
    // Stale (its process is gone) or unreadable garbage: take it over.
    rmSync(file, { force: true });
  }
  let held = true;
  const release = (): void => {
    if (!held) return;
    held = false;
    process.off('exit', release);
    if (ownerOf(file) === process.pid) rmSync(file, { force: true });
  };
  process.on('exit', release);
  return { file, release };
}
