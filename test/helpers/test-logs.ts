/**
 * Setup file (vitest.config.ts `setupFiles`): the logs of passing tests stay out of the test
 * output, the logs of failing tests are printed with the failure.
 *
 * Logs are pino JSON lines written straight to file descriptor 1 from the test's own thread, from
 * every actor worker thread and from child processes; vitest's console capture sees none of them.
 * So each test file gets a log file (ARBITER_LOG_FILE, see src/base/log.ts), inherited by the
 * workers and child processes it starts. When a test fails, the lines written while it ran are
 * printed on its stderr; when a hook fails outside any test, the whole file is. The file is
 * deleted at the end of the test file unless some of it was printed (the message names it).
 *
 * A test that reads a child process's log from its stdout must unset ARBITER_LOG_FILE for it
 * (test/fixtures/exec-system.ts does).
 */
import { randomUUID } from 'node:crypto';
import { readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeEach } from 'vitest';
import type { RunnerTask } from 'vitest';
import { LOG_FILE_ENV } from '../../src/base/log.js';

/** Lines printed per failure; the rest stays in the kept file. */
const MAX_LINES = 200;

// Created by the first line logged (pino's mkdir), so a test file that logs nothing leaves nothing.
const file = join(tmpdir(), 'arbiter-test-logs', `${randomUUID()}.log`);
process.env[LOG_FILE_ENV] = file;
let printed = false;

function sizeNow(): number {
  try {
    return statSync(file).size;
  } catch {
    return 0; // nothing logged yet
  }
}

function print(what: string, fromByte: number): void {
  if (sizeNow() <= fromByte) return;
  printed = true;
  const lines = readFileSync(file).subarray(fromByte).toString('utf8').split('\n').filter((line) => line !== '');
  const shown = lines.slice(-MAX_LINES);
  const skipped = lines.length - shown.length;
  const head = `── logs of ${what} (${lines.length} lines${skipped > 0 ? `, the first ${skipped} only in the file` : ''}; all in ${file}) ──`;
  console.error([head, ...shown].join('\n'));
}

function hookFailed(task: RunnerTask): boolean {
  if (task.type !== 'suite') return false;
  return (task.result?.errors?.length ?? 0) > 0 || task.tasks.some(hookFailed);
}

beforeEach(({ task, onTestFailed }) => {
  const from = sizeNow();
  onTestFailed(() => print(`"${task.name}"`, from));
});

// Vitest reads a hook's first parameter as its fixture list and requires a destructuring pattern.
// eslint-disable-next-line no-empty-pattern
afterAll(({}, testFile) => {
  if (hookFailed(testFile)) print(`${testFile.name} (a hook failed)`, 0);
  if (!printed) rmSync(file, { force: true });
});
