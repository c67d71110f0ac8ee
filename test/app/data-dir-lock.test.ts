import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { LOCK_FILE, lockDataDir } from '../../src/app/data-dir-lock.js';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function dataDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'arbiter-lock-'));
  dirs.push(dir);
  return join(dir, 'data');
}

it('creates the data dir and holds it with this PID until released; then it can be taken again', () => {
  const dir = dataDir();
  const lock = lockDataDir(dir);
  expect(readFileSync(join(dir, LOCK_FILE), 'utf8').trim()).toBe(String(process.pid));
  expect(() => lockDataDir(dir)).toThrow(new RegExp(`DATA_DIR_LOCKED: dataDir: .* is in use by this process \\(PID ${process.pid}`));
  lock.release();
  lock.release();
  expect(existsSync(join(dir, LOCK_FILE))).toBe(false);
  lockDataDir(dir).release();
});

it("refuses a data dir another running process holds, naming that process's PID", () => {
  const dir = dataDir();
  lockDataDir(dir).release();
  writeFileSync(join(dir, LOCK_FILE), `${process.ppid}\n`);
  expect(() => lockDataDir(dir)).toThrow(new RegExp(`in use by another Arbiter process, PID ${process.ppid}`));
  expect(readFileSync(join(dir, LOCK_FILE), 'utf8').trim()).toBe(String(process.ppid));
});

it('takes over a stale lock whose process is gone (killed before it could release)', () => {
  const dir = dataDir();
  const gone = spawnSync(process.execPath, ['-e', '']);
  expect(gone.status).toBe(0);
  lockDataDir(dir).release();
  writeFileSync(join(dir, LOCK_FILE), `${gone.pid}\n`);
  const lock = lockDataDir(dir);
  expect(readFileSync(join(dir, LOCK_FILE), 'utf8').trim()).toBe(String(process.pid));
  lock.release();
});
